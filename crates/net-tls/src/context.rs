//! `Context` and Nim's TLS operations on sockets, the same for every backend.

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use net_core::{Error, SecureSession, SecureUpgrade, Socket, SocketIo};

use crate::backend::{BackendContext, TlsBackend, TlsSession};
use crate::error::TlsError;
use crate::options::{AcceptResult, BackendKind, Certificate, ContextOptions, HandshakeSide, ProtocolVersion};

/// Extra data stored in a context by index (Nim's `getExtraData`/`setExtraData`).
///
/// ```
/// let data: net::tls::ExtraData = std::sync::Arc::new(42u32);
/// assert_eq!(data.downcast_ref::<u32>(), Some(&42));
/// ```
pub type ExtraData = Arc<dyn Any + Send + Sync>;

/// A TLS context: one backend, configured once, shared by every socket it wraps (Nim's
/// `SslContext`). Cloning is cheap; dropping the last clone frees it (Nim's
/// `destroyContext`).
///
/// Made by `net::tls::new_context` (which picks the backend) or [`Context::with_backend`].
/// A whole TLS exchange over loopback, on the rustls backend, with a test CA and certificate
/// (hidden lines) and verified:
///
/// ```
/// # use std::thread;
/// # use net::Socket;
/// use net::tls::{closed_cleanly, got_handshake, peer_certificates, session_info, Context, ContextOptions};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let pki = std::path::Path::new(env!("NET_DOC_PKI")); // a CA and a `localhost` leaf
/// # let (ca_file, chain, key_file) = (pki.join("ca.pem"), pki.join("chain.pem"), pki.join("key.pem"));
/// let rustls = net::tls::rustls::RustlsBackend;
/// let server_ctx = Context::with_backend(&rustls, &ContextOptions::new().cert_and_key(&chain, &key_file))?;
/// let client_ctx = Context::with_backend(&rustls, &ContextOptions::new().ca_file(&ca_file))?;
///
/// let mut listener = Socket::tcp()?;
/// listener.bind_addr(0, "127.0.0.1")?;
/// listener.listen()?;
/// server_ctx.wrap_socket(&mut listener)?; // each accept runs the handshake
/// let port = listener.local_addr()?.port();
/// let server = thread::spawn(move || -> Result<(), net::Error> {
///     let mut conn = listener.accept()?;
///     let line = conn.recv_line()?;
///     conn.send(format!("echo: {line}\n").as_bytes())?;
///     conn.close(); // sends close_notify
///     Ok(())
/// });
///
/// let mut client = Socket::tcp()?;
/// client_ctx.wrap_socket(&mut client)?;
/// assert!(!got_handshake(&client)?);
/// client.connect("localhost", port)?; // the handshake, verified against the CA
/// assert!(got_handshake(&client)?);
/// client.send(b"hi\n")?;
/// assert_eq!(client.recv_line()?, "echo: hi");
/// assert_eq!(peer_certificates(&client).len(), 2); // the leaf, then the CA
/// assert!(session_info(&client).unwrap().protocol_version.is_some());
/// assert_eq!(client.recv_line()?, "");
/// assert_eq!(closed_cleanly(&client), Some(true));
/// server.join().unwrap()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[doc(alias = "SslContext")]
pub struct Context {
    inner: Arc<Inner>,
}

struct Inner {
    kind: BackendKind,
    backend: Arc<dyn BackendContext>,
    handshake_timeout: Option<Duration>,
    extra: Mutex<HashMap<usize, ExtraData>>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").field("backend", &self.inner.kind).finish_non_exhaustive()
    }
}

/// Checks every backend shares, before the backend sees the options.
fn check_common(options: &ContextOptions) -> Result<(), TlsError> {
    match options.protocol {
        ProtocolVersion::SslV2 | ProtocolVersion::SslV3 => {
            return Err(TlsError::Config {
                what: format!("{:?} is broken and no longer supported; use ProtocolVersion::Any", options.protocol),
            })
        }
        _ => {}
    }
    if let Some(sid) = &options.session_id_context {
        if sid.len() > 32 {
            return Err(TlsError::Config {
                what: format!("session id context is {} bytes; at most 32 are allowed", sid.len()),
            });
        }
    }
    crate::alpn::check(&options.alpn)?;
    if options.cert_file.is_some() != options.key_file.is_some() {
        return Err(TlsError::Config { what: "cert_file and key_file go together".into() });
    }
    Ok(())
}

