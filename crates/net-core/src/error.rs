//! The one error type of net-core, and Nim's error helpers.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::time::Duration;

use crate::addr::ParseIpError;
use crate::flags::{SocketFlag, SocketFlags};

/// What went wrong in a socket operation.
///
/// OS failures keep their [`io::Error`] as the source, so [`Error::raw_os_error`] and
/// [`Error::kind`] still work; the message says what was being done and with which address.
///
/// Each error prints its cause once. A variant that knows what was being done (an operation,
/// an address, a host name) says only that in its message and gives the cause as
/// [`source()`](std::error::Error::source): `recv on 127.0.0.1:80 failed`, caused by
/// `connection reset by peer`. Every other variant holds no cause (its message says it all)
/// or is transparent (it shows the message of the error it carries, and that error's source).
/// Print the whole chain to see why, as error reporters do:
///
/// ```
/// use std::error::Error as _;
/// let err = net::Error::io("recv", Some("127.0.0.1:80".into()), std::io::ErrorKind::ConnectionReset.into());
/// assert_eq!(err.to_string(), "recv on 127.0.0.1:80 failed");
/// assert_eq!(err.source().unwrap().to_string(), "connection reset");
/// ```
///
/// Matching on the variant:
///
/// ```
/// use net::{Error, Socket};
/// # fn main() -> Result<(), Error> {
/// let mut socket = Socket::tcp()?;
/// socket.close();
/// let err = socket.send(b"x").unwrap_err();
/// assert!(matches!(err, Error::Closed { op: "send" }));
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[doc(alias = "OSError")]
pub enum Error {
    /// The operating system refused an operation (Nim's `OSError`).
    ///
    /// Message: `{op} on {addr} failed` (or `{op} failed`); the OS error is the source.
    #[error("{op}{} failed", at(.addr))]
    Io {
        /// What was being done: `"connect"`, `"bind"`, `"recv"`...
        op: &'static str,
        /// The address involved, as the caller gave it, when there is one.
        addr: Option<String>,
        /// The OS error, with its code.
        #[source]
        source: io::Error,
    },
    /// The operation did not finish in time (Nim's `TimeoutError`).
    ///
    /// Bytes that arrived before the deadline stay buffered for the next read.
    #[error("call to '{op}' timed out after {after:?}")]
    #[doc(alias = "TimeoutError")]
    Timeout {
        /// The operation: `"read_line"`, `"recv"`, `"skip"`, `"connect"`.
        op: &'static str,
        /// The budget that ran out.
        after: Duration,
    },
    /// A string was not a valid IP address. Transparent: the message is the
    /// [`ParseIpError`]'s, which quotes the input.
    #[error(transparent)]
    ParseIp(#[from] ParseIpError),
    /// An argument is out of range or inconsistent (Nim's `ValueError`).
    #[doc(alias = "ValueError")]
    #[error("invalid argument to '{op}': {reason}")]
    InvalidArgument {
        /// The operation that refused the argument.
        op: &'static str,
        /// Why it was refused.
        reason: String,
    },
    /// A host name did not resolve to any address usable by this socket.
    ///
    /// Message: `could not resolve "{host}" port {port}`, the resolver's error as the source;
    /// without one (the name resolved to no address this socket can use), the message ends
    /// with `: no usable address`.
    #[doc(alias = "IOError")]
    #[error("could not resolve {} port {port}{}", quoted(.host), why(.source))]
    Resolve {
        /// The host name as given.
        host: String,
        /// The port that was asked for.
        port: u16,
        /// The resolver's error, if it gave one.
        #[source]
        source: Option<io::Error>,
    },
    /// An address of one family given to a socket of another: an IPv6 address to an IPv4
    /// socket, or a name that resolves to IPv6 addresses only.
    ///
    /// ```
    /// use net::{Domain, Error, Socket};
    /// let mut s = Socket::tcp()?; // IPv4
    /// match s.connect("::1", 80) {
    ///     Err(Error::AddressFamily { found: Domain::Inet6, socket: Domain::Inet, .. }) => {}
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), Error>(())
    /// ```
    #[error("{address} is an {} address, but the socket is {}", family(*.found), family(*.socket))]
    AddressFamily {
        /// The address or host name as given (quoted, cut if long).
        address: String,
        /// The family the address has (or resolved to).
        found: crate::kinds::Domain,
        /// The socket's family.
        socket: crate::kinds::Domain,
    },
    /// The socket was closed with [`Socket::close`](crate::Socket::close) and then used.
    #[error("'{op}' on a closed socket")]
    Closed {
        /// The operation that was attempted.
        op: &'static str,
    },
    /// A text API received bytes that are not UTF-8; the bytes are kept here.
    ///
    /// Message: `received {n} bytes that are not valid UTF-8`; where they stop being UTF-8 is
    /// the source.
    #[error("received {} bytes that are not valid UTF-8", .bytes.len())]
    NotUtf8 {
        /// Every byte that was received for this call, terminator removed.
        bytes: Vec<u8>,
        /// Where the bytes stop being UTF-8.
        #[source]
        source: std::str::Utf8Error,
    },
    /// A datagram was larger than the buffer given to `recv_from`.
    #[error("datagram of {size} bytes did not fit the {capacity}-byte buffer; the rest was discarded by the OS")]
    DatagramTruncated {
        /// The datagram's real size.
        size: usize,
        /// How many of its bytes were stored.
        capacity: usize,
    },
    /// The operation does not exist for this kind of socket (for example `listen` on UDP).
    #[error("'{op}' is not supported on {what}")]
    Unsupported {
        /// The operation that was attempted.
        op: &'static str,
        /// The kind of socket or stream, in words.
        what: String,
    },
    /// An error raised by a secured stream (TLS). net-core does not know its type; with the
    /// `net` facade it is a `net::tls::TlsError`, reachable with `TlsErrorExt::tls_error`.
    ///
    /// Transparent: the message is the TLS error's, and so is the source.
    #[error(transparent)]
    #[doc(alias = "SslError")]
    Tls(Box<dyn StdError + Send + Sync>),
}

