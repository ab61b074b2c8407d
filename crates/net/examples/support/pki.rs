//! A throw-away CA and a `localhost` server certificate, made on the spot for the examples
//! (nothing with a fixed expiry is shipped). Files live in a temporary directory.

use std::path::PathBuf;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

/// Paths of the PEM files.
pub(crate) struct Pki {
    pub(crate) dir: PathBuf,
    pub(crate) ca_file: PathBuf,
    pub(crate) cert_chain: PathBuf,
    pub(crate) key: PathBuf,
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
