//! The options of a read call and what a low-level line read found.

use std::time::Duration;

use crate::flags::{SocketFlag, SocketFlags};
use crate::socket::MAX_LINE_LENGTH;

/// Timeout, flags and maximum line length for a read (Nim's `timeout`, `flags`, `maxLength`).
///
/// The default is Nim's: no timeout, `{SafeDisconn}`, [`MAX_LINE_LENGTH`].
///
/// ```
/// use std::time::Duration;
/// use net::{ReadOptions, SocketFlag};
/// let opts = ReadOptions::new().timeout(Duration::from_millis(50)).max_length(80).flag(SocketFlag::Peek);
/// assert_eq!(opts.max_length, 80);
/// ```
///
/// The fields can be read and assigned; the struct is `#[non_exhaustive]` (it may gain
/// options), so it is built with [`ReadOptions::new`] and the builder methods rather than a
/// struct literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
#[non_exhaustive]
pub struct ReadOptions {
    /// One budget for the whole call; `None` waits for ever. `Some(Duration::ZERO)` still
    /// returns what the OS already holds.
    pub timeout: Option<Duration>,
    /// `Peek` leaves the data for the next read; `SafeDisconn` turns a reset into end of stream.
    pub flags: SocketFlags,
    /// For line reads: the longest piece returned at once. Must be at least 1.
    pub max_length: usize,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { timeout: None, flags: SocketFlags::default(), max_length: MAX_LINE_LENGTH }
    }
}

impl ReadOptions {
    /// Nim's defaults.
    ///
    /// ```
    /// assert_eq!(net::ReadOptions::new(), net::ReadOptions::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the time budget of the call.
    ///
    /// ```
    /// let o = net::ReadOptions::new().timeout(std::time::Duration::from_secs(1));
    /// assert!(o.timeout.is_some());
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the time budget from an `Option`: `None` waits for ever.
    ///
    /// ```
    /// use std::time::Duration;
    /// let budget: Option<Duration> = None;
    /// assert_eq!(net::ReadOptions::new().timeout(Duration::from_secs(1)).timeout_opt(budget).timeout, None);
    /// ```
    pub fn timeout_opt(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Replaces the flags.
    ///
    /// ```
    /// let o = net::ReadOptions::new().flags(net::SocketFlags::empty());
    /// assert!(o.flags.is_empty());
    /// ```
    pub fn flags(mut self, flags: SocketFlags) -> Self {
        self.flags = flags;
        self
    }

    /// Adds one flag.
    ///
    /// ```
    /// use net::{ReadOptions, SocketFlag};
    /// assert!(ReadOptions::new().flag(SocketFlag::Peek).flags.contains(SocketFlag::Peek));
    /// ```
    pub fn flag(mut self, flag: SocketFlag) -> Self {
        self.flags = self.flags.with(flag);
        self
    }

    /// Sets the maximum line length.
    ///
    /// ```
    /// assert_eq!(net::ReadOptions::new().max_length(10).max_length, 10);
    /// ```
    pub fn max_length(mut self, max_length: usize) -> Self {
        self.max_length = max_length;
        self
    }
}

/// What a low-level line read found (Nim's `ReadLineResult`).
///
/// ```
/// use net::{ReadLineResult, ReadOptions, Socket};
/// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
/// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
/// a.send(b"one\ntw")?;
/// a.close();
/// let mut line = Vec::new();
/// assert_eq!(b.read_line_bytes(&mut line, &ReadOptions::new())?, ReadLineResult::FullLine);
/// assert_eq!(line, b"one");
/// assert_eq!(b.read_line_bytes(&mut line, &ReadOptions::new())?, ReadLineResult::PartialLine);
/// assert_eq!(line, b"tw");
/// assert_eq!(b.read_line_bytes(&mut line, &ReadOptions::new())?, ReadLineResult::Disconnected);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReadLineResult {
    /// A whole line, its terminator (`\r\n`, `\n` or `\r`) removed.
    #[doc(alias = "ReadFullLine")]
    FullLine,
    /// Part of a line: a piece of exactly `max_length` bytes of a longer line, or the last
    /// bytes before the end of the stream, which had no terminator.
    #[doc(alias = "ReadPartialLine")]
    PartialLine,
    /// End of stream (or a reset under `SafeDisconn`) with nothing left to return.
    #[doc(alias = "ReadDisconnected")]
    Disconnected,
    /// The timeout expired before a line was complete; the bytes stay buffered.
    #[doc(alias = "ReadNone")]
    None,
}
