//! Why native-tls refused a certificate, in `CertificateReason`'s words; pinning; and the
//! rule every backend keeps that a CA certificate is not a peer's own.
//!
//! native-tls has no verify callback and gives no certificate of a failed handshake, only
//! OpenSSL's text (on Linux): `<the SSL error> (<the verify result>)`. The verify result is
//! read back into a reason; the dates and names only the certificate gives come from a second
//! look at it (`second_look`). Pinning
//! and the CA rule are checked on the leaf right after the handshake, before the session is
//! handed out: pinning turns native-tls's own checks off (the pinned certificate is trusted as
//! it is), and a refused session is closed without a byte of application data.

use native_tls::TlsStream;
use net_tls::{check_pinned, Certificate, CertificateReason, PeerAlert};

use crate::second_look;
use crate::session::printed_once;

/// The reason, or the peer's alert, in a native-tls handshake error; else the error itself.
/// A reason that needs the leaf for its details gets them from `look`.
pub(crate) fn handshake_failure(
    e: native_tls::Error,
    expected: &str,
    look: impl FnOnce() -> Option<Certificate>,
) -> Box<dyn std::error::Error + Send + Sync> {
    let text = e.to_string();
    if let Some(reason) = verify_result(&text).and_then(|r| CertificateReason::from_openssl(None, r, None, expected)) {
        let reason = match second_look::needs_leaf(&reason).then(look).flatten() {
            Some(leaf) => second_look::with_leaf(reason, &leaf, expected),
            None => reason,
        };
        return Box::new(reason);
    }
    if let Some(alert) = alert_in(&text) {
        return Box::new(alert);
    }
    printed_once(Box::new(e))
}

/// The verify result native-tls appends in parentheses: `... (certificate has expired)`.
fn verify_result(text: &str) -> Option<&str> {
    let inner = text.strip_suffix(')')?;
    inner.rsplit_once(" (").map(|(_, result)| result)
}

/// The fatal alert OpenSSL reports receiving: `...:SSL alert number 42`.
pub(crate) fn alert_in(text: &str) -> Option<PeerAlert> {
    let (_, after) = text.rsplit_once("SSL alert number ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().map(PeerAlert)
}

/// What the context checks on the server's leaf after a handshake native-tls accepted.
#[derive(Clone, Debug)]
pub(crate) enum LeafCheck {
    /// `VerifyMode::None`: nothing.
    Nothing,
    /// Verification by native-tls passed; a CA certificate is still not a server's own.
    NotCa,
    /// Exactly this certificate (native-tls checked nothing).
    Pinned(Certificate),
}

impl LeafCheck {
    /// Whether the session's leaf passes, else why not.
    pub(crate) fn check<S: std::io::Read + std::io::Write>(
        &self,
        stream: &TlsStream<S>,
    ) -> Result<(), CertificateReason> {
        let leaf = || stream.peer_certificate().ok().flatten().and_then(|c| c.to_der().ok()).map(Certificate);
        match self {
            LeafCheck::Nothing => Ok(()),
            LeafCheck::NotCa if leaf().is_some_and(|l| l.is_ca()) => Err(CertificateReason::CaUsedAsLeaf),
            LeafCheck::NotCa => Ok(()),
            LeafCheck::Pinned(pinned) => check_pinned(pinned, leaf().as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_openssl_text() {
        let text = "error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify \
                    failed:../ssl/statem/statem_clnt.c:1889: (certificate has expired)";
        assert_eq!(verify_result(text), Some("certificate has expired"));
        assert_eq!(verify_result("no result here"), None);
        let alert = "error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert bad \
                     certificate:../ssl/record/rec_layer_s3.c:1605:SSL alert number 42";
        assert_eq!(alert_in(alert), Some(PeerAlert(42)));
        assert_eq!(alert_in("SSL alert number x"), None);
    }
}
