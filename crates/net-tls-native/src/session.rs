//! `Session`: an established native-tls stream as a net-tls session.

use std::any::Any;
use std::io::{self, Read, Write};

use net_core::{ReadAheadIo, SocketIo};
use net_tls::{BackendKind, Certificate, RecordFraming, TlsError, TlsSession};

use crate::hello::{suite_name, version_name, HelloWatch, Negotiated};

/// What the native-tls stream reads and writes: the socket's [`SocketIo`], watched for the
/// end of the TCP stream.
///
/// native-tls reads a close_notify and a bare end of stream alike as `Ok(0)`; a session tells
/// them apart by whether the read that returned 0 met the end of the TCP stream (a close_notify
/// is a record: reading it stops short of the end).
///
/// During the handshake it also reads the ServerHello going by, for the negotiated version and
/// cipher suite, which native-tls does not report.
///
/// Reached through `ssl_handle` on a TLS socket of this backend:
///
/// ```
/// use net::tls::native::Stream; // native_tls::TlsStream<NativeIo>
/// let socket = net::Socket::tcp()?;
/// let handle: Option<&Stream> = net::tls::ssl_handle(&socket);
/// assert!(handle.map(|s| s.get_ref().socket_io()).is_none(), "no session on a plain socket");
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug)]
pub struct NativeIo {
    /// Read a whole record at a time: OpenSSL reads a header, then a body.
    io: ReadAheadIo,
    eof: bool,
    /// Our side: the server's flight is what a server writes and what a client reads.
    server: bool,
    hello: HelloWatch,
    /// Where the bytes read stand in the record framing: an end of stream inside a record is
    /// data lost, reported as an error.
    framing: RecordFraming,
}

impl NativeIo {
    /// Watches `io`, for the `server` or the client side.
    pub(crate) fn new(io: SocketIo, server: bool) -> Self {
        NativeIo {
            io: ReadAheadIo::new(io),
            eof: false,
            server,
            hello: HelloWatch::default(),
            framing: RecordFraming::default(),
        }
    }

    /// The socket's I/O handle (see the type's example).
    pub fn socket_io(&self) -> &SocketIo {
        self.io.io()
    }
}

impl Read for NativeIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.io.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.eof = true;
        }
        self.framing.feed(&buf[..n]);
        if !self.server {
            self.hello.feed(&buf[..n]);
        }
        Ok(n)
    }
}

impl Write for NativeIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.io.write(buf)?;
        if self.server {
            self.hello.feed(&buf[..n]);
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.io.flush()
    }
}

/// An established native-tls session; `as_any` gives the `TlsStream<NativeIo>` itself.
#[derive(Debug)]
pub(crate) struct Session {
    stream: native_tls::TlsStream<NativeIo>,
    /// The version the context pins, if any.
    pinned: Option<&'static str>,
    /// What the ServerHello said.
    negotiated: Option<Negotiated>,
    /// `Some(true)` after close_notify, `Some(false)` after an EOF without it.
    eof: Option<bool>,
    /// close_notify was sent, or may no longer be.
    shut: bool,
}

impl Session {
    pub(crate) fn new(mut stream: native_tls::TlsStream<NativeIo>, pinned: Option<&'static str>) -> Self {
        let negotiated = stream.get_ref().hello.negotiated();
        stream.get_mut().hello.stop();
        Session { stream, pinned, negotiated, eof: None, shut: false }
    }
}

/// A timeout or an interrupted call: the session keeps its state and the call can be repeated.
fn is_transient(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted)
}

/// Whether a read error is the peer closing without close_notify: OpenSSL 3 may report it as
/// an SSL error "unexpected eof while reading"; others as `UnexpectedEof`.
fn is_truncation(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        return true;
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(&s.to_string());
        source = s.source();
    }
    text.to_ascii_lowercase().contains("unexpected eof")
}

/// Whether `e`'s message already holds its source's: native-tls shows OpenSSL's error and
/// returns it again as the source, and so do the `io::Error`s its stream returns.
fn repeats_source(e: &(dyn std::error::Error + 'static)) -> bool {
    e.source().is_some_and(|s| {
        let cause = s.to_string();
        !cause.is_empty() && e.to_string().contains(&cause)
    })
}

/// `e` with its cause printed once: an error whose message repeats its source becomes a leaf
/// with the same message; any other error is kept as it is.
pub(crate) fn printed_once(e: Box<dyn std::error::Error + Send + Sync>) -> Box<dyn std::error::Error + Send + Sync> {
    if repeats_source(&*e) {
        e.to_string().into()
    } else {
        e
    }
}

/// [`printed_once`] for an `io::Error`, its kind kept (an OS error has no source: kept whole).
///
/// A fatal alert from the peer (a TLS 1.3 server refusing our certificate says so only after
/// the handshake) is the handshake's failure as the peer saw it: a `TlsError::Handshake` the
/// socket reports as such.
fn io_printed_once(e: io::Error) -> io::Error {
    if let Some(alert) = crate::verify::alert_in(&e.to_string()) {
        let failed = TlsError::Handshake { backend: BackendKind::NativeTls, source: Box::new(alert) };
        return net_core::SessionFailure::io_error(failed);
    }
    match e.get_ref() {
        Some(inner) if repeats_source(inner) => io::Error::new(e.kind(), e.to_string()),
        _ => e,
    }
}

impl net_tls::__private::Sealed for Session {}

impl TlsSession for Session {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.eof.is_some() || buf.is_empty() {
            return Ok(0);
        }
        self.stream.get_mut().eof = false;
        match self.stream.read(buf) {
            Ok(0) => {
                let truncated = self.stream.get_ref().eof;
                self.eof = Some(!truncated);
                // After a bare end of stream the TLS library may not shut down cleanly.
                self.shut |= truncated;
                if truncated && self.stream.get_ref().framing.inside_a_record() {
                    // The stream ended inside a record: what it held is lost. An error, even
                    // under SafeDisconn, never a quiet end.
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the stream ended inside a TLS record"));
                }
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) if is_transient(&e) => Err(e),
            Err(e) if is_truncation(&e) => {
                self.eof = Some(false);
                self.shut = true; // the session ended in an error: no close_notify after it
                Ok(0)
            }
            Err(e) => {
                self.shut = true;
                Err(io_printed_once(e))
            }
        }
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.stream.write(buf);
        if r.as_ref().is_err_and(|e| !is_transient(e)) {
            self.shut = true;
        }
        r.map_err(io_printed_once)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.stream.flush().map_err(io_printed_once)
    }

    fn close_notify(&mut self) -> io::Result<()> {
        if self.shut {
            return Ok(());
        }
        self.shut = true;
        self.stream.shutdown()
    }

    fn pending_plaintext(&self) -> usize {
        if self.eof.is_some() {
            return 0;
        }
        self.stream.buffered_read_size().unwrap_or(0)
    }

    fn peer_certificates(&self) -> Vec<Certificate> {
        match self.stream.peer_certificate() {
            Ok(Some(cert)) => cert.to_der().map(|der| vec![Certificate(der)]).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn protocol_version(&self) -> Option<String> {
        self.negotiated.and_then(|n| version_name(n.version)).or(self.pinned).map(str::to_owned)
    }

    fn cipher(&self) -> Option<String> {
        self.negotiated.map(|n| suite_name(n.suite))
    }

    fn alpn_protocol(&self) -> Option<Vec<u8>> {
        self.stream.negotiated_alpn().ok().flatten()
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
