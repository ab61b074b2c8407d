//! Nonblocking mode: `set_nonblocking`, and what a call that would wait gives instead.

use std::io;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::socket::Socket;
use crate::stream::Stream;

/// What a read that could not go on gives: [`Error::Timeout`] when the caller set a timeout;
/// otherwise the socket is nonblocking and nothing has arrived: `WouldBlock`.
pub(crate) fn stalled(op: &'static str, timeout: Option<Duration>) -> Error {
    match timeout {
        Some(after) => Error::Timeout { op, after },
        None => would_block(op, "nothing to read yet on a nonblocking socket".into()),
    }
}

/// An error whose [`Error::kind`] is `WouldBlock`.
pub(crate) fn would_block(op: &'static str, what: String) -> Error {
    Error::io(op, None, io::Error::new(io::ErrorKind::WouldBlock, what))
}

impl Socket {
    /// Puts the socket in nonblocking mode, or back in blocking mode (std's
    /// `set_nonblocking`).
    ///
    /// In nonblocking mode, a call that would wait fails with an error whose
    /// [`kind()`](Error::kind) is [`WouldBlock`](io::ErrorKind::WouldBlock) (and `io::Read` /
    /// `io::Write` give that kind), and loses nothing:
    /// - reads (`recv*`, `read_line*`, `recv_line*`, `lines`, `recv_from*`, `io::Read`) return
    ///   what has arrived, and fail only when nothing has; a line read keeps a partial line
    ///   buffered for the next call; `skip` returns the count it skipped;
    /// - `send_raw` and `io::Write::write` fail when the send buffer is full; `send` (all of
    ///   the data) fails too, and its message says how many bytes went out before;
    /// - `accept` fails when no client is waiting (clients come back blocking);
    /// - `connect`, `connect_timeout` and `dial` still wait for the connection (or the
    ///   timeout) and leave the mode as it was.
    ///
    /// A read with a timeout waits for that timeout in either mode. TLS needs a blocking
    /// socket: this is refused ([`Error::Unsupported`]) on a socket wrapped for TLS, and
    /// wrapping a nonblocking socket is refused too.
    ///
    /// ```
    /// use std::io::ErrorKind;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (net::Socket::from(a), net::Socket::from(b));
    /// b.set_nonblocking(true)?;
    /// assert!(b.is_nonblocking()?);
    /// assert_eq!(b.recv_line().unwrap_err().kind(), ErrorKind::WouldBlock);
    /// a.send(b"half a li")?;
    /// assert_eq!(b.recv_line().unwrap_err().kind(), ErrorKind::WouldBlock); // kept buffered
    /// a.send(b"ne\n")?;
    /// assert_eq!(b.recv_line()?, "half a line");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "setBlocking")]
    pub fn set_nonblocking(&self, nonblocking: bool) -> Result<()> {
        const OP: &str = "set_nonblocking";
        let inner = self.inner(OP)?;
        if nonblocking && !matches!(self.conn.stream, Stream::Plain) {
            return Err(Error::Unsupported {
                op: OP,
                what: "a socket wrapped for TLS (TLS needs blocking I/O)".into(),
            });
        }
        inner.set_nonblocking(nonblocking).map_err(|e| Error::io(OP, None, e))
    }

    /// Whether the socket is in nonblocking mode.
    ///
    /// ```
    /// let s = net::Socket::tcp()?;
    /// assert!(!s.is_nonblocking()?);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn is_nonblocking(&self) -> Result<bool> {
        const OP: &str = "is_nonblocking";
        self.inner(OP)?.nonblocking().map_err(|e| Error::io(OP, None, e))
    }

    /// Refuses TLS on a nonblocking socket.
    pub(crate) fn ensure_blocking(&self, op: &'static str) -> Result<()> {
        if self.is_nonblocking()? {
            return Err(Error::Unsupported { op, what: "a nonblocking socket (TLS needs blocking I/O)".into() });
        }
        Ok(())
    }
}
