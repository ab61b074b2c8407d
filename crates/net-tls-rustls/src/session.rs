//! [`RustlsSession`]: a rustls connection over the socket's own descriptor.

use std::any::Any;
use std::io::{self, Read, Write};

use net_core::{ReadAheadIo, SocketIo};
use net_tls::{Certificate, CertificateReason, PeerAlert, RecordFraming, TlsError, TlsSession};
use rustls::Connection;

use crate::config::iana_name;

use crate::RUSTLS;

/// An established rustls session over a socket: what
/// [`net_tls::ssl_handle`] gives for a socket secured by this backend (Nim's `sslHandle`).
///
/// It owns the [`rustls::Connection`] (client or server) and a [`SocketIo`] handle on the
/// socket's descriptor; the socket does every read and write through it. Use
/// [`connection`](RustlsSession::connection) for what the generic API does not expose (the key
/// exchange group, the handshake kind, exported keying material...).
///
/// ```no_run
/// use net::tls::rustls::{rustls, RustlsSession};
/// # #[allow(dead_code)]
/// # fn show(socket: &net::Socket) {
/// if let Some(session) = net::tls::ssl_handle::<RustlsSession>(socket) {
///     let conn: &rustls::Connection = session.connection();
///     println!("key exchange: {:?}", conn.negotiated_key_exchange_group().map(|g| g.name()));
///     println!("handshake: {:?}", conn.handshake_kind());
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct RustlsSession {
    conn: Connection,
    /// The descriptor, read a whole record at a time (rustls asks for 4 KiB per read).
    io: ReadAheadIo,
    /// Decrypted bytes waiting in `conn` (from the last `process_new_packets`, less what was
    /// read since).
    pending: usize,
    /// `Some(true)`: close_notify received; `Some(false)`: end of stream without it.
    closed: Option<bool>,
    /// The fatal TLS error the session met, returned again by every later read and write.
    failed: Option<rustls::Error>,
    /// Where the ciphertext read so far stands in its record framing: an end of stream inside
    /// a record is a truncation, never a quiet end (rustls drops the partial record).
    framing: RecordFraming,
}

/// The descriptor as rustls reads it, each read noted in the framing.
struct Framed<'a> {
    io: &'a mut ReadAheadIo,
    framing: &'a mut RecordFraming,
}

impl io::Read for Framed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.io.read(buf)?;
        self.framing.feed(&buf[..n]);
        Ok(n)
    }
}

impl RustlsSession {
    /// Runs the handshake of `conn` over `io` to its end.
    pub(crate) fn handshake(conn: Connection, io: SocketIo) -> Result<RustlsSession, TlsError> {
        let mut session = RustlsSession {
            conn,
            io: ReadAheadIo::new(io),
            pending: 0,
            closed: None,
            failed: None,
            framing: RecordFraming::default(),
        };
        session.drive_handshake().map(|()| session)
    }

    fn drive_handshake(&mut self) -> Result<(), TlsError> {
        loop {
            self.flush_tls().map_err(os_error)?;
            if !self.conn.is_handshaking() {
                return Ok(());
            }
            match self.conn.read_tls(&mut Framed { io: &mut self.io, framing: &mut self.framing }) {
                Ok(0) => {
                    let eof = io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the peer closed the connection during the handshake",
                    );
                    return Err(TlsError::Handshake { backend: RUSTLS, source: Box::new(eof) });
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(os_error(e)),
            }
            // Cleared first: what a verifier records is about this handshake's certificate.
            crate::verify::take_refusal();
            self.process().map_err(handshake_error)?;
        }
    }

    /// The rustls connection: a [`rustls::ClientConnection`] or a
    /// [`rustls::ServerConnection`], handshake done.
    ///
    /// Read-only on purpose: reading or writing through it directly would bypass the socket's
    /// buffer and this session's bookkeeping.
    ///
    /// ```no_run
    /// # #[allow(dead_code)]
    /// # fn show(session: &net::tls::rustls::RustlsSession) {
    /// use net::tls::rustls::rustls::Connection;
    /// let side = match session.connection() {
    ///     Connection::Client(_) => "client",
    ///     Connection::Server(_) => "server",
    /// };
    /// println!("{side}: {:?}", session.connection().protocol_version());
    /// # }
    /// ```
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The handle on the socket's descriptor the session reads and writes through.
    ///
    /// ```no_run
    /// # #[allow(dead_code)]
    /// # fn show(session: &net::tls::rustls::RustlsSession) {
    /// println!("peer: {:?}", session.io().socket2().peer_addr());
    /// # }
    /// ```
    pub fn io(&self) -> &SocketIo {
        self.io.io()
    }

    /// Decrypts what arrived; records the plaintext waiting and a close_notify.
    fn process(&mut self) -> Result<(), rustls::Error> {
        match self.conn.process_new_packets() {
            Ok(state) => {
                self.pending = state.plaintext_bytes_to_read();
                if state.peer_has_closed() {
                    self.closed = Some(true);
                }
                Ok(())
            }
            Err(e) => {
                // rustls queued an alert telling the peer why; it may be gone already.
                let _ = self.flush_tls();
                self.failed = Some(e.clone());
                Err(e)
            }
        }
    }

