//! `Socket`: creation, conversions, addresses, options, close, and the TLS seam.

use std::fmt;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::Arc;

use crate::buffer::ReadBuffer;
use crate::error::{is_disconnection_error, Context, Error, Result};
use crate::flags::SocketFlags;
use crate::options::SockOpt;
use crate::stream::{SecureSession, SecureUpgrade, SocketIo, Stream};
use crate::sys;

/// Size of a buffered socket's read buffer, in bytes (Nim's `BufferSize`).
#[doc(alias = "BufferSize")]
pub const BUFFER_SIZE: usize = 4000;

/// Default and usual maximum length of a line for `read_line`/`recv_line` (Nim's
/// `MaxLineLength`).
#[doc(alias = "MaxLineLength")]
pub const MAX_LINE_LENGTH: usize = 1_000_000;

/// An address family (Nim's `Domain`).
///
/// ```
/// use net_core::{Domain, Socket, SockType, Protocol};
/// let s = Socket::new(Domain::Inet6, SockType::Stream, Protocol::Tcp)?;
/// assert_eq!(s.domain(), Domain::Inet6);
/// # Ok::<(), net_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    /// `AF_INET`: IPv4.
    #[doc(alias = "AF_INET")]
    Inet,
    /// `AF_INET6`: IPv6 (and IPv4-mapped addresses).
    #[doc(alias = "AF_INET6")]
    Inet6,
    /// `AF_UNIX`: Unix domain sockets.
    #[doc(alias = "AF_UNIX")]
    Unix,
    /// Any other `AF_*` value.
    Other(i32),
}

/// A socket type (Nim's `SockType`).
///
/// ```
/// use net_core::{Socket, SockType};
/// assert_eq!(Socket::udp()?.sock_type(), SockType::Dgram);
/// # Ok::<(), net_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SockType {
    /// `SOCK_STREAM`: a reliable byte stream (TCP).
    #[doc(alias = "SOCK_STREAM")]
    Stream,
    /// `SOCK_DGRAM`: datagrams (UDP).
    #[doc(alias = "SOCK_DGRAM")]
    Dgram,
    /// `SOCK_RAW`: raw packets.
    #[doc(alias = "SOCK_RAW")]
    Raw,
    /// `SOCK_SEQPACKET`: reliable datagrams.
    #[doc(alias = "SOCK_SEQPACKET")]
    SeqPacket,
    /// Any other `SOCK_*` value.
    Other(i32),
}

/// A protocol (Nim's `Protocol`).
///
/// ```
/// use net_core::{Socket, Protocol};
/// assert_eq!(Socket::tcp()?.protocol(), Protocol::Tcp);
/// # Ok::<(), net_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `IPPROTO_TCP`.
    #[doc(alias = "IPPROTO_TCP")]
    Tcp,
    /// `IPPROTO_UDP`.
    #[doc(alias = "IPPROTO_UDP")]
    Udp,
    /// `IPPROTO_ICMP`.
    #[doc(alias = "IPPROTO_ICMP")]
    Icmp,
    /// `IPPROTO_ICMPV6`.
    #[doc(alias = "IPPROTO_ICMPV6")]
    Icmpv6,
    /// `IPPROTO_RAW`.
    #[doc(alias = "IPPROTO_RAW")]
    Raw,
    /// `0`: the default protocol of the type (`IPPROTO_IP`, Nim's `IPPROTO_NONE`).
    #[doc(alias = "IPPROTO_NONE")]
    #[doc(alias = "IPPROTO_IP")]
    Default,
    /// Any other `IPPROTO_*` value.
    Other(i32),
}

impl Domain {
    /// The `AF_*` value.
    ///
    /// ```
    /// assert_eq!(net_core::Domain::Inet.to_c_int(), libc::AF_INET);
    /// ```
    pub fn to_c_int(self) -> i32 {
        match self {
            Domain::Inet => libc::AF_INET,
            Domain::Inet6 => libc::AF_INET6,
            Domain::Unix => libc::AF_UNIX,
            Domain::Other(v) => v,
        }
    }

    /// The domain of an `AF_*` value.
    ///
    /// ```
    /// use net_core::Domain;
    /// assert_eq!(Domain::from_c_int(libc::AF_INET6), Domain::Inet6);
    /// ```
    pub fn from_c_int(v: i32) -> Domain {
        match v {
            libc::AF_INET => Domain::Inet,
            libc::AF_INET6 => Domain::Inet6,
            libc::AF_UNIX => Domain::Unix,
            other => Domain::Other(other),
        }
    }
}

