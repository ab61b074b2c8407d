//! Where to connect, bind or send, named the std way: [`IntoEndpoint`] takes a `SocketAddr`, an
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
/// use net::{Endpoint, IntoEndpoint, Port};
/// let e = ("example.com", 443).into_endpoint();
/// assert_eq!(e, Endpoint::Host("example.com".into(), Port(443)));
/// assert_eq!(e.to_string(), "example.com:443");
/// let addr: std::net::SocketAddr = "[::1]:80".parse().unwrap();
/// assert_eq!(addr.into_endpoint().to_string(), "[::1]:80");
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
    /// use net::{IntoEndpoint, Port};
    /// assert_eq!(("localhost", 8080).into_endpoint().port(), Port(8080));
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
    /// use net::IntoEndpoint;
    /// let addr: std::net::SocketAddr = "127.0.0.1:80".parse().unwrap();
    /// assert_eq!(addr.into_endpoint().host(), "127.0.0.1");
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
    /// use net::{Endpoint, IntoEndpoint};
    /// let kept: Endpoint<'static> = ("localhost".to_owned(), 80).into_endpoint().into_owned();
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
/// take, by value: `SocketAddr` (and its V4/V6 forms, or a reference to one),
/// `(IpAddr, port)`, `(Ipv4Addr, port)`, `(Ipv6Addr, port)`, `(&str, port)`,
/// `(String, port)` and `(&String, port)`, with a `u16` or a [`Port`]; an [`Endpoint`] or a
/// reference to one.
///
/// ```
/// use std::net::{IpAddr, Ipv4Addr, SocketAddr};
/// use net::{Endpoint, IntoEndpoint, Port};
/// let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// let all = [
///     SocketAddr::new(ip, 80).into_endpoint(),
///     (ip, 80).into_endpoint(),
///     (Ipv4Addr::LOCALHOST, Port(80)).into_endpoint(),
/// ];
/// assert!(all.iter().all(|e| e.to_string() == "127.0.0.1:80"));
/// assert_eq!(("127.0.0.1", 80).into_endpoint(), Endpoint::Host("127.0.0.1".into(), Port(80)));
/// ```
pub trait IntoEndpoint<'a> {
    /// This value as an endpoint, borrowing its text when it has some.
    fn into_endpoint(self) -> Endpoint<'a>;
}

impl<'a> IntoEndpoint<'a> for Endpoint<'a> {
    fn into_endpoint(self) -> Endpoint<'a> {
        self
    }
}

impl<'a> IntoEndpoint<'a> for &'a Endpoint<'_> {
    fn into_endpoint(self) -> Endpoint<'a> {
        match self {
            Endpoint::Addr(a) => Endpoint::Addr(*a),
            Endpoint::Host(h, p) => Endpoint::Host(Cow::Borrowed(h), *p),
        }
    }
}

impl<'a> IntoEndpoint<'a> for SocketAddr {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(self)
    }
}

impl<'a> IntoEndpoint<'a> for &SocketAddr {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(*self)
    }
}

impl<'a> IntoEndpoint<'a> for SocketAddrV4 {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(self.into())
    }
}

impl<'a> IntoEndpoint<'a> for SocketAddrV6 {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(self.into())
    }
}

impl<'a, P: Into<Port>> IntoEndpoint<'a> for (IpAddr, P) {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(SocketAddr::new(self.0, self.1.into().0))
    }
}

impl<'a, P: Into<Port>> IntoEndpoint<'a> for (Ipv4Addr, P) {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(SocketAddr::new(self.0.into(), self.1.into().0))
    }
}

impl<'a, P: Into<Port>> IntoEndpoint<'a> for (Ipv6Addr, P) {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Addr(SocketAddr::new(self.0.into(), self.1.into().0))
    }
}

impl<'a, P: Into<Port>> IntoEndpoint<'a> for (&'a str, P) {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Host(Cow::Borrowed(self.0), self.1.into())
    }
}

impl<'a, P: Into<Port>> IntoEndpoint<'a> for (&'a String, P) {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Host(Cow::Borrowed(self.0), self.1.into())
    }
}

impl<'a, P: Into<Port>> IntoEndpoint<'a> for (String, P) {
    fn into_endpoint(self) -> Endpoint<'a> {
        Endpoint::Host(Cow::Owned(self.0), self.1.into())
    }
}
