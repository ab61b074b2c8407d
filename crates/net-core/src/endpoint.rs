//! Where to connect, bind or send, named the std way: [`ToEndpoint`] takes a `SocketAddr`, an
//! IP address and port, or a host name and port alike.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use crate::addr::Port;
use crate::connect::{resolve, usable};
use crate::error::Result;
use crate::kinds::Domain;

/// A place to connect to, bind to or send to: a socket address, used as it is, or a host
/// (a name or an IP literal) and a port, resolved for the socket's family.
///
/// ```
/// use net::{Endpoint, Port, ToEndpoint};
/// let e = ("example.com", 443).to_endpoint();
/// assert_eq!(e, Endpoint::Host("example.com".into(), Port(443)));
/// assert_eq!(e.to_string(), "example.com:443");
/// let addr: std::net::SocketAddr = "[::1]:80".parse().unwrap();
/// assert_eq!(addr.to_endpoint().to_string(), "[::1]:80");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint<'a> {
    /// A socket address: no resolver is asked.
    Addr(SocketAddr),
    /// A host name or IP literal, and a port. When binding, `""` is the socket family's
    /// any-address.
    Host(Cow<'a, str>, Port),
}

impl Endpoint<'_> {
    /// The port.
    ///
    /// ```
    /// use net::{Port, ToEndpoint};
    /// assert_eq!(("localhost", 8080).to_endpoint().port(), Port(8080));
    /// ```
    pub fn port(&self) -> Port {
        match self {
            Endpoint::Addr(a) => Port(a.port()),
            Endpoint::Host(_, p) => *p,
        }
    }

    /// The host as text: the name, or the IP address of a socket address. A TLS client sends
    /// it as the server name.
    ///
    /// ```
    /// use net::ToEndpoint;
    /// let addr: std::net::SocketAddr = "127.0.0.1:80".parse().unwrap();
    /// assert_eq!(addr.to_endpoint().host(), "127.0.0.1");
    /// ```
    pub fn host(&self) -> Cow<'_, str> {
        match self {
            Endpoint::Addr(a) => Cow::Owned(a.ip().to_string()),
            Endpoint::Host(h, _) => Cow::Borrowed(h),
        }
    }

    /// This endpoint owning its text, to keep beyond the value it came from.
    ///
    /// ```
    /// use net::{Endpoint, ToEndpoint};
    /// let kept: Endpoint<'static> = ("localhost".to_owned(), 80).to_endpoint().into_owned();
    /// assert_eq!(kept.to_string(), "localhost:80");
    /// ```
    pub fn into_owned(self) -> Endpoint<'static> {
        match self {
            Endpoint::Addr(a) => Endpoint::Addr(a),
            Endpoint::Host(h, p) => Endpoint::Host(Cow::Owned(h.into_owned()), p),
        }
    }

    /// The addresses a socket of `domain` can use, in resolver order.
    pub(crate) fn resolve(&self, domain: Domain) -> Result<Vec<SocketAddr>> {
        match self {
            Endpoint::Addr(a) => usable(vec![*a], &a.ip().to_string(), a.port(), domain),
            Endpoint::Host(h, p) => resolve(h, p.0, domain),
        }
    }
}

impl fmt::Display for Endpoint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Addr(a) => write!(f, "{a}"),
            Endpoint::Host(h, p) if h.contains(':') => write!(f, "[{h}]:{}", p.0),
            Endpoint::Host(h, p) => write!(f, "{h}:{}", p.0),
        }
    }
}

/// What [`Socket::connect_to`](crate::Socket::connect_to), [`bind_to`](crate::Socket::bind_to),
/// [`send_to_endpoint`](crate::Socket::send_to_endpoint) and [`dial_to`](crate::dial_to)
/// take: `SocketAddr` (and its V4/V6 forms), `(IpAddr, port)`, `(Ipv4Addr, port)`,
/// `(Ipv6Addr, port)`, `(&str, port)` and `(String, port)`, with a `u16` or a
/// [`Port`], or a reference to any of them.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr, SocketAddr};
/// use net::{Endpoint, Port, ToEndpoint};
/// let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// let all = [
///     SocketAddr::new(ip, 80).to_endpoint(),
///     (ip, 80).to_endpoint(),
///     (Ipv4Addr::LOCALHOST, Port(80)).to_endpoint(),
/// ];
/// assert!(all.iter().all(|e| e.to_string() == "127.0.0.1:80"));
/// assert_eq!(("127.0.0.1", 80).to_endpoint(), Endpoint::Host("127.0.0.1".into(), Port(80)));
/// ```
pub trait ToEndpoint {
    /// This value as an endpoint, borrowing its text when it has some.
    fn to_endpoint(&self) -> Endpoint<'_>;
}

impl ToEndpoint for Endpoint<'_> {
    fn to_endpoint(&self) -> Endpoint<'_> {
        match self {
            Endpoint::Addr(a) => Endpoint::Addr(*a),
            Endpoint::Host(h, p) => Endpoint::Host(Cow::Borrowed(h), *p),
        }
    }
}

impl<T: ToEndpoint + ?Sized> ToEndpoint for &T {
    fn to_endpoint(&self) -> Endpoint<'_> {
        (**self).to_endpoint()
    }
}

impl ToEndpoint for SocketAddr {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Addr(*self)
    }
}

impl ToEndpoint for SocketAddrV4 {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Addr((*self).into())
    }
}

impl ToEndpoint for SocketAddrV6 {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Addr((*self).into())
    }
}

impl<P: Into<Port> + Copy> ToEndpoint for (IpAddr, P) {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Addr(SocketAddr::new(self.0, self.1.into().0))
    }
}

impl<P: Into<Port> + Copy> ToEndpoint for (Ipv4Addr, P) {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Addr(SocketAddr::new(self.0.into(), self.1.into().0))
    }
}

impl<P: Into<Port> + Copy> ToEndpoint for (Ipv6Addr, P) {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Addr(SocketAddr::new(self.0.into(), self.1.into().0))
    }
}

impl<P: Into<Port> + Copy> ToEndpoint for (&str, P) {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Host(Cow::Borrowed(self.0), self.1.into())
    }
}

impl<P: Into<Port> + Copy> ToEndpoint for (String, P) {
    fn to_endpoint(&self) -> Endpoint<'_> {
        Endpoint::Host(Cow::Borrowed(&self.0), self.1.into())
    }
}
