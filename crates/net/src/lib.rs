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
//! Everything here comes from `net-core`, re-exported one name at a time; the TLS layer is the
//! [`tls`] module. `docs/nim-mapping.md` in the repository maps every Nim name to its Rust
//! name; rustdoc search finds the Nim names too (`recvLine`, `bindAddr`...). The `socket2`
//! types that appear in signatures (`SockAddr`, `SockRef`...) come from [`socket2`],
//! re-exported here.
//!
//! # Features
//!
//! | feature | backend | needs at build time | notes |
//! | --- | --- | --- | --- |
//! | `rustls` (default) | rustls, ring provider | nothing | pure Rust; no PSK |
//! | `openssl` | the system OpenSSL | `libssl-dev`, `pkg-config` | every option, PSK included |
//! | `native-tls` | the platform's TLS (OpenSSL on Linux) | as `openssl` on Linux | fewest options |
//!
//! Features are additive: any combination builds, and [`tls`] picks a backend at run time
//! (see [`tls::new_context`]). With none of them there is no `tls` module. What each backend
//! can do is in `docs/tls-backends.md`; a backend asked for what it cannot do refuses when
//! the context is made, naming one that can.
//!
//! # Which backend should I pick?
//! - **rustls**, unless you have a reason: nothing to install, memory-safe, fast, and the
//!   default.
//! - **openssl** when you need what rustls lacks (PSK, TLS 1.0/1.1, OpenSSL cipher strings) or
//!   want the system's OpenSSL and its configuration.
//! - **native-tls** when the platform's own TLS stack matters more than options (it offers the
//!   fewest).
//!
//! # Platforms
//! Unix. Linux is the platform built and tested, with every backend. The crates also compile
//! for other Unix (checked for FreeBSD and macOS, with `rustls` on FreeBSD and `native-tls`
//! on macOS), where the few Linux-only calls have documented fallbacks, but nothing runs
//! there. Windows and other targets that are not Unix are not supported: the build stops
//! with one `compile_error!` naming the target.
//!
//! # Time bounds
//! Every timed call is one deadline for the whole call, whatever the peer does: a read, a
//! `connect_timeout` (its handshake included), a TLS handshake (10 s unless the context says
//! otherwise) and `close` ([`CLOSE_LINGER`]). The kernel's own socket timeouts are never
//! touched.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![doc(test(attr(deny(warnings))))]

pub use net_core::{
    dial, dial_to, dial_with, from_sock_addr, ipv4_any, ipv4_broadcast, ipv4_loopback, ipv6_any, ipv6_loopback,
    is_disconnection_error, is_ip_address, parse_ip_address, primary_ip_addr, primary_ip_addr_for, socket_error,
    to_os_flags, to_sock_addr, DeadlineGuard, Domain, Endpoint, Error, Incoming, IntoEndpoint, IpAddress,
    IpAddressFamily, Lines, ParseIpError, ParseIpErrorKind, Port, Protocol, ReadAheadIo, ReadLineResult, ReadOptions,
    Result, SecureSession, SecureUpgrade, SessionFailure, SockOpt, SockType, Socket, SocketBuilder, SocketFlag,
    SocketFlags, SocketIo, BUFFER_SIZE, CLOSE_LINGER, MAX_LINE_LENGTH, READ_AHEAD_SIZE, SOMAXCONN,
};

/// Not public API: the seal of [`SecureSession`] and [`SecureUpgrade`], for this workspace's
/// layers.
#[doc(hidden)]
pub use net_core::__private;

/// The socket2 crate, whose types (`SockAddr`, `SockRef`, `Domain`...) appear in some of
/// `net`'s signatures.
pub use net_core::socket2;

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))))]
pub mod tls;
