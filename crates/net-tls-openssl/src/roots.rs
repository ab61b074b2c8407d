//! Certificates, keys and trusted roots from files.

use std::ffi::CStr;
use std::io;
use std::path::{Path, PathBuf};

use net_tls::{ContextOptions, TlsError, VerifyMode};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

/// Reads a file, naming it in the error.
fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::File { what, path: path.to_owned(), source })
}

fn invalid(what: &'static str, path: &Path, reason: String) -> TlsError {
    TlsError::File { what, path: path.to_owned(), source: io::Error::new(io::ErrorKind::InvalidData, reason) }
}

/// The PEM certificates of `path`, at least one.
pub(crate) fn certificates(what: &'static str, path: &Path) -> Result<Vec<X509>, TlsError> {
    let pem = read(what, path)?;
    match X509::stack_from_pem(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(certs),
        Ok(_) => Err(invalid(what, path, "no PEM certificate in the file".into())),
        Err(e) => Err(invalid(what, path, format!("not PEM certificates: {e}"))),
    }
}

/// The PEM private key of `path`.
pub(crate) fn private_key(path: &Path) -> Result<PKey<Private>, TlsError> {
    let pem = read("key file", path)?;
    PKey::private_key_from_pem(&pem).map_err(|e| invalid("key file", path, format!("not a PEM private key: {e}")))
}

/// Every certificate in the regular files of `dir` that parse as PEM; other files are skipped.
pub(crate) fn directory(dir: &Path) -> Result<Vec<X509>, TlsError> {
    let err = |source| TlsError::File { what: "CA directory", path: dir.to_owned(), source };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(err)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let Ok(pem) = std::fs::read(&path) else { continue };
        if let Ok(certs) = X509::stack_from_pem(&pem) {
            out.extend(certs);
        }
    }
    Ok(out)
}

/// Where the trusted roots come from.
pub(crate) enum Roots {
    /// Certificates from the options (and the environment under `PeerUseEnvVars`).
    Explicit(Vec<X509>),
    /// OpenSSL's compiled-in default file and directory.
    System { file: Option<PathBuf>, dir: Option<PathBuf> },
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The trusted roots the options ask for; `NoCaCertificates` when there are none.
pub(crate) fn roots(options: &ContextOptions) -> Result<Roots, TlsError> {
    let mut given = false;
    let mut certs = Vec::new();
    if let Some(file) = &options.ca_file {
        given = true;
        certs.extend(certificates("CA file", file)?);
    }
    if let Some(dir) = &options.ca_dir {
        given = true;
        certs.extend(directory(dir)?);
    }
    if options.verify_mode == VerifyMode::PeerUseEnvVars {
        // Like OpenSSL itself, a variable naming a missing file adds nothing; if nothing else
        // is trusted, that is `NoCaCertificates`.
        if let Some(file) = env_path("SSL_CERT_FILE") {
            given = true;
            if let Ok(found) = certificates("CA file", &file) {
                certs.extend(found);
            }
        }
        if let Some(dirs) = env_path("SSL_CERT_DIR") {
            given = true;
            for dir in std::env::split_paths(&dirs) {
                if let Ok(found) = directory(&dir) {
                    certs.extend(found);
                }
            }
        }
    }
    if given {
        return if certs.is_empty() { Err(TlsError::NoCaCertificates) } else { Ok(Roots::Explicit(certs)) };
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
