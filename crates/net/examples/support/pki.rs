//! A throw-away CA and a `localhost` server certificate, made on the spot for the examples
//! (nothing with a fixed expiry is shipped). Files live in a temporary directory.

use std::path::PathBuf;

use net::tls::{new_context, ContextOptions};
use net::Socket;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// Paths of the PEM files.
pub(crate) struct Pki {
    pub(crate) dir: PathBuf,
    pub(crate) ca_file: PathBuf,
    pub(crate) cert_chain: PathBuf,
    pub(crate) key: PathBuf,
}

impl Pki {
    /// A listener on 127.0.0.1 (port chosen by the OS), wrapped so that each `accept` runs
    /// the server handshake with this certificate; and its port.
    #[allow(dead_code)] // shared by the examples; tls_server spells the recipe out instead
    pub(crate) fn tls_listener(&self) -> Result<(Socket, u16), Box<dyn std::error::Error>> {
        let server_ctx = new_context(ContextOptions::new().cert_and_key(&self.cert_chain, &self.key))?;
        let mut listener = Socket::tcp()?;
        listener.bind_addr(0, "127.0.0.1")?;
        listener.listen()?;
        server_ctx.wrap_socket(&mut listener)?;
        let port = listener.local_addr()?.port();
        Ok((listener, port))
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) fn localhost() -> Result<Pki, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!("net-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.distinguished_name.push(DnType::CommonName, "net example CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;
    let mut params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params.distinguished_name.push(DnType::OrganizationName, "net examples");
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca)?;
    let pki =
        Pki { ca_file: dir.join("ca.pem"), cert_chain: dir.join("server-chain.pem"), key: dir.join("server.key"), dir };
    std::fs::write(&pki.ca_file, ca.pem())?;
    std::fs::write(&pki.cert_chain, format!("{}{}", cert.pem(), ca.pem()))?;
    std::fs::write(&pki.key, key.serialize_pem())?;
    Ok(pki)
}