impl Context {
    /// Makes a context on `backend` (Nim's `newContext`). Fails on options the backend cannot
    /// honour, naming a backend that can.
    ///
    /// ```
    /// use net::tls::{BackendKind, Capability, Context, ContextOptions, TlsError};
    /// let ctx = Context::with_backend(&net::tls::rustls::RustlsBackend, &ContextOptions::new())?;
    /// assert_eq!(ctx.backend(), BackendKind::Rustls);
    /// let psk = ContextOptions::new().psk_identity_hint("hint");
    /// let err = Context::with_backend(&net::tls::rustls::RustlsBackend, &psk).unwrap_err();
    /// assert!(matches!(err, TlsError::Unsupported { capability: Capability::Psk, .. }));
    /// # Ok::<(), TlsError>(())
    /// ```
    pub fn with_backend(backend: &dyn TlsBackend, options: &ContextOptions) -> Result<Context, TlsError> {
        check_common(options)?;
        if let Some(asked) = options.backend {
            if asked != backend.kind() {
                return Err(TlsError::Config {
                    what: format!("options ask for {asked}, but the context is made on {}", backend.kind()),
                });
            }
        }
        crate::capability::refuse_missing(backend.kind(), options)?;
        let ctx = backend.new_context(options)?;
        Ok(Context {
            inner: Arc::new(Inner {
                kind: backend.kind(),
                backend: ctx,
                handshake_timeout: options.handshake_timeout,
                extra: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The backend this context runs on.
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// assert_eq!(ctx.backend().name(), "rustls");
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn backend(&self) -> BackendKind {
        self.inner.kind
    }

    /// The backend's own context (for example `openssl::ssl::SslContext`), for a downcast.
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// let own = ctx.backend_context().downcast_ref::<net::tls::rustls::RustlsContext>();
    /// assert!(own.is_some());
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn backend_context(&self) -> &dyn Any {
        self.inner.backend.as_any()
    }

    /// Stores `data` at `index` (Nim's `setExtraData`), replacing what was there.
    #[doc(alias = "setExtraData")]
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// ctx.set_extra_data(0, std::sync::Arc::new("app state"));
    /// assert_eq!(ctx.extra_data(0).unwrap().downcast_ref::<&str>(), Some(&"app state"));
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn set_extra_data(&self, index: usize, data: ExtraData) {
        self.extra().insert(index, data);
    }

    /// The data stored at `index` (Nim's `getExtraData`).
    #[doc(alias = "getExtraData")]
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// assert!(ctx.extra_data(7).is_none());
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn extra_data(&self, index: usize) -> Option<ExtraData> {
        self.extra().get(&index).cloned()
    }

    fn extra(&self) -> std::sync::MutexGuard<'_, HashMap<usize, ExtraData>> {
        // A panic while holding this lock cannot leave the map half-updated: recover it.
        self.inner.extra.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wraps a socket that is not connected yet (Nim's `wrapSocket`): `connect` then runs the
    /// client handshake with the address as the server name; on a listener, `accept` runs
    /// the server handshake for each client. Wrapping twice is an error.
    #[doc(alias = "wrapSocket")]
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// let mut socket = net::Socket::tcp()?;
    /// ctx.wrap_socket(&mut socket)?;
    /// assert!(socket.is_ssl());
    /// assert!(ctx.wrap_socket(&mut socket).is_err(), "wrapping twice is an error");
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn wrap_socket(&self, socket: &mut Socket) -> Result<(), TlsError> {
        socket.set_upgrade(Arc::new(Upgrade(self.clone())))?;
        Ok(())
    }

    /// Wraps a connected socket and runs the handshake now (Nim's `wrapConnectedSocket`). A
    /// client sends `hostname` as SNI and checks the certificate against it (an IP address
    /// is checked against the certificate's IP names); `""` means neither.
    #[doc(alias = "wrapConnectedSocket")]
    ///
    /// A handshake against a peer that is not TLS fails with a clear error:
    ///
    /// ```
    /// use net::tls::{ContextOptions, HandshakeSide, TlsError};
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &ContextOptions::new())?;
    /// let mut listener = net::Socket::tcp()?;
    /// listener.bind_addr(0, "127.0.0.1")?;
    /// listener.listen()?;
    /// let mut client = net::dial("127.0.0.1", listener.local_addr()?.port())?;
    /// let mut peer = listener.accept()?;
    /// peer.send(b"HTTP/1.0 400 Bad Request\r\n\r\n")?;
    /// peer.close();
    /// let err = ctx.wrap_connected_socket(&mut client, HandshakeSide::Client, "localhost").unwrap_err();
    /// assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
    /// # Ok::<(), TlsError>(())
    /// ```
    pub fn wrap_connected_socket(
        &self,
        socket: &mut Socket,
        side: HandshakeSide,
        hostname: &str,
    ) -> Result<(), TlsError> {
        if socket.is_ssl() {
            return Err(Error::InvalidArgument {
                op: "wrap_connected_socket",
                reason: "the socket is already wrapped".into(),
            }
            .into());
        }
        let io = socket.io_handle()?;
        let session = match side {
            HandshakeSide::Client => self.client_session(io, hostname)?,
            HandshakeSide::Server => self.server_session(io)?,
        };
        socket.secure(session)?;
        Ok(())
    }

    /// Accepts one client if one is waiting, and runs the handshake (Nim's `SslAcceptResult`
    /// flow): `NoClient` when nobody waits, `NoHandshake` when a client came but the handshake
    /// failed (that client is closed), `Success` with the client and its address. On a listener
    /// already wrapped with [`Context::wrap_socket`], the listener's own handshake runs.
    ///
    /// ```
    /// use net::tls::AcceptResult;
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// let mut listener = net::Socket::tcp()?;
    /// listener.bind_addr(0, "127.0.0.1")?;
    /// listener.listen()?;
    /// let (result, client) = ctx.try_accept(&mut listener)?;
    /// assert_eq!(result, AcceptResult::NoClient);
    /// assert!(client.is_none());
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn try_accept(&self, listener: &mut Socket) -> Result<(AcceptResult, Option<(Socket, String)>), TlsError> {
        if !listener.has_pending_connection()? {
            return Ok((AcceptResult::NoClient, None));
        }
        // accept(2) failing is an error; a failed handshake is a result.
        let (mut client, address) = listener.accept_addr_lazy()?;
        let secured = if client.is_ssl() {
            client.handshake().is_ok()
        } else {
            self.server_session(client.io_handle()?).and_then(|session| Ok(client.secure(session)?)).is_ok()
        };
        if !secured {
            return Ok((AcceptResult::NoHandshake, None));
        }
        Ok((AcceptResult::Success, Some((client, address))))
    }

    fn client_session(&self, io: SocketIo, hostname: &str) -> Result<Box<dyn SecureSession>, TlsError> {
        let session = self.bounded(&io, || self.inner.backend.connect(io.clone(), hostname))?;
        Ok(Box::new(TlsConnection { kind: self.inner.kind, session }))
    }

    fn server_session(&self, io: SocketIo) -> Result<Box<dyn SecureSession>, TlsError> {
        let session = self.bounded(&io, || self.inner.backend.accept(io.clone()))?;
        Ok(Box::new(TlsConnection { kind: self.inner.kind, session }))
    }

    /// Runs a handshake within the context's handshake timeout: the deadline travels with
    /// `io`, so every read and write of the handshake waits at most what is left of it,
    /// whatever the backend. A deadline the caller already set (`connect_timeout`) is kept
    /// when it is earlier; then the caller reports its own timeout.
    fn bounded<T>(&self, io: &SocketIo, handshake: impl FnOnce() -> Result<T, TlsError>) -> Result<T, TlsError> {
        let limit = self.inner.handshake_timeout;
        let own = limit.and_then(|t| Instant::now().checked_add(t));
        let ours_binds = match (own, io.deadline()) {
            (Some(own), Some(outer)) => own <= outer,
            (own, _) => own.is_some(),
        };
        let (result, timed_out) = {
            let _deadline = io.scoped_deadline(own);
            let result = handshake();
            (result, io.timed_out())
        };
        match (result, limit) {
            (Err(_), Some(after)) if timed_out && ours_binds => Err(Error::Timeout { op: "handshake", after }.into()),
            (other, _) => other,
        }
    }
}

/// The upgrade `wrap_socket` records on a socket.
#[derive(Debug)]
struct Upgrade(Context);

impl net_core::__private::Sealed for Upgrade {}

impl SecureUpgrade for Upgrade {
    fn client(&self, io: SocketIo, server_name: &str) -> Result<Box<dyn SecureSession>, Error> {
        Ok(self.0.client_session(io, server_name)?)
    }

    fn server(&self, io: SocketIo) -> Result<Box<dyn SecureSession>, Error> {
        Ok(self.0.server_session(io)?)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A backend session as net-core's secured stream.
#[derive(Debug)]
pub(crate) struct TlsConnection {
    pub(crate) kind: BackendKind,
    pub(crate) session: Box<dyn TlsSession>,
}

impl net_core::__private::Sealed for TlsConnection {}

impl SecureSession for TlsConnection {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.session.read(buf)
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.session.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.session.flush()
    }
    fn close_notify(&mut self) -> io::Result<()> {
        self.session.close_notify()
    }
    fn pending_plaintext(&self) -> usize {
        self.session.pending_plaintext()
    }
    fn handshake_complete(&self) -> bool {
        true
    }
    fn peer_certificates(&self) -> Vec<Vec<u8>> {
        self.session.peer_certificates().into_iter().map(|c| c.0).collect()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn connection(socket: &Socket) -> Option<&TlsConnection> {
    socket.session()?.as_any().downcast_ref::<TlsConnection>()
}

/// Whether the handshake has completed (Nim's `gotHandshake`); an error on a socket that is
/// not a TLS socket.
///
/// ```
/// let plain = net::Socket::tcp()?;
/// assert!(net::tls::got_handshake(&plain).is_err(), "not a TLS socket");
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[doc(alias = "gotHandshake")]
pub fn got_handshake(socket: &Socket) -> Result<bool, TlsError> {
    if connection(socket).is_some() {
        Ok(true)
    } else if socket.upgrade().is_some_and(|u| u.as_any().is::<Upgrade>()) {
        Ok(false)
    } else {
        Err(TlsError::NotTls { op: "got_handshake" })
    }
}

/// The peer's certificates, DER, leaf first (Nim's `getPeerCertificates`); empty on a
/// socket without a finished TLS session.
///
/// ```
/// assert!(net::tls::peer_certificates(&net::Socket::tcp()?).is_empty());
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "getPeerCertificates")]
pub fn peer_certificates(socket: &Socket) -> Vec<Certificate> {
    connection(socket).map(|c| c.session.peer_certificates()).unwrap_or_default()
}

/// The PSK identity the client used, on a server socket (Nim's `getPskIdentity`).
///
/// ```
/// assert_eq!(net::tls::psk_identity(&net::Socket::tcp()?), None);
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "getPskIdentity")]
pub fn psk_identity(socket: &Socket) -> Option<String> {
    connection(socket)?.session.psk_identity()
}

/// The backend's own session type behind a TLS socket (Nim's `sslHandle`), for example
/// `net::tls::openssl::Stream` or `net::tls::rustls::RustlsSession` (which
/// holds the `rustls::Connection`).
///
/// ```
/// use net::tls::rustls::RustlsSession;
/// let socket = net::Socket::tcp()?;
/// assert!(net::tls::ssl_handle::<RustlsSession>(&socket).is_none(), "no TLS session yet");
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "sslHandle")]
pub fn ssl_handle<T: Any>(socket: &Socket) -> Option<&T> {
    connection(socket)?.session.as_any().downcast_ref::<T>()
}

/// [`ssl_handle`], mutably.
///
/// ```
/// let mut socket = net::Socket::tcp()?;
/// assert!(net::tls::ssl_handle_mut::<net::tls::rustls::RustlsSession>(&mut socket).is_none());
/// # Ok::<(), net::Error>(())
/// ```
pub fn ssl_handle_mut<T: Any>(socket: &mut Socket) -> Option<&mut T> {
    let conn = socket.session_mut()?.as_any_mut().downcast_mut::<TlsConnection>()?;
    conn.session.as_any_mut().downcast_mut::<T>()
}

/// What a TLS socket negotiated.
///
/// See the [`Context`] example for one from a live session.
///
/// ```
/// assert!(net::tls::session_info(&net::Socket::tcp()?).is_none());
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionInfo {
    /// The backend.
    pub backend: BackendKind,
    /// The protocol version, for example `"TLSv1.3"`.
    pub protocol_version: Option<String>,
    /// The cipher suite.
    pub cipher: Option<String>,
    /// The ALPN protocol.
    pub alpn_protocol: Option<Vec<u8>>,
    /// Whether the session was resumed from an earlier one (no certificate was exchanged:
    /// `peer_certificates` gives those of the session's first handshake); `None` where the
    /// backend cannot tell (native-tls). See `ContextOptions::session_resumption`.
    pub resumed: Option<bool>,
}

/// What the socket's TLS session negotiated; `None` on a socket without one.
///
/// ```
/// assert_eq!(net::tls::session_info(&net::Socket::tcp()?), None);
/// # Ok::<(), net::Error>(())
/// ```
pub fn session_info(socket: &Socket) -> Option<SessionInfo> {
    let c = connection(socket)?;
    Some(SessionInfo {
        backend: c.kind,
        protocol_version: c.session.protocol_version(),
        cipher: c.session.cipher(),
        alpn_protocol: c.session.alpn_protocol(),
        resumed: c.session.resumed(),
    })
}

/// Whether the peer ended the session with close_notify: `Some(false)` after an end of stream
/// without it (a possible truncation), `None` while open or on a socket without TLS.
///
/// ```
/// assert_eq!(net::tls::closed_cleanly(&net::Socket::tcp()?), None);
/// # Ok::<(), net::Error>(())
/// ```
pub fn closed_cleanly(socket: &Socket) -> Option<bool> {
    connection(socket)?.session.clean_close()
}