    /// Writes every queued TLS record to the descriptor.
    fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            // `write_vectored`: every queued record in one `sendmsg(2)`.
            match self.conn.write_tls(&mut self.io) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn read_plaintext(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pending > 0 {
                match self.conn.reader().read(buf) {
                    Ok(n) if n > 0 => {
                        self.pending = self.pending.saturating_sub(n);
                        return Ok(n);
                    }
                    Ok(_) => self.pending = 0,
                    Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::UnexpectedEof) => {
                        self.pending = 0;
                    }
                    Err(e) => return Err(e),
                }
            }
            if let Some(e) = &self.failed {
                return Err(tls_io_error(e));
            }
            if self.closed.is_some() {
                return Ok(0);
            }
            match self.conn.read_tls(&mut Framed { io: &mut self.io, framing: &mut self.framing }) {
                Ok(0) if self.framing.inside_a_record() => {
                    // The stream ended inside a record: what it held is lost. An error, even
                    // under SafeDisconn, as the other backends report it.
                    self.closed = Some(false);
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the stream ended inside a TLS record"));
                }
                Ok(0) => {
                    // End of stream on the descriptor without close_notify, between records (a
                    // close_notify sets `closed` when it is processed).
                    self.closed = Some(false);
                    return Ok(0);
                }
                Ok(_) => self.process().map_err(|e| tls_io_error(&e))?,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // WouldBlock (the call's deadline passed), resets...: the partial record stays
                // in rustls's buffer, the session stays usable.
                Err(e) => return Err(e),
            }
        }
    }
}

/// A TLS error as an `io::Error` (InvalidData, rustls's message). A fatal alert the peer sent
/// after the handshake (a TLS 1.3 server refusing our certificate says so only then) is the
/// handshake's failure as the peer saw it: a `TlsError::Handshake` the socket reports as
/// such, with the alert by its RFC name.
fn tls_io_error(e: &rustls::Error) -> io::Error {
    match e {
        rustls::Error::AlertReceived(_) => net_core::SessionFailure::io_error(handshake_error(e.clone())),
        _ => io::Error::new(io::ErrorKind::InvalidData, e.clone()),
    }
}

/// A failed handshake: a refused certificate as its `CertificateReason` (recorded by the
/// verifier that refused it), a fatal alert from the peer as a `PeerAlert`, anything else
/// as rustls's error.
fn handshake_error(e: rustls::Error) -> TlsError {
    let source: Box<dyn std::error::Error + Send + Sync> = match e {
        rustls::Error::InvalidCertificate(_) => {
            Box::new(crate::verify::take_refusal().unwrap_or_else(|| CertificateReason::Other(e.to_string())))
        }
        rustls::Error::AlertReceived(alert) => Box::new(PeerAlert(u8::from(alert))),
        other => Box::new(other),
    };
    TlsError::Handshake { backend: RUSTLS, source }
}

/// An error of the descriptor during the handshake: a socket error, the OS code kept.
fn os_error(e: io::Error) -> TlsError {
    TlsError::Socket(net_core::Error::io("handshake", None, e))
}

/// Errors after which data handed to rustls is still sent by the next write or flush.
fn is_transient(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted)
}

impl net_tls::__private::Sealed for RustlsSession {}

impl TlsSession for RustlsSession {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.read_plaintext(buf)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(e) = &self.failed {
            return Err(tls_io_error(e));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        // Send what an earlier write left queued first, so the queue stays bounded.
        self.flush_tls()?;
        let n = self.conn.writer().write(buf)?;
        match self.flush_tls() {
            Ok(()) => Ok(n),
            // Taken: rustls sends it with the next write or flush.
            Err(e) if n > 0 && is_transient(&e) => Ok(n),
            Err(e) => Err(e),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }

    fn close_notify(&mut self) -> io::Result<()> {
        if self.failed.is_some() {
            // A fatal alert already ended the session.
            return Ok(());
        }
        self.conn.send_close_notify();
        self.flush_tls()
    }

    fn pending_plaintext(&self) -> usize {
        self.pending
    }

    fn peer_certificates(&self) -> Vec<Certificate> {
        self.conn
            .peer_certificates()
            .map(|chain| chain.iter().map(|c| Certificate(c.as_ref().to_vec())).collect())
            .unwrap_or_default()
    }

    fn protocol_version(&self) -> Option<String> {
        Some(match self.conn.protocol_version()? {
            rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
            rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
            other => format!("{other:?}"),
        })
    }

    fn cipher(&self) -> Option<String> {
        self.conn.negotiated_cipher_suite().map(|s| iana_name(s.suite()))
    }

    fn alpn_protocol(&self) -> Option<Vec<u8>> {
        self.conn.alpn_protocol().map(<[u8]>::to_vec)
    }

    fn resumed(&self) -> Option<bool> {
        Some(self.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed))
    }

    fn clean_close(&self) -> Option<bool> {
        self.closed
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
