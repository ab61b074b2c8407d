//! Certificates, keys and trusted roots from files.

use std::ffi::CStr;
use std::path::{Path, PathBuf};

use net_tls::{read_file, ContextOptions, RootSources, TlsError};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

/// The PEM certificates of `path`, at least one.
pub(crate) fn certificates(what: &'static str, path: &Path) -> Result<Vec<X509>, TlsError> {
    let pem = read_file(what, path)?;
    match X509::stack_from_pem(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(TlsError::invalid_file(what, path, "no PEM certificate in the file")),
        Err(e) => Err(TlsError::invalid_file(what, path, format!("not PEM certificates: {e}"))),
    }
}

/// The PEM private key of `path`.
pub(crate) fn private_key(path: &Path) -> Result<PKey<Private>, TlsError> {
    let pem = read_file("key file", path)?;
    PKey::private_key_from_pem(&pem)
        .map_err(|e| TlsError::invalid_file("key file", path, format!("not a PEM private key: {e}")))
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
    let parse = |pem: &[u8]| X509::stack_from_pem(pem).map_err(|e| format!("not PEM certificates: {e}"));
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
