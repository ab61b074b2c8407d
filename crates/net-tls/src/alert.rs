//! [`PeerAlert`]: a fatal alert the peer sent, by its RFC 8446 name on every backend.

use std::fmt;

/// A fatal alert received from the peer, named as RFC 8446 (section 6) names it:
/// `certificate_required`, `bad_certificate`, `unknown_ca`... A peer that rejects our
/// certificate says so with one of these, and the call that first sees it (the handshake, or
/// the first read or write after a TLS 1.3 handshake) fails with a `TlsError` whose source is
/// this alert; reach it with [`TlsError::peer_alert`](crate::TlsError::peer_alert).
///
/// ```
/// use net::tls::PeerAlert;
/// assert_eq!(PeerAlert(116).name(), Some("certificate_required"));
/// assert_eq!(PeerAlert(116).to_string(), "the peer sent the alert certificate_required (116)");
/// assert_eq!(PeerAlert::from_name("unknown_ca"), Some(PeerAlert(48)));
/// assert!(PeerAlert(48).rejects_our_certificate());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAlert(pub u8);

/// The alerts of the TLS registry (RFC 8446 and the RFCs it keeps), by code.
const NAMES: &[(u8, &str)] = &[
    (0, "close_notify"),
    (10, "unexpected_message"),
    (20, "bad_record_mac"),
    (21, "decryption_failed"),
    (22, "record_overflow"),
    (30, "decompression_failure"),
    (40, "handshake_failure"),
    (41, "no_certificate"),
    (42, "bad_certificate"),
    (43, "unsupported_certificate"),
    (44, "certificate_revoked"),
    (45, "certificate_expired"),
    (46, "certificate_unknown"),
    (47, "illegal_parameter"),
    (48, "unknown_ca"),
    (49, "access_denied"),
    (50, "decode_error"),
    (51, "decrypt_error"),
    (60, "export_restriction"),
    (70, "protocol_version"),
    (71, "insufficient_security"),
    (80, "internal_error"),
    (86, "inappropriate_fallback"),
    (90, "user_canceled"),
    (100, "no_renegotiation"),
    (109, "missing_extension"),
    (110, "unsupported_extension"),
    (111, "certificate_unobtainable"),
    (112, "unrecognized_name"),
    (113, "bad_certificate_status_response"),
    (114, "bad_certificate_hash_value"),
    (115, "unknown_psk_identity"),
    (116, "certificate_required"),
    (120, "no_application_protocol"),
];

impl PeerAlert {
    /// The alert's RFC name, `None` for a code outside the registry.
    ///
    /// ```
    /// assert_eq!(net::tls::PeerAlert(42).name(), Some("bad_certificate"));
    /// assert_eq!(net::tls::PeerAlert(200).name(), None);
    /// ```
    pub fn name(self) -> Option<&'static str> {
        NAMES.iter().find(|(code, _)| *code == self.0).map(|(_, name)| *name)
    }

    /// The alert with this RFC name (for backends whose library gives only text).
    ///
    /// ```
    /// assert_eq!(net::tls::PeerAlert::from_name("handshake_failure"), Some(net::tls::PeerAlert(40)));
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(code, _)| PeerAlert(*code))
    }

    /// Whether the alert says the peer refused our certificate (or our lack of one).
    ///
    /// ```
    /// assert!(net::tls::PeerAlert(116).rejects_our_certificate());
    /// assert!(!net::tls::PeerAlert(40).rejects_our_certificate());
    /// ```
    pub fn rejects_our_certificate(self) -> bool {
        matches!(self.0, 41..=46 | 48 | 49 | 111 | 113 | 114 | 116)
    }
}

impl fmt::Display for PeerAlert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "the peer sent the alert {name} ({})", self.0),
            None => write!(f, "the peer sent the alert {}", self.0),
        }
    }
}

/// A leaf: the alert is all the peer said.
impl std::error::Error for PeerAlert {}
