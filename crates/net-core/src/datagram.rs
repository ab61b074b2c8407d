//! Datagrams: `send_to` and `recv_from`.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use crate::addr::{IpAddress, Port};
use crate::connect::resolve;
use crate::endpoint::{Endpoint, IntoEndpoint};
use crate::error::{Error, Result};
use crate::flags::SocketFlag;
use crate::io::deadline_after;
use crate::kinds::{Domain, SockType};
use crate::read_options::ReadOptions;
use crate::socket::Socket;
use crate::sys;

impl Socket {
    fn datagram_only(&self, op: &'static str) -> Result<()> {
        self.raw(op)?;
        if self.sock_type == SockType::Stream {
            return Err(Error::Unsupported { op, what: "a stream (TCP) socket".into() });
        }
        Ok(())
    }

    /// Sends one datagram to `address:port` (Nim's `sendTo`). An IP literal is used as it
    /// is, without the resolver; a host name is resolved and each address tried. Returns the
    /// bytes sent.
    ///
    /// ```
    /// use net::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// let port = rx.local_addr()?.port();
    /// let mut tx = Socket::udp()?;
    /// assert_eq!(tx.send_to("127.0.0.1", port, b"hi")?, 2);
    /// let mut buf = [0u8; 16];
    /// let (n, from, _) = rx.recv_from(&mut buf)?;
    /// assert_eq!((&buf[..n], from.to_string().as_str()), (&b"hi"[..], "127.0.0.1"));
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "sendTo")]
    pub fn send_to(&mut self, address: &str, port: impl Into<Port>, data: &[u8]) -> Result<usize> {
        const OP: &str = "send_to";
        let port = port.into();
        if let Ok(ip) = address.parse::<IpAddr>() {
            return self.send_to_addr(ip, port, data);
        }
        self.datagram_only(OP)?;
        let mut last = None;
        for addr in resolve(address, port.0, self.domain)? {
            match self.inner(OP)?.send_to(data, &addr.into()) {
                Ok(n) => return Ok(n),
                Err(e) => last = Some((addr, e)),
            }
        }
        let (addr, e) = last.expect("resolve returns at least one address");
        Err(self.fail(OP, Some(addr.to_string()), e))
    }

    /// Sends one datagram to `ip:port` (Nim's `sendTo(IpAddress, ...)`). An IPv4 address on
    /// an IPv6 socket is sent IPv4-mapped.
    ///
    /// ```
    /// use net::{ipv6_loopback, Socket};
    /// let mut rx = Socket::udp6()?;
    /// rx.bind_addr(0, "::1")?;
    /// let mut tx = Socket::udp6()?;
    /// assert_eq!(tx.send_to_addr(ipv6_loopback(), rx.local_addr()?.port(), b"status\r\n")?, 8);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "sendTo")]
    pub fn send_to_addr(&mut self, ip: IpAddress, port: impl Into<Port>, data: &[u8]) -> Result<usize> {
        const OP: &str = "send_to";
        self.datagram_only(OP)?;
        let ip = match (ip, self.domain) {
            (IpAddr::V4(v4), Domain::Inet6) => IpAddr::V6(v4.to_ipv6_mapped()),
            (ip, _) => ip,
        };
        let addr = SocketAddr::new(ip, port.into().0);
        let res = self.inner(OP)?.send_to(data, &addr.into());
        res.map_err(|e| self.fail(OP, Some(addr.to_string()), e))
    }

    /// Sends one datagram to an endpoint given the std way: a `SocketAddr`, an IP and port, or
    /// a host and port. Otherwise as [`Socket::send_to`].
    ///
    /// ```
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// use net::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_to((Ipv4Addr::LOCALHOST, 0))?;
    /// let to: SocketAddr = rx.local_addr()?;
    /// let mut tx = Socket::udp()?;
    /// assert_eq!(tx.send_to_endpoint(to, b"one")?, 3);
    /// assert_eq!(tx.send_to_endpoint(("localhost", to.port()), b"two")?, 3);
    /// let mut buf = [0u8; 8];
    /// assert_eq!(rx.recv_from(&mut buf)?.0, 3);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "sendTo")]
    pub fn send_to_endpoint<'a>(&mut self, to: impl IntoEndpoint<'a>, data: &[u8]) -> Result<usize> {
        match to.into_endpoint() {
            Endpoint::Addr(a) => self.send_to_addr(a.ip(), a.port(), data),
            Endpoint::Host(h, p) => self.send_to(&h, p, data),
        }
    }

    /// Receives one datagram into `buf` (Nim's `recvFrom` with an `IpAddress`): its length,
    /// the sender's address and port. Unbuffered, like Nim's. A datagram larger than `buf` is
    /// an [`Error::DatagramTruncated`] that gives its real size, never a silent cut.
    ///
    /// ```
    /// use net::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// Socket::udp()?.send_to("127.0.0.1", rx.local_addr()?.port(), b"0123456789")?;
    /// let mut small = [0u8; 4];
    /// assert!(matches!(rx.recv_from(&mut small), Err(net::Error::DatagramTruncated { size: 10, capacity: 4 })));
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recvFrom")]
    pub fn recv_from(&mut self, buf: &mut [u8]) -> Result<(usize, IpAddress, Port)> {
        self.recv_from_with(buf, &ReadOptions::new())
    }

    /// [`Socket::recv_from`] with a timeout ([`Error::Timeout`] when no datagram came in
    /// time) and `Peek` (the datagram stays to be received again).
    ///
    /// ```
    /// use std::time::Duration;
    /// use net::{Error, ReadOptions, Socket, SocketFlag};
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// let mut buf = [0u8; 8];
    /// let quick = ReadOptions::new().timeout(Duration::from_millis(20));
    /// assert!(matches!(rx.recv_from_with(&mut buf, &quick), Err(Error::Timeout { .. })));
    /// Socket::udp()?.send_to("127.0.0.1", rx.local_addr()?.port(), b"hi")?;
    /// let (n, _, _) = rx.recv_from_with(&mut buf, &quick.flag(SocketFlag::Peek))?;
    /// assert_eq!(&buf[..n], b"hi");
    /// assert_eq!(rx.recv_from(&mut buf)?.0, 2, "still there after the peek");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recvFrom")]
    pub fn recv_from_with(&mut self, buf: &mut [u8], opts: &ReadOptions) -> Result<(usize, IpAddress, Port)> {
        const OP: &str = "recv_from";
        self.datagram_only(OP)?;
        // Refused before a datagram is taken: an IP sender is all this call can give.
        if !matches!(self.domain, Domain::Inet | Domain::Inet6) {
            return Err(Error::Unsupported {
                op: OP,
                what: format!(
                    "a {} socket (its senders have no IP address: a Unix datagram socket's are read by \
                     std's UnixDatagram, from `TryFrom<Socket>`)",
                    crate::error::family(self.domain)
                ),
            });
        }
        // `sys::recv_from` asks for the real size (`MSG_TRUNC` on Linux).
        let mut flags = 0;
        if opts.flags.contains(SocketFlag::Peek) {
            flags |= libc::MSG_PEEK;
        }
        if let Some(deadline) = deadline_after(opts.timeout) {
            let fd = self.raw(OP)?;
            let left = deadline.saturating_duration_since(Instant::now());
            match sys::wait_readable(fd, left) {
                Ok(true) => flags |= libc::MSG_DONTWAIT,
                Ok(false) => return Err(Error::Timeout { op: OP, after: opts.timeout.unwrap_or_default() }),
                Err(e) => return Err(self.fail(OP, None, e)),
            }
        }
        let got = sys::recv_from(self.inner(OP)?, buf, flags);
        let (size, from) = match got {
            Ok(got) => got,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && opts.timeout.is_some() => {
                return Err(Error::Timeout { op: OP, after: opts.timeout.unwrap_or_default() })
            }
            Err(e) => return Err(self.fail(OP, None, e)),
        };
        if size > buf.len() {
            return Err(Error::DatagramTruncated { size, capacity: buf.len() });
        }
        let from = from.as_socket().ok_or_else(|| Error::Unsupported {
            op: OP,
            what: format!("a sender of address family {}", from.family()),
        })?;
        Ok((size, from.ip(), Port(from.port())))
    }

    /// [`Socket::recv_from`] with the sender's address as text (Nim's `recvFrom` with a
    /// `string`): an IPv4-mapped sender is shown as plain IPv4, as in Nim.
    ///
    /// ```
    /// use net::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// Socket::udp()?.send_to("127.0.0.1", rx.local_addr()?.port(), b"x")?;
    /// let mut buf = [0u8; 8];
    /// let (_, host, _) = rx.recv_from_host(&mut buf)?;
    /// assert_eq!(host, "127.0.0.1");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recvFrom")]
    pub fn recv_from_host(&mut self, buf: &mut [u8]) -> Result<(usize, String, Port)> {
        let (n, ip, port) = self.recv_from(buf)?;
        Ok((n, ip.to_canonical().to_string(), port))
    }
}
