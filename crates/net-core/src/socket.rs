//! `Socket`: creation, conversions, addresses, options, close, and the TLS seam.

use std::fmt;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::Arc;

use crate::buffer::ReadBuffer;
use crate::builder::SocketBuilder;
use crate::conn::Conn;
use crate::error::{Context, Error, Result};
use crate::io::SocketIo;
use crate::kinds::{Domain, Protocol, SockType};
use crate::options::SockOpt;
use crate::stream::{SecureSession, SecureUpgrade, Stream};
use crate::sys;

/// Size of a buffered socket's read buffer, in bytes (Nim's `BufferSize`).
#[doc(alias = "BufferSize")]
pub const BUFFER_SIZE: usize = 4000;

/// The largest listen backlog the OS takes, and the one [`Socket::listen`] asks for (Nim's
/// `SOMAXCONN`).
///
/// ```
/// let mut s = net::Socket::tcp()?;
/// s.bind_addr(0, "127.0.0.1")?;
/// s.listen_backlog(net::SOMAXCONN)?;
/// # Ok::<(), net::Error>(())
/// ```
pub const SOMAXCONN: i32 = libc::SOMAXCONN;

/// Default and usual maximum length of a line for `read_line`/`recv_line` (Nim's
/// `MaxLineLength`).
#[doc(alias = "MaxLineLength")]
pub const MAX_LINE_LENGTH: usize = 1_000_000;

/// A blocking socket with an optional read buffer, line reading and timeouts (Nim's `Socket`).
///
/// Made by [`Socket::new`], [`Socket::builder`], [`dial`](crate::dial) or a conversion from a
/// std or socket2 socket. Closed by [`Socket::close`] or on drop; any use after `close` is an
/// [`Error::Closed`].
///
/// ```
/// use net::Socket;
/// # fn main() -> Result<(), net::Error> {
/// let mut server = Socket::tcp()?;
/// server.bind_addr(0, "127.0.0.1")?;
/// server.listen()?;
/// let port = server.local_addr()?.port();
///
/// let mut client = Socket::tcp()?;
/// client.connect("127.0.0.1", port)?;
/// let (mut conn, peer) = server.accept_addr()?;
/// assert_eq!(peer, "127.0.0.1");
///
/// client.send(b"hello\r\n")?;
/// assert_eq!(conn.recv_line()?, "hello");
/// # Ok(()) }
/// ```
pub struct Socket {
    /// The I/O half: descriptor, secured stream, kept errors.
    pub(crate) conn: Conn,
    /// The read half: bytes read ahead and not yet handed out.
    pub(crate) buf: ReadBuffer,
    pub(crate) domain: Domain,
    pub(crate) sock_type: SockType,
    pub(crate) protocol: Protocol,
    pub(crate) buffered: bool,
}

impl Socket {
    /// A new buffered socket (Nim's `newSocket(domain, sockType, protocol)`).
    ///
    /// ```
    /// use net::{Domain, Protocol, Socket, SockType};
    /// let s = Socket::new(Domain::Inet, SockType::Dgram, Protocol::Udp)?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "newSocket")]
    pub fn new(domain: Domain, sock_type: SockType, protocol: Protocol) -> Result<Socket> {
        Socket::builder().domain(domain).sock_type(sock_type).protocol(protocol).build()
    }

    /// A new socket from raw `AF_*`, `SOCK_*` and `IPPROTO_*` values (Nim's `newSocket(cint...)`).
    ///
    /// ```
    /// use net::socket2::{Domain, Protocol, Type};
    /// let s = net::Socket::new_raw(Domain::IPV4.into(), Type::STREAM.into(), Protocol::TCP.into())?;
    /// assert_eq!(s.protocol(), net::Protocol::Tcp);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "newSocket")]
    pub fn new_raw(domain: i32, sock_type: i32, protocol: i32) -> Result<Socket> {
        Socket::new(Domain::from_c_int(domain), SockType::from_c_int(sock_type), Protocol::from_c_int(protocol))
    }

