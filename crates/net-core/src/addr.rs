//! IP addresses and ports: parsing with precise errors, special addresses, sockaddr conversions.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use socket2::SockAddr;

use crate::error::{Context, Error, Result};

/// An IPv4 or IPv6 address: `std::net::IpAddr` under Nim's name.
///
/// Equality is per family and byte for byte, as in Nim: `::ffff:1.2.3.4 != 1.2.3.4`.
/// `Display` follows RFC 5952.
///
/// ```
/// use net::{parse_ip_address, IpAddress};
/// let ip: IpAddress = parse_ip_address("2001:db8:0:0:0:0:0:1")?;
/// assert_eq!(ip.to_string(), "2001:db8::1");
/// assert_ne!(parse_ip_address("::1")?, parse_ip_address("127.0.0.1")?);
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "IpAddr")]
pub type IpAddress = std::net::IpAddr;

/// The family of an [`IpAddress`].
///
/// ```
/// use net::{parse_ip_address, IpAddressFamily};
/// assert_eq!(IpAddressFamily::of(&parse_ip_address("::1")?), IpAddressFamily::Ipv6);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IpAddressFamily {
    /// IPv6.
    #[doc(alias = "IPv6")]
    Ipv6,
    /// IPv4.
    #[doc(alias = "IPv4")]
    Ipv4,
}

impl IpAddressFamily {
    /// The family of `ip` (Nim's `ip.family`).
    ///
    /// ```
    /// use net::{ipv4_any, IpAddressFamily};
    /// assert_eq!(IpAddressFamily::of(&ipv4_any()), IpAddressFamily::Ipv4);
    /// ```
    #[doc(alias = "family")]
    pub fn of(ip: &IpAddress) -> Self {
        match ip {
            IpAddress::V4(_) => IpAddressFamily::Ipv4,
            IpAddress::V6(_) => IpAddressFamily::Ipv6,
        }
    }
}

impl fmt::Display for IpAddressFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IpAddressFamily::Ipv4 => "IPv4",
            IpAddressFamily::Ipv6 => "IPv6",
        })
    }
}

/// A port number. Functions take `impl Into<Port>`, so a plain `u16` works too.
///
/// ```
/// use net::Port;
/// let p: Port = 8080.into();
/// assert_eq!(p.to_string(), "8080");
/// assert_eq!(u16::from(p), 8080);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Port(pub u16);

impl From<u16> for Port {
    fn from(p: u16) -> Port {
        Port(p)
    }
}

impl From<Port> for u16 {
    fn from(p: Port) -> u16 {
        p.0
    }
}

/// A port number in decimal, `0` to `65535`.
///
/// ```
/// use net::Port;
/// assert_eq!("8080".parse::<Port>(), Ok(Port(8080)));
/// assert!("65536".parse::<Port>().is_err());
/// assert!("-1".parse::<Port>().is_err());
/// ```
impl std::str::FromStr for Port {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Port, Self::Err> {
        s.parse::<u16>().map(Port)
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a string is not an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseIpErrorKind {
    /// The string is empty.
    Empty,
    /// A character that cannot appear there.
    InvalidCharacter(char),
    /// A zone id (`%eth0`): not part of an address.
    ZoneId,
    /// Brackets (`[::1]`): not part of an address.
    Brackets,
    /// A prefix length (`/64`): not part of an address.
    Prefix,
    /// A port (`1.2.3.4:80`): not part of an address.
    Port,
    /// An IPv4 part with a leading zero (octal is ambiguous, so it is refused).
    LeadingZero,
    /// An IPv4 part over 255.
    Ipv4PartTooLarge,
    /// An IPv6 group of more than 4 hex digits (over 0xffff or zero padded).
    Ipv6GroupTooLong,
    /// An empty IPv4 part or IPv6 group.
    EmptyGroup,
    /// More parts or groups than the family has.
    TooManyGroups,
    /// Fewer parts or groups than the family has, and no `::`.
    TooFewGroups,
    /// A second `::`.
    SecondDoubleColon,
    /// A single `:` at the start.
    StartsWithColon,
    /// A single `:` at the end.
    EndsWithColon,
    /// An embedded IPv4 address that is not at the end.
    MisplacedIpv4,
}

/// A string that is not an IP address: what is wrong, and at which byte offset.
///
/// ```
/// use net::{parse_ip_address, ParseIpErrorKind};
/// let err = parse_ip_address("1.02.3.4").unwrap_err();
/// assert_eq!(err.kind(), &ParseIpErrorKind::LeadingZero);
/// assert_eq!(err.position(), 2);
/// assert_eq!(err.to_string(), "invalid IP address \"1.02.3.4\": IPv4 part with a leading zero at byte 2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[doc(alias = "ValueError")]
pub struct ParseIpError {
    input: String,
    kind: ParseIpErrorKind,
    position: usize,
}

impl ParseIpError {
    /// What is wrong.
    ///
    /// ```
    /// use net::{parse_ip_address, ParseIpErrorKind};
    /// assert_eq!(parse_ip_address("").unwrap_err().kind(), &ParseIpErrorKind::Empty);
    /// ```
    pub fn kind(&self) -> &ParseIpErrorKind {
        &self.kind
    }