/// For TLS sessions: a failure of the secured stream (a fatal alert from the peer after the
/// handshake...) carried inside the `io::Error` a session's read or write returns, so that
/// the socket reports it as [`Error::Tls`], not as an OS error of `recv` or `send`.
///
/// ```
/// use net::SessionFailure;
/// let io = SessionFailure::io_error("the peer refused our certificate");
/// let tls = SessionFailure::take(io).unwrap();
/// assert_eq!(tls.to_string(), "the peer refused our certificate");
/// assert!(SessionFailure::take(std::io::ErrorKind::ConnectionReset.into()).is_err());
/// ```
#[derive(Debug)]
pub struct SessionFailure(pub Box<dyn StdError + Send + Sync>);

impl SessionFailure {
    /// `error` as an `io::Error` (kind `Other`) that the socket turns into [`Error::Tls`].
    pub fn io_error(error: impl Into<Box<dyn StdError + Send + Sync>>) -> io::Error {
        io::Error::other(SessionFailure(error.into()))
    }

    /// The TLS failure inside `e`, or `e` itself when it carries none.
    pub fn take(e: io::Error) -> std::result::Result<Box<dyn StdError + Send + Sync>, io::Error> {
        if !e.get_ref().is_some_and(|inner| inner.is::<SessionFailure>()) {
            return Err(e);
        }
        match e.into_inner().map(|inner| inner.downcast::<SessionFailure>()) {
            Some(Ok(failure)) => Ok(failure.0),
            Some(Err(other)) => Err(io::Error::other(other)),
            None => Err(io::ErrorKind::Other.into()),
        }
    }
}

/// Transparent: the TLS failure's message.
impl fmt::Display for SessionFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Transparent: the TLS failure's source.
impl StdError for SessionFailure {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.0.source()
    }
}

fn at(addr: &Option<String>) -> String {
    addr.as_ref().map(|a| format!(" on {a}")).unwrap_or_default()
}

pub(crate) fn family(domain: crate::kinds::Domain) -> &'static str {
    match domain {
        crate::kinds::Domain::Inet => "IPv4",
        crate::kinds::Domain::Inet6 => "IPv6",
        crate::kinds::Domain::Unix => "Unix",
        crate::kinds::Domain::Other(_) => "other-family",
    }
}

/// The longest input an error message quotes whole; past it, the start and the length.
const QUOTE_LIMIT: usize = 64;

/// `input` quoted for a message, cut at 64 bytes (`QUOTE_LIMIT`) (on a character boundary) so that
/// hostile input cannot make a message as large as itself.
pub fn quoted(input: &str) -> String {
    if input.len() <= QUOTE_LIMIT {
        return format!("{input:?}");
    }
    let mut cut = QUOTE_LIMIT;
    while !input.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{:?}... ({} bytes)", &input[..cut], input.len())
}

/// The end of a `Resolve` message: nothing when the resolver's error is the source, else why.
fn why(source: &Option<io::Error>) -> &'static str {
    match source {
        Some(_) => "",
        None => ": no usable address",
    }
}

