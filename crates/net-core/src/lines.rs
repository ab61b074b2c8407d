//! Reading lines: `read_line`, `recv_line` and the low-level `read_line_bytes`.

use crate::conn::{Call, Got};
use crate::error::{Error, Result};
use crate::fill::Fill;
use crate::flags::SocketFlag;
use crate::io::deadline_after;
use crate::read_options::{ReadLineResult, ReadOptions};
use crate::socket::Socket;

/// Where a line ends in the buffer.
#[derive(Debug, Clone, Copy)]
struct LineEnd {
    result: ReadLineResult,
    /// The line's bytes, terminator excluded.
    len: usize,
    /// What the line takes from the buffer, terminator included.
    consume: usize,
}

impl LineEnd {
    const TIMED_OUT: LineEnd = LineEnd { result: ReadLineResult::None, len: 0, consume: 0 };
    const DISCONNECTED: LineEnd = LineEnd { result: ReadLineResult::Disconnected, len: 0, consume: 0 };

    fn full(len: usize, consume: usize) -> LineEnd {
        LineEnd { result: ReadLineResult::FullLine, len, consume }
    }

    fn partial(len: usize) -> LineEnd {
        LineEnd { result: ReadLineResult::PartialLine, len, consume: len }
    }
}

/// The first `\n` or `\r` in `hay` (memchr's vectorised two-byte search).
pub(crate) fn find_eol(hay: &[u8]) -> Option<usize> {
    memchr::memchr2(b'\n', b'\r', hay)
}

/// The lines of a socket, from [`Socket::lines`].
///
/// ```
/// use net::{Lines, ReadOptions, Socket};
/// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
/// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
/// a.send(b"x\ny\n")?;
/// a.close();
/// let mut lines: Lines<'_> = b.lines(ReadOptions::new());
/// assert_eq!(lines.next().transpose()?, Some("x".to_string()));
/// assert_eq!(lines.count(), 1);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct Lines<'a> {
    socket: &'a mut Socket,
    opts: ReadOptions,
}

impl Iterator for Lines<'_> {
    type Item = Result<String>;

    /// The next line without its terminator (an empty line is `""`, not Nim's `"\r\n"`);
    /// `None` at the end of the stream. A timeout or an error is an item; the iterator can go
    /// on after it.
    fn next(&mut self) -> Option<Result<String>> {
        let mut line = String::new();
        match self.socket.read_line_with(&mut line, &self.opts) {
            Ok(()) if line.is_empty() => None,
            Ok(()) if line == "\r\n" => Some(Ok(String::new())),
            Ok(()) => Some(Ok(line)),
            Err(e) => Some(Err(e)),
        }
    }
}

