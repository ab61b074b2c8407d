//! Certificate pinning ("trust exactly this certificate") and revocation lists, read the same
//! way for every backend.

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

/// For backends: the revocation lists `ContextOptions::crl_file` names, as DER (every
/// `X509 CRL` section of a PEM file, or one DER list), read when the context is made; empty
/// when no file is named. A file that cannot be read or holds no list is a
/// [`TlsError::File`] ("CRL file").
///
/// ```
/// use net::tls::{revocation_lists, ContextOptions, TlsError};
/// assert!(revocation_lists(&ContextOptions::new())?.is_empty());
/// let not_crls = ContextOptions::new().crl_file(concat!(env!("NET_DOC_PKI"), "/ca.pem"));
/// assert!(matches!(revocation_lists(&not_crls), Err(TlsError::File { what: "CRL file", .. })));
/// # Ok::<(), TlsError>(())
/// ```
pub fn revocation_lists(options: &ContextOptions) -> Result<Vec<Vec<u8>>, TlsError> {
    use rustls_pki_types::pem::PemObject;
    let Some(path) = &options.crl_file else { return Ok(Vec::new()) };
    let bytes = crate::roots::read_file("CRL file", path)?;
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes]);
    }
    let lists = rustls_pki_types::CertificateRevocationListDer::pem_slice_iter(&bytes)
        .map(|crl| crl.map(|c| c.as_ref().to_vec()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::invalid_file("CRL file", path, e.to_string()))?;
    if lists.is_empty() {
        return Err(TlsError::invalid_file("CRL file", path, "no X509 CRL in the file (PEM or DER)"));
    }
    Ok(lists)
}
