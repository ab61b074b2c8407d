//! Certificates, keys and trusted roots from files.

use std::path::PathBuf;

use net_tls::{ContextOptions, Identity, RootSources, TlsError};
use openssl::error::ErrorStack;
use openssl::pkey::PKey;
use openssl::ssl::SslContextBuilder;
use openssl::x509::X509;

/// Our certificate chain and key (read by net-tls in whatever format, checked to match)
/// on the context; OpenSSL refusing either is an error naming both files.
pub(crate) fn use_identity(b: &mut SslContextBuilder, identity: &Identity) -> Result<(), TlsError> {
    let refused = |e: ErrorStack| identity.key_error(reasons(&e));
    let mut chain = identity.chain().iter().map(|c| X509::from_der(c.as_der()));
    if let Some(leaf) = chain.next() {
        let leaf = leaf.map_err(refused)?;
        b.set_certificate(&leaf).map_err(refused)?;
    }
    for extra in chain {
        b.add_extra_chain_cert(extra.map_err(refused)?).map_err(refused)?;
    }
    let key = PKey::private_key_from_pkcs8(identity.key_pkcs8_der()).map_err(refused)?;
    b.set_private_key(&key).map_err(refused)?;
    b.check_private_key().map_err(refused)
}

/// OpenSSL's reasons, each once, without its source-file paths and codes.
fn reasons(stack: &ErrorStack) -> String {
    let mut reasons: Vec<&str> = Vec::new();
    for err in stack.errors() {
        let reason = err.reason().unwrap_or("unknown error");
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    if reasons.is_empty() {
        "OpenSSL refused it".into()
    } else {
        reasons.join("; ")
    }
}

/// Where the trusted roots come from.
pub(crate) enum Roots {
    /// Certificates from the options (and the environment under `PeerUseEnvVars`).
    Explicit(Vec<X509>),
    /// The system's bundle file or directory (`RootSources::system`).
    System { file: Option<PathBuf>, dir: Option<PathBuf> },
}

/// The trusted roots the options ask for; `NoCaCertificates` when there are none.
pub(crate) fn roots(options: &ContextOptions) -> Result<Roots, TlsError> {
    // PEM or DER, read by net-tls (which words its errors).
    let parse = |bytes: &[u8]| -> Result<Vec<X509>, String> {
        let certs = net_tls::parse_certificates(bytes)?;
        let refused = |e: ErrorStack| format!("a certificate OpenSSL refuses: {}", reasons(&e));
        certs.iter().map(|c| X509::from_der(c.as_der()).map_err(refused)).collect()
    };
    match RootSources::from_options(options).load(parse)? {
        Some(certs) if certs.is_empty() => return Err(TlsError::NoCaCertificates),
        Some(certs) => return Ok(Roots::Explicit(certs)),
        None => {}
    }
    // The system's roots, found as every backend finds them (not OpenSSL's compiled-in
    // default, and never the environment under `VerifyMode::Peer`); OpenSSL reads the bundle,
    // or looks certificates up in the directory by hashed name as it needs them.
    let system = RootSources::system();
    let (file, dir) = (system.files.first().cloned(), system.dirs.first().cloned());
    if file.is_none() && dir.is_none() {
        return Err(TlsError::NoCaCertificates);
    }
    Ok(Roots::System { file, dir })
}
