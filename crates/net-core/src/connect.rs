//! Client and server: resolving, `connect`, `bind_addr`, `listen`, `accept`, Unix sockets, `dial`.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::addr::Port;
use crate::endpoint::{Endpoint, IntoEndpoint};
use crate::error::{is_disconnection_error, Context, Error, Result};
use crate::flags::SocketFlags;
use crate::kinds::{Domain, Protocol};
use crate::socket::Socket;
use crate::stream::Stream;

/// Resolves `host` for a socket of `domain`. An IP literal is used as it is, without the
/// resolver; an IPv6 socket takes IPv4 addresses as IPv4-mapped ones.
pub(crate) fn resolve(host: &str, port: u16, domain: Domain) -> Result<Vec<SocketAddr>> {
    let found: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|e| Error::Resolve { host: host.to_owned(), port, source: Some(e) })?
            .collect(),
    };
    usable(found, host, port, domain)
}

/// The addresses of `found` a socket of `domain` can use (IPv4 ones IPv4-mapped on an IPv6
/// socket); `host` is what the caller named, for the error when none is left.
pub(crate) fn usable(found: Vec<SocketAddr>, host: &str, port: u16, domain: Domain) -> Result<Vec<SocketAddr>> {
    let mut usable: Vec<SocketAddr> = match domain {
        Domain::Inet => found.iter().copied().filter(SocketAddr::is_ipv4).collect(),
        Domain::Inet6 => found.iter().copied().filter(SocketAddr::is_ipv6).collect(),
        _ => found.clone(),
    };
    if domain == Domain::Inet6 {
        usable.extend(found.iter().filter_map(|a| match a {
            SocketAddr::V4(v4) => Some(SocketAddr::new(IpAddr::V6(v4.ip().to_ipv6_mapped()), v4.port())),
            SocketAddr::V6(_) => None,
        }));
    }
    if usable.is_empty() {
        if let (Some(first), true) = (found.first(), matches!(domain, Domain::Inet | Domain::Inet6)) {
            return Err(Error::AddressFamily {
                address: crate::error::quoted(host),
                found: if first.is_ipv4() { Domain::Inet } else { Domain::Inet6 },
                socket: domain,
            });
        }
        return Err(Error::Resolve { host: host.to_owned(), port, source: None });
    }
    Ok(usable)
}