impl SockType {
    /// The `SOCK_*` value.
    ///
    /// ```
    /// assert_eq!(net_core::SockType::Dgram.to_c_int(), libc::SOCK_DGRAM);
    /// ```
    pub fn to_c_int(self) -> i32 {
        match self {
            SockType::Stream => libc::SOCK_STREAM,
            SockType::Dgram => libc::SOCK_DGRAM,
            SockType::Raw => libc::SOCK_RAW,
            SockType::SeqPacket => libc::SOCK_SEQPACKET,
            SockType::Other(v) => v,
        }
    }

    /// The type of a `SOCK_*` value.
    ///
    /// ```
    /// use net_core::SockType;
    /// assert_eq!(SockType::from_c_int(libc::SOCK_STREAM), SockType::Stream);
    /// ```
    pub fn from_c_int(v: i32) -> SockType {
        match v {
            libc::SOCK_STREAM => SockType::Stream,
            libc::SOCK_DGRAM => SockType::Dgram,
            libc::SOCK_RAW => SockType::Raw,
            libc::SOCK_SEQPACKET => SockType::SeqPacket,
            other => SockType::Other(other),
        }
    }
}

impl Protocol {
    /// The `IPPROTO_*` value.
    ///
    /// ```
    /// assert_eq!(net_core::Protocol::Udp.to_c_int(), libc::IPPROTO_UDP);
    /// ```
    pub fn to_c_int(self) -> i32 {
        match self {
            Protocol::Tcp => libc::IPPROTO_TCP,
            Protocol::Udp => libc::IPPROTO_UDP,
            Protocol::Icmp => libc::IPPROTO_ICMP,
            Protocol::Icmpv6 => libc::IPPROTO_ICMPV6,
            Protocol::Raw => libc::IPPROTO_RAW,
            Protocol::Default => 0,
            Protocol::Other(v) => v,
        }
    }

    /// The protocol of an `IPPROTO_*` value.
    ///
    /// ```
    /// use net_core::Protocol;
    /// assert_eq!(Protocol::from_c_int(0), Protocol::Default);
    /// ```
    pub fn from_c_int(v: i32) -> Protocol {
        match v {
            libc::IPPROTO_TCP => Protocol::Tcp,
            libc::IPPROTO_UDP => Protocol::Udp,
            libc::IPPROTO_ICMP => Protocol::Icmp,
            libc::IPPROTO_ICMPV6 => Protocol::Icmpv6,
            libc::IPPROTO_RAW => Protocol::Raw,
            0 => Protocol::Default,
            other => Protocol::Other(other),
        }
    }

    /// The socket type this protocol runs over (`Udp` → `Dgram`, `Tcp` → `Stream`...).
    ///
    /// ```
    /// use net_core::{Protocol, SockType};
    /// assert_eq!(Protocol::Udp.sock_type(), SockType::Dgram);
    /// ```
    pub fn sock_type(self) -> SockType {
        match self {
            Protocol::Udp => SockType::Dgram,
            Protocol::Icmp | Protocol::Icmpv6 | Protocol::Raw => SockType::Raw,
            _ => SockType::Stream,
        }
    }
}

/// A blocking socket with an optional read buffer, line reading and timeouts (Nim's `Socket`).
///
/// Made by [`Socket::new`], [`Socket::builder`], [`dial`](crate::dial) or a conversion from a
/// std or socket2 socket. Closed by [`Socket::close`] or on drop; any use after `close` is an
/// [`Error::Closed`].
///
/// ```
/// use net_core::Socket;
/// # fn main() -> Result<(), net_core::Error> {
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
    pub(crate) fd: Option<Arc<socket2::Socket>>,
    pub(crate) domain: Domain,
    pub(crate) sock_type: SockType,
    pub(crate) protocol: Protocol,
    pub(crate) buffered: bool,
    pub(crate) buf: ReadBuffer,
    pub(crate) stream: Stream,
    /// An error met after bytes that were returned first; reported by the next read.
    pub(crate) deferred: Option<std::io::Error>,
    /// The last OS error code an operation on this socket met (Nim's `lastError`).
    pub(crate) last_error: Option<i32>,
}