    /// The byte offset in the input where the problem is.
    ///
    /// ```
    /// assert_eq!(net::parse_ip_address("1.2.3.x").unwrap_err().position(), 6);
    /// ```
    pub fn position(&self) -> usize {
        self.position
    }

    /// The input that was refused.
    ///
    /// ```
    /// assert_eq!(net::parse_ip_address("1.2").unwrap_err().input(), "1.2");
    /// ```
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseIpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParseIpErrorKind as K;
        let why = match &self.kind {
            K::Empty => return write!(f, "invalid IP address \"\": the string is empty"),
            K::InvalidCharacter(c) => format!("invalid character {c:?}"),
            K::ZoneId => "zone ids are not part of an address".to_owned(),
            K::Brackets => "brackets are not part of an address".to_owned(),
            K::Prefix => "prefix lengths are not part of an address".to_owned(),
            K::Port => "ports are not part of an address".to_owned(),
            K::LeadingZero => "IPv4 part with a leading zero".to_owned(),
            K::Ipv4PartTooLarge => "IPv4 part greater than 255".to_owned(),
            K::Ipv6GroupTooLong => "IPv6 group longer than 4 hex digits".to_owned(),
            K::EmptyGroup => "empty part".to_owned(),
            K::TooManyGroups => "too many groups".to_owned(),
            K::TooFewGroups => "too few groups".to_owned(),
            K::SecondDoubleColon => "second \"::\"".to_owned(),
            K::StartsWithColon => "starts with a single ':'".to_owned(),
            K::EndsWithColon => "ends with a single ':'".to_owned(),
            K::MisplacedIpv4 => "embedded IPv4 address not at the end".to_owned(),
        };
        write!(f, "invalid IP address {}: {why} at byte {}", crate::error::quoted(&self.input), self.position)
    }
}

impl std::error::Error for ParseIpError {}

/// Parses an IPv4 or IPv6 address (Nim's `parseIpAddress`).
///
/// Accepts exactly what RFC 4291 / RFC 6943 allow: IPv4 as 4 decimal parts without leading
/// zeros; IPv6 with at most one `::`, groups of 1–4 hex digits and an optional IPv4 tail. Zone
/// ids, brackets, ports and prefixes are refused. The error says why and at which byte.
///
/// ```
/// use net::parse_ip_address;
/// assert_eq!(parse_ip_address("::ffff:1.2.3.4")?.to_string(), "::ffff:1.2.3.4");
/// assert!(parse_ip_address("00001::1").is_err());
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "parseIpAddress")]
pub fn parse_ip_address(input: &str) -> Result<IpAddress, ParseIpError> {
    // std's parser is the reference for what is valid; ours only explains a refusal.
    input.parse::<IpAddress>().map_err(|_| {
        let (kind, position) = diagnose(input);
        ParseIpError { input: input.to_owned(), kind, position }
    })
}

/// Whether `input` is an IPv4 or IPv6 address (Nim's `isIpAddress`). Never fails.
///
/// ```
/// assert!(net::is_ip_address("192.168.1.1"));
/// assert!(!net::is_ip_address("not-an-ip"));
/// ```
#[doc(alias = "isIpAddress")]
pub fn is_ip_address(input: &str) -> bool {
    input.parse::<IpAddress>().is_ok()
}

type Diagnosis = (ParseIpErrorKind, usize);

fn diagnose(s: &str) -> Diagnosis {
    use ParseIpErrorKind as K;
    if s.is_empty() {
        return (K::Empty, 0);
    }
    let found = if s.contains(':') { diagnose_v6(s) } else { diagnose_v4(s, 0) };
    // Should std refuse something both scanners accept, still say where: the whole string.
    found.unwrap_or((K::InvalidCharacter(s.chars().next().unwrap_or(' ')), 0))
}

