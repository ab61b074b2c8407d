//! Certificates, keys and trusted roots from files.

use std::ffi::CStr;
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
    /// OpenSSL's compiled-in default file and directory.
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
    let (file, dir) = default_locations();
    let file = file.filter(|f| f.is_file());
    let dir = dir.filter(|d| std::fs::read_dir(d).is_ok_and(|mut entries| entries.next().is_some()));
    if file.is_none() && dir.is_none() {
        return Err(TlsError::NoCaCertificates);
    }
    Ok(Roots::System { file, dir })
}

/// OpenSSL's compiled-in default CA file and directory (not the environment variables).
fn default_locations() -> (Option<PathBuf>, Option<PathBuf>) {
    openssl::init();
    #[allow(unsafe_code)]
    // SAFETY: both functions return pointers to constant NUL-terminated strings compiled into
    // libcrypto (never null, never freed); they are only read here.
    let (file, dir) = unsafe {
        (
            CStr::from_ptr(openssl_sys::X509_get_default_cert_file()),
            CStr::from_ptr(openssl_sys::X509_get_default_cert_dir()),
        )
    };
    let path = |s: &CStr| s.to_str().ok().filter(|s| !s.is_empty()).map(PathBuf::from);
    (path(file), path(dir))
}