/// How to make a [`Socket`]; Nim's `newSocket` parameters, with Nim's defaults.
///
/// ```
/// use net_core::{Domain, Protocol, Socket, SockType};
/// let udp = Socket::builder()
///     .domain(Domain::Inet6)
///     .sock_type(SockType::Dgram)
///     .protocol(Protocol::Udp)
///     .buffered(false)
///     .build()?;
/// assert!(!udp.is_buffered());
/// # Ok::<(), net_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SocketBuilder {
    domain: Domain,
    sock_type: SockType,
    protocol: Protocol,
    buffered: bool,
    inheritable: bool,
    buffer_size: usize,
}

impl Default for SocketBuilder {
    fn default() -> Self {
        SocketBuilder {
            domain: Domain::Inet,
            sock_type: SockType::Stream,
            protocol: Protocol::Tcp,
            buffered: true,
            inheritable: false,
            buffer_size: BUFFER_SIZE,
        }
    }
}

impl SocketBuilder {
    /// The address family; default `Inet`.
    ///
    /// ```
    /// let s = net_core::Socket::builder().domain(net_core::Domain::Inet6).build()?;
    /// assert_eq!(s.domain(), net_core::Domain::Inet6);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// The socket type; default `Stream`.
    ///
    /// ```
    /// use net_core::{Protocol, Socket, SockType};
    /// let s = Socket::builder().sock_type(SockType::Dgram).protocol(Protocol::Udp).build()?;
    /// assert_eq!(s.sock_type(), SockType::Dgram);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn sock_type(mut self, sock_type: SockType) -> Self {
        self.sock_type = sock_type;
        self
    }

    /// The protocol; default `Tcp`.
    ///
    /// ```
    /// use net_core::{Domain, Protocol, Socket};
    /// let s = Socket::builder().domain(Domain::Unix).protocol(Protocol::Default).build()?;
    /// assert_eq!(s.protocol(), Protocol::Default);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Whether reads go through the read buffer; default `true`.
    ///
    /// ```
    /// assert!(!net_core::Socket::builder().buffered(false).build()?.is_buffered());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn buffered(mut self, buffered: bool) -> Self {
        self.buffered = buffered;
        self
    }

    /// Whether child processes inherit the descriptor; default `false` (`SOCK_CLOEXEC`).
    ///
    /// ```
    /// let s = net_core::Socket::builder().inheritable(true).build()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn inheritable(mut self, inheritable: bool) -> Self {
        self.inheritable = inheritable;
        self
    }

    /// The refill size of the read buffer; default [`BUFFER_SIZE`]. Zero counts as one.
    ///
    /// ```
    /// let s = net_core::Socket::builder().buffer_size(16 * 1024).build()?;
    /// assert_eq!(s.buffer_size(), 16 * 1024);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn buffer_size(mut self, size: usize) -> Self {
        self.buffer_size = size;
        self
    }

    /// Creates the socket (`socket(2)`).
    ///
    /// ```
    /// let s = net_core::Socket::builder().build()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn build(self) -> Result<Socket> {
        let protocol = match self.protocol {
            Protocol::Default => None,
            p => Some(socket2::Protocol::from(p.to_c_int())),
        };
        let inner = socket2::Socket::new(
            socket2::Domain::from(self.domain.to_c_int()),
            socket2::Type::from(self.sock_type.to_c_int()),
            protocol,
        )
        .ctx("socket")?;
        if self.inheritable {
            inner.set_cloexec(false).ctx("socket")?;
        }
        Ok(self.wrap(inner))
    }

    /// Wraps an existing descriptor with this builder's settings (Nim's `newSocket(fd, ...)`).
    /// The builder's domain, type and protocol are taken as the descriptor's.
    ///
    /// ```
    /// use std::os::fd::OwnedFd;
    /// let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    /// let s = net_core::Socket::builder()
    ///     .sock_type(net_core::SockType::Dgram)
    ///     .protocol(net_core::Protocol::Udp)
    ///     .from_fd(OwnedFd::from(std_socket));
    /// assert!(s.local_addr().is_ok());
    /// ```
    #[doc(alias = "newSocket")]
    pub fn from_fd(self, fd: OwnedFd) -> Socket {
        self.wrap(socket2::Socket::from(fd))
    }

    fn wrap(self, inner: socket2::Socket) -> Socket {
        Socket {
            fd: Some(Arc::new(inner)),
            domain: self.domain,
            sock_type: self.sock_type,
            protocol: self.protocol,
            buffered: self.buffered,
            buf: ReadBuffer::new(self.buffer_size),
            stream: Stream::Plain,
            deferred: None,
            last_error: None,
        }
    }
}