fn bad_char(s: &str, base: usize, allowed: impl Fn(u8) -> bool) -> Option<Diagnosis> {
    use ParseIpErrorKind as K;
    let (i, c) = s.char_indices().find(|&(_, c)| !c.is_ascii() || !allowed(c as u8))?;
    let kind = match c {
        '%' => K::ZoneId,
        '[' | ']' => K::Brackets,
        '/' => K::Prefix,
        _ => K::InvalidCharacter(c),
    };
    Some((kind, base + i))
}

fn diagnose_v4(s: &str, base: usize) -> Option<Diagnosis> {
    use ParseIpErrorKind as K;
    if let Some(d) = bad_char(s, base, |b| b.is_ascii_digit() || b == b'.') {
        return Some(d);
    }
    let mut pos = 0;
    for (index, part) in s.split('.').enumerate() {
        if index == 4 {
            return Some((K::TooManyGroups, base + pos - 1));
        }
        if part.is_empty() {
            return Some((K::EmptyGroup, base + pos));
        }
        if part.len() > 1 && part.starts_with('0') {
            return Some((K::LeadingZero, base + pos));
        }
        if part.len() > 3 || part.parse::<u16>().map_or(true, |v| v > 255) {
            return Some((K::Ipv4PartTooLarge, base + pos));
        }
        pos += part.len() + 1;
    }
    if s.split('.').count() < 4 {
        return Some((K::TooFewGroups, base + s.len()));
    }
    None
}

fn diagnose_v6(s: &str) -> Option<Diagnosis> {
    use ParseIpErrorKind as K;
    if let Some(d) = bad_char(s, 0, |b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
        return Some(d);
    }
    let first = s.find("::");
    if let Some(first) = first {
        if let Some(second) = s[first + 1..].find("::") {
            return Some((K::SecondDoubleColon, first + 1 + second));
        }
    }
    if s.starts_with(':') && first != Some(0) {
        return Some((K::StartsWithColon, 0));
    }
    if s.ends_with(':') && first.map(|f| f + 2) != Some(s.len()) {
        return Some((K::EndsWithColon, s.len() - 1));
    }
    if s.contains('.') && !s.contains(':') {
        return diagnose_v4(s, 0);
    }
    // A "1.2.3.4:80" style string: an IPv4 address followed by a port.
    if let Some(colon) = s.rfind(':') {
        if s[..colon].parse::<Ipv4Addr>().is_ok() {
            return Some((K::Port, colon));
        }
    }
    let mut groups = 0usize;
    let mut pos = 0usize;
    let pieces: Vec<&str> = s.split(':').collect();
    for (index, piece) in pieces.iter().enumerate() {
        let start = pos;
        pos += piece.len() + 1;
        if piece.is_empty() {
            continue; // part of the one "::", or a leading/trailing one checked above
        }
        if piece.contains('.') {
            if index != pieces.len() - 1 {
                return Some((K::MisplacedIpv4, start));
            }
            if let Some(d) = diagnose_v4(piece, start) {
                return Some(d);
            }
            groups += 2;
            continue;
        }
        if piece.len() > 4 {
            return Some((K::Ipv6GroupTooLong, start));
        }
        groups += 1;
    }
    match (first.is_some(), groups) {
        (true, g) if g > 7 => Some((K::TooManyGroups, s.len())),
        (false, g) if g > 8 => Some((K::TooManyGroups, s.len())),
        (false, g) if g < 8 => Some((K::TooFewGroups, s.len())),
        _ => None,
    }
}

/// `0.0.0.0`: every IPv4 interface (Nim's `IPv4_any`).
///
/// ```
/// assert_eq!(net::ipv4_any().to_string(), "0.0.0.0");
/// ```
#[doc(alias = "IPv4_any")]
pub const fn ipv4_any() -> IpAddress {
    IpAddress::V4(Ipv4Addr::UNSPECIFIED)
}

/// `127.0.0.1` (Nim's `IPv4_loopback`).
///
/// ```
/// assert_eq!(net::ipv4_loopback().to_string(), "127.0.0.1");
/// ```
#[doc(alias = "IPv4_loopback")]
pub const fn ipv4_loopback() -> IpAddress {
    IpAddress::V4(Ipv4Addr::LOCALHOST)
}

/// `255.255.255.255` (Nim's `IPv4_broadcast`).
///
/// ```
/// assert_eq!(net::ipv4_broadcast().to_string(), "255.255.255.255");
/// ```
#[doc(alias = "IPv4_broadcast")]
pub const fn ipv4_broadcast() -> IpAddress {
    IpAddress::V4(Ipv4Addr::BROADCAST)
}