impl Socket {
    /// The lines of the stream, by this library's rules (terminators `\r\n`, `\n` or a lone
    /// `\r`; a last line without one is a line), until the end of the stream. Each line is
    /// read with `opts` (a timeout, a maximum length).
    ///
    /// ```
    /// use net::{ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"one\r\n\ntwo\rlast")?;
    /// a.close();
    /// let lines: Vec<String> = b.lines(ReadOptions::new()).collect::<Result<_, _>>()?;
    /// assert_eq!(lines, ["one", "", "two", "last"]);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn lines(&mut self, opts: ReadOptions) -> Lines<'_> {
        Lines { socket: self, opts }
    }

    /// Reads more of a line that is not complete yet; `want` is how many more bytes would
    /// settle it (an unbuffered socket reads no more than that).
    fn more_of_line(&mut self, call: &Call, want: usize) -> Result<Fill> {
        if self.exact() {
            self.refill_line_exact(call, want)
        } else {
            self.refill(call, if self.buffered { 0 } else { want }, 0)
        }
    }

    /// After a `\r` that is the last byte held: makes the next byte visible if it is `\n`.
    /// `Fill::End` also when the next byte is something else (the line ends at the `\r`).
    fn after_cr(&mut self, call: &Call) -> Result<Fill> {
        if !self.exact() {
            return self.refill(call, 1, 0);
        }
        let mut next = [0u8; 1];
        match self.conn.read(call, &mut next, true)? {
            Got::Data(_) if next[0] == b'\n' => self.refill_line_exact(call, 1),
            Got::Data(_) => Ok(Fill::End),
            got => crate::fill::settle(&mut self.conn, call, got, true),
        }
    }

    /// Finds the next line in the buffer, reading more as needed; consumes nothing.
    fn scan_line(&mut self, op: &'static str, opts: &ReadOptions) -> Result<LineEnd> {
        if opts.max_length == 0 {
            return Err(Error::InvalidArgument { op, reason: "max_length must be at least 1".into() });
        }
        self.conn.ready(op)?;
        let call = Call { op, deadline: deadline_after(opts.timeout), flags: opts.flags };
        let max = opts.max_length;
        // One byte past the longest piece tells whether the line goes on.
        let window_len = max.saturating_add(1);
        let mut scanned = 0;
        loop {
            let avail = self.buf.available();
            let window = &avail[..avail.len().min(window_len)];
            match find_eol(&window[scanned..]).map(|i| i + scanned) {
                Some(i) if avail[i] == b'\n' => return Ok(LineEnd::full(i, i + 1)),
                Some(i) if i + 1 < avail.len() => {
                    return Ok(LineEnd::full(i, i + 1 + usize::from(avail[i + 1] == b'\n')))
                }
                Some(i) => {
                    scanned = i;
                    match self.after_cr(&call)? {
                        Fill::Data => continue,
                        Fill::End => return Ok(LineEnd::full(i, i + 1)),
                        Fill::TimedOut => return Ok(LineEnd::TIMED_OUT),
                    }
                }
                None if window.len() > max => return Ok(LineEnd::partial(max)),
                None => {
                    scanned = window.len();
                    let want = window_len - window.len();
                    match self.more_of_line(&call, want)? {
                        Fill::Data => continue,
                        Fill::TimedOut => return Ok(LineEnd::TIMED_OUT),
                        Fill::End if self.buf.is_empty() => return Ok(LineEnd::DISCONNECTED),
                        Fill::End => return Ok(LineEnd::partial(self.buf.len())),
                    }
                }
            }
        }
    }

    fn finish_line(&mut self, end: &LineEnd, opts: &ReadOptions) {
        if !opts.flags.contains(SocketFlag::Peek) {
            self.buf.consume(end.consume);
            self.buf.release_if_drained();
        }
    }

    /// Reads a line as bytes into `line` (cleared first) and says what was found; needs no
    /// sentinel: an empty line is `FullLine` with nothing in `line`. A timeout is
    /// [`ReadLineResult::None`], with the bytes kept for the next call.
    ///
    /// ```
    /// use net::{ReadLineResult, ReadOptions, Socket};
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
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "readLine")]
    pub fn read_line_bytes(&mut self, line: &mut Vec<u8>, opts: &ReadOptions) -> Result<ReadLineResult> {
        line.clear();
        let end = self.scan_line("read_line", opts)?;
        line.extend_from_slice(&self.buf.available()[..end.len]);
        self.finish_line(&end, opts);
        Ok(end.result)
    }

    /// Reads a line into `line` (Nim's `readLine`, with Nim's defaults).
    ///
    /// Terminators are `\r\n`, `\n` and a lone `\r`, and are removed; an empty line is
    /// returned as `"\r\n"`; the end of the stream as `""`. A last line without terminator is
    /// returned as it is.
    ///
    /// ```
    /// use net::Socket;
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
    /// # Ok::<(), net::Error>(())
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
    /// use net::{ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"abcdefg\n")?;
    /// let mut line = String::new();
    /// b.read_line_with(&mut line, &ReadOptions::new().max_length(4))?;
    /// assert_eq!(line, "abcd");
    /// b.read_line_with(&mut line, &ReadOptions::new().max_length(4))?;
    /// assert_eq!(line, "efg");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "readLine")]
    pub fn read_line_with(&mut self, line: &mut String, opts: &ReadOptions) -> Result<()> {
        line.clear();
        // The common case: a whole ASCII line already buffered.
        if opts.max_length > 0 {
            if let Some((text, take)) = crate::scan::ascii_line(self.buf.available(), opts.max_length.saturating_add(1))
            {
                line.push_str(if text.is_empty() { "\r\n" } else { text });
                self.finish_line(&LineEnd::full(text.len(), take), opts);
                return Ok(());
            }
        }
        let end = self.scan_line("read_line", opts)?;
        if end.result == ReadLineResult::None {
            return Err(crate::nonblocking::stalled("read_line", opts.timeout));
        }
        match crate::scan::as_text(&self.buf.available()[..end.len]) {
            Ok(_) if end.len == 0 && end.result == ReadLineResult::FullLine => line.push_str("\r\n"),
            Ok(text) => line.push_str(text),
            Err(source) => {
                let bytes = self.buf.available()[..end.len].to_vec();
                self.finish_line(&end, opts);
                return Err(Error::NotUtf8 { source, bytes });
            }
        }
        self.finish_line(&end, opts);
        Ok(())
    }

    /// Reads a line and returns it (Nim's `recvLine`); same contract as [`Socket::read_line`].
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"a\rb\n")?;
    /// assert_eq!(b.recv_line()?, "a");
    /// assert_eq!(b.recv_line()?, "b");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recvLine")]
    pub fn recv_line(&mut self) -> Result<String> {
        self.recv_line_with(&ReadOptions::default())
    }

    /// [`Socket::recv_line`] with a timeout, flags and maximum length.
    ///
    /// ```
    /// use std::time::Duration;
    /// use net::{Error, ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"par")?;
    /// let opts = ReadOptions::new().timeout(Duration::from_millis(10));
    /// assert!(matches!(b.recv_line_with(&opts), Err(Error::Timeout { .. })));
    /// a.send(b"tial\n")?;
    /// assert_eq!(b.recv_line_with(&opts)?, "partial");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recvLine")]
    pub fn recv_line_with(&mut self, opts: &ReadOptions) -> Result<String> {
        let mut line = String::new();
        self.read_line_with(&mut line, opts)?;
        Ok(line)
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
