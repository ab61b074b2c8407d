//! The traits a TLS library implements to be a backend.

use std::any::Any;
use std::fmt::Debug;
use std::io;
use std::sync::Arc;

use net_core::SocketIo;

use crate::capability::Capabilities;
use crate::error::TlsError;
use crate::options::{BackendKind, Certificate, ContextOptions};

/// Not public API: the supertrait that seals [`TlsBackend`], [`BackendContext`] and
/// [`TlsSession`] (re-exported, hidden, as `net_tls::__private`). Only this workspace's
/// backends (`net-tls-rustls`, `net-tls-openssl`, `net-tls-native`) implement it.
pub mod __private {
    /// Implemented by this workspace's backends only; not covered by semver.
    pub trait Sealed {}
}

/// A TLS library: makes contexts from backend-neutral options.
///
/// **Sealed**: implemented only by this workspace's backends; it may gain methods in any
/// minor release (the supertrait `__private::Sealed` is not public API). Using it is stable.
///
/// ```
/// use net::tls::{BackendKind, Capability, ContextOptions, TlsBackend};
/// let backend = net::tls::rustls::RustlsBackend;
/// assert_eq!(backend.kind(), BackendKind::Rustls);
/// assert!(!backend.capabilities().contains(Capability::Psk));
/// assert!(backend.new_context(&ContextOptions::new()).is_ok());
/// ```
pub trait TlsBackend: __private::Sealed + Send + Sync + Debug + 'static {
    /// Which backend this is.
    fn kind(&self) -> BackendKind;

    /// What it can do; equal to [`known_capabilities`](crate::known_capabilities) of its kind.
    fn capabilities(&self) -> Capabilities;

    /// Makes a context, refusing with [`TlsError::Unsupported`] any option it cannot honour.
    /// Checks common to every backend (SSLv2/v3, session id length) are already done.
    fn new_context(&self, options: &ContextOptions) -> Result<Arc<dyn BackendContext>, TlsError>;
}

/// A configured context of one backend; `Context::backend_context` gives the concrete one.
///
/// **Sealed**: implemented only by this workspace's backends; it may gain methods in any
/// minor release (the supertrait `__private::Sealed` is not public API). Using it is stable.
///
/// ```
/// use net::tls::{ContextOptions, TlsBackend};
/// let ctx = net::tls::rustls::RustlsBackend.new_context(&ContextOptions::new())?;
/// assert!(ctx.as_any().is::<net::tls::rustls::RustlsContext>());
/// # Ok::<(), net::tls::TlsError>(())
/// ```
pub trait BackendContext: __private::Sealed + Send + Sync + Debug {
    /// Runs a client handshake over `io`. `hostname` is sent as SNI and checked against the
    /// certificate when it is a name; an IP address is checked against the certificate's IP
    /// names and not sent; `""` means neither.
    fn connect(&self, io: SocketIo, hostname: &str) -> Result<Box<dyn TlsSession>, TlsError>;

    /// Runs a server handshake over `io`.
    fn accept(&self, io: SocketIo) -> Result<Box<dyn TlsSession>, TlsError>;

    /// The backend's own context type (for example `openssl::ssl::SslContext`).
    fn as_any(&self) -> &dyn Any;
}

/// An established TLS session. `ssl_handle` reaches the backend's own type behind it.
///
/// ```
/// // Sessions come from `Context::wrap_socket` + `connect`/`accept`; see the `Context` example.
/// fn describe(session: &dyn net::tls::TlsSession) -> String {
///     format!("{:?} {:?}", session.protocol_version(), session.cipher())
/// }
/// # let _ = describe;
/// ```
///
/// Reads and writes may meet `WouldBlock` from the [`SocketIo`] when the call's deadline has
/// passed (the socket records it there for timed reads, handshakes and close): pass it
/// through and keep the session usable.
///
/// **Sealed**: implemented only by this workspace's backends; it may gain methods in any
/// minor release (the supertrait `__private::Sealed` is not public API). Using it is stable.
pub trait TlsSession: __private::Sealed + Send + Debug {
    /// Reads plaintext; `Ok(0)` at the end of the stream, with or without close_notify.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes plaintext.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize>;
    /// Sends buffered records.
    fn flush(&mut self) -> io::Result<()>;
    /// Sends close_notify.
    fn close_notify(&mut self) -> io::Result<()>;
    /// Decrypted bytes waiting to be read.
    fn pending_plaintext(&self) -> usize;
    /// The peer's certificates, leaf first: the verified chain up to the root where the
    /// backend can give it, else what the peer sent; empty when the peer sent none.
    fn peer_certificates(&self) -> Vec<Certificate>;
    /// The negotiated protocol version, for example `"TLSv1.3"`.
    fn protocol_version(&self) -> Option<String>;
    /// The negotiated cipher suite.
    fn cipher(&self) -> Option<String>;
    /// The negotiated ALPN protocol.
    fn alpn_protocol(&self) -> Option<Vec<u8>> {
        None
    }
    /// Whether the handshake resumed an earlier session; `None` when the backend cannot tell.
    fn resumed(&self) -> Option<bool> {
        None
    }
    /// The PSK identity the client used (servers only).
    fn psk_identity(&self) -> Option<String> {
        None
    }
    /// `Some(true)` once the peer's close_notify arrived, `Some(false)` after an end of stream
    /// without it, `None` while the stream is open.
    fn clean_close(&self) -> Option<bool>;
    /// The backend's own session type (Nim's `sslHandle`).
    fn as_any(&self) -> &dyn Any;
    /// The backend's own session type, mutably.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}