/// Waits for a nonblocking connect to finish; its outcome is `SO_ERROR`.
fn finish_connect(inner: &socket2::Socket) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    while !crate::sys::wait(inner.as_raw_fd(), libc::POLLOUT, Duration::MAX)? {}
    match inner.take_error()? {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

impl Socket {
    /// Connects to `address:port` (Nim's `connect`). `address` is an IP literal or a host
    /// name, resolved for this socket's family; every address is tried in turn. A socket
    /// wrapped for TLS runs its handshake here, with `address` as the server name.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let mut client = net::Socket::tcp()?;
    /// client.connect("localhost", server.local_addr()?.port())?;
    /// # Ok(()) }
    /// ```
    pub fn connect(&mut self, address: &str, port: impl Into<Port>) -> Result<()> {
        self.connect_to((address, port.into()))
    }

    /// Connects to an endpoint given the std way: a `SocketAddr` (used as it is), an IP and
    /// port, or a host name and port (resolved for this socket's family). Otherwise as
    /// [`Socket::connect`]; a TLS socket sends the host (or the IP's text) as server name.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// use std::net::{Ipv4Addr, SocketAddr};
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_to((Ipv4Addr::LOCALHOST, 0))?;
    /// server.listen()?;
    /// let addr: SocketAddr = server.local_addr()?;
    /// net::Socket::tcp()?.connect_to(addr)?;
    /// net::Socket::tcp()?.connect_to((addr.ip(), addr.port()))?;
    /// net::Socket::tcp()?.connect_to(("localhost", addr.port()))?;
    /// # Ok(()) }
    /// ```
    pub fn connect_to<'a>(&mut self, to: impl IntoEndpoint<'a>) -> Result<()> {
        self.connect_endpoint(&to.into_endpoint(), None)
    }

    /// [`Socket::connect_to`] with one time budget, as [`Socket::connect_timeout`].
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// use std::time::Duration;
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_to(("127.0.0.1", 0))?;
    /// server.listen()?;
    /// let mut client = net::Socket::tcp()?;
    /// client.connect_to_timeout(server.local_addr()?, Duration::from_secs(5))?;
    /// # Ok(()) }
    /// ```
    pub fn connect_to_timeout<'a>(&mut self, to: impl IntoEndpoint<'a>, timeout: Duration) -> Result<()> {
        self.connect_endpoint(&to.into_endpoint(), Some(timeout))
    }

    /// Connects with one time budget for every address tried (Nim's `connect(..., timeout)`).
    /// Fails with [`Error::Timeout`] when it runs out; on every path the socket is left in the
    /// mode it had (blocking unless [`Socket::set_nonblocking`] said otherwise).
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// use std::time::Duration;
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let mut client = net::Socket::tcp()?;
    /// client.connect_timeout("127.0.0.1", server.local_addr()?.port(), Duration::from_secs(5))?;
    /// # Ok(()) }
    /// ```
    pub fn connect_timeout(&mut self, address: &str, port: impl Into<Port>, timeout: Duration) -> Result<()> {
        self.connect_to_timeout((address, port.into()), timeout)
    }

    fn connect_endpoint(&mut self, to: &Endpoint<'_>, timeout: Option<Duration>) -> Result<()> {
        self.inner("connect")?;
        let addrs = to.resolve(self.domain)?;
        self.connect_resolved(&addrs, &to.host(), timeout)
    }

    /// Tries each of `addrs` in turn; `address` is what the caller named (the TLS server name).
    fn connect_resolved(&mut self, addrs: &[SocketAddr], address: &str, timeout: Option<Duration>) -> Result<()> {
        let deadline = crate::io::deadline_after(timeout);
        // Only a timed connect changes the mode (socket2's `connect_timeout`), so only then is
        // the caller's asked for, to be put back.
        let nonblocking = if deadline.is_some() { self.is_nonblocking()? } else { false };
        let mut last = None;
        for &addr in addrs {
            let inner = self.inner("connect")?;
            let sa = socket2::SockAddr::from(addr);
            let res = match deadline {
                None => match inner.connect(&sa) {
                    // Nonblocking: wait for the outcome all the same (see `set_nonblocking`).
                    Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => finish_connect(inner),
                    other => other,
                },
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    let r = inner.connect_timeout(&sa, left);
                    // socket2 leaves the mode undefined on failure: put back the caller's.
                    inner.set_nonblocking(nonblocking).ctx("connect")?;
                    r
                }
            };
            match res {
                Ok(()) => return self.after_connect(address, deadline.zip(timeout)),
                Err(e) => last = Some((addr, e)),
            }
        }
        match (last, timeout) {
            (Some((_, e)), Some(after)) if e.kind() == std::io::ErrorKind::TimedOut => {
                Err(Error::Timeout { op: "connect", after })
            }
            (Some((addr, e)), _) => Err(self.fail("connect", Some(addr.to_string()), e)),
            (None, Some(after)) => Err(Error::Timeout { op: "connect", after }),
            (None, None) => Err(Error::Resolve {
                host: address.into(),
                port: addrs.first().map_or(0, SocketAddr::port),
                source: None,
            }),
        }
    }

    /// Runs a recorded TLS client handshake, if any, within what is left of the budget: the
    /// deadline travels with the socket's I/O handle, so every read and write of the handshake
    /// waits no longer than it.
    fn after_connect(&mut self, server_name: &str, budget: Option<(Instant, Duration)>) -> Result<()> {
        let Stream::Pending(upgrade) = &self.conn.stream else { return Ok(()) };
        let upgrade = upgrade.clone();
        let io = self.io_handle()?;
        let result = {
            let _deadline = io.scoped_deadline(budget.map(|(deadline, _)| deadline));
            let result = upgrade.client(io.clone(), server_name);
            (result, io.timed_out())
        };
        match (result, budget) {
            ((Ok(session), _), _) => {
                self.conn.stream = Stream::Secured(session);
                Ok(())
            }
            ((Err(_), true), Some((_, after))) => Err(Error::Timeout { op: "connect", after }),
            ((Err(e), _), _) => Err(e),
        }
    }

    /// Whether a client is waiting to be accepted on this listener (a poll that does not wait).
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// assert!(!server.has_pending_connection()?);
    /// let _client = net::dial("127.0.0.1", server.local_addr()?.port())?;
    /// assert!(server.has_pending_connection()?);
    /// # Ok(()) }
    /// ```
    pub fn has_pending_connection(&self) -> Result<bool> {
        let fd = self.raw("accept")?;
        crate::sys::wait_readable(fd, Duration::ZERO).ctx("accept")
    }

    /// Binds to `address:port` (Nim's `bindAddr`). `""` is the any-address of the socket's
    /// family (`0.0.0.0` or `::`); port 0 lets the OS pick. The error names address and port.
    ///
    /// ```
    /// let mut s = net::Socket::tcp6()?;
    /// s.bind_addr(0, "")?;
    /// assert!(s.local_addr()?.ip().is_unspecified());
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "bindAddr")]
    pub fn bind_addr(&mut self, port: impl Into<Port>, address: &str) -> Result<()> {
        self.bind_to((address, port.into()))
    }

    /// Binds to an endpoint given the std way: a `SocketAddr`, an IP and port, or a host and
    /// port, where the host `""` is the any-address of the socket's family. Otherwise as
    /// [`Socket::bind_addr`].
    ///
    /// ```
    /// use std::net::{Ipv6Addr, SocketAddr};
    /// let mut a = net::Socket::udp6()?;
    /// a.bind_to((Ipv6Addr::LOCALHOST, 0))?;
    /// let mut b = net::Socket::udp()?;
    /// b.bind_to("127.0.0.1:0".parse::<SocketAddr>().unwrap())?;
    /// let mut any = net::Socket::tcp()?;
    /// any.bind_to(("", 0))?;
    /// assert!(any.local_addr()?.ip().is_unspecified());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn bind_to<'a>(&mut self, to: impl IntoEndpoint<'a>) -> Result<()> {
        let to = to.into_endpoint();
        let any = match (&to, self.domain) {
            (Endpoint::Host(h, p), Domain::Inet6) if h.is_empty() => Endpoint::Host("::".into(), *p),
            (Endpoint::Host(h, p), Domain::Inet) if h.is_empty() => Endpoint::Host("0.0.0.0".into(), *p),
            (Endpoint::Host(h, _), other) if h.is_empty() => {
                return Err(Error::InvalidArgument {
                    op: "bind_addr",
                    reason: format!("no address given and {other:?} has no any-address"),
                })
            }
            (to, _) => to.into_endpoint(),
        };
        let addr = any.resolve(self.domain)?[0];
        let res = self.inner("bind_addr")?.bind(&addr.into());
        res.map_err(|e| self.fail("bind", Some(addr.to_string()), e))
    }

    /// Starts listening, with a backlog of [`SOMAXCONN`](crate::SOMAXCONN) (Nim's `listen`).
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.bind_addr(0, "127.0.0.1")?;
    /// s.listen()?;
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn listen(&mut self) -> Result<()> {
        self.listen_backlog(crate::socket::SOMAXCONN)
    }

    /// Starts listening with the given backlog.
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.bind_addr(0, "127.0.0.1")?;
    /// s.listen_backlog(16)?;
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn listen_backlog(&mut self, backlog: i32) -> Result<()> {
        let res = self.inner("listen")?.listen(backlog);
        res.map_err(|e| self.fail("listen", None, e))
    }

    /// Waits for a client (Nim's `accept`). The client is buffered like the listener and, on a
    /// listener wrapped for TLS, already through its handshake.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let _client = net::dial("127.0.0.1", server.local_addr()?.port())?;
    /// let conn = server.accept()?;
    /// assert!(conn.peer_addr()?.ip().is_loopback());
    /// # Ok(()) }
    /// ```
    pub fn accept(&mut self) -> Result<Socket> {
        self.accept_secured(SocketFlags::default(), false).map(|(client, _)| client)
    }

    /// Waits for a client and returns it with its address as text (Nim's `acceptAddr`): the
    /// real peer address for IPv6 listeners too (`::1`, `::ffff:127.0.0.1`); a Unix peer's path.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp6()?;
    /// server.bind_addr(0, "::1")?;
    /// server.listen()?;
    /// let _client = net::dial("::1", server.local_addr()?.port())?;
    /// let (_conn, address) = server.accept_addr()?;
    /// assert_eq!(address, "::1");
    /// # Ok(()) }
    /// ```
    #[doc(alias = "acceptAddr")]
    pub fn accept_addr(&mut self) -> Result<(Socket, String)> {
        self.accept_addr_with(SocketFlags::default(), false)
    }

    /// [`Socket::accept_addr`] with Nim's `flags` and `inheritable`. With `SafeDisconn`, a
    /// client that went away before it was accepted (`ECONNABORTED`...) is skipped.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let _client = net::dial("127.0.0.1", server.local_addr()?.port())?;
    /// let (_conn, _addr) = server.accept_addr_with(net::SocketFlags::empty(), true)?;
    /// # Ok(()) }
    /// ```
    pub fn accept_addr_with(&mut self, flags: SocketFlags, inheritable: bool) -> Result<(Socket, String)> {
        let (client, peer) = self.accept_secured(flags, inheritable)?;
        Ok((client, peer_text(&peer)))
    }

    /// [`Socket::accept_lazy`] with the client's address as text, as [`Socket::accept_addr`]
    /// gives it. Only a failure of `accept(2)` itself is an error here; a failed handshake
    /// shows on the client's first I/O or [`Socket::handshake`].
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let _client = net::dial("127.0.0.1", server.local_addr()?.port())?;
    /// let (_conn, address) = server.accept_addr_lazy()?;
    /// assert_eq!(address, "127.0.0.1");
    /// # Ok(()) }
    /// ```
    pub fn accept_addr_lazy(&mut self) -> Result<(Socket, String)> {
        let (client, peer) = self.accept_raw(SocketFlags::default(), false)?;
        Ok((client, peer_text(&peer)))
    }

    /// [`Socket::accept_raw`], then the client's TLS handshake (if any); on failure, a
    /// timed-out handshake included, the client is closed.
    fn accept_secured(&mut self, flags: SocketFlags, inheritable: bool) -> Result<(Socket, socket2::SockAddr)> {
        let (mut client, peer) = self.accept_raw(flags, inheritable)?;
        client.handshake()?;
        Ok((client, peer))
    }

    /// Accepts one client, its TLS handshake (if any) still to run; the peer's address as the
    /// OS gave it.
    fn accept_raw(&mut self, flags: SocketFlags, inheritable: bool) -> Result<(Socket, socket2::SockAddr)> {
        let (conn, peer) = loop {
            let res = self.inner("accept")?.accept();
            match res {
                Ok(pair) => break pair,
                Err(e) if is_disconnection_error(flags, &e) => continue,
                Err(e) => return Err(self.fail("accept", None, e)),
            }
        };
        if inheritable {
            conn.set_cloexec(false).ctx("accept")?;
        }
        let mut client = self.sibling(conn);
        if let Stream::Pending(upgrade) = &self.conn.stream {
            client.conn.stream = Stream::Accepted(upgrade.clone());
        }
        Ok((client, peer))
    }

    /// An endless iterator over the clients of this listener, like std's
    /// `TcpListener::incoming`: each item is [`Socket::accept`]'s result.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let port = server.local_addr()?.port();
    /// let clients: Vec<_> = (0..2).map(|_| net::dial("127.0.0.1", port)).collect::<Result<_, _>>()?;
    /// for conn in server.incoming().take(clients.len()) {
    ///     assert!(conn?.peer_addr()?.ip().is_loopback());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn incoming(&mut self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// Accepts a client at once, without its TLS handshake: on a listener wrapped for TLS the
    /// server handshake runs on the connection's first read or write, or on an explicit
    /// [`Socket::handshake`], in whichever thread that is. A thread per connection then never
    /// waits for another client's handshake, however slow. A handshake that fails (or runs
    /// past the context's handshake timeout) returns its error and closes the connection. On
    /// a plain listener this is [`Socket::accept`].
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let mut server = net::Socket::tcp()?;
    /// server.bind_addr(0, "127.0.0.1")?;
    /// server.listen()?;
    /// let mut client = net::dial("127.0.0.1", server.local_addr()?.port())?;
    /// let mut conn = server.accept_lazy()?;
    /// conn.handshake()?; // nothing to do on a plain socket
    /// client.send(b"hi\n")?;
    /// assert_eq!(conn.recv_line()?, "hi");
    /// # Ok(()) }
    /// ```
    pub fn accept_lazy(&mut self) -> Result<Socket> {
        self.accept_raw(SocketFlags::default(), false).map(|(s, _)| s)
    }

    /// Runs the TLS server handshake of a socket from [`Socket::accept_lazy`] now, instead of
    /// on its first read or write. Does nothing on a socket that is secured already or not
    /// wrapped for TLS. On failure the connection is closed.
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.handshake()?;
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn handshake(&mut self) -> Result<()> {
        if matches!(self.conn.stream, Stream::Accepted(_)) {
            self.conn.ready("handshake")?;
        }
        Ok(())
    }

    /// Binds a Unix socket to `path` (Nim's `bindUnix`).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("net-doc-bind-{}.sock", std::process::id()));
    /// let mut s = net::Socket::unix_stream()?;
    /// s.bind_unix(&path)?;
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "bindUnix")]
    pub fn bind_unix(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let sa = socket2::SockAddr::unix(path).ctx_addr("bind_unix", path.display())?;
        let res = self.inner("bind_unix")?.bind(&sa);
        res.map_err(|e| self.fail("bind_unix", Some(path.display().to_string()), e))
    }

    /// Connects a Unix socket to `path` (Nim's `connectUnix`).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("net-doc-conn-{}.sock", std::process::id()));
    /// # std::fs::remove_file(&path).ok();
    /// let mut server = net::Socket::unix_stream()?;
    /// server.bind_unix(&path)?;
    /// server.listen()?;
    /// let mut client = net::Socket::unix_stream()?;
    /// client.connect_unix(&path)?;
    /// # std::fs::remove_file(&path).ok();
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "connectUnix")]
    pub fn connect_unix(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let sa = socket2::SockAddr::unix(path).ctx_addr("connect_unix", path.display())?;
        let res = self.inner("connect_unix")?.connect(&sa);
        res.map_err(|e| self.fail("connect_unix", Some(path.display().to_string()), e))?;
        self.after_connect("", None)
    }
}

