//! `Session`: an established `SslStream` as a net-tls session.

use std::any::Any;
use std::fmt;
use std::io::{self, Write};

use net_core::SocketIo;
use net_tls::{Certificate, TlsSession};
use std::sync::OnceLock;

use openssl::ex_data::Index;
use openssl::ssl::{ErrorCode, Ssl, SslRef, SslStream};
use openssl::x509::X509Ref;

use crate::resume;

/// `SSL_R_UNEXPECTED_EOF_WHILE_READING` (OpenSSL 3; not bound by openssl-sys): the peer closed
/// the connection without close_notify.
const SSL_R_UNEXPECTED_EOF_WHILE_READING: i32 = 294;

/// Where the server's PSK callback records the identity it accepted.
pub(crate) fn psk_identity_index() -> Option<Index<Ssl, String>> {
    static INDEX: OnceLock<Option<Index<Ssl, String>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

/// An OpenSSL failure: a readable message (the reasons OpenSSL gives, or the verification
/// result). A leaf: the message already says what OpenSSL's error says, and that error prints
/// its own cause and returns it again as its source, so it is kept for `Debug` only.
#[derive(Debug)]
pub(crate) struct OpenSslError {
    pub(crate) message: String,
    #[allow(dead_code, reason = "shown by Debug")]
    pub(crate) source: openssl::ssl::Error,
}

impl fmt::Display for OpenSslError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for OpenSslError {}

/// A short message for an OpenSSL error: its reasons, the I/O error, or what an EOF means.
pub(crate) fn describe(e: &openssl::ssl::Error, handshake: bool) -> String {
    if let Some(io) = e.io_error() {
        return match io.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => "timed out".into(),
            _ => io.to_string(),
        };
    }
    if let Some(stack) = e.ssl_error() {
        let mut reasons: Vec<&str> = Vec::new();
        for err in stack.errors() {
            let reason = err.reason().unwrap_or("unknown error");
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
        if !reasons.is_empty() {
            return reasons.join("; ");
        }
    }
    match e.code() {
        ErrorCode::SYSCALL | ErrorCode::ZERO_RETURN if handshake => {
            "the peer closed the connection during the handshake".into()
        }
        ErrorCode::SYSCALL => "the peer closed the connection".into(),
        _ => e.to_string(),
    }
}

#[allow(unsafe_code)]
extern "C" {
    // OpenSSL 1.1.0 and later; openssl-sys does not bind it.
    fn SSL_has_pending(ssl: *const openssl_sys::SSL) -> std::os::raw::c_int;
}

/// Whether OpenSSL holds bytes it read and has not made into plaintext yet: after an end of
/// stream, the start of a record that never finished (read-ahead keeps it in the buffer).
fn has_pending(ssl: &SslRef) -> bool {
    use foreign_types_shared::ForeignTypeRef as _;
    // SAFETY: `ssl` is a live SSL object for the duration of the call, which only reads it.
    #[allow(unsafe_code)]
    let pending = unsafe { SSL_has_pending(ssl.as_ptr()) };
    pending == 1
}

fn is_unexpected_eof(e: &openssl::ssl::Error) -> bool {
    match e.code() {
        // OpenSSL 1.1: an EOF without close_notify is a SYSCALL error with no errno.
        ErrorCode::SYSCALL => e.io_error().is_none() && e.ssl_error().is_none_or(|s| s.errors().is_empty()),
        ErrorCode::SSL => e
            .ssl_error()
            .is_some_and(|s| s.errors().iter().any(|err| err.reason_code() == SSL_R_UNEXPECTED_EOF_WHILE_READING)),
        _ => false,
    }
}

/// Whether the session is over after `e`: anything but a timeout or an interrupted call on
/// the socket (OpenSSL then keeps its state and the call can be repeated).
fn is_fatal(e: &openssl::ssl::Error) -> bool {
    !e.io_error().is_some_and(|io| {
        matches!(io.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted)
    })
}

/// An io::Error for a failed read or write: the socket's own error when there is one (so
/// `WouldBlock`, `TimedOut`, `ConnectionReset` keep their kind), else OpenSSL's message.
fn io_error(e: openssl::ssl::Error) -> io::Error {
    if e.io_error().is_some() {
        return e.into_io_error().unwrap_or_else(io::Error::other);
    }
    if let Some(alert) = crate::verify::peer_alert(&e) {
        // A fatal alert after the handshake (a TLS 1.3 server refusing our certificate says
        // so only then): the handshake failed as the peer saw it, and the socket says so.
        let failed = net_tls::TlsError::Handshake { backend: net_tls::BackendKind::OpenSsl, source: Box::new(alert) };
        return net_core::SessionFailure::io_error(failed);
    }
    let message = describe(&e, false);
    io::Error::other(OpenSslError { message, source: e })
}

/// An established OpenSSL session; `as_any` gives the `SslStream<SocketIo>` itself.
pub(crate) struct Session {
    stream: SslStream<SocketIo>,
    /// Verification ran and succeeded: `peer_certificates` gives the verified chain.
    verified: bool,
    /// On a resumed client session, the certificates of the session's full handshake.
    resumed_chain: Option<Vec<Certificate>>,
    /// `Some(true)` after close_notify, `Some(false)` after an EOF without it.
    eof: Option<bool>,
    /// A fatal error ended the session: no close_notify may follow.
    failed: bool,
    /// close_notify was sent.
    shut: bool,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("stream", &self.stream)
            .field("verified", &self.verified)
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn new(stream: SslStream<SocketIo>, verify_enabled: bool) -> Self {
        let ssl = stream.ssl();
        let verified = resume::verified(ssl, verify_enabled);
        let resumed_chain = resume::resumed_chain(ssl);
        Session { stream, verified, resumed_chain, eof: None, failed: false, shut: false }
    }
}

/// What `peer_certificates` gives on a full handshake: the verified chain when verification
/// ran and succeeded, else what the peer sent, leaf first.
pub(crate) fn peer_chain(ssl: &SslRef, verified: bool) -> Vec<Certificate> {
    if verified {
        if let Some(chain) = ssl.verified_chain() {
            return chain.iter().filter_map(der).collect();
        }
    }
    let mut out = Vec::new();
    if ssl.is_server() {
        // On a server the peer's chain leaves out its leaf.
        if let Some(leaf) = ssl.peer_certificate() {
            out.extend(der(&leaf));
        }
    }
    if let Some(chain) = ssl.peer_cert_chain() {
        out.extend(chain.iter().filter_map(der));
    }
    out
}

fn der(cert: &X509Ref) -> Option<Certificate> {
    cert.to_der().ok().map(Certificate)
}

impl net_tls::__private::Sealed for Session {}

impl TlsSession for Session {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.eof.is_some() || buf.is_empty() {
            return Ok(0);
        }
        loop {
            match self.stream.ssl_read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    self.eof = Some(true);
                    return Ok(0);
                }
                Err(e) if is_unexpected_eof(&e) => {
                    self.eof = Some(false);
                    self.failed = true;
                    if has_pending(self.stream.ssl()) {
                        // The stream ended inside a record: what it held is lost. An error,
                        // even under SafeDisconn, never a quiet end.
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the stream ended inside a TLS record",
                        ));
                    }
                    return Ok(0);
                }
                // A post-handshake message (a session ticket...) consumed, no data yet.
                Err(e)
                    if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) && e.io_error().is_none() => {}
                Err(e) => {
                    self.failed |= is_fatal(&e);
                    return Err(io_error(e));
                }
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.stream.ssl_write(buf) {
                Ok(n) => return Ok(n),
                Err(e)
                    if matches!(e.code(), ErrorCode::WANT_READ | ErrorCode::WANT_WRITE) && e.io_error().is_none() => {}
                Err(e) => {
                    self.failed |= is_fatal(&e);
                    return Err(io_error(e));
                }
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush()
    }

    fn close_notify(&mut self) -> io::Result<()> {
        if self.shut || self.failed {
            return Ok(());
        }
        self.shut = true;
        // Sent, or sent after the peer's own: either way ours is out; we do not wait for theirs.
        match self.stream.shutdown() {
            Ok(_) => Ok(()),
            Err(e) if e.code() == ErrorCode::ZERO_RETURN => Ok(()),
            Err(e) => Err(io_error(e)),
        }
    }

    fn pending_plaintext(&self) -> usize {
        if self.eof.is_some() {
            0
        } else {
            self.stream.ssl().pending()
        }
    }

    fn peer_certificates(&self) -> Vec<Certificate> {
        let ssl = self.stream.ssl();
        match &self.resumed_chain {
            Some(chain) => chain.clone(),
            // A resumed server session (from a ticket) holds no verified chain: build it again.
            None if self.verified && ssl.is_server() && ssl.session_reused() => {
                resume::verified_again(ssl).unwrap_or_else(|| peer_chain(ssl, false))
            }
            None => peer_chain(ssl, self.verified),
        }
    }

    fn resumed(&self) -> Option<bool> {
        Some(self.stream.ssl().session_reused())
    }

    fn protocol_version(&self) -> Option<String> {
        Some(self.stream.ssl().version_str().to_owned())
    }

    fn cipher(&self) -> Option<String> {
        let cipher = self.stream.ssl().current_cipher()?;
        Some(cipher.standard_name().unwrap_or_else(|| cipher.name()).to_owned())
    }

    fn alpn_protocol(&self) -> Option<Vec<u8>> {
        self.stream.ssl().selected_alpn_protocol().map(<[u8]>::to_vec)
    }

    fn psk_identity(&self) -> Option<String> {
        let ssl = self.stream.ssl();
        if !ssl.is_server() {
            return None;
        }
        let kept = psk_identity_index().and_then(|index| ssl.ex_data(index)).cloned();
        kept.or_else(|| ssl.psk_identity().map(|id| String::from_utf8_lossy(id).into_owned()))
    }

    fn clean_close(&self) -> Option<bool> {
        self.eof
    }

    fn as_any(&self) -> &dyn Any {
        &self.stream
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        &mut self.stream
    }
}
