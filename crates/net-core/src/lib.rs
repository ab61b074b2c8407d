//! Nim's `std/net` for Rust, without TLS: addresses, a buffered blocking socket with line
//! reading and timeouts, UDP, Unix sockets, options and errors. Most users depend on the
//! facade crate `net`, which re-exports all of this; the examples use its paths.
//!
//! ```
//! use net::{dial, Socket};
//! # fn main() -> Result<(), net::Error> {
//! let mut server = Socket::tcp()?;
//! server.bind_addr(0, "127.0.0.1")?;
//! server.listen()?;
//! let mut client = dial("127.0.0.1", server.local_addr()?.port())?;
//! let mut conn = server.accept()?;
//! client.send(b"ping\r\n")?;
//! assert_eq!(conn.recv_line()?, "ping");
//! # Ok(()) }
//! ```
//!
//! # Where to start
//! - [`Socket`]: made by [`Socket::tcp`], [`Socket::udp`], [`Socket::unix_stream`] or
//!   [`Socket::builder`]; `connect`/`connect_to`, `bind_addr`/`bind_to`, `listen`, `accept`;
//!   reads (`recv*`, `read_line*`, `recv_line*`, `lines`, `skip`, `recv_from*`, `io::Read`,
//!   `io::BufRead`) and writes (`send*`, `send_to*`, `io::Write`).
//! - [`ReadOptions`]: a read's timeout (one deadline for the whole call), flags
//!   ([`SocketFlag::Peek`], [`SocketFlag::SafeDisconn`]) and line length limit.
//! - [`dial`] / [`dial_to`]: connect trying every resolved address. [`IntoEndpoint`]: a
//!   `SocketAddr`, an IP and port, or a host and port, wherever an address goes.
//! - [`IpAddress`] (std's `IpAddr`), [`parse_ip_address`] (Nim's strict parser), [`Port`].
//! - [`SockOpt`] with `get_sock_opt`/`set_sock_opt`; conversions to and from std's and
//!   socket2's sockets; [`Error`], one enum for every failure, matched by variant.
//!
//! # TLS
//! The TLS layer (crate `net-tls`) plugs in through [`SecureUpgrade`] and [`SecureSession`]
//! (sealed: only this workspace's backends implement them); this crate knows no TLS library.
//!
//! # Platforms
//! Unix; Linux is built and tested. Other Unix get documented fallbacks for the few
//! Linux-only calls (`sys.rs`, `SO_PROTOCOL`, `MSG_MORE`) and compile (checked for FreeBSD and
//! macOS) but are never run. Elsewhere the build stops with one `compile_error!` naming the
//! target.
#![deny(missing_docs)]
#![deny(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

// Platforms: Unix. Linux is built and tested; the few Linux-only calls (`sys.rs`, `SO_PROTOCOL`
// in `convert.rs`) have fallbacks for other Unix, compile-checked for FreeBSD and macOS. On any
// other target the crate is one clear error instead of a cascade: every item is behind
// `cfg(unix)`.
#[cfg(not(unix))]
compile_error!(concat!("net supports Unix (tested on Linux); ", env!("NET_CORE_TARGET"), " is not supported"));

/// Puts `cfg(unix)` on each item.
macro_rules! unix_only {
    ($($item:item)*) => { $(#[cfg(unix)] $item)* };
}

// Every module and re-export: `cfg(unix)` (not indented, so that the lists read as usual).
unix_only! {
mod addr;
mod buffer;
mod builder;
mod close;
mod conn;
mod connect;
mod convert;
mod datagram;
mod endpoint;
mod error;
mod fill;
mod flags;
mod io;
mod kinds;
mod lines;
mod nonblocking;
mod options;
mod read_options;
mod recv;
mod scan;
mod socket;
mod stream;
mod sys;
mod write;

/// The socket2 crate, whose types (`SockAddr`...) appear in some of net-core's signatures.
pub use socket2;

pub use addr::{
    from_sock_addr, ipv4_any, ipv4_broadcast, ipv4_loopback, ipv6_any, ipv6_loopback, is_ip_address, parse_ip_address,
    primary_ip_addr, primary_ip_addr_for, to_sock_addr, IpAddress, IpAddressFamily, ParseIpError, ParseIpErrorKind,
    Port,
};
pub use builder::SocketBuilder;
pub use close::CLOSE_LINGER;
pub use connect::{dial, dial_to, dial_with, Incoming};
pub use endpoint::{Endpoint, IntoEndpoint};
pub use error::{is_disconnection_error, socket_error, Error, Result, SessionFailure};
pub use flags::{to_os_flags, SocketFlag, SocketFlags};
pub use io::{DeadlineGuard, ReadAheadIo, SocketIo, READ_AHEAD_SIZE};
pub use kinds::{Domain, Protocol, SockType};
pub use lines::Lines;
pub use options::SockOpt;
pub use read_options::{ReadLineResult, ReadOptions};
pub use socket::{Socket, BUFFER_SIZE, MAX_LINE_LENGTH, SOMAXCONN};
#[doc(hidden)]
pub use stream::__private;
pub use stream::{SecureSession, SecureUpgrade};
}
