//! Receiving: raw and buffered `recv`, lines, `skip`, `Peek`, timeouts, `Read`/`BufRead`.
//!
//! Every read goes through [`Socket::stream_read`], so the descriptor and a secured session
//! behave the same. The rules that keep data safe live here:
//! - a timeout ends the call but leaves every byte read so far in the buffer;
//! - an error met after some bytes is kept (`deferred`) and reported by the next call;
//! - under `SafeDisconn` a reset reads as end of stream.

use std::io;
use std::time::{Duration, Instant};

use crate::buffer::ReadBuffer;
use crate::error::{is_disconnection_error, Error, Result};
use crate::flags::{SocketFlag, SocketFlags};
use crate::socket::{Socket, MAX_LINE_LENGTH};
use crate::stream::Stream;
use crate::sys;

/// Timeout, flags and maximum line length for a read (Nim's `timeout`, `flags`, `maxLength`).
///
/// The default is Nim's: no timeout, `{SafeDisconn}`, [`MAX_LINE_LENGTH`].
///
/// ```
/// use std::time::Duration;
/// use net_core::{ReadOptions, SocketFlag};
/// let opts = ReadOptions::new().timeout(Duration::from_millis(50)).max_length(80).flag(SocketFlag::Peek);
/// assert_eq!(opts.max_length, 80);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
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
    /// assert_eq!(net_core::ReadOptions::new(), net_core::ReadOptions::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the time budget of the call.
    ///
    /// ```
    /// let o = net_core::ReadOptions::new().timeout(std::time::Duration::from_secs(1));
    /// assert!(o.timeout.is_some());
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Replaces the flags.
    ///
    /// ```
    /// let o = net_core::ReadOptions::new().flags(net_core::SocketFlags::empty());
    /// assert!(o.flags.is_empty());
    /// ```
    pub fn flags(mut self, flags: SocketFlags) -> Self {
        self.flags = flags;
        self
    }

    /// Adds one flag.
    ///
    /// ```
    /// use net_core::{ReadOptions, SocketFlag};
    /// assert!(ReadOptions::new().flag(SocketFlag::Peek).flags.contains(SocketFlag::Peek));
    /// ```
    pub fn flag(mut self, flag: SocketFlag) -> Self {
        self.flags = self.flags.with(flag);
        self
    }

    /// Sets the maximum line length.
    ///
    /// ```
    /// assert_eq!(net_core::ReadOptions::new().max_length(10).max_length, 10);
    /// ```
    pub fn max_length(mut self, max_length: usize) -> Self {
        self.max_length = max_length;
        self
    }
}

/// What a low-level line read found (Nim's `ReadLineResult`).
///
/// ```
/// use net_core::{ReadLineResult, ReadOptions, Socket};
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
/// # Ok::<(), net_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// The outcome of one read from the stream.
pub(crate) enum Got {
    Data(usize),
    Eof,
    TimedOut,
    Failed(io::Error),
}

/// The outcome of topping up the buffer.
enum Fetch {
    Data,
    Eof,
    TimedOut,
    /// Only after a `\r` on an unbuffered socket: the next byte is not `\n` and stays unread.
    NotLf,
}

/// Where a line ends in the buffer.
struct LineEnd {
    result: ReadLineResult,
    len: usize,
    consume: usize,
}

/// The first `\n` or `\r` in `hay` (memchr's vectorised two-byte search).
fn find_eol(hay: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', hay)
}

fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.map(|t| Instant::now().checked_add(t).unwrap_or_else(|| Instant::now() + Duration::from_secs(86_400 * 365)))
}

impl Socket {
    /// Whether lines are read exactly (peek, then take up to the terminator) instead of by
    /// chunks: unbuffered sockets on the bare descriptor.
    fn exact(&self) -> bool {
        !self.buffered && matches!(self.stream, Stream::Plain)
    }