/// A peer's address as Nim's `acceptAddr` gives it: the IP for IPv4 and IPv6 (`::1`,
/// `::ffff:127.0.0.1`), the path for a Unix peer, `""` for an unnamed one.
fn peer_text(peer: &socket2::SockAddr) -> String {
    match peer.as_socket() {
        Some(sa) => sa.ip().to_string(),
        None => peer.as_pathname().map(|p| p.display().to_string()).unwrap_or_default(),
    }
}

/// The clients of a listener, from [`Socket::incoming`]. Never ends.
///
/// ```
/// # fn main() -> Result<(), net::Error> {
/// let mut server = net::Socket::tcp()?;
/// server.bind_addr(0, "127.0.0.1")?;
/// server.listen()?;
/// let _client = net::dial("127.0.0.1", server.local_addr()?.port())?;
/// let mut clients: net::Incoming<'_> = server.incoming();
/// assert!(clients.next().unwrap().is_ok());
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Incoming<'a> {
    listener: &'a mut Socket,
}

impl Iterator for Incoming<'_> {
    type Item = Result<Socket>;

    fn next(&mut self) -> Option<Result<Socket>> {
        Some(self.listener.accept())
    }
}

/// Connects to `address:port` over TCP, trying every resolved address, IPv4 and IPv6 (Nim's
/// `dial`). The socket is buffered.
///
/// ```
/// # fn main() -> Result<(), net::Error> {
/// let mut server = net::Socket::tcp()?;
/// server.bind_addr(0, "127.0.0.1")?;
/// server.listen()?;
/// let client = net::dial("localhost", server.local_addr()?.port())?;
/// assert_eq!(client.peer_addr()?.port(), server.local_addr()?.port());
/// # Ok(()) }
/// ```
pub fn dial(address: &str, port: impl Into<Port>) -> Result<Socket> {
    dial_with(address, port, Protocol::Tcp, true)
}

