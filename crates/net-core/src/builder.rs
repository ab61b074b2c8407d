//! [`SocketBuilder`]: Nim's `newSocket` parameters.

use std::os::fd::OwnedFd;

use crate::buffer::ReadBuffer;
use crate::conn::Conn;
use crate::error::{Context, Result};
use crate::io::SocketIo;
use crate::kinds::{Domain, Protocol, SockType};
use crate::socket::{Socket, BUFFER_SIZE};

/// How to make a [`Socket`]; Nim's `newSocket` parameters, with Nim's defaults.
///
/// ```
/// use net::{Domain, Protocol, Socket, SockType};
/// let udp = Socket::builder()
///     .domain(Domain::Inet6)
///     .sock_type(SockType::Dgram)
///     .protocol(Protocol::Udp)
///     .buffered(false)
///     .build()?;
/// assert!(!udp.is_buffered());
/// # Ok::<(), net::Error>(())
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
    /// let s = net::Socket::builder().domain(net::Domain::Inet6).build()?;
    /// assert_eq!(s.domain(), net::Domain::Inet6);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// The socket type; default `Stream`.
    ///
    /// ```
    /// use net::{Protocol, Socket, SockType};
    /// let s = Socket::builder().sock_type(SockType::Dgram).protocol(Protocol::Udp).build()?;
    /// assert_eq!(s.sock_type(), SockType::Dgram);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn sock_type(mut self, sock_type: SockType) -> Self {
        self.sock_type = sock_type;
        self
    }

    /// The protocol; default `Tcp`.
    ///
    /// ```
    /// use net::{Domain, Protocol, Socket};
    /// let s = Socket::builder().domain(Domain::Unix).protocol(Protocol::Default).build()?;
    /// assert_eq!(s.protocol(), Protocol::Default);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Whether reads go through the read buffer; default `true`.
    ///
    /// ```
    /// assert!(!net::Socket::builder().buffered(false).build()?.is_buffered());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn buffered(mut self, buffered: bool) -> Self {
        self.buffered = buffered;
        self
    }

    /// Whether child processes inherit the descriptor; default `false` (`SOCK_CLOEXEC`).
    ///
    /// ```
    /// let s = net::Socket::builder().inheritable(true).build()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn inheritable(mut self, inheritable: bool) -> Self {
        self.inheritable = inheritable;
        self
    }

    /// The refill size of the read buffer; default [`BUFFER_SIZE`]. Zero counts as one.
    ///
    /// ```
    /// let s = net::Socket::builder().buffer_size(16 * 1024).build()?;
    /// assert_eq!(s.buffer_size(), 16 * 1024);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn buffer_size(mut self, size: usize) -> Self {
        self.buffer_size = size;
        self
    }

    /// Creates the socket (`socket(2)`).
    ///
    /// ```
    /// let s = net::Socket::builder().build()?;
    /// assert!(!s.is_closed());
    /// # Ok::<(), net::Error>(())
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
    /// let s = net::Socket::builder()
    ///     .sock_type(net::SockType::Dgram)
    ///     .protocol(net::Protocol::Udp)
    ///     .from_fd(OwnedFd::from(std_socket));
    /// assert!(s.local_addr().is_ok());
    /// ```
    #[doc(alias = "newSocket")]
    pub fn from_fd(self, fd: OwnedFd) -> Socket {
        self.wrap(socket2::Socket::from(fd))
    }

    pub(crate) fn wrap(self, inner: socket2::Socket) -> Socket {
        Socket {
            conn: Conn { io: Some(SocketIo::new(inner)), ..Conn::default() },
            buf: ReadBuffer::new(self.buffer_size),
            domain: self.domain,
            sock_type: self.sock_type,
            protocol: self.protocol,
            buffered: self.buffered,
        }
    }
}
