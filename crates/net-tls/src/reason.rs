//! [`CertificateReason`]: why a certificate was refused, in the same words on every backend.

use std::fmt;

use crate::options::Certificate;

/// Why a certificate was refused: the same value on every backend for the same certificate.
///
/// A failed verification is a `TlsError::Handshake` whose source is this reason; reach it with
/// [`TlsError::certificate_reason`](crate::TlsError::certificate_reason). Backends describe
/// the certificate from its DER (times, names), not from their library's wording. native-tls
/// does not hand out the certificate of a failed handshake: it takes a second look at the
/// leaf through another connection to the same peer, and where that fails the details it
/// cannot see are `None`.
///
/// ```
/// use net::tls::CertificateReason;
/// let r = CertificateReason::Expired { not_after: Some("2025-01-31T00:00:00Z".into()) };
/// assert_eq!(r.to_string(), "the certificate expired at 2025-01-31T00:00:00Z");
/// let r = CertificateReason::NameMismatch { expected: "example.com".into(), presented: Some(vec!["localhost".into()]) };
/// assert_eq!(r.to_string(), "the certificate is for localhost, not for \"example.com\"");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateReason {
    /// A certificate of the chain has expired.
    Expired {
        /// Its `notAfter`, RFC 3339 in UTC.
        not_after: Option<String>,
    },
    /// A certificate of the chain is not valid yet.
    NotYetValid {
        /// Its `notBefore`, RFC 3339 in UTC.
        not_before: Option<String>,
    },
    /// The certificate is not for the host name or IP address asked for.
    NameMismatch {
        /// The name or address the client asked for.
        expected: String,
        /// The names the certificate is for (its subjectAltName DNS names and IP addresses).
        presented: Option<Vec<String>>,
    },
    /// The chain leads to a root that is not trusted (the peer sent that root itself).
    UnknownIssuer,
    /// The certificate is self-signed (its own issuer, alone) and not trusted.
    SelfSigned,
    /// The chain stops at a certificate whose issuer was neither sent nor trusted: an
    /// intermediate the peer should have sent is missing (or the issuer is unknown).
    IncompleteChain,
    /// A CA certificate is used as the peer's own (as `openssl req -x509` makes them); pin it
    /// with `ContextOptions::pinned_certificate` to trust exactly that certificate.
    CaUsedAsLeaf,
    /// A signature in the chain does not verify.
    BadSignature,
    /// The certificate is revoked by a list of `ContextOptions::crl_file`.
    Revoked,
    /// The certificate is not the one pinned with `ContextOptions::pinned_certificate`.
    NotPinned,
    /// Anything else, in the backend's words.
    Other(String),
}

impl fmt::Display for CertificateReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateReason::Expired { not_after: Some(at) } => write!(f, "the certificate expired at {at}"),
            CertificateReason::Expired { not_after: None } => f.write_str("the certificate has expired"),
            CertificateReason::NotYetValid { not_before: Some(at) } => {
                write!(f, "the certificate is not valid before {at}")
            }
            CertificateReason::NotYetValid { not_before: None } => f.write_str("the certificate is not valid yet"),
            CertificateReason::NameMismatch { expected, presented } => match presented {
                Some(names) if names.is_empty() => {
                    write!(f, "the certificate names no host, so it is not for {expected:?}")
                }
                Some(names) => write!(f, "the certificate is for {}, not for {expected:?}", names.join(", ")),
                None => write!(f, "the certificate is not for {expected:?}"),
            },
            CertificateReason::UnknownIssuer => f.write_str("the certificate chain ends at a root that is not trusted"),
            CertificateReason::SelfSigned => f.write_str("the certificate is self-signed and not trusted"),
            CertificateReason::IncompleteChain => f.write_str(
                "the certificate's issuer was neither sent nor trusted (a missing intermediate, or an unknown CA)",
            ),
            CertificateReason::CaUsedAsLeaf => {
                f.write_str("the certificate is a CA certificate, not one for a peer (pin it to trust it as it is)")
            }
            CertificateReason::BadSignature => f.write_str("a signature in the certificate chain does not verify"),
            CertificateReason::Revoked => f.write_str("the certificate is revoked"),
            CertificateReason::NotPinned => f.write_str("the certificate is not the pinned one"),
            CertificateReason::Other(text) => f.write_str(text),
        }
    }
}

/// A leaf: the reason says everything.
impl std::error::Error for CertificateReason {}

impl CertificateReason {
    /// For backends: `Expired`, with `cert`'s `notAfter` when the backend has the certificate.
    ///
    /// ```
    /// use net::tls::CertificateReason;
    /// assert_eq!(CertificateReason::expired(None), CertificateReason::Expired { not_after: None });
    /// ```
    pub fn expired(cert: Option<&Certificate>) -> Self {
        CertificateReason::Expired { not_after: cert.and_then(Certificate::not_after) }
    }

    /// For backends: `NotYetValid`, with `cert`'s `notBefore` when the backend has it.
    ///
    /// ```
    /// use net::tls::CertificateReason;
    /// assert!(matches!(CertificateReason::not_yet_valid(None), CertificateReason::NotYetValid { not_before: None }));
    /// ```
    pub fn not_yet_valid(cert: Option<&Certificate>) -> Self {
        CertificateReason::NotYetValid { not_before: cert.and_then(Certificate::not_before) }
    }