/// The result type of net-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An OS error with what was being done and, optionally, the address involved.
    ///
    /// ```
    /// use net::Error;
    /// let e = Error::io("bind", Some("127.0.0.1:80".into()), std::io::ErrorKind::AddrInUse.into());
    /// assert_eq!(e.to_string(), "bind on 127.0.0.1:80 failed");
    /// assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "address in use");
    /// ```
    pub fn io(op: &'static str, addr: Option<String>, source: io::Error) -> Self {
        Error::Io { op, addr, source }
    }

    /// The OS error code, when the error came from the OS.
    ///
    /// ```
    /// use net::Error;
    /// let e = Error::io("recv", None, std::io::Error::from_raw_os_error(104));
    /// assert_eq!(e.raw_os_error(), Some(104));
    /// ```
    #[doc(alias = "getSocketError")]
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            Error::Io { source, .. } => source.raw_os_error(),
            Error::Resolve { source: Some(s), .. } => s.raw_os_error(),
            _ => None,
        }
    }

    /// The [`io::ErrorKind`] this error maps to.
    ///
    /// ```
    /// use net::Error;
    /// use std::time::Duration;
    /// let e = Error::Timeout { op: "recv", after: Duration::from_millis(5) };
    /// assert_eq!(e.kind(), std::io::ErrorKind::TimedOut);
    /// ```
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Error::Io { source, .. } => source.kind(),
            Error::Timeout { .. } => io::ErrorKind::TimedOut,
            Error::ParseIp(_) | Error::InvalidArgument { .. } | Error::AddressFamily { .. } => {
                io::ErrorKind::InvalidInput
            }
            Error::NotUtf8 { .. } | Error::DatagramTruncated { .. } => io::ErrorKind::InvalidData,
            Error::Closed { .. } => io::ErrorKind::NotConnected,
            Error::Unsupported { .. } => io::ErrorKind::Unsupported,
            Error::Resolve { .. } | Error::Tls(_) => io::ErrorKind::Other,
        }
    }

    /// Whether this is a disconnection (reset, broken pipe) that `flags` asks to hide.
    ///
    /// ```
    /// use net::{Error, SocketFlags};
    /// let e = Error::io("recv", None, std::io::Error::from_raw_os_error(104));
    /// assert!(e.is_disconnection(SocketFlags::default()));
    /// assert!(!e.is_disconnection(SocketFlags::empty()));
    /// ```
    pub fn is_disconnection(&self, flags: SocketFlags) -> bool {
        match self {
            Error::Io { source, .. } => is_disconnection_error(flags, source),
            _ => false,
        }
    }
}

/// An I/O error from elsewhere (a file, std's own sockets), so that `?` works on it in a
/// function returning [`Result`]. Its op is `"io"`; the OS code is kept.
///
/// ```
/// fn read_config(path: &str) -> net::Result<String> {
///     Ok(std::fs::read_to_string(path)?)
/// }
/// let err = read_config("/no/such/file").unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
/// ```
impl From<io::Error> for Error {
    fn from(source: io::Error) -> Error {
        Error::Io { op: "io", addr: None, source }
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        match err {
            // Keep the OS error itself so `raw_os_error()` survives the conversion.
            Error::Io { source, .. } if source.get_ref().is_none() => source,
            other => io::Error::new(other.kind(), other),
        }
    }
}

/// Whether `err` is a disconnection error and `flags` holds [`SocketFlag::SafeDisconn`].
///
/// Disconnection errors are `ECONNRESET`, `EPIPE`, `ENETRESET` and `ECONNABORTED` (Nim leaves
/// the last out; see `docs/divergences.md`).
///
/// ```
/// use net::{is_disconnection_error, SocketFlags};
/// let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
/// assert!(is_disconnection_error(SocketFlags::default(), &reset));
/// ```
#[doc(alias = "isDisconnectionError")]
pub fn is_disconnection_error(flags: SocketFlags, err: &io::Error) -> bool {
    flags.contains(SocketFlag::SafeDisconn) && is_disconnection(err)
}

/// Whether an OS error means the peer went away.
pub(crate) fn is_disconnection(err: &io::Error) -> bool {
    matches!(err.raw_os_error(), Some(libc::ECONNRESET | libc::EPIPE | libc::ENETRESET | libc::ECONNABORTED))
        || matches!(
            err.kind(),
            io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionAborted
        )
}

/// Nim's `socketError`: turn an OS error into `Ok(())` when `flags` hide it, else into an
/// [`Error::Io`] for `op`.
///
/// ```
/// use net::{socket_error, SocketFlags};
/// let reset = std::io::Error::from_raw_os_error(104);
/// assert!(socket_error("recv", SocketFlags::default(), reset).is_ok());
/// let refused = std::io::Error::from_raw_os_error(111);
/// assert!(socket_error("connect", SocketFlags::default(), refused).is_err());
/// ```
#[doc(alias = "socketError")]
pub fn socket_error(op: &'static str, flags: SocketFlags, err: io::Error) -> Result<()> {
    if is_disconnection_error(flags, &err) {
        Ok(())
    } else {
        Err(Error::io(op, None, err))
    }
}

/// Shorthand for mapping an `io::Result` to an [`Error::Io`] with context.
pub(crate) trait Context<T> {
    fn ctx(self, op: &'static str) -> Result<T>;
    fn ctx_addr(self, op: &'static str, addr: impl fmt::Display) -> Result<T>;
}

impl<T> Context<T> for io::Result<T> {
    fn ctx(self, op: &'static str) -> Result<T> {
        self.map_err(|e| Error::io(op, None, e))
    }
    fn ctx_addr(self, op: &'static str, addr: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::io(op, Some(addr.to_string()), e))
    }
}
