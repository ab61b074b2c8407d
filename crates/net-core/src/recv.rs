//! Receiving bytes: `recv`, `recv_into`, `recv_string`, `skip`, `Peek`, `io::Read`/`BufRead`.

use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::time::Duration;

use crate::conn::{Call, Conn, Got};
use crate::error::{Error, Result};
use crate::fill::Fill;
use crate::flags::{SocketFlag, SocketFlags};
use crate::io::deadline_after;
use crate::read_options::ReadOptions;
use crate::socket::Socket;
use crate::stream::Stream;
use crate::sys;

impl Socket {
    /// Reads into `dst` (Nim's low-level `recv(pointer, size)`): a buffered socket waits until
    /// `dst` is full or the stream ends; an unbuffered one returns what the OS gives. `Ok(0)`
    /// is the end of the stream (or a reset, under `SafeDisconn`).
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"12345")?;
    /// let mut buf = [0u8; 5];
    /// assert_eq!(b.recv_into(&mut buf)?, 5);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recv")]
    #[inline]
    pub fn recv_into(&mut self, dst: &mut [u8]) -> Result<usize> {
        self.recv_into_flags(dst, SocketFlags::default())
    }

    /// `recv_into` without a timeout or `Peek`: the bulk path, inlined into the caller's loop.
    #[inline]
    fn recv_into_flags(&mut self, dst: &mut [u8], flags: SocketFlags) -> Result<usize> {
        if let Some(fd) = self.straight_fd(dst.len()) {
            return match sys::recv(fd, dst, 0) {
                Ok(k) if k == dst.len() || k == 0 || !self.buffered => Ok(k),
                got => self.recv_straight_rest(dst, got, flags),
            };
        }
        self.recv_general(dst, &ReadOptions::new().flags(flags))
    }

    /// [`Socket::recv_into`] with a timeout and flags. With a timeout, an unbuffered socket
    /// returns as soon as something has arrived; a buffered one fails with
    /// [`Error::Timeout`] if `dst` could not be filled, keeping the bytes for the next call.
    /// `Peek` leaves the bytes to be read again.
    ///
    /// ```
    /// use net::{ReadOptions, Socket, SocketFlag};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"abc")?;
    /// let mut buf = [0u8; 3];
    /// b.recv_into_with(&mut buf, &ReadOptions::new().flag(SocketFlag::Peek))?;
    /// assert_eq!(b.recv(3)?, b"abc");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_into_with(&mut self, dst: &mut [u8], opts: &ReadOptions) -> Result<usize> {
        if opts.timeout.is_none() && !opts.flags.contains(SocketFlag::Peek) {
            return self.recv_into_flags(dst, opts.flags);
        }
        self.recv_general(dst, opts)
    }

    #[inline(never)]
    fn recv_general(&mut self, dst: &mut [u8], opts: &ReadOptions) -> Result<usize> {
        let call = Call { op: "recv", deadline: deadline_after(opts.timeout), flags: opts.flags };
        self.conn.ready(call.op)?;
        let n = self.recv_call(&call, dst, opts)?;
        if !opts.flags.contains(SocketFlag::Peek) {
            self.buf.release_if_drained();
        }
        Ok(n)
    }

    /// The descriptor, when the bulk path applies: the bare descriptor, nothing buffered or
    /// deferred, no deadline, and a read of at least a chunk, which goes straight into the
    /// caller's slice with `recv(2)` (until it is full, when buffered).
    #[inline]
    fn straight_fd(&self, len: usize) -> Option<RawFd> {
        match &self.conn {
            Conn { io: Some(io), stream: Stream::Plain, deferred: None, .. }
                if self.buf.is_empty() && len >= self.buf.chunk() && !io.has_deadline() =>
            {
                Some(io.as_raw_fd())
            }
            _ => None,
        }
    }

    /// The bulk path after a first `recv` that did not settle the call: fills the rest of
    /// `dst`, or resolves a failure by the rules of [`Conn::read_failed`].
    #[inline(never)]
    fn recv_straight_rest(&mut self, dst: &mut [u8], first: io::Result<usize>, flags: SocketFlags) -> Result<usize> {
        let mut got = first;
        let mut n = 0;
        loop {
            match got {
                Ok(k) if k > 0 && n + k < dst.len() => n += k,
                Ok(k) => return Ok(n + k),
                Err(e) => {
                    let call = Call { op: "recv", deadline: None, flags };
                    return crate::fill::settle(&mut self.conn, &call, Got::Failed(e), n > 0).map(|_| n);
                }
            }
            got = match self.straight_fd(dst.len()) {
                Some(fd) => sys::recv(fd, &mut dst[n..], 0),
                None => return Err(Error::Closed { op: "recv" }),
            };
        }
    }

    fn recv_call(&mut self, call: &Call, dst: &mut [u8], opts: &ReadOptions) -> Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        let peek = call.flags.contains(SocketFlag::Peek);
        let timeout = || crate::nonblocking::stalled(call.op, opts.timeout);
        if !self.buffered {
            if self.buf.is_empty() {
                if peek && !self.exact() {
                    // A session cannot peek: read into the buffer, which keeps the bytes.
                    if self.refill(call, dst.len(), 0)? == Fill::TimedOut {
                        return Err(timeout());
                    }
                } else {
                    return match self.conn.read(call, dst, peek)? {
                        Got::Data(n) => Ok(n),
                        Got::TimedOut => Err(timeout()),
                        got => crate::fill::settle(&mut self.conn, call, got, false).map(|_| 0),
                    };
                }
            }
            return Ok(self.buf.copy_to(dst, peek));
        }
        if call.deadline.is_none() && !peek {
            return self.recv_direct(call, dst);
        }
        // Gather in the buffer until `dst` can be filled, so a timeout loses nothing.
        while self.buf.len() < dst.len() {
            match self.refill(call, dst.len() - self.buf.len(), 0)? {
                Fill::Data => {}
                Fill::End => break,
                Fill::TimedOut => return Err(timeout()),
            }
        }
        Ok(self.buf.copy_to(dst, peek))
    }

    /// Buffered read with no deadline: drain the buffer, then read straight into a large
    /// `dst` (no copy); a small one is filled through the buffer, which reads ahead.
    fn recv_direct(&mut self, call: &Call, dst: &mut [u8]) -> Result<usize> {
        let mut n = self.buf.copy_to(dst, false);
        let small = dst.len() < self.buf.chunk();
        while n < dst.len() {
            if small {
                match self.refill(call, 0, n)? {
                    Fill::Data => n += self.buf.copy_to(&mut dst[n..], false),
                    Fill::TimedOut if n == 0 => return Err(crate::nonblocking::stalled(call.op, None)),
                    Fill::End | Fill::TimedOut => break,
                }
                continue;
            }
            match self.conn.read(call, &mut dst[n..], false)? {
                Got::Data(k) => n += k,
                got => {
                    if crate::fill::settle(&mut self.conn, call, got, n > 0)? == Fill::TimedOut && n == 0 {
                        return Err(crate::nonblocking::stalled(call.op, None));
                    }
                    break;
                }
            }
        }
        Ok(n)
    }

    /// Reads up to `size` bytes (Nim's `recv(size): string`, as bytes). Empty at end of stream.
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"hey")?;
    /// a.close();
    /// assert_eq!(b.recv(10)?, b"hey");
    /// assert!(b.recv(10)?.is_empty());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn recv(&mut self, size: usize) -> Result<Vec<u8>> {
        self.recv_with(size, &ReadOptions::default())
    }

    /// [`Socket::recv`] with a timeout and flags.
    ///
    /// ```
    /// use std::time::Duration;
    /// use net::{ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let mut b = Socket::builder().buffered(false).from_fd(b.into());
    /// let mut a = Socket::from(a);
    /// a.send(b"ab")?;
    /// let got = b.recv_with(10, &ReadOptions::new().timeout(Duration::from_secs(1)))?;
    /// assert_eq!(got, b"ab");
    /// # Ok::<(), net::Error>(())
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
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send("héllo".as_bytes())?;
    /// assert_eq!(b.recv_string(6)?, "héllo");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "recv")]
    pub fn recv_string(&mut self, size: usize) -> Result<String> {
        self.recv_string_with(size, &ReadOptions::default())
    }

    /// [`Socket::recv_string`] with a timeout and flags.
    ///
    /// ```
    /// use net::{Error, ReadOptions, Socket};
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(&[0xff, 0xfe])?;
    /// match b.recv_string_with(2, &ReadOptions::new()) {
    ///     Err(Error::NotUtf8 { bytes, .. }) => assert_eq!(bytes, [0xff, 0xfe]),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), net::Error>(())
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
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"HDR!body\n")?;
    /// assert_eq!(b.skip(4)?, 4);
    /// assert_eq!(b.recv_line()?, "body");
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn skip(&mut self, size: usize) -> Result<usize> {
        self.skip_with(size, None)
    }

    /// [`Socket::skip`] with one time budget: it stops early, returning the count skipped, at
    /// the end of the stream or when the budget runs out.
    ///
    /// ```
    /// use std::time::Duration;
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"ab")?;
    /// assert_eq!(b.skip_with(10, Some(Duration::from_millis(20)))?, 2);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn skip_with(&mut self, size: usize, timeout: Option<Duration>) -> Result<usize> {
        let call = Call { op: "skip", deadline: deadline_after(timeout), flags: SocketFlags::default() };
        self.conn.ready(call.op)?;
        let mut skipped = 0;
        let result = loop {
            let n = self.buf.len().min(size - skipped);
            self.buf.consume(n);
            skipped += n;
            if skipped == size {
                break Ok(skipped);
            }
            match self.refill(&call, size - skipped, skipped) {
                Ok(Fill::Data) => {}
                Ok(Fill::End | Fill::TimedOut) => break Ok(skipped),
                Err(e) => break Err(e),
            }
        };
        self.buf.release_if_drained();
        result
    }

    /// Whether bytes are waiting in user space: in the read buffer, or decrypted in a secured
    /// session (Nim's `hasDataBuffered`).
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"one\ntwo\n")?;
    /// assert!(!b.has_data_buffered());
    /// b.recv_line()?;
    /// assert!(b.has_data_buffered());
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "hasDataBuffered")]
    pub fn has_data_buffered(&self) -> bool {
        !self.buf.is_empty() || self.conn.has_pending_plaintext()
    }

    /// Returns what is available, waiting only when nothing is (the `io::Read` contract).
    fn read_available(&mut self, dst: &mut [u8]) -> Result<usize> {
        let call = Call { op: "read", deadline: None, flags: SocketFlags::empty() };
        self.conn.ready(call.op)?;
        if dst.is_empty() || !self.buf.is_empty() {
            let n = self.buf.copy_to(dst, false);
            self.buf.release_if_drained();
            return Ok(n);
        }
        if self.buffered && dst.len() < self.buf.chunk() {
            if self.refill(&call, 0, 0)? == Fill::TimedOut {
                return Err(crate::nonblocking::stalled(call.op, None));
            }
            return Ok(self.buf.copy_to(dst, false));
        }
        match self.conn.read(&call, dst, false)? {
            Got::Data(n) => Ok(n),
            Got::Eof => Ok(0),
            Got::TimedOut => Err(crate::nonblocking::stalled(call.op, None)),
            Got::Failed(e) => Err(self.conn.fail(call.op, None, e)),
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
            let call = Call { op: "read", deadline: None, flags: SocketFlags::empty() };
            self.conn.ready(call.op)?;
            if self.refill(&call, 0, 0)? == Fill::TimedOut {
                return Err(crate::nonblocking::stalled(call.op, None).into());
            }
        }
        Ok(self.buf.available())
    }

    fn consume(&mut self, amt: usize) {
        self.buf.consume(amt.min(self.buf.len()));
        self.buf.release_if_drained();
    }
}
