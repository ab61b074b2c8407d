//! Boolean socket options (Nim's `SOBool`), each set at its own level. Portable Unix: every
//! option here exists in POSIX or in every BSD-derived stack (`SO_REUSEPORT`).

/// A boolean socket option (Nim's `SOBool`, without the `Opt` prefix).
///
/// Unlike Nim, the level is chosen from the option: `NoDelay` is set at `IPPROTO_TCP`, the others
/// at `SOL_SOCKET`.
///
/// ```
/// use net::{SockOpt, Socket};
/// # fn main() -> Result<(), net::Error> {
/// let socket = Socket::tcp()?;
/// socket.set_sock_opt(SockOpt::NoDelay, true)?;
/// assert!(socket.get_sock_opt(SockOpt::NoDelay)?);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[doc(alias = "SOBool")]
#[non_exhaustive]
pub enum SockOpt {
    /// `SO_ACCEPTCONN`: whether the socket is listening. Read only: setting it fails.
    #[doc(alias = "OptAcceptConn")]
    AcceptConn,
    /// `SO_BROADCAST`: allow sending to broadcast addresses.
    #[doc(alias = "OptBroadcast")]
    Broadcast,
    /// `SO_DEBUG`: kernel debugging (setting it needs `CAP_NET_ADMIN` on Linux).
    #[doc(alias = "OptDebug")]
    Debug,
    /// `SO_DONTROUTE`: send only to directly connected hosts.
    #[doc(alias = "OptDontRoute")]
    DontRoute,
    /// `SO_KEEPALIVE`: send keep-alive probes.
    #[doc(alias = "OptKeepAlive")]
    KeepAlive,
    /// `SO_OOBINLINE`: receive out-of-band data in the normal stream.
    #[doc(alias = "OptOOBInline")]
    OobInline,
    /// `SO_REUSEADDR`: allow binding an address in `TIME_WAIT`.
    #[doc(alias = "OptReuseAddr")]
    ReuseAddr,
    /// `SO_REUSEPORT`: allow several sockets to bind the same port.
    #[doc(alias = "OptReusePort")]
    ReusePort,
    /// `TCP_NODELAY` (level `IPPROTO_TCP`): disable Nagle's algorithm.
    #[doc(alias = "OptNoDelay")]
    NoDelay,
}

impl SockOpt {
    /// Every option, in declaration order. A slice, so that adding an option is not a breaking
    /// change.
    ///
    /// ```
    /// use net::SockOpt;
    /// assert!(SockOpt::ALL.contains(&SockOpt::NoDelay));
    /// assert!(SockOpt::ALL.iter().all(|o| o.os_name().starts_with("SO_") || o.os_name().starts_with("TCP_")));
    /// ```
    pub const ALL: &'static [SockOpt] = &[
        SockOpt::AcceptConn,
        SockOpt::Broadcast,
        SockOpt::Debug,
        SockOpt::DontRoute,
        SockOpt::KeepAlive,
        SockOpt::OobInline,
        SockOpt::ReuseAddr,
        SockOpt::ReusePort,
        SockOpt::NoDelay,
    ];

    /// The OS constant naming the option (Nim's `toCInt`).
    ///
    /// ```
    /// use net::SockOpt;
    /// assert_eq!(SockOpt::NoDelay.to_c_int(), 1); // TCP_NODELAY
    /// ```
    #[doc(alias = "toCInt")]
    pub const fn to_c_int(self) -> i32 {
        match self {
            SockOpt::AcceptConn => libc::SO_ACCEPTCONN,
            SockOpt::Broadcast => libc::SO_BROADCAST,
            SockOpt::Debug => libc::SO_DEBUG,
            SockOpt::DontRoute => libc::SO_DONTROUTE,
            SockOpt::KeepAlive => libc::SO_KEEPALIVE,
            SockOpt::OobInline => libc::SO_OOBINLINE,
            SockOpt::ReuseAddr => libc::SO_REUSEADDR,
            SockOpt::ReusePort => libc::SO_REUSEPORT,
            SockOpt::NoDelay => libc::TCP_NODELAY,
        }
    }

    /// The level the option lives at: `IPPROTO_TCP` for `NoDelay`, `SOL_SOCKET` otherwise.
    ///
    /// ```
    /// use net::SockOpt;
    /// assert_ne!(SockOpt::NoDelay.level(), SockOpt::ReuseAddr.level());
    /// ```
    pub const fn level(self) -> i32 {
        match self {
            SockOpt::NoDelay => libc::IPPROTO_TCP,
            _ => libc::SOL_SOCKET,
        }
    }

    /// The OS name of the option, for messages.
    ///
    /// ```
    /// assert_eq!(net::SockOpt::ReuseAddr.os_name(), "SO_REUSEADDR");
    /// ```
    pub const fn os_name(self) -> &'static str {
        match self {
            SockOpt::AcceptConn => "SO_ACCEPTCONN",
            SockOpt::Broadcast => "SO_BROADCAST",
            SockOpt::Debug => "SO_DEBUG",
            SockOpt::DontRoute => "SO_DONTROUTE",
            SockOpt::KeepAlive => "SO_KEEPALIVE",
            SockOpt::OobInline => "SO_OOBINLINE",
            SockOpt::ReuseAddr => "SO_REUSEADDR",
            SockOpt::ReusePort => "SO_REUSEPORT",
            SockOpt::NoDelay => "TCP_NODELAY",
        }
    }
}