    /// Settings for a new socket, starting from Nim's defaults (IPv4, TCP, buffered).
    ///
    /// ```
    /// let s = net::Socket::builder().buffered(false).build()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn builder() -> SocketBuilder {
        SocketBuilder::default()
    }

    /// Nim's `newSocket()`: IPv4 TCP, buffered.
    ///
    /// ```
    /// let s = net::Socket::tcp()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "newSocket")]
    pub fn tcp() -> Result<Socket> {
        Socket::builder().build()
    }

    /// An IPv6 TCP socket, buffered.
    ///
    /// ```
    /// let s = net::Socket::tcp6()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn tcp6() -> Result<Socket> {
        Socket::builder().domain(Domain::Inet6).build()
    }

    /// An IPv4 UDP socket.
    ///
    /// ```
    /// let s = net::Socket::udp()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn udp() -> Result<Socket> {
        Socket::new(Domain::Inet, SockType::Dgram, Protocol::Udp)
    }

    /// An IPv6 UDP socket.
    ///
    /// ```
    /// let s = net::Socket::udp6()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn udp6() -> Result<Socket> {
        Socket::new(Domain::Inet6, SockType::Dgram, Protocol::Udp)
    }

    /// A Unix stream socket, buffered.
    ///
    /// ```
    /// let s = net::Socket::unix_stream()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn unix_stream() -> Result<Socket> {
        Socket::new(Domain::Unix, SockType::Stream, Protocol::Default)
    }

    pub(crate) fn inner(&self, op: &'static str) -> Result<&socket2::Socket> {
        self.conn.io(op).map(SocketIo::socket2)
    }

    pub(crate) fn raw(&self, op: &'static str) -> Result<RawFd> {
        self.conn.io(op).map(SocketIo::as_raw_fd)
    }

    /// Records the OS code of a failure for [`Socket::last_error`] and wraps it.
    pub(crate) fn fail(&mut self, op: &'static str, addr: Option<String>, e: std::io::Error) -> Error {
        self.conn.fail(op, addr, e)
    }

    /// The address family.
    ///
    /// ```
    /// assert_eq!(net::Socket::tcp()?.domain(), net::Domain::Inet);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// The socket type.
    ///
    /// ```
    /// assert_eq!(net::Socket::tcp()?.sock_type(), net::SockType::Stream);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn sock_type(&self) -> SockType {
        self.sock_type
    }

    /// The protocol.
    ///
    /// ```
    /// assert_eq!(net::Socket::udp()?.protocol(), net::Protocol::Udp);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Whether reads go through the read buffer.
    ///
    /// ```
    /// assert!(net::Socket::tcp()?.is_buffered());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn is_buffered(&self) -> bool {
        self.buffered
    }

    /// The refill size of the read buffer.
    ///
    /// ```
    /// assert_eq!(net::Socket::tcp()?.buffer_size(), net::BUFFER_SIZE);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn buffer_size(&self) -> usize {
        self.buf.chunk()
    }

    /// Whether [`Socket::close`] was called.
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.close();
    /// assert!(s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        self.conn.io.is_none()
    }

    /// The descriptor (Nim's `getFd`); an error once closed.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// let s = net::Socket::tcp()?;
    /// assert!(s.fd()?.as_raw_fd() >= 0);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "getFd")]
    pub fn fd(&self) -> Result<BorrowedFd<'_>> {
        Ok(self.inner("fd")?.as_fd())
    }

    /// The local address (Nim's `getLocalAddr`; `(ip.to_string(), port)` is Nim's pair).
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.bind_addr(0, "127.0.0.1")?;
    /// assert_eq!(s.local_addr()?.ip().to_string(), "127.0.0.1");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "getLocalAddr")]
    pub fn local_addr(&self) -> Result<SocketAddr> {
        ip_only("local_addr", self.local_sock_addr()?)
    }

    /// The peer's address (Nim's `getPeerAddr`).
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp6()?;
    /// server.bind_addr(0, "::1")?;
    /// server.listen()?;
    /// let client = net::dial("::1", server.local_addr()?.port())?;
    /// assert_eq!(client.peer_addr()?, server.local_addr()?);
    /// # Ok(()) }
    /// ```
    #[doc(alias = "getPeerAddr")]
    pub fn peer_addr(&self) -> Result<SocketAddr> {
        ip_only("peer_addr", self.peer_sock_addr()?)
    }

    /// The local address in any family (Unix paths included).
    ///
    /// ```
    /// let s = net::Socket::unix_stream()?;
    /// assert!(s.local_sock_addr()?.is_unix());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn local_sock_addr(&self) -> Result<socket2::SockAddr> {
        self.inner("local_addr")?.local_addr().ctx("local_addr")
    }

    /// The peer's address in any family.
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// assert!(net::Socket::from(a).peer_sock_addr()?.is_unix());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn peer_sock_addr(&self) -> Result<socket2::SockAddr> {
        self.inner("peer_addr")?.peer_addr().ctx("peer_addr")
    }

    /// Reads a boolean option (Nim's `getSockOpt`) at the option's own level.
    ///
    /// ```
    /// use net::SockOpt;
    /// let s = net::Socket::tcp()?;
    /// assert!(!s.get_sock_opt(SockOpt::ReuseAddr)?);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "getSockOpt")]
    pub fn get_sock_opt(&self, opt: SockOpt) -> Result<bool> {
        let fd = self.raw("get_sock_opt")?;
        sys::get_int_opt(fd, opt.level(), opt.to_c_int()).map(|v| v != 0).ctx_addr("get_sock_opt", opt.os_name())
    }

    /// Sets a boolean option (Nim's `setSockOpt`) at the option's own level.
    ///
    /// ```
    /// use net::SockOpt;
    /// let s = net::Socket::tcp()?;
    /// s.set_sock_opt(SockOpt::ReuseAddr, true)?;
    /// assert!(s.get_sock_opt(SockOpt::ReuseAddr)?);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "setSockOpt")]
    pub fn set_sock_opt(&self, opt: SockOpt, value: bool) -> Result<()> {
        let fd = self.raw("set_sock_opt")?;
        sys::set_int_opt(fd, opt.level(), opt.to_c_int(), i32::from(value)).ctx_addr("set_sock_opt", opt.os_name())
    }

    /// The pending error of the socket (`SO_ERROR`), else the last OS error an operation on it
    /// met (Nim's `getSocketError`). `None` when there is neither.
    ///
    /// ```
    /// let s = net::Socket::tcp()?;
    /// assert!(s.last_error()?.is_none());
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "getSocketError")]
    pub fn last_error(&self) -> Result<Option<std::io::Error>> {
        let pending = self.inner("last_error")?.take_error().ctx("last_error")?;
        Ok(pending.or_else(|| self.conn.last_error.map(std::io::Error::from_raw_os_error)))
    }

    /// Whether the socket is secured (or set to be secured on connect/accept) (Nim's `isSsl`).
    ///
    /// ```
    /// assert!(!net::Socket::tcp()?.is_ssl());
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "isSsl")]
    pub fn is_ssl(&self) -> bool {
        !matches!(self.conn.stream, Stream::Plain)
    }

    /// A shared handle on the descriptor, for a session that secures this socket.
    ///
    /// ```
    /// let s = net::Socket::tcp()?;
    /// let io = s.io_handle()?;
    /// assert!(io.socket2().local_addr().is_ok());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn io_handle(&self) -> Result<SocketIo> {
        Ok(self.conn.io("io_handle")?.clone())
    }

    /// Makes `connect` (as a client) or `accept` (as a server, for each client) secure the
    /// connection with `upgrade`. Fails if the socket is already secured or set to be.
    ///
    /// This is the seam a TLS layer uses for `wrap_socket`; see the `stream` module docs.
    ///
    /// ```
    /// # use net::*;
    /// # #[derive(Debug)] struct Nothing;
    /// # impl net::__private::Sealed for Nothing {}
    /// # impl SecureUpgrade for Nothing {
    /// #   fn client(&self, _: SocketIo, _: &str) -> Result<Box<dyn SecureSession>> { unreachable!() }
    /// #   fn server(&self, _: SocketIo) -> Result<Box<dyn SecureSession>> { unreachable!() }
    /// #   fn as_any(&self) -> &dyn std::any::Any { self }
    /// # }
    /// let mut s = Socket::tcp()?;
    /// s.set_upgrade(std::sync::Arc::new(Nothing))?;
    /// assert!(s.is_ssl());
    /// assert!(s.set_upgrade(std::sync::Arc::new(Nothing)).is_err());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn set_upgrade(&mut self, upgrade: Arc<dyn SecureUpgrade>) -> Result<()> {
        self.inner("wrap_socket")?;
        self.ensure_plain("wrap_socket")?;
        self.ensure_blocking("wrap_socket")?;
        self.conn.stream = Stream::Pending(upgrade);
        Ok(())
    }

    /// The upgrade recorded by [`Socket::set_upgrade`] (or inherited from a listener by
    /// [`Socket::accept_lazy`]), if it has not run yet.
    ///
    /// ```
    /// assert!(net::Socket::tcp()?.upgrade().is_none());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn upgrade(&self) -> Option<&Arc<dyn SecureUpgrade>> {
        match &self.conn.stream {
            Stream::Pending(u) | Stream::Accepted(u) => Some(u),
            _ => None,
        }
    }

    /// Secures a connected socket with `session` (built over [`Socket::io_handle`]). Bytes
    /// already buffered stay in front of the session's plaintext.
    ///
    /// ```
    /// # use net::*;
    /// # use std::io::{Read, Write};
    /// # #[derive(Debug)] struct Clear(SocketIo);
    /// # impl net::__private::Sealed for Clear {}
    /// # impl SecureSession for Clear {
    /// #   fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> { self.0.read(b) }
    /// #   fn write(&mut self, b: &[u8]) -> std::io::Result<usize> { self.0.write(b) }
    /// #   fn flush(&mut self) -> std::io::Result<()> { Ok(()) }
    /// #   fn close_notify(&mut self) -> std::io::Result<()> { Ok(()) }
    /// #   fn handshake_complete(&self) -> bool { true }
    /// #   fn as_any(&self) -> &dyn std::any::Any { self }
    /// #   fn as_any_mut(&mut self) -> &mut dyn std::any::Any { self }
    /// # }
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// let session = Box::new(Clear(a.io_handle()?));
    /// a.secure(session)?;
    /// assert!(a.is_ssl());
    /// a.send(b"x\n")?;
    /// assert_eq!(b.recv_line()?, "x");
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn secure(&mut self, session: Box<dyn SecureSession>) -> Result<()> {
        self.inner("wrap_connected_socket")?;
        self.ensure_plain("wrap_connected_socket")?;
        self.ensure_blocking("wrap_connected_socket")?;
        self.conn.stream = Stream::Secured(session);
        Ok(())
    }

    fn ensure_plain(&self, op: &'static str) -> Result<()> {
        if matches!(self.conn.stream, Stream::Plain) {
            Ok(())
        } else {
            Err(Error::InvalidArgument { op, reason: "the socket is already wrapped".into() })
        }
    }

    /// The session securing this socket, if any (for `ssl_handle`, certificates...).
    ///
    /// ```
    /// assert!(net::Socket::tcp()?.session().is_none());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn session(&self) -> Option<&dyn SecureSession> {
        match &self.conn.stream {
            Stream::Secured(s) => Some(s.as_ref()),
            _ => None,
        }
    }

    /// The session securing this socket, mutably.
    ///
    /// ```
    /// assert!(net::Socket::tcp()?.session_mut().is_none());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn session_mut(&mut self) -> Option<&mut (dyn SecureSession + 'static)> {
        match &mut self.conn.stream {
            Stream::Secured(s) => Some(s.as_mut()),
            _ => None,
        }
    }
}

fn ip_only(op: &'static str, sa: socket2::SockAddr) -> Result<SocketAddr> {
    sa.as_socket().ok_or_else(|| Error::Unsupported {
        op,
        what: format!("address family {} (use {op}'s sock_addr form)", sa.family()),
    })
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.as_raw_fd())
            .field("domain", &self.domain)
            .field("sock_type", &self.sock_type)
            .field("buffered", &self.buffered)
            .field("buffered_bytes", &self.buf.len())
            .field("stream", &self.conn.stream)
            .finish()
    }
}
