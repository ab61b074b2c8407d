//! Datagrams: `send_to` and `recv_from`.

use std::net::{IpAddr, SocketAddr};

use crate::addr::{IpAddress, Port};
use crate::connect::resolve;
use crate::error::{Error, Result};
use crate::kinds::{Domain, SockType};
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
    /// use net_core::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// let port = rx.local_addr()?.port();
    /// let mut tx = Socket::udp()?;
    /// assert_eq!(tx.send_to("127.0.0.1", port, b"hi")?, 2);
    /// let mut buf = [0u8; 16];
    /// let (n, from, _) = rx.recv_from(&mut buf)?;
    /// assert_eq!((&buf[..n], from.to_string().as_str()), (&b"hi"[..], "127.0.0.1"));
    /// # Ok::<(), net_core::Error>(())
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
    /// use net_core::{ipv6_loopback, Socket};
    /// let mut rx = Socket::udp6()?;
    /// rx.bind_addr(0, "::1")?;
    /// let mut tx = Socket::udp6()?;
    /// assert_eq!(tx.send_to_addr(ipv6_loopback(), rx.local_addr()?.port(), b"status\r\n")?, 8);
    /// # Ok::<(), net_core::Error>(())
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

    /// Receives one datagram into `buf` (Nim's `recvFrom` with an `IpAddress`): its length,
    /// the sender's address and port. Unbuffered, like Nim's. A datagram larger than `buf` is
    /// an [`Error::DatagramTruncated`] that gives its real size, never a silent cut.
    ///
    /// ```
    /// use net_core::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// Socket::udp()?.send_to("127.0.0.1", rx.local_addr()?.port(), b"0123456789")?;
    /// let mut small = [0u8; 4];
    /// assert!(matches!(rx.recv_from(&mut small), Err(net_core::Error::DatagramTruncated { size: 10, capacity: 4 })));
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recvFrom")]
    pub fn recv_from(&mut self, buf: &mut [u8]) -> Result<(usize, IpAddress, Port)> {
        const OP: &str = "recv_from";
        self.datagram_only(OP)?;
        let got = sys::recv_from(self.inner(OP)?, buf, libc::MSG_TRUNC);
        let (size, from) = match got {
            Ok(got) => got,
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
    /// use net_core::Socket;
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// Socket::udp()?.send_to("127.0.0.1", rx.local_addr()?.port(), b"x")?;
    /// let mut buf = [0u8; 8];
    /// let (_, host, _) = rx.recv_from_host(&mut buf)?;
    /// assert_eq!(host, "127.0.0.1");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recvFrom")]
    pub fn recv_from_host(&mut self, buf: &mut [u8]) -> Result<(usize, String, Port)> {
        let (n, ip, port) = self.recv_from(buf)?;
        Ok((n, ip.to_canonical().to_string(), port))
    }
}
