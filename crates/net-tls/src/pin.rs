//! Certificate pinning: "trust exactly this certificate", the same on every backend.

use crate::error::TlsError;
use crate::options::{Certificate, ContextOptions};
use crate::reason::CertificateReason;

/// For backends: the certificate `ContextOptions::pinned_certificate` names (a PEM file's
/// first certificate, or a DER file), read when the context is made; `None` when no
/// certificate is pinned. A file that cannot be read or holds no certificate is a
/// [`TlsError::File`] ("pinned certificate").
///
/// ```
/// use net::tls::{pinned_certificate, ContextOptions, TlsError};
/// assert!(pinned_certificate(&ContextOptions::new())?.is_none());
/// let pin = ContextOptions::new().pinned_certificate(concat!(env!("NET_DOC_PKI"), "/chain.pem"));
/// assert!(pinned_certificate(&pin)?.is_some_and(|c| c.alt_names().contains(&"localhost".to_owned())));
/// let missing = ContextOptions::new().pinned_certificate("/nonexistent.pem");
/// assert!(matches!(pinned_certificate(&missing), Err(TlsError::File { what: "pinned certificate", .. })));
/// # Ok::<(), TlsError>(())
/// ```
pub fn pinned_certificate(options: &ContextOptions) -> Result<Option<Certificate>, TlsError> {
    use rustls_pki_types::pem::PemObject;
    let Some(path) = &options.pinned_certificate else { return Ok(None) };
    let bytes = crate::roots::read_file("pinned certificate", path)?;
    if bytes.first() == Some(&0x30) {
        return Ok(Some(Certificate(bytes))); // DER
    }
    match rustls_pki_types::CertificateDer::from_pem_slice(&bytes) {
        Ok(der) => Ok(Some(Certificate(der.as_ref().to_vec()))),
        Err(rustls_pki_types::pem::Error::NoItemsFound) => {
            Err(TlsError::invalid_file("pinned certificate", path, "no certificate in the file (PEM or DER)"))
        }
        Err(e) => Err(TlsError::invalid_file("pinned certificate", path, e.to_string())),
    }
}

/// For backends: whether the peer's `leaf` is the `pinned` certificate, byte for byte.
///
/// ```
/// use net::tls::{check_pinned, Certificate, CertificateReason};
/// let pin = Certificate(vec![0x30, 0x00]);
/// assert!(check_pinned(&pin, Some(&pin)).is_ok());
/// assert_eq!(check_pinned(&pin, Some(&Certificate(vec![0x30, 0x01, 0x00]))), Err(CertificateReason::NotPinned));
/// assert_eq!(check_pinned(&pin, None), Err(CertificateReason::NotPinned), "no certificate at all");
/// ```
pub fn check_pinned(pinned: &Certificate, leaf: Option<&Certificate>) -> Result<(), CertificateReason> {
    match leaf {
        Some(leaf) if leaf.as_der() == pinned.as_der() => Ok(()),
        _ => Err(CertificateReason::NotPinned),
    }
}
