//! Nim's `std/net` for Rust: one blocking socket API — addresses, buffered sockets, line
//! reading, UDP, Unix sockets, options, clear errors.
//!
//! ```
//! use net::{dial, Socket};
//! # fn main() -> Result<(), net::Error> {
//! let mut server = Socket::tcp()?;
//! server.bind_addr(0, "127.0.0.1")?;
//! server.listen()?;
//! let mut client = dial("127.0.0.1", server.local_addr()?.port())?;
//! let (mut conn, peer) = server.accept_addr()?;
//! assert_eq!(peer, "127.0.0.1");
//! client.send(b"hello\r\n")?;
//! assert_eq!(conn.recv_line()?, "hello");
//! # Ok(()) }
//! ```
//!
//! Everything here comes from `net-core`, re-exported one name at a time. `docs/nim-mapping.md`
//! in the repository maps every Nim name to its Rust name; rustdoc search finds the Nim names
//! too (`recvLine`, `bindAddr`...).
//!
//! # Features
//! - `rustls` (default): the rustls backend, ring provider. Pure Rust: nothing to install.
//! - `openssl`: the system OpenSSL (Debian: `libssl-dev`, `pkg-config`).
//! - `native-tls`: the platform's TLS (OpenSSL on Linux, Secure Transport, SChannel).
//!
//! Features are additive: any combination builds, and [`tls`] picks a backend at run time
//! (see [`tls::new_context`]). With none of them there is no `tls` module.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use net_core::{
    dial, dial_with, from_sock_addr, ipv4_any, ipv4_broadcast, ipv4_loopback, ipv6_any, ipv6_loopback,
    is_disconnection_error, is_ip_address, parse_ip_address, primary_ip_addr, primary_ip_addr_for, socket_error,
    to_os_flags, to_sock_addr, DeadlineGuard, Domain, Error, Incoming, IpAddress, IpAddressFamily, Lines, ParseIpError,
    ParseIpErrorKind, Port, Protocol, ReadAheadIo, ReadLineResult, ReadOptions, Result, SecureSession, SecureUpgrade,
    SockOpt, SockType, Socket, SocketBuilder, SocketFlag, SocketFlags, SocketIo, BUFFER_SIZE, CLOSE_LINGER,
    MAX_LINE_LENGTH, READ_AHEAD_SIZE, SOMAXCONN,
};

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
pub mod tls;