impl Socket {
    /// A new buffered socket (Nim's `newSocket(domain, sockType, protocol)`).
    ///
    /// ```
    /// use net_core::{Domain, Protocol, Socket, SockType};
    /// let s = Socket::new(Domain::Inet, SockType::Dgram, Protocol::Udp)?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "newSocket")]
    pub fn new(domain: Domain, sock_type: SockType, protocol: Protocol) -> Result<Socket> {
        Socket::builder().domain(domain).sock_type(sock_type).protocol(protocol).build()
    }

    /// A new socket from raw `AF_*`, `SOCK_*` and `IPPROTO_*` values (Nim's `newSocket(cint...)`).
    ///
    /// ```
    /// let s = net_core::Socket::new_raw(libc::AF_INET, libc::SOCK_STREAM, libc::IPPROTO_TCP)?;
    /// assert_eq!(s.protocol(), net_core::Protocol::Tcp);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "newSocket")]
    pub fn new_raw(domain: i32, sock_type: i32, protocol: i32) -> Result<Socket> {
        Socket::new(Domain::from_c_int(domain), SockType::from_c_int(sock_type), Protocol::from_c_int(protocol))
    }

    /// Settings for a new socket, starting from Nim's defaults (IPv4, TCP, buffered).
    ///
    /// ```
    /// let s = net_core::Socket::builder().buffered(false).build()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn builder() -> SocketBuilder {
        SocketBuilder::default()
    }

    /// Nim's `newSocket()`: IPv4 TCP, buffered.
    ///
    /// ```
    /// let s = net_core::Socket::tcp()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "newSocket")]
    pub fn tcp() -> Result<Socket> {
        Socket::builder().build()
    }

    /// An IPv6 TCP socket, buffered.
    ///
    /// ```
    /// let s = net_core::Socket::tcp6()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn tcp6() -> Result<Socket> {
        Socket::builder().domain(Domain::Inet6).build()
    }

    /// An IPv4 UDP socket.
    ///
    /// ```
    /// let s = net_core::Socket::udp()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn udp() -> Result<Socket> {
        Socket::new(Domain::Inet, SockType::Dgram, Protocol::Udp)
    }

    /// An IPv6 UDP socket.
    ///
    /// ```
    /// let s = net_core::Socket::udp6()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn udp6() -> Result<Socket> {
        Socket::new(Domain::Inet6, SockType::Dgram, Protocol::Udp)
    }

    /// A Unix stream socket, buffered.
    ///
    /// ```
    /// let s = net_core::Socket::unix_stream()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn unix_stream() -> Result<Socket> {
        Socket::new(Domain::Unix, SockType::Stream, Protocol::Default)
    }

    /// Wraps a socket2 socket, reading its family and type from the OS.
    fn adopt(inner: socket2::Socket) -> Socket {
        let fd = inner.as_raw_fd();
        let domain = inner
            .local_addr()
            .map(|a| Domain::from_c_int(i32::from(a.family())))
            .unwrap_or(Domain::Other(libc::AF_UNSPEC));
        let sock_type =
            sys::get_int_opt(fd, libc::SOL_SOCKET, libc::SO_TYPE).map(SockType::from_c_int).unwrap_or(SockType::Stream);
        let protocol = sys::get_int_opt(fd, libc::SOL_SOCKET, libc::SO_PROTOCOL)
            .map(Protocol::from_c_int)
            .unwrap_or(Protocol::Default);
        Socket::builder().domain(domain).sock_type(sock_type).protocol(protocol).wrap(inner)
    }

    /// Gives back the socket2 socket. Fails when the socket is closed, secured, or still holds
    /// buffered bytes that would be lost.
    ///
    /// ```
    /// let s = net_core::Socket::tcp()?;
    /// let raw: socket2::Socket = s.into_socket2()?;
    /// assert!(raw.local_addr().is_ok());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn into_socket2(mut self) -> Result<socket2::Socket> {
        if !matches!(self.stream, Stream::Plain) {
            return Err(Error::Unsupported { op: "into_socket2", what: "a secured socket".into() });
        }
        if !self.buf.is_empty() {
            return Err(Error::InvalidArgument {
                op: "into_socket2",
                reason: format!("{} buffered bytes would be lost", self.buf.len()),
            });
        }
        let fd = self.fd.take().ok_or(Error::Closed { op: "into_socket2" })?;
        Arc::try_unwrap(fd)
            .map_err(|_| Error::Unsupported { op: "into_socket2", what: "a socket whose descriptor is shared".into() })
    }

    pub(crate) fn inner(&self, op: &'static str) -> Result<&Arc<socket2::Socket>> {
        self.fd.as_ref().ok_or(Error::Closed { op })
    }

    pub(crate) fn raw(&self, op: &'static str) -> Result<RawFd> {
        self.inner(op).map(|s| s.as_raw_fd())
    }

    /// Records the OS code of a failure for [`Socket::last_error`] and wraps it.
    pub(crate) fn fail(&mut self, op: &'static str, addr: Option<String>, e: std::io::Error) -> Error {
        self.last_error = e.raw_os_error().or(self.last_error);
        Error::io(op, addr, e)
    }

    /// The address family.
    ///
    /// ```
    /// assert_eq!(net_core::Socket::tcp()?.domain(), net_core::Domain::Inet);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// The socket type.
    ///
    /// ```
    /// assert_eq!(net_core::Socket::tcp()?.sock_type(), net_core::SockType::Stream);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn sock_type(&self) -> SockType {
        self.sock_type
    }

    /// The protocol.
    ///
    /// ```
    /// assert_eq!(net_core::Socket::udp()?.protocol(), net_core::Protocol::Udp);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Whether reads go through the read buffer.
    ///
    /// ```
    /// assert!(net_core::Socket::tcp()?.is_buffered());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn is_buffered(&self) -> bool {
        self.buffered
    }

    /// The refill size of the read buffer.
    ///
    /// ```
    /// assert_eq!(net_core::Socket::tcp()?.buffer_size(), net_core::BUFFER_SIZE);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn buffer_size(&self) -> usize {
        self.buf.chunk()
    }

    /// Whether [`Socket::close`] was called.
    ///
    /// ```
    /// let mut s = net_core::Socket::tcp()?;
    /// s.close();
    /// assert!(s.is_closed());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn is_closed(&self) -> bool {
        self.fd.is_none()
    }

    /// The descriptor (Nim's `getFd`); an error once closed.
    ///
    /// ```
    /// use std::os::fd::AsRawFd;
    /// let s = net_core::Socket::tcp()?;
    /// assert!(s.fd()?.as_raw_fd() >= 0);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "getFd")]
    pub fn fd(&self) -> Result<BorrowedFd<'_>> {
        Ok(self.inner("fd")?.as_fd())
    }

    /// The local address (Nim's `getLocalAddr`; `(ip.to_string(), port)` is Nim's pair).
    ///
    /// ```
    /// let mut s = net_core::Socket::tcp()?;
    /// s.bind_addr(0, "127.0.0.1")?;
    /// assert_eq!(s.local_addr()?.ip().to_string(), "127.0.0.1");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "getLocalAddr")]
    pub fn local_addr(&self) -> Result<SocketAddr> {
        ip_only("local_addr", self.local_sock_addr()?)
    }

    /// The peer's address (Nim's `getPeerAddr`).
    ///
    /// ```
    /// # fn main() -> Result<(), net_core::Error> {
    /// let mut server = net_core::Socket::tcp6()?;
    /// server.bind_addr(0, "::1")?;
    /// server.listen()?;
    /// let client = net_core::dial("::1", server.local_addr()?.port())?;
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
    /// let s = net_core::Socket::unix_stream()?;
    /// assert!(s.local_sock_addr()?.is_unix());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn local_sock_addr(&self) -> Result<socket2::SockAddr> {
        self.inner("local_addr")?.local_addr().ctx("local_addr")
    }

    /// The peer's address in any family.
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// let (a, _b) = UnixStream::pair().unwrap();
    /// assert!(net_core::Socket::from(a).peer_sock_addr()?.is_unix());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn peer_sock_addr(&self) -> Result<socket2::SockAddr> {
        self.inner("peer_addr")?.peer_addr().ctx("peer_addr")
    }

    /// Reads a boolean option (Nim's `getSockOpt`) at the option's own level.
    ///
    /// ```
    /// use net_core::SockOpt;
    /// let s = net_core::Socket::tcp()?;
    /// assert!(!s.get_sock_opt(SockOpt::ReuseAddr)?);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "getSockOpt")]
    pub fn get_sock_opt(&self, opt: SockOpt) -> Result<bool> {
        let fd = self.raw("get_sock_opt")?;
        sys::get_int_opt(fd, opt.level(), opt.to_c_int()).map(|v| v != 0).ctx_addr("get_sock_opt", opt.os_name())
    }

    /// Sets a boolean option (Nim's `setSockOpt`) at the option's own level.
    ///
    /// ```
    /// use net_core::SockOpt;
    /// let s = net_core::Socket::tcp()?;
    /// s.set_sock_opt(SockOpt::ReuseAddr, true)?;
    /// assert!(s.get_sock_opt(SockOpt::ReuseAddr)?);
    /// # Ok::<(), net_core::Error>(())
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
    /// let s = net_core::Socket::tcp()?;
    /// assert!(s.last_error()?.is_none());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "getSocketError")]
    pub fn last_error(&self) -> Result<Option<std::io::Error>> {
        let pending = self.inner("last_error")?.take_error().ctx("last_error")?;
        Ok(pending.or_else(|| self.last_error.map(std::io::Error::from_raw_os_error)))
    }

    /// Whether the socket is secured (or set to be secured on connect/accept) (Nim's `isSsl`).
    ///
    /// ```
    /// assert!(!net_core::Socket::tcp()?.is_ssl());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "isSsl")]
    pub fn is_ssl(&self) -> bool {
        !matches!(self.stream, Stream::Plain)
    }

    /// A shared handle on the descriptor, for a session that secures this socket.
    ///
    /// ```
    /// let s = net_core::Socket::tcp()?;
    /// let io = s.io_handle()?;
    /// assert!(io.socket2().local_addr().is_ok());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn io_handle(&self) -> Result<SocketIo> {
        Ok(SocketIo(Arc::clone(self.inner("io_handle")?)))
    }

    /// Makes `connect` (as a client) or `accept` (as a server, for each client) secure the
    /// connection with `upgrade`. Fails if the socket is already secured or set to be.
    ///
    /// This is the seam a TLS layer uses for `wrap_socket`; see the `stream` module docs.
    ///
    /// ```
    /// # use net_core::*;
    /// # #[derive(Debug)] struct Nothing;
    /// # impl SecureUpgrade for Nothing {
    /// #   fn client(&self, _: SocketIo, _: &str) -> Result<Box<dyn SecureSession>> { unreachable!() }
    /// #   fn server(&self, _: SocketIo) -> Result<Box<dyn SecureSession>> { unreachable!() }
    /// #   fn as_any(&self) -> &dyn std::any::Any { self }
    /// # }
    /// let mut s = Socket::tcp()?;
    /// s.set_upgrade(std::sync::Arc::new(Nothing))?;
    /// assert!(s.is_ssl());
    /// assert!(s.set_upgrade(std::sync::Arc::new(Nothing)).is_err());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn set_upgrade(&mut self, upgrade: Arc<dyn SecureUpgrade>) -> Result<()> {
        self.inner("wrap_socket")?;
        self.ensure_plain("wrap_socket")?;
        self.stream = Stream::Pending(upgrade);
        Ok(())
    }

    /// The upgrade recorded by [`Socket::set_upgrade`], if it has not run yet.
    ///
    /// ```
    /// assert!(net_core::Socket::tcp()?.upgrade().is_none());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn upgrade(&self) -> Option<&Arc<dyn SecureUpgrade>> {
        match &self.stream {
            Stream::Pending(u) => Some(u),
            _ => None,
        }
    }

    /// Secures a connected socket with `session` (built over [`Socket::io_handle`]). Bytes
    /// already buffered stay in front of the session's plaintext.
    ///
    /// ```
    /// # use net_core::*;
    /// # use std::io::{Read, Write};
    /// # #[derive(Debug)] struct Clear(SocketIo);
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
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn secure(&mut self, session: Box<dyn SecureSession>) -> Result<()> {
        self.inner("wrap_connected_socket")?;
        self.ensure_plain("wrap_connected_socket")?;
        self.stream = Stream::Secured(session);
        Ok(())
    }

    fn ensure_plain(&self, op: &'static str) -> Result<()> {
        if matches!(self.stream, Stream::Plain) {
            Ok(())
        } else {
            Err(Error::InvalidArgument { op, reason: "the socket is already wrapped".into() })
        }
    }

    /// The session securing this socket, if any (for `ssl_handle`, certificates...).
    ///
    /// ```
    /// assert!(net_core::Socket::tcp()?.session().is_none());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn session(&self) -> Option<&dyn SecureSession> {
        match &self.stream {
            Stream::Secured(s) => Some(s.as_ref()),
            _ => None,
        }
    }

    /// The session securing this socket, mutably.
    ///
    /// ```
    /// assert!(net_core::Socket::tcp()?.session_mut().is_none());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn session_mut(&mut self) -> Option<&mut (dyn SecureSession + 'static)> {
        match &mut self.stream {
            Stream::Secured(s) => Some(s.as_mut()),
            _ => None,
        }
    }

    /// Closes the socket (Nim's `close`): a secured session first tells the peer
    /// (close_notify, once, errors ignored under `SafeDisconn`). Closing twice is fine.
    ///
    /// ```
    /// let mut s = net_core::Socket::tcp()?;
    /// s.close();
    /// s.close();
    /// assert!(s.recv(1).is_err());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn close(&mut self) {
        let _ = self.close_with(SocketFlags::default());
    }

    /// Closes the socket; without `SafeDisconn`, a failed close_notify is returned as an error
    /// (the descriptor is closed either way).
    ///
    /// ```
    /// let mut s = net_core::Socket::tcp()?;
    /// s.close_with(net_core::SocketFlags::empty())?;
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn close_with(&mut self, flags: SocketFlags) -> Result<()> {
        let mut result = Ok(());
        if let Stream::Secured(session) = &mut self.stream {
            if self.fd.is_some() && session.handshake_complete() {
                if let Err(e) = session.close_notify() {
                    if !is_disconnection_error(flags, &e) {
                        result = Err(Error::io("close", None, e));
                    }
                }
            }
        }
        // The session holds a clone of the descriptor handle: drop it first so the fd closes.
        self.stream = Stream::Plain;
        self.fd = None;
        self.buf.clear();
        self.deferred = None;
        result
    }
}