    /// One read from the descriptor or the session, bounded by `deadline`.
    pub(crate) fn stream_read(
        &mut self,
        op: &'static str,
        dst: &mut [u8],
        deadline: Option<Instant>,
        os_peek: bool,
    ) -> Result<Got> {
        let fd = self.raw(op)?;
        if let Some(e) = self.deferred.take() {
            return Ok(Got::Failed(e));
        }
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if let Some(left) = left {
            let ready = matches!(&self.stream, Stream::Secured(s) if s.pending_plaintext() > 0);
            if !ready {
                match sys::wait_readable(fd, left) {
                    Ok(true) => {}
                    Ok(false) => return Ok(Got::TimedOut),
                    Err(e) => return Ok(Got::Failed(e)),
                }
            }
        }
        let mut restore_failed = None;
        let res = match &mut self.stream {
            Stream::Plain => sys::recv(fd, dst, if os_peek { libc::MSG_PEEK } else { 0 }),
            Stream::Secured(session) => match left {
                None => session.read(dst),
                Some(left) => {
                    // A record may arrive in pieces: bound the session's blocking reads too,
                    // then put back whatever read timeout the socket had.
                    let inner = self.fd.as_ref().ok_or(Error::Closed { op })?;
                    let previous = inner.read_timeout().map_err(|e| Error::io(op, None, e))?;
                    // What is left after the wait above, not the whole budget again.
                    let left = deadline.map_or(left, |d| d.saturating_duration_since(Instant::now()));
                    let bound = left.max(Duration::from_millis(1));
                    inner.set_read_timeout(Some(bound)).map_err(|e| Error::io(op, None, e))?;
                    let r = session.read(dst);
                    restore_failed = inner.set_read_timeout(previous).err();
                    r
                }
            },
            Stream::Pending(_) => {
                return Err(Error::Unsupported {
                    op,
                    what: "a socket wrapped for TLS before its connect or accept".into(),
                })
            }
        };
        if let Some(e) = restore_failed {
            // Never drop bytes the session already handed over: report the failure next time.
            match res {
                Ok(n) if n > 0 => self.deferred = Some(e),
                _ => return Ok(Got::Failed(e)),
            }
        }
        Ok(match res {
            Ok(0) => Got::Eof,
            Ok(n) => Got::Data(n),
            Err(e) if left.is_some() && matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                Got::TimedOut
            }
            Err(e) => Got::Failed(e),
        })
    }

    /// What a failed read means: end of stream under `SafeDisconn`; with bytes already in hand,
    /// end of stream now and the error on the next call; otherwise the error.
    fn read_failed(&mut self, op: &'static str, flags: SocketFlags, e: io::Error, have_bytes: bool) -> Result<()> {
        if is_disconnection_error(flags, &e) {
            Ok(())
        } else if have_bytes {
            self.deferred = Some(e);
            Ok(())
        } else {
            Err(self.fail(op, None, e))
        }
    }

    /// Adds bytes to the buffer: up to a chunk when buffered, at most `want` when not (and,
    /// for `line` on the bare descriptor, no byte past the first line end). `held` is how many
    /// bytes of this call the caller already took out of the buffer.
    fn fetch(
        &mut self,
        op: &'static str,
        deadline: Option<Instant>,
        flags: SocketFlags,
        want: usize,
        line: bool,
        held: usize,
    ) -> Result<Fetch> {
        let refill = self.buf.refill_size();
        // Buffered: a refill (read-ahead adapts to the stream), or what a sized read asked for.
        // Unbuffered: never more than the call needs.
        let amount = match (self.buffered, line) {
            (true, true) => refill,
            (true, false) => want.max(refill),
            (false, _) => want.clamp(1, self.buf.chunk()),
        };
        let exact = line && self.exact();
        // Lend the buffer out so `stream_read` can borrow `self`; an empty one costs nothing.
        let mut spare = std::mem::replace(&mut self.buf, ReadBuffer::new(1));
        let room = &mut spare.spare(amount)[..amount];
        let got = self.stream_read(op, room, deadline, exact);
        let got = match got {
            Ok(Got::Data(n)) if exact => {
                // We peeked: take exactly up to the first line end, leave the rest in the OS.
                let take = find_eol(&room[..n]).map_or(n, |i| i + 1);
                let fd = self.raw(op)?;
                match sys::recv(fd, &mut room[..take], 0) {
                    Ok(0) => Ok(Got::Eof),
                    Ok(k) => Ok(Got::Data(k)),
                    Err(e) => Ok(Got::Failed(e)),
                }
            }
            other => other,
        };
        if let Ok(Got::Data(n)) = got {
            spare.filled(n);
            if self.buffered && amount == refill {
                spare.note_refill(amount, n);
            }
        }
        self.buf = spare;
        match got? {
            Got::Data(_) => Ok(Fetch::Data),
            Got::Eof => Ok(Fetch::Eof),
            Got::TimedOut => Ok(Fetch::TimedOut),
            Got::Failed(e) => {
                let have = held > 0 || !self.buf.is_empty();
                self.read_failed(op, flags, e, have).map(|()| Fetch::Eof)
            }
        }
    }

    /// After a `\r` that is the last byte held: make the next byte visible, if it is `\n`.
    fn fetch_after_cr(&mut self, op: &'static str, deadline: Option<Instant>, flags: SocketFlags) -> Result<Fetch> {
        if !self.exact() {
            return self.fetch(op, deadline, flags, 1, false, 0);
        }
        let mut next = [0u8; 1];
        match self.stream_read(op, &mut next, deadline, true)? {
            Got::Data(_) if next[0] == b'\n' => self.fetch(op, deadline, flags, 1, true, 0),
            Got::Data(_) => Ok(Fetch::NotLf),
            Got::Eof => Ok(Fetch::Eof),
            Got::TimedOut => Ok(Fetch::TimedOut),
            Got::Failed(e) => self.read_failed(op, flags, e, true).map(|()| Fetch::Eof),
        }
    }

    /// Finds the next line in the buffer, reading more as needed; consumes nothing.
    fn scan_line(&mut self, op: &'static str, opts: &ReadOptions) -> Result<LineEnd> {
        if opts.max_length == 0 {
            return Err(Error::InvalidArgument { op, reason: "max_length must be at least 1".into() });
        }
        self.raw(op)?;
        let deadline = deadline(opts.timeout);
        let max = opts.max_length;
        let full = |len, consume| Ok(LineEnd { result: ReadLineResult::FullLine, len, consume });
        let mut scanned = 0;
        loop {
            let avail = self.buf.available();
            let window = &avail[..avail.len().min(max + 1)];
            match find_eol(&window[scanned..]).map(|i| i + scanned) {
                Some(i) if avail[i] == b'\n' => return full(i, i + 1),
                Some(i) if i + 1 < avail.len() => return full(i, i + 1 + usize::from(avail[i + 1] == b'\n')),
                Some(i) => {
                    scanned = i;
                    match self.fetch_after_cr(op, deadline, opts.flags)? {
                        Fetch::Data => continue,
                        Fetch::NotLf | Fetch::Eof => return full(i, i + 1),
                        Fetch::TimedOut => return Ok(LineEnd { result: ReadLineResult::None, len: 0, consume: 0 }),
                    }
                }
                None if window.len() > max => {
                    return Ok(LineEnd { result: ReadLineResult::PartialLine, len: max, consume: max })
                }
                None => {
                    scanned = window.len();
                    let want = max + 1 - window.len();
                    match self.fetch(op, deadline, opts.flags, want, true, 0)? {
                        Fetch::Data | Fetch::NotLf => continue,
                        Fetch::TimedOut => return Ok(LineEnd { result: ReadLineResult::None, len: 0, consume: 0 }),
                        Fetch::Eof if self.buf.is_empty() => {
                            return Ok(LineEnd { result: ReadLineResult::Disconnected, len: 0, consume: 0 })
                        }
                        Fetch::Eof => {
                            let len = self.buf.len();
                            return Ok(LineEnd { result: ReadLineResult::PartialLine, len, consume: len });
                        }
                    }
                }
            }
        }
    }

    fn finish_line(&mut self, end: &LineEnd, flags: SocketFlags) {
        if !flags.contains(SocketFlag::Peek) {
            self.buf.consume(end.consume);
            self.buf.shrink_if_idle();
        }
    }

    /// Reads a line as bytes into `line` (cleared first) and says what was found; needs no
    /// sentinel: an empty line is `FullLine` with nothing in `line`. A timeout is
    /// [`ReadLineResult::None`], with the bytes kept for the next call.
    ///
    /// ```
    /// use net_core::{ReadLineResult, ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"\r\nab")?;
    /// let mut line = Vec::new();
    /// let opts = ReadOptions::new().timeout(std::time::Duration::from_millis(20));
    /// assert_eq!(b.read_line_bytes(&mut line, &opts)?, ReadLineResult::FullLine);
    /// assert!(line.is_empty());
    /// assert_eq!(b.read_line_bytes(&mut line, &opts)?, ReadLineResult::None);
    /// a.send(b"c\n")?;
    /// assert_eq!(b.read_line_bytes(&mut line, &opts)?, ReadLineResult::FullLine);
    /// assert_eq!(line, b"abc");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "readLine")]
    pub fn read_line_bytes(&mut self, line: &mut Vec<u8>, opts: &ReadOptions) -> Result<ReadLineResult> {
        line.clear();
        let end = self.scan_line("read_line", opts)?;
        line.extend_from_slice(&self.buf.available()[..end.len]);
        self.finish_line(&end, opts.flags);
        Ok(end.result)
    }

    /// Reads a line into `line` (Nim's `readLine`, with Nim's defaults).
    ///
    /// Terminators are `\r\n`, `\n` and a lone `\r`, and are removed; an empty line is
    /// returned as `"\r\n"`; the end of the stream as `""`. A last line without terminator is
    /// returned as it is.
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"hi\r\n\r\n")?;
    /// a.close();
    /// let mut line = String::new();
    /// b.read_line(&mut line)?;
    /// assert_eq!(line, "hi");
    /// b.read_line(&mut line)?;
    /// assert_eq!(line, "\r\n");
    /// b.read_line(&mut line)?;
    /// assert_eq!(line, "");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "readLine")]
    pub fn read_line(&mut self, line: &mut String) -> Result<()> {
        self.read_line_with(line, &ReadOptions::default())
    }

    /// [`Socket::read_line`] with a timeout, flags and maximum length. A line longer than
    /// `max_length` comes back in pieces of exactly `max_length` bytes. On a timeout the
    /// error is [`Error::Timeout`] and the bytes stay buffered; bytes that are not UTF-8 give
    /// [`Error::NotUtf8`], holding them.
    ///
    /// ```
    /// use net_core::{ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"abcdefg\n")?;
    /// let mut line = String::new();
    /// b.read_line_with(&mut line, &ReadOptions::new().max_length(4))?;
    /// assert_eq!(line, "abcd");
    /// b.read_line_with(&mut line, &ReadOptions::new().max_length(4))?;
    /// assert_eq!(line, "efg");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "readLine")]
    pub fn read_line_with(&mut self, line: &mut String, opts: &ReadOptions) -> Result<()> {
        line.clear();
        let end = self.scan_line("read_line", opts)?;
        if end.result == ReadLineResult::None {
            return Err(Error::Timeout { op: "read_line", after: opts.timeout.unwrap_or_default() });
        }
        // Check the line with its terminator, as std does: terminators are ASCII, so this is
        // valid exactly when the line is, and whole-word checks stay on their fast path.
        match std::str::from_utf8(&self.buf.available()[..end.consume]) {
            Ok(_) if end.len == 0 && end.result == ReadLineResult::FullLine => line.push_str("\r\n"),
            Ok(text) => line.push_str(&text[..end.len]),
            Err(_) => {
                let bytes = self.buf.available()[..end.len].to_vec();
                self.finish_line(&end, opts.flags);
                return Err(match String::from_utf8(bytes) {
                    Err(e) => Error::NotUtf8 { source: e.utf8_error(), bytes: e.into_bytes() },
                    // Unreachable by the argument above; keep the bytes all the same.
                    Ok(text) => {
                        line.push_str(&text);
                        return Ok(());
                    }
                });
            }
        }
        self.finish_line(&end, opts.flags);
        Ok(())
    }

    /// Reads a line and returns it (Nim's `recvLine`); same contract as [`Socket::read_line`].
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"a\rb\n")?;
    /// assert_eq!(b.recv_line()?, "a");
    /// assert_eq!(b.recv_line()?, "b");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recvLine")]
    pub fn recv_line(&mut self) -> Result<String> {
        self.recv_line_with(&ReadOptions::default())
    }

    /// [`Socket::recv_line`] with a timeout, flags and maximum length.
    ///
    /// ```
    /// use std::time::Duration;
    /// use net_core::{Error, ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"par")?;
    /// let opts = ReadOptions::new().timeout(Duration::from_millis(10));
    /// assert!(matches!(b.recv_line_with(&opts), Err(Error::Timeout { .. })));
    /// a.send(b"tial\n")?;
    /// assert_eq!(b.recv_line_with(&opts)?, "partial");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recvLine")]
    pub fn recv_line_with(&mut self, opts: &ReadOptions) -> Result<String> {
        let mut line = String::new();
        self.read_line_with(&mut line, opts)?;
        Ok(line)
    }

    /// Reads into `dst` (Nim's low-level `recv(pointer, size)`): a buffered socket waits until
    /// `dst` is full or the stream ends; an unbuffered one returns what the OS gives. `Ok(0)`
    /// is the end of the stream (or a reset, under `SafeDisconn`).
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"12345")?;
    /// let mut buf = [0u8; 5];
    /// assert_eq!(b.recv_into(&mut buf)?, 5);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_into(&mut self, dst: &mut [u8]) -> Result<usize> {
        self.recv_into_with(dst, &ReadOptions::default())
    }

    /// [`Socket::recv_into`] with a timeout and flags. With a timeout, an unbuffered socket
    /// returns as soon as something has arrived; a buffered one fails with
    /// [`Error::Timeout`] if `dst` could not be filled, keeping the bytes for the next call.
    /// `Peek` leaves the bytes to be read again.
    ///
    /// ```
    /// use net_core::{ReadOptions, Socket, SocketFlag};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"abc")?;
    /// let mut buf = [0u8; 3];
    /// b.recv_into_with(&mut buf, &ReadOptions::new().flag(SocketFlag::Peek))?;
    /// assert_eq!(b.recv(3)?, b"abc");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_into_with(&mut self, dst: &mut [u8], opts: &ReadOptions) -> Result<usize> {
        const OP: &str = "recv";
        self.raw(OP)?;
        if dst.is_empty() {
            return Ok(0);
        }
        let peek = opts.flags.contains(SocketFlag::Peek);
        let deadline = deadline(opts.timeout);
        let timeout = || Error::Timeout { op: OP, after: opts.timeout.unwrap_or_default() };
        if !self.buffered {
            if self.buf.is_empty() {
                if peek && !self.exact() {
                    // A session cannot peek: read into the buffer, which keeps the bytes.
                    if let Fetch::TimedOut = self.fetch(OP, deadline, opts.flags, dst.len(), false, 0)? {
                        return Err(timeout());
                    }
                } else {
                    return match self.stream_read(OP, dst, deadline, peek)? {
                        Got::Data(n) => Ok(n),
                        Got::Eof => Ok(0),
                        Got::TimedOut => Err(timeout()),
                        Got::Failed(e) => self.read_failed(OP, opts.flags, e, false).map(|()| 0),
                    };
                }
            }
            return Ok(self.buf.copy_to(dst, peek));
        }
        if deadline.is_none() && !peek {
            return self.recv_direct(dst, opts.flags);
        }
        // Gather in the buffer until `dst` can be filled, so a timeout loses nothing.
        while self.buf.len() < dst.len() {
            let want = dst.len() - self.buf.len();
            match self.fetch(OP, deadline, opts.flags, want, false, 0)? {
                Fetch::Data | Fetch::NotLf => {}
                Fetch::Eof => break,
                Fetch::TimedOut => return Err(timeout()),
            }
        }
        Ok(self.buf.copy_to(dst, peek))
    }

    /// Buffered read with no deadline: drain the buffer, then read large remainders straight
    /// into `dst` (no copy), small ones through the buffer.
    fn recv_direct(&mut self, dst: &mut [u8], flags: SocketFlags) -> Result<usize> {
        const OP: &str = "recv";
        let mut n = self.buf.copy_to(dst, false);
        while n < dst.len() {
            if dst.len() - n < self.buf.chunk() {
                match self.fetch(OP, None, flags, 0, false, n)? {
                    Fetch::Data | Fetch::NotLf => n += self.buf.copy_to(&mut dst[n..], false),
                    Fetch::Eof | Fetch::TimedOut => break,
                }
                continue;
            }
            match self.stream_read(OP, &mut dst[n..], None, false)? {
                Got::Data(k) => n += k,
                Got::Eof | Got::TimedOut => break,
                Got::Failed(e) => {
                    self.read_failed(OP, flags, e, n > 0)?;
                    break;
                }
            }
        }
        Ok(n)
    }

    /// Reads up to `size` bytes (Nim's `recv(size): string`, as bytes). Empty at end of stream.
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"hey")?;
    /// a.close();
    /// assert_eq!(b.recv(10)?, b"hey");
    /// assert!(b.recv(10)?.is_empty());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn recv(&mut self, size: usize) -> Result<Vec<u8>> {
        self.recv_with(size, &ReadOptions::default())
    }

    /// [`Socket::recv`] with a timeout and flags.
    ///
    /// ```
    /// use std::time::Duration;
    /// use net_core::{ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let mut b = Socket::builder().buffered(false).from_fd(b.into());
    /// let mut a = Socket::from(a);
    /// a.send(b"ab")?;
    /// let got = b.recv_with(10, &ReadOptions::new().timeout(Duration::from_secs(1)))?;
    /// assert_eq!(got, b"ab");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_with(&mut self, size: usize, opts: &ReadOptions) -> Result<Vec<u8>> {
        let mut data = vec![0u8; size];
        let n = self.recv_into_with(&mut data, opts)?;
        data.truncate(n);
        Ok(data)
    }

    /// Reads up to `size` bytes as text (Nim's `recv(size): string`). Bytes that are not
    /// UTF-8 give [`Error::NotUtf8`] holding them.
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send("héllo".as_bytes())?;
    /// assert_eq!(b.recv_string(6)?, "héllo");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_string(&mut self, size: usize) -> Result<String> {
        self.recv_string_with(size, &ReadOptions::default())
    }

    /// [`Socket::recv_string`] with a timeout and flags.
    ///
    /// ```
    /// use net_core::{Error, ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(&[0xff, 0xfe])?;
    /// match b.recv_string_with(2, &ReadOptions::new()) {
    ///     Err(Error::NotUtf8 { bytes, .. }) => assert_eq!(bytes, [0xff, 0xfe]),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_string_with(&mut self, size: usize, opts: &ReadOptions) -> Result<String> {
        let bytes = self.recv_with(size, opts)?;
        String::from_utf8(bytes).map_err(|e| {
            let source = e.utf8_error();
            Error::NotUtf8 { bytes: e.into_bytes(), source }
        })
    }

    /// Discards `size` bytes (Nim's `skip`); returns how many were skipped, fewer when the
    /// stream ends first.
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"HDR!body\n")?;
    /// assert_eq!(b.skip(4)?, 4);
    /// assert_eq!(b.recv_line()?, "body");
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn skip(&mut self, size: usize) -> Result<usize> {
        self.skip_with(size, None)
    }

    /// [`Socket::skip`] with one time budget: it stops early, returning the count skipped, at
    /// the end of the stream or when the budget runs out.
    ///
    /// ```
    /// use std::time::Duration;
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"ab")?;
    /// assert_eq!(b.skip_with(10, Some(Duration::from_millis(20)))?, 2);
    /// # Ok::<(), net_core::Error>(())
    /// ```
    pub fn skip_with(&mut self, size: usize, timeout: Option<Duration>) -> Result<usize> {
        const OP: &str = "skip";
        self.raw(OP)?;
        let deadline = deadline(timeout);
        let flags = SocketFlags::default();
        let mut skipped = 0;
        loop {
            let n = self.buf.len().min(size - skipped);
            self.buf.consume(n);
            skipped += n;
            if skipped == size {
                break;
            }
            match self.fetch(OP, deadline, flags, size - skipped, false, skipped)? {
                Fetch::Data | Fetch::NotLf => {}
                Fetch::Eof | Fetch::TimedOut => break,
            }
        }
        self.buf.shrink_if_idle();
        Ok(skipped)
    }

    /// Whether bytes are waiting in user space: in the read buffer, or decrypted in a secured
    /// session (Nim's `hasDataBuffered`).
    ///
    /// ```
    /// use net_core::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"one\ntwo\n")?;
    /// assert!(!b.has_data_buffered());
    /// b.recv_line()?;
    /// assert!(b.has_data_buffered());
    /// # Ok::<(), net_core::Error>(())
    /// ```
    #[doc(alias = "hasDataBuffered")]
    pub fn has_data_buffered(&self) -> bool {
        !self.buf.is_empty() || matches!(&self.stream, Stream::Secured(s) if s.pending_plaintext() > 0)
    }

    /// Returns what is available, waiting only when nothing is (the `io::Read` contract).
    fn read_available(&mut self, dst: &mut [u8]) -> Result<usize> {
        const OP: &str = "read";
        if dst.is_empty() || !self.buf.is_empty() {
            self.raw(OP)?;
            return Ok(self.buf.copy_to(dst, false));
        }
        if self.buffered && dst.len() < self.buf.chunk() {
            self.fetch(OP, None, SocketFlags::empty(), 0, false, 0)?;
            return Ok(self.buf.copy_to(dst, false));
        }
        match self.stream_read(OP, dst, None, false)? {
            Got::Data(n) => Ok(n),
            Got::Eof | Got::TimedOut => Ok(0),
            Got::Failed(e) => Err(self.fail(OP, None, e)),
        }
    }
}

