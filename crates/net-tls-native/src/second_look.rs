//! A second look at a certificate native-tls refused, for the details of the reason.
//!
//! native-tls hands out no certificate of a failed handshake, and a TLS 1.3 server sends its
//! certificate encrypted, so the failed connection cannot show it. When the reason needs the
//! leaf (its dates for `Expired` / `NotYetValid`, its names for `NameMismatch`), the client
//! connects once more to the same peer address, shakes hands with verification off under the
//! same server name, reads the leaf and closes: no application data is sent. The look is
//! bounded by the failed call's deadline, and by [`LOOK_TIMEOUT`] without one; when it fails
//! (the peer accepted one connection only, the socket has no peer address) the details stay
//! `None`. The reason itself always comes from the failed handshake.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use native_tls::TlsConnector;
use net_core::socket2::{Socket, Type};
use net_core::SocketIo;
use net_tls::{Certificate, CertificateReason};

/// How long a look may take when the failed call had no deadline.
pub(crate) const LOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `reason` lacks a detail only the leaf gives.
pub(crate) fn needs_leaf(reason: &CertificateReason) -> bool {
    matches!(
        reason,
        CertificateReason::Expired { not_after: None }
            | CertificateReason::NotYetValid { not_before: None }
            | CertificateReason::NameMismatch { presented: None, .. }
    )
}

/// `reason` with the details `leaf` gives. A date is taken only when the leaf itself is out of
/// its validity that way (else another certificate of the chain was, which the look cannot
/// see, and the date stays `None`); nothing is taken from a leaf whose DER cannot be read (its
/// names would read as none).
pub(crate) fn with_leaf(reason: CertificateReason, leaf: &Certificate, expected: &str) -> CertificateReason {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let Some((not_before, not_after)) = leaf.validity() else { return reason };
    match reason {
        CertificateReason::Expired { not_after: None } if not_after < now => CertificateReason::expired(Some(leaf)),
        CertificateReason::NotYetValid { not_before: None } if not_before > now => {
            CertificateReason::not_yet_valid(Some(leaf))
        }
        CertificateReason::NameMismatch { presented: None, .. } => {
            CertificateReason::name_mismatch(expected, Some(leaf))
        }
        other => other,
    }
}

/// The leaf the peer of `io` presents to `look` (a connector that verifies nothing) under
/// `name`, through a new connection; `None` when the look fails.
pub(crate) fn peer_leaf(io: &SocketIo, look: &TlsConnector, name: &str) -> Option<Certificate> {
    let until = io.deadline().unwrap_or_else(|| Instant::now() + LOOK_TIMEOUT);
    let peer = io.socket2().peer_addr().ok()?;
    let socket = Socket::new(peer.domain(), Type::STREAM, None).ok()?;
    socket.connect_timeout(&peer, left(until)?).ok()?;
    let mut stream = look.connect(name, Bounded { socket, until }).ok()?;
    let leaf = stream.peer_certificate().ok().flatten().and_then(|c| c.to_der().ok()).map(Certificate);
    let _ = stream.shutdown();
    leaf
}

/// The time left until `until`; `None` once it has passed.
fn left(until: Instant) -> Option<Duration> {
    until.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
}

/// A socket whose every read and write ends by `until`.
#[derive(Debug)]
struct Bounded {
    socket: Socket,
    until: Instant,
}

impl Bounded {
    fn time_left(&self) -> io::Result<Duration> {
        left(self.until).ok_or_else(|| io::Error::new(io::ErrorKind::TimedOut, "the look at the certificate timed out"))
    }
}

impl Read for Bounded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.socket.set_read_timeout(Some(self.time_left()?))?;
        (&self.socket).read(buf)
    }
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket.set_write_timeout(Some(self.time_left()?))?;
        (&self.socket).write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_reasons_without_their_details_need_the_leaf() {
        assert!(needs_leaf(&CertificateReason::Expired { not_after: None }));
        assert!(needs_leaf(&CertificateReason::name_mismatch("a.test", None)));
        assert!(!needs_leaf(&CertificateReason::Expired { not_after: Some("2020-01-01T00:00:00Z".into()) }));
        assert!(!needs_leaf(&CertificateReason::SelfSigned));
    }

    #[test]
    fn a_leaf_that_cannot_be_read_gives_no_details() {
        let unreadable = Certificate(vec![0x30, 0x00]);
        for reason in [CertificateReason::Expired { not_after: None }, CertificateReason::name_mismatch("a.test", None)]
        {
            assert_eq!(with_leaf(reason.clone(), &unreadable, "a.test"), reason);
        }
    }

    #[test]
    fn a_socket_without_a_peer_gets_no_look() {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        let socket = net_core::Socket::from(a);
        let look = TlsConnector::builder().danger_accept_invalid_certs(true).build().unwrap();
        assert!(peer_leaf(&socket.io_handle().unwrap(), &look, "a.test").is_none());
    }
}