    /// For backends: `NameMismatch` for `expected` (brackets around an IPv6 address are
    /// dropped), with the leaf's names when the backend has it.
    ///
    /// ```
    /// use net::tls::CertificateReason;
    /// let r = CertificateReason::name_mismatch("[::1]", None);
    /// assert_eq!(r, CertificateReason::NameMismatch { expected: "::1".into(), presented: None });
    /// ```
    pub fn name_mismatch(expected: &str, leaf: Option<&Certificate>) -> Self {
        let bare = expected.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(expected);
        CertificateReason::NameMismatch { expected: bare.to_owned(), presented: leaf.map(Certificate::alt_names) }
    }

    /// For backends: why a chain the peer sent (leaf first) leads to no trusted root, from the
    /// chain itself, as OpenSSL words it: a leaf alone that is its own issuer is
    /// `SelfSigned`; a chain whose last certificate is its own issuer (a root nobody trusts)
    /// is `UnknownIssuer`; a chain that stops before a root is `IncompleteChain`.
    ///
    /// ```
    /// use net::tls::CertificateReason;
    /// assert_eq!(CertificateReason::untrusted(&[]), CertificateReason::IncompleteChain);
    /// ```
    pub fn untrusted(chain: &[Certificate]) -> Self {
        // Follow the chain from the leaf as long as each issuer is the next certificate sent.
        let mut last = match chain.first() {
            Some(leaf) => leaf,
            None => return CertificateReason::IncompleteChain,
        };
        let mut length = 1;
        for next in &chain[1..] {
            if last.is_self_issued() || !last.names_as_issuer(next) {
                break;
            }
            last = next;
            length += 1;
        }
        match (last.is_self_issued(), length) {
            (true, 1) => CertificateReason::SelfSigned,
            (true, _) => CertificateReason::UnknownIssuer,
            (false, _) => CertificateReason::IncompleteChain,
        }
    }
}

/// What an OpenSSL verify result means: its code (`X509_V_ERR_*`), the text OpenSSL gives
/// for it (`X509_verify_cert_error_string`, as 1.1 and 3.x word it), and the reason.
const OPENSSL_RESULTS: &[(i32, &[&str], OpenSslKind)] = &[
    (2, &["unable to get issuer certificate"], OpenSslKind::Incomplete),
    (4, &["unable to decrypt certificate's signature"], OpenSslKind::BadSignature),
    (7, &["certificate signature failure"], OpenSslKind::BadSignature),
    (9, &["certificate is not yet valid"], OpenSslKind::NotYetValid),
    (10, &["certificate has expired"], OpenSslKind::Expired),
    (18, &["self-signed certificate", "self signed certificate"], OpenSslKind::SelfSigned),
    (
        19,
        &["self-signed certificate in certificate chain", "self signed certificate in certificate chain"],
        OpenSslKind::UnknownIssuer,
    ),
    (20, &["unable to get local issuer certificate"], OpenSslKind::Incomplete),
    (21, &["unable to verify the first certificate"], OpenSslKind::Incomplete),
    (23, &["certificate revoked"], OpenSslKind::Revoked),
    (62, &["hostname mismatch"], OpenSslKind::Name),
    (64, &["ip address mismatch"], OpenSslKind::Name),
];

#[derive(Debug, Clone, Copy)]
enum OpenSslKind {
    Expired,
    NotYetValid,
    Name,
    SelfSigned,
    UnknownIssuer,
    Incomplete,
    BadSignature,
    Revoked,
}

impl CertificateReason {
    /// For the backends built on OpenSSL (openssl, and native-tls on Linux): the reason for a
    /// verify result, given by its code (`X509_V_ERR_*`) or, where the library gives only
    /// text, by OpenSSL's text for it. `cert` is the certificate the result is about (for its
    /// dates and names), `expected` the name asked for. `None` for a result that is not one
    /// of the reasons (the backend keeps its text in `Other`).
    ///
    /// ```
    /// use net::tls::CertificateReason;
    /// assert_eq!(CertificateReason::from_openssl(Some(18), "", None, ""), Some(CertificateReason::SelfSigned));
    /// let by_text = CertificateReason::from_openssl(None, "certificate has expired", None, "");
    /// assert_eq!(by_text, Some(CertificateReason::Expired { not_after: None }));
    /// assert_eq!(CertificateReason::from_openssl(Some(1234), "something else", None, ""), None);
    /// ```
    pub fn from_openssl(code: Option<i32>, text: &str, cert: Option<&Certificate>, expected: &str) -> Option<Self> {
        let text = text.trim().to_ascii_lowercase();
        let (_, _, kind) = OPENSSL_RESULTS.iter().find(|(c, texts, _)| match code {
            Some(code) => *c == code,
            None => texts.contains(&text.as_str()),
        })?;
        Some(match kind {
            OpenSslKind::Expired => CertificateReason::expired(cert),
            OpenSslKind::NotYetValid => CertificateReason::not_yet_valid(cert),
            OpenSslKind::Name => CertificateReason::name_mismatch(expected, cert),
            OpenSslKind::SelfSigned => CertificateReason::SelfSigned,
            OpenSslKind::UnknownIssuer => CertificateReason::UnknownIssuer,
            OpenSslKind::Incomplete => CertificateReason::IncompleteChain,
            OpenSslKind::BadSignature => CertificateReason::BadSignature,
            OpenSslKind::Revoked => CertificateReason::Revoked,
        })
    }
}