/// [`dial`] to an endpoint given the std way: a `SocketAddr`, an IP and port, or a host and
/// port.
///
/// ```
/// # fn main() -> Result<(), net::Error> {
/// let mut server = net::Socket::tcp6()?;
/// server.bind_addr(0, "::1")?;
/// server.listen()?;
/// let client = net::dial_to(server.local_addr()?)?;
/// assert_eq!(client.peer_addr()?, server.local_addr()?);
/// # Ok(()) }
/// ```
pub fn dial_to<'a>(to: impl IntoEndpoint<'a>) -> Result<Socket> {
    dial_endpoint(&to.into_endpoint(), Protocol::Tcp, true)
}

/// [`dial`] with Nim's `protocol` and `buffered`: `Protocol::Udp` gives a connected UDP socket.
///
/// ```
/// # fn main() -> Result<(), net::Error> {
/// let mut server = net::Socket::udp()?;
/// server.bind_addr(0, "127.0.0.1")?;
/// let mut client = net::dial_with("127.0.0.1", server.local_addr()?.port(), net::Protocol::Udp, false)?;
/// client.send(b"ping")?;
/// # Ok(()) }
/// ```
pub fn dial_with(address: &str, port: impl Into<Port>, protocol: Protocol, buffered: bool) -> Result<Socket> {
    dial_endpoint(&Endpoint::Host(address.into(), port.into()), protocol, buffered)
}

fn dial_endpoint(to: &Endpoint<'_>, protocol: Protocol, buffered: bool) -> Result<Socket> {
    let mut last = None;
    let name = to.host();
    for addr in to.resolve(Domain::Other(libc::AF_UNSPEC))? {
        let domain = if addr.is_ipv4() { Domain::Inet } else { Domain::Inet6 };
        let socket = Socket::builder()
            .domain(domain)
            .sock_type(protocol.sock_type())
            .protocol(protocol)
            .buffered(buffered)
            .build();
        let mut socket = match socket {
            Ok(s) => s,
            Err(e) => {
                last = Some(e);
                continue;
            }
        };
        // Connect to the resolved address itself: no second lookup.
        match socket.connect_resolved(&[addr], &name, None) {
            Ok(()) => return Ok(socket),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or(Error::Resolve { host: name.into_owned(), port: to.port().0, source: None }))
}