fn ip_only(op: &'static str, sa: socket2::SockAddr) -> Result<SocketAddr> {
    sa.as_socket().ok_or_else(|| Error::Unsupported {
        op,
        what: format!("address family {} (use {op}'s sock_addr form)", sa.family()),
    })
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.as_raw_fd())
            .field("domain", &self.domain)
            .field("sock_type", &self.sock_type)
            .field("buffered", &self.buffered)
            .field("buffered_bytes", &self.buf.len())
            .field("stream", &self.stream)
            .finish()
    }
}

impl AsRawFd for Socket {
    /// The descriptor, or `-1` once closed (Nim's `osInvalidSocket`).
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_ref().map_or(-1, |s| s.as_raw_fd())
    }
}

impl AsFd for Socket {
    /// # Panics
    /// When the socket was closed: there is no descriptor to borrow. Use [`Socket::fd`] to
    /// get an error instead.
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.fd {
            Some(s) => s.as_fd(),
            None => panic!("as_fd on a closed net_core::Socket; use Socket::fd() for an error"),
        }
    }
}

impl From<socket2::Socket> for Socket {
    fn from(s: socket2::Socket) -> Socket {
        Socket::adopt(s)
    }
}

impl From<OwnedFd> for Socket {
    fn from(fd: OwnedFd) -> Socket {
        Socket::adopt(socket2::Socket::from(fd))
    }
}

impl TryFrom<Socket> for OwnedFd {
    type Error = Error;
    fn try_from(s: Socket) -> Result<OwnedFd> {
        Ok(OwnedFd::from(s.into_socket2()?))
    }
}

macro_rules! from_std {
    ($($t:ty),*) => {$(
        impl From<$t> for Socket {
            fn from(s: $t) -> Socket {
                Socket::adopt(socket2::Socket::from(OwnedFd::from(s)))
            }
        }
    )*};
}

from_std!(
    std::net::TcpStream,
    std::net::TcpListener,
    std::net::UdpSocket,
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixListener,
    std::os::unix::net::UnixDatagram
);

macro_rules! into_std {
    ($($t:ty),*) => {$(
        impl TryFrom<Socket> for $t {
            type Error = Error;
            /// Fails when the socket is closed, secured or holds buffered bytes.
            fn try_from(s: Socket) -> Result<$t> {
                Ok(<$t>::from(OwnedFd::from(s.into_socket2()?)))
            }
        }
    )*};
}

into_std!(std::net::TcpStream, std::net::TcpListener, std::net::UdpSocket);