/// `read` returns what is available (waiting only when nothing is), through the buffer and
/// the secured session; a reset is an error here, as with std sockets.
impl io::Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.read_available(buf).map_err(io::Error::from)
    }
}

/// The read buffer as a `BufRead`, so std's `lines()`, `read_until()`... work.
impl io::BufRead for Socket {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.buf.is_empty() {
            self.fetch("read", None, SocketFlags::empty(), 0, false, 0)?;
        }
        Ok(self.buf.available())
    }

    fn consume(&mut self, amt: usize) {
        self.buf.consume(amt.min(self.buf.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::find_eol;

    #[test]
    fn find_eol_matches_a_plain_scan() {
        let mut data: Vec<u8> = (0..200u8).map(|i| b'a' + i % 26).collect();
        assert_eq!(find_eol(&data), None);
        for pos in [0, 1, 7, 8, 9, 63, 64, 150, 199] {
            for term in [b'\n', b'\r'] {
                let old = data[pos];
                data[pos] = term;
                assert_eq!(find_eol(&data), Some(pos), "terminator {term} at {pos}");
                // High bytes next to the terminator must not confuse the word scan.
                if pos > 0 {
                    data[pos - 1] = 0xff;
                    assert_eq!(find_eol(&data), Some(pos));
                }
                data[pos] = old;
            }
        }
        assert_eq!(find_eol(b""), None);
        assert_eq!(find_eol(b"\x0b\x0c\x0e\x8a\x8d"), None);
    }
}
