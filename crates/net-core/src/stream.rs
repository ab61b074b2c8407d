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
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;

use crate::error::Error;
use crate::sys;

/// A shared handle on a socket's descriptor, for the session that secures it.
///
/// `Read` is `recv(2)`, `Write` is `send(2)` with `MSG_NOSIGNAL`. Cloning it does not duplicate
/// the descriptor: the socket closes it when it is closed.
///
/// ```
/// use std::io::Write;
/// use std::os::unix::net::UnixStream;
/// use net_core::Socket;
/// # fn main() -> Result<(), net_core::Error> {
/// let (a, b) = UnixStream::pair().map_err(|e| net_core::Error::io("socketpair", None, e))?;
/// let (a, mut b) = (Socket::from(a), Socket::from(b));
/// let mut io = a.io_handle()?;
/// io.write_all(b"hi").unwrap();
/// assert_eq!(b.recv(2)?, b"hi");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SocketIo(pub(crate) Arc<socket2::Socket>);

impl SocketIo {
    /// The socket2 view of the descriptor, for options a session may need.
    ///
    /// ```
    /// # fn main() -> Result<(), net_core::Error> {
    /// let socket = net_core::Socket::tcp()?;
    /// assert!(socket.io_handle()?.socket2().local_addr().is_ok());
    /// # Ok(()) }
    /// ```
    pub fn socket2(&self) -> &socket2::Socket {
        &self.0
    }
}

impl io::Read for SocketIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        sys::recv(self.0.as_raw_fd(), buf, 0)
    }
}

impl io::Write for SocketIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        sys::send(self.0.as_raw_fd(), buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for SocketIo {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl AsRawFd for SocketIo {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }
}

/// A secured session over a [`SocketIo`]: plaintext in, plaintext out.
///
/// Reads may block on the descriptor; the socket bounds them with `SO_RCVTIMEO` when the caller
/// gave a timeout, so a session must pass `WouldBlock`/`TimedOut` errors through unchanged and
/// keep its state, as TLS libraries do.
///
/// ```
/// use std::any::Any;
/// use std::io::{self, Read, Write};
/// use std::sync::Arc;
/// use net_core::{Error, SecureSession, SecureUpgrade, Socket, SocketIo};
///
/// /// A "secured" stream that only passes bytes through, to show the shape.
/// #[derive(Debug)]
/// struct Clear(SocketIo);
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
pub trait SecureSession: Send + Debug {
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
pub trait SecureUpgrade: Send + Sync + Debug {
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
    /// A session over the descriptor.
    Secured(Box<dyn SecureSession>),
}
