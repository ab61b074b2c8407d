//! Conversions between [`Socket`] and the std, Unix, socket2 and descriptor types. Portable
//! Unix, but for `SO_PROTOCOL` (Linux; inferred elsewhere, see `protocol_of`).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use crate::error::{Error, Result};
use crate::kinds::{Domain, Protocol, SockType};
use crate::socket::Socket;
use crate::stream::Stream;
use crate::sys;

impl Socket {
    /// A second socket on the same connection (the descriptor duplicated, `dup(2)`), with the
    /// same settings. Refused on a TLS socket, whose session cannot be shared, and on a socket
    /// that holds buffered bytes, which only this one would read: the two would see the
    /// stream out of order.
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// let mut writer = a.try_clone()?;
    /// writer.send(b"from the clone\n")?;
    /// assert_eq!(b.recv_line()?, "from the clone");
    /// b.send(b"x\ny\n")?;
    /// assert_eq!(a.recv_line()?, "x");
    /// assert!(a.try_clone().is_err(), "\"y\" is buffered in `a`");
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn try_clone(&self) -> Result<Socket> {
        const OP: &str = "try_clone";
        let inner = self.inner(OP)?;
        if !matches!(self.conn.stream, Stream::Plain) {
            return Err(Error::Unsupported { op: OP, what: "a TLS socket (its session cannot be shared)".into() });
        }
        if !self.buf.is_empty() {
            return Err(Error::InvalidArgument {
                op: OP,
                reason: format!("{} buffered bytes would be read by this socket only, out of order", self.buf.len()),
            });
        }
        let dup = inner.try_clone().map_err(|e| Error::io(OP, None, e))?;
        Ok(self.sibling(dup))
    }

    /// A socket over `inner` with this one's settings: family, type, protocol, buffering and
    /// buffer size (an accepted client, a clone).
    pub(crate) fn sibling(&self, inner: socket2::Socket) -> Socket {
        crate::builder::SocketBuilder::default()
            .domain(self.domain)
            .sock_type(self.sock_type)
            .protocol(self.protocol)
            .buffered(self.buffered)
            .buffer_size(self.buf.chunk())
            .wrap(inner)
    }

    /// Wraps a socket2 socket, reading its family and type from the OS.
    pub(crate) fn adopt(inner: socket2::Socket) -> Socket {
        let fd = inner.as_raw_fd();
        let domain = inner
            .local_addr()
            .map(|a| Domain::from_c_int(i32::from(a.family())))
            .unwrap_or(Domain::Other(libc::AF_UNSPEC));
        let sock_type =
            sys::get_int_opt(fd, libc::SOL_SOCKET, libc::SO_TYPE).map(SockType::from_c_int).unwrap_or(SockType::Stream);
        let protocol = protocol_of(fd, domain, sock_type);
        Socket::builder().domain(domain).sock_type(sock_type).protocol(protocol).wrap(inner)
    }

    /// Gives back the socket2 socket. Fails when the socket is closed, secured, or still holds
    /// buffered bytes that would be lost.
    ///
    /// ```
    /// let s = net::Socket::tcp()?;
    /// let raw: net::socket2::Socket = s.into_socket2()?;
    /// assert!(raw.local_addr().is_ok());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn into_socket2(mut self) -> Result<socket2::Socket> {
        if !matches!(self.conn.stream, Stream::Plain) {
            return Err(Error::Unsupported { op: "into_socket2", what: "a secured socket".into() });
        }
        if !self.buf.is_empty() {
            return Err(Error::InvalidArgument {
                op: "into_socket2",
                reason: format!("{} buffered bytes would be lost", self.buf.len()),
            });
        }
        let io = self.conn.io.take().ok_or(Error::Closed { op: "into_socket2" })?;
        io.try_unwrap().ok_or_else(|| Error::Unsupported {
            op: "into_socket2",
            what: "a socket whose descriptor is shared".into(),
        })
    }
}

/// The protocol of a descriptor: `SO_PROTOCOL` on Linux.
#[cfg(target_os = "linux")]
fn protocol_of(fd: RawFd, _domain: Domain, _sock_type: SockType) -> Protocol {
    sys::get_int_opt(fd, libc::SOL_SOCKET, libc::SO_PROTOCOL).map(Protocol::from_c_int).unwrap_or(Protocol::Default)
}

/// Other Unix (no portable `SO_PROTOCOL`): inferred from the family and type, TCP for an IP
/// stream, UDP for an IP datagram socket, else the type's default.
#[cfg(not(target_os = "linux"))]
fn protocol_of(_fd: RawFd, domain: Domain, sock_type: SockType) -> Protocol {
    match (domain, sock_type) {
        (Domain::Inet | Domain::Inet6, SockType::Stream) => Protocol::Tcp,
        (Domain::Inet | Domain::Inet6, SockType::Dgram) => Protocol::Udp,
        _ => Protocol::Default,
    }
}

impl AsRawFd for Socket {
    /// The descriptor, or `-1` once closed (Nim's `osInvalidSocket`).
    fn as_raw_fd(&self) -> RawFd {
        self.conn.io.as_ref().map_or(-1, |s| s.as_raw_fd())
    }
}

impl AsFd for Socket {
    /// # Panics
    /// When the socket was closed: there is no descriptor to borrow. Use [`Socket::fd`] to
    /// get an error instead.
    fn as_fd(&self) -> BorrowedFd<'_> {
        match &self.conn.io {
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

into_std!(
    std::net::TcpStream,
    std::net::TcpListener,
    std::net::UdpSocket,
    std::os::unix::net::UnixStream,
    std::os::unix::net::UnixListener,
    std::os::unix::net::UnixDatagram,
    socket2::Socket
);
