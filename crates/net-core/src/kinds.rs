//! The kinds of socket: address family, socket type, protocol (Nim's `Domain`, `SockType`,
//! `Protocol`). Portable Unix: the `AF_*`, `SOCK_*` and `IPPROTO_*` values come from libc for
//! the target.
//!
//! Each is a `#[non_exhaustive]` enum with an `Other(i32)` catch-all (why not socket2-style
//! newtypes: `docs/design.md`). Equality and hashing go by the C value, so
//! `Domain::Other(AF_INET) == Domain::Inet`, and a value that gains a named variant in a later
//! release stays equal to its old `Other` spelling; only a `match` arm on `Other(that value)`
//! would stop matching, so match on the named variants or compare [`Domain::to_c_int`].

use std::hash::{Hash, Hasher};

/// An address family (Nim's `Domain`).
///
/// ```
/// use net::{Domain, Socket, SockType, Protocol};
/// let s = Socket::new(Domain::Inet6, SockType::Stream, Protocol::Tcp)?;
/// assert_eq!(s.domain(), Domain::Inet6);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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
    /// Any other `AF_*` value (equal to the named variant when it holds that variant's value).
    Other(i32),
}

/// A socket type (Nim's `SockType`).
///
/// ```
/// use net::{Socket, SockType};
/// assert_eq!(Socket::udp()?.sock_type(), SockType::Dgram);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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
    /// Any other `SOCK_*` value (equal to the named variant when it holds that variant's value).
    Other(i32),
}

/// A protocol (Nim's `Protocol`).
///
/// ```
/// use net::{Socket, Protocol};
/// assert_eq!(Socket::tcp()?.protocol(), Protocol::Tcp);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
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
    /// Any other `IPPROTO_*` value (equal to the named variant when it holds that variant's
    /// value).
    Other(i32),
}

impl Domain {
    /// The `AF_*` value.
    ///
    /// ```
    /// use net::socket2;
    /// assert_eq!(net::Domain::Inet.to_c_int(), i32::from(socket2::Domain::IPV4)); // AF_INET
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
    /// use net::Domain;
    /// assert_eq!(Domain::from_c_int(net::socket2::Domain::IPV6.into()), Domain::Inet6);
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
    /// use net::socket2;
    /// assert_eq!(net::SockType::Dgram.to_c_int(), i32::from(socket2::Type::DGRAM)); // SOCK_DGRAM
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
    /// use net::SockType;
    /// assert_eq!(SockType::from_c_int(net::socket2::Type::STREAM.into()), SockType::Stream);
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
    /// use net::socket2;
    /// assert_eq!(net::Protocol::Udp.to_c_int(), i32::from(socket2::Protocol::UDP)); // IPPROTO_UDP
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
    /// use net::Protocol;
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
    /// use net::{Protocol, SockType};
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

/// Equality and hashing by the C value: `Other(v)` equals the named variant whose value is `v`.
macro_rules! by_c_value {
    ($($t:ident)*) => {$(
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.to_c_int() == other.to_c_int()
            }
        }
        impl Eq for $t {}
        impl Hash for $t {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.to_c_int().hash(state)
            }
        }
    )*};
}
by_c_value!(Domain SockType Protocol);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_with_a_named_value_is_that_variant() {
        use std::collections::HashSet;
        assert_eq!(Domain::Other(libc::AF_INET), Domain::Inet);
        assert_eq!(SockType::Other(libc::SOCK_DGRAM), SockType::Dgram);
        assert_eq!(Protocol::Other(0), Protocol::Default);
        assert_ne!(Protocol::Other(libc::IPPROTO_UDP), Protocol::Tcp);
        let set: HashSet<Domain> = [Domain::Inet, Domain::Other(libc::AF_INET)].into_iter().collect();
        assert_eq!(set.len(), 1);
    }
}
