//! The seam between a [`Socket`](crate::Socket) and TLS: net-core knows only these two traits,
//! never a TLS library.
//!
//! A TLS layer (net-tls) wraps a socket by giving it a [`SecureUpgrade`] before `connect` or
//! `accept` ([`Socket::set_upgrade`](crate::Socket::set_upgrade)) or a ready
//! [`SecureSession`] on a connected socket ([`Socket::secure`](crate::Socket::secure)). The
//! session does its I/O through a [`SocketIo`], a shared handle on the socket's own descriptor,
//! so the socket keeps its fd, options and addresses whatever the session does. Every read API
//! of the socket (buffering, lines, timeouts, `Peek`, `skip`) then works over the session.

use std::any::Any;
use std::fmt::Debug;
use std::io;
use std::sync::Arc;

use crate::error::Error;
use crate::io::SocketIo;

/// Not public API: the supertrait that seals [`SecureSession`] and [`SecureUpgrade`]
/// (re-exported, hidden, as `net_core::__private` and `net::__private`), and what the
/// workspace's layers share for their messages. Only this workspace's layers implement the
/// seal (net-tls, and the test crate's seam layer).
pub mod __private {
    /// Implemented by this workspace's secure layers only; not covered by semver.
    pub trait Sealed {}

    pub use crate::error::quoted;
}

/// A secured session over a [`SocketIo`]: plaintext in, plaintext out.
///
/// Reads and writes may block on the descriptor. When the caller gave a timeout, the socket
/// records its deadline on the [`SocketIo`], whose reads and writes then fail with
/// `WouldBlock` once it has passed: a session must pass that error through unchanged and keep
/// its state, as TLS libraries do.
///
/// **Sealed**: implemented only by this workspace's TLS layer (net-tls) and its tests. It may
/// gain methods in any minor release, so it cannot be implemented outside the workspace: the
/// supertrait `__private::Sealed` is not public API. To use a secured socket, use
/// `net::tls`; the example below shows the seam's shape as the workspace's layers implement it.
///
/// ```
/// use std::any::Any;
/// use std::io::{self, Read, Write};
/// use std::sync::Arc;
/// use net::{Error, SecureSession, SecureUpgrade, Socket, SocketIo};
///
/// /// A "secured" stream that only passes bytes through, to show the shape.
/// #[derive(Debug)]
/// struct Clear(SocketIo);
/// impl net::__private::Sealed for Clear {} // the seal: this workspace's layers only
/// impl SecureSession for Clear {
///     fn read(&mut self, b: &mut [u8]) -> io::Result<usize> { self.0.read(b) }
///     fn write(&mut self, b: &[u8]) -> io::Result<usize> { self.0.write(b) }
///     fn flush(&mut self) -> io::Result<()> { Ok(()) }
///     fn close_notify(&mut self) -> io::Result<()> { Ok(()) }
///     fn handshake_complete(&self) -> bool { true }
///     fn as_any(&self) -> &dyn Any { self }
///     fn as_any_mut(&mut self) -> &mut dyn Any { self }
/// }
/// #[derive(Debug)]
/// struct ClearUpgrade;
/// impl net::__private::Sealed for ClearUpgrade {}
/// impl SecureUpgrade for ClearUpgrade {
///     fn client(&self, io: SocketIo, _name: &str) -> Result<Box<dyn SecureSession>, Error> { Ok(Box::new(Clear(io))) }
///     fn server(&self, io: SocketIo) -> Result<Box<dyn SecureSession>, Error> { Ok(Box::new(Clear(io))) }
///     fn as_any(&self) -> &dyn Any { self }
/// }
///
/// let mut listener = Socket::tcp()?;
/// listener.bind_addr(0, "127.0.0.1")?;
/// listener.listen()?;
/// listener.set_upgrade(Arc::new(ClearUpgrade))?;
/// let mut client = Socket::tcp()?;
/// client.set_upgrade(Arc::new(ClearUpgrade))?;
/// client.connect("127.0.0.1", listener.local_addr()?.port())?; // runs `client`
/// let mut conn = listener.accept()?; // runs `server`
/// client.send(b"through the session\n")?;
/// assert_eq!(conn.recv_line()?, "through the session");
/// assert!(conn.session().is_some());
/// # Ok::<(), Error>(())
/// ```
pub trait SecureSession: __private::Sealed + Send + Debug {
    /// Reads plaintext; `Ok(0)` is the end of the stream.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;
    /// Writes plaintext; returns how much was taken.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize>;
    /// Sends whatever the session still holds.
    fn flush(&mut self) -> io::Result<()>;
    /// Tells the peer the session is over (TLS close_notify). Called at most once.
    fn close_notify(&mut self) -> io::Result<()>;
    /// Plaintext already decrypted and waiting, readable without touching the descriptor.
    fn pending_plaintext(&self) -> usize {
        0
    }
    /// Whether the handshake has finished.
    fn handshake_complete(&self) -> bool;
    /// The peer's certificates, DER, leaf first; empty when there are none.
    fn peer_certificates(&self) -> Vec<Vec<u8>> {
        Vec::new()
    }
    /// The session as `Any`, for a downcast to the backend's own type.
    fn as_any(&self) -> &dyn Any;
    /// The session as mutable `Any`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// What a socket does to secure itself when it connects or accepts (a TLS role recorded by
/// `wrap_socket` before the socket is connected). See [`SecureSession`] for an example of both.
///
/// **Sealed**, as [`SecureSession`] is: implemented only by this workspace's layers, and it may
/// gain methods in any minor release.
pub trait SecureUpgrade: __private::Sealed + Send + Sync + Debug {
    /// Runs the client handshake after `connect`; `server_name` is the address given to it.
    fn client(&self, io: SocketIo, server_name: &str) -> Result<Box<dyn SecureSession>, Error>;
    /// Runs the server handshake on a freshly accepted connection.
    fn server(&self, io: SocketIo) -> Result<Box<dyn SecureSession>, Error>;
    /// The upgrade as `Any`, for a downcast to the layer's own type.
    fn as_any(&self) -> &dyn Any;
}

/// What sits between a socket's descriptor and its read buffer.
#[derive(Debug, Default)]
pub(crate) enum Stream {
    /// The descriptor itself.
    #[default]
    Plain,
    /// Not yet secured: the handshake runs in `connect` or `accept`.
    Pending(Arc<dyn SecureUpgrade>),
    /// Accepted by [`Socket::accept_lazy`](crate::Socket::accept_lazy): the server handshake
    /// runs on the first I/O or [`Socket::handshake`](crate::Socket::handshake).
    Accepted(Arc<dyn SecureUpgrade>),
    /// A session over the descriptor.
    Secured(Box<dyn SecureSession>),
}