/// `::`: every IPv6 interface (Nim's `IPv6_any`).
///
/// ```
/// assert_eq!(net::ipv6_any().to_string(), "::");
/// ```
#[doc(alias = "IPv6_any")]
pub const fn ipv6_any() -> IpAddress {
    IpAddress::V6(Ipv6Addr::UNSPECIFIED)
}

/// `::1` (Nim's `IPv6_loopback`).
///
/// ```
/// assert_eq!(net::ipv6_loopback().to_string(), "::1");
/// ```
#[doc(alias = "IPv6_loopback")]
pub const fn ipv6_loopback() -> IpAddress {
    IpAddress::V6(Ipv6Addr::LOCALHOST)
}

/// An address and port as the OS `sockaddr` (Nim's `toSockAddr`).
///
/// ```
/// use net::{ipv6_loopback, to_sock_addr, from_sock_addr, Port};
/// let sa = to_sock_addr(ipv6_loopback(), 443);
/// assert_eq!(sa.len(), 28); // sizeof(sockaddr_in6)
/// assert_eq!(from_sock_addr(&sa)?, (ipv6_loopback(), Port(443)));
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "toSockAddr")]
pub fn to_sock_addr(ip: IpAddress, port: impl Into<Port>) -> SockAddr {
    SockAddr::from(SocketAddr::new(ip, port.into().0))
}

/// The address and port in an OS `sockaddr` (Nim's `fromSockAddr`); any family but IPv4 and
/// IPv6, or a length that is not the family's (`sockaddr_in`, `sockaddr_in6`), is an
/// [`Error::InvalidArgument`].
///
/// ```
/// use net::{from_sock_addr, ipv4_loopback, to_sock_addr, Port};
/// let (ip, port) = from_sock_addr(&to_sock_addr(ipv4_loopback(), 80))?;
/// assert_eq!((ip, port), (ipv4_loopback(), Port(80)));
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "fromSockAddr")]
pub fn from_sock_addr(sa: &SockAddr) -> Result<(IpAddress, Port)> {
    let family = i32::from(sa.family());
    let expected = match family {
        libc::AF_INET => std::mem::size_of::<libc::sockaddr_in>(),
        libc::AF_INET6 => std::mem::size_of::<libc::sockaddr_in6>(),
        _ => 0,
    };
    if expected != 0 && sa.len() as usize != expected {
        let name = if family == libc::AF_INET { "IPv4" } else { "IPv6" };
        return Err(Error::InvalidArgument {
            op: "from_sock_addr",
            reason: format!("an {name} address is {expected} bytes long, this one {}", sa.len()),
        });
    }
    sa.as_socket().map(|s| (s.ip(), Port(s.port()))).ok_or_else(|| Error::InvalidArgument {
        op: "from_sock_addr",
        reason: format!("address family {} is neither IPv4 nor IPv6", sa.family()),
    })
}

/// The local address the OS would use to reach 8.8.8.8 (Nim's `getPrimaryIPAddr()`).
/// No packet is sent: a UDP socket is connected, which only picks a route.
///
/// ```
/// match net::primary_ip_addr() {
///     Ok(ip) => println!("primary address: {ip}"),
///     Err(e) => println!("no route to the outside: {e}"),
/// }
/// ```
#[doc(alias = "getPrimaryIPAddr")]
pub fn primary_ip_addr() -> Result<IpAddress> {
    primary_ip_addr_for(IpAddress::V4(Ipv4Addr::new(8, 8, 8, 8)))
}

/// The local address the OS would use to reach `dest` (Nim's `getPrimaryIPAddr(dest)`).
///
/// ```
/// use net::{ipv4_loopback, primary_ip_addr_for};
/// assert_eq!(primary_ip_addr_for(ipv4_loopback())?, ipv4_loopback());
/// # Ok::<(), net::Error>(())
/// ```
#[doc(alias = "getPrimaryIPAddr")]
pub fn primary_ip_addr_for(dest: IpAddress) -> Result<IpAddress> {
    let target = SocketAddr::new(dest, 80);
    let socket =
        socket2::Socket::new(socket2::Domain::for_address(target), socket2::Type::DGRAM, Some(socket2::Protocol::UDP))
            .ctx("socket")?;
    socket.connect(&target.into()).ctx_addr("connect", target)?;
    let local = socket.local_addr().ctx("local_addr")?;
    Ok(from_sock_addr(&local)?.0)
}
