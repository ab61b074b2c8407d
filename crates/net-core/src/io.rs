//! [`SocketIo`]: the descriptor every read and write goes through, with the deadline of the
//! call in progress.
//!
//! A call with a time budget (a timed read, `connect_timeout`, a TLS handshake, the linger of
//! `close`) records its deadline here; every blocking read or write then waits with `poll(2)`
//! until that deadline, whether the socket or a TLS session makes it. No socket option is
//! touched (the kernel's receive and send timeouts included), so the user's own values stay
//! as they were.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::sys;

/// A shared handle on a socket's descriptor, for the session that secures it.
///
/// `Read` is `recv(2)`, `Write` is `send(2)` with `MSG_NOSIGNAL`. While a call with a deadline
/// is in progress ([`SocketIo::deadline`]), each of them first waits with `poll(2)` for at most
/// what is left and then fails with [`io::ErrorKind::WouldBlock`], which TLS libraries treat as
/// "try again later" and survive with their state intact; [`SocketIo::timed_out`] then says
/// that the deadline, not the peer, ended the call.
///
/// Cloning it does not duplicate the descriptor: the socket closes it when it is closed.
///
/// ```
/// use std::io::Write;
/// use std::os::unix::net::UnixStream;
/// use net::Socket;
/// # fn main() -> Result<(), net::Error> {
/// let (a, b) = UnixStream::pair().map_err(|e| net::Error::io("socketpair", None, e))?;
/// let (a, mut b) = (Socket::from(a), Socket::from(b));
/// let mut io = a.io_handle()?;
/// io.write_all(b"hi").unwrap();
/// assert_eq!(b.recv(2)?, b"hi");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SocketIo(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    socket: socket2::Socket,
    /// The deadline of the call in progress, as nanoseconds after [`epoch`]; [`NO_DEADLINE`]
    /// when there is none. An atomic, so that the handle stays `Send + Sync`.
    deadline: AtomicU64,
    /// Set when a wait ran out of time; cleared when a new deadline is set.
    timed_out: AtomicBool,
}

const NO_DEADLINE: u64 = u64::MAX;

/// The instant deadlines are counted from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn encode(deadline: Option<Instant>) -> u64 {
    match deadline {
        None => NO_DEADLINE,
        // A deadline before the epoch is already past: 0 is as good. One after u64::MAX - 1
        // nanoseconds (584 years) is as good as none.
        Some(d) => u64::try_from(d.saturating_duration_since(epoch()).as_nanos()).unwrap_or(NO_DEADLINE - 1),
    }
}

fn decode(raw: u64) -> Option<Instant> {
    (raw != NO_DEADLINE).then(|| epoch() + Duration::from_nanos(raw))
}

/// The deadline `timeout` from now; a timeout too large to represent waits for ever.
pub(crate) fn deadline_after(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

/// Puts back the deadline a [`SocketIo::scoped_deadline`] replaced.
///
/// ```
/// use std::time::{Duration, Instant};
/// let socket = net::Socket::tcp()?;
/// let io = socket.io_handle()?;
/// let outer: net::DeadlineGuard<'_> = io.scoped_deadline(Some(Instant::now() + Duration::from_secs(9)));
/// let soon = Instant::now() + Duration::from_secs(1);
/// {
///     let _inner = io.scoped_deadline(Some(soon));
///     assert_eq!(io.deadline(), Some(soon), "the earlier deadline wins");
/// }
/// assert!(io.deadline().unwrap() > soon, "the outer one is back");
/// drop(outer);
/// assert_eq!(io.deadline(), None);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug)]
#[must_use = "the deadline is put back when the guard is dropped"]
pub struct DeadlineGuard<'a> {
    io: &'a SocketIo,
    previous: u64,
}

impl Drop for DeadlineGuard<'_> {
    fn drop(&mut self) {
        self.io.0.deadline.store(self.previous, Ordering::Relaxed);
    }
}

impl SocketIo {
    /// The socket back, if this is the only handle on it.
    pub(crate) fn try_unwrap(self) -> Option<socket2::Socket> {
        Arc::try_unwrap(self.0).ok().map(|shared| shared.socket)
    }

    pub(crate) fn new(socket: socket2::Socket) -> SocketIo {
        SocketIo(Arc::new(Shared { socket, deadline: AtomicU64::new(NO_DEADLINE), timed_out: AtomicBool::new(false) }))
    }

    /// The socket2 view of the descriptor, for options a session may need.
    ///
    /// ```
    /// # fn main() -> Result<(), net::Error> {
    /// let socket = net::Socket::tcp()?;
    /// assert!(socket.io_handle()?.socket2().local_addr().is_ok());
    /// # Ok(()) }
    /// ```
    pub fn socket2(&self) -> &socket2::Socket {
        &self.0.socket
    }

    /// The deadline of the call in progress, if it has one.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// let socket = net::Socket::tcp()?;
    /// let io = socket.io_handle()?;
    /// assert_eq!(io.deadline(), None);
    /// let soon = Instant::now() + Duration::from_secs(1);
    /// let guard = io.scoped_deadline(Some(soon));
    /// assert!(io.deadline().is_some());
    /// drop(guard);
    /// assert_eq!(io.deadline(), None);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        decode(self.0.deadline.load(Ordering::Relaxed))
    }

    /// Bounds every read and write through this descriptor by `deadline` until the guard is
    /// dropped, which puts back the deadline that was there (calls nest: a handshake inside
    /// `connect_timeout` keeps the earlier of the two). Clears [`SocketIo::timed_out`].
    ///
    /// ```
    /// use std::io::Read;
    /// use std::time::{Duration, Instant};
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let socket = net::Socket::from(a);
    /// let io = socket.io_handle()?;
    /// let _guard = io.scoped_deadline(Some(Instant::now() + Duration::from_millis(20)));
    /// let err = io.clone().read(&mut [0u8; 8]).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
    /// assert!(io.timed_out());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn scoped_deadline(&self, deadline: Option<Instant>) -> DeadlineGuard<'_> {
        let previous = self.0.deadline.load(Ordering::Relaxed);
        let new = match (decode(previous), deadline) {
            (Some(outer), Some(inner)) => Some(outer.min(inner)),
            (outer, inner) => inner.or(outer),
        };
        self.0.deadline.store(encode(new), Ordering::Relaxed);
        self.0.timed_out.store(false, Ordering::Relaxed);
        DeadlineGuard { io: self, previous }
    }

    /// Whether a read or write failed because the deadline ran out, since the last
    /// [`SocketIo::scoped_deadline`].
    ///
    /// ```
    /// let socket = net::Socket::tcp()?;
    /// assert!(!socket.io_handle()?.timed_out());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn timed_out(&self) -> bool {
        self.0.timed_out.load(Ordering::Relaxed)
    }

    /// Waits for `events` until the deadline, if there is one. `Ok(false)`: no deadline, the
    /// call may block; `Ok(true)`: ready, the call must not block.
    #[inline]
    fn wait_for(&self, events: i16) -> io::Result<bool> {
        if !self.has_deadline() {
            return Ok(false);
        }
        let Some(deadline) = self.deadline() else { return Ok(false) };
        let left = deadline.saturating_duration_since(Instant::now());
        if sys::wait(self.as_raw_fd(), events, left)? {
            Ok(true)
        } else {
            self.0.timed_out.store(true, Ordering::Relaxed);
            Err(io::Error::new(io::ErrorKind::WouldBlock, "the call's deadline passed"))
        }
    }

    /// Runs `op` (given `MSG_DONTWAIT` when it must not block) until it does not meet
    /// `WouldBlock` on a descriptor that `wait_for` said was ready.
    #[inline]
    fn bounded(&self, events: i16, mut op: impl FnMut(i32) -> io::Result<usize>) -> io::Result<usize> {
        loop {
            let flags = if self.wait_for(events)? { libc::MSG_DONTWAIT } else { 0 };
            match op(flags) {
                // Ready, then not (another reader, a bad checksum): wait again.
                Err(e) if flags != 0 && e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return other,
            }
        }
    }

    /// Whether a call in progress has a deadline (one relaxed load).
    #[inline]
    pub(crate) fn has_deadline(&self) -> bool {
        self.0.deadline.load(Ordering::Relaxed) != NO_DEADLINE
    }

    /// `recv(2)` with `flags`, bounded by the deadline.
    #[inline]
    pub(crate) fn recv(&self, buf: &mut [u8], flags: i32) -> io::Result<usize> {
        let fd = self.as_raw_fd();
        self.bounded(libc::POLLIN, |extra| sys::recv(fd, buf, flags | extra))
    }

    /// `recv(2)` of at most `max` bytes into `vec` at `at`, not zeroed first, bounded by the
    /// deadline.
    pub(crate) fn recv_into_vec(&self, vec: &mut Vec<u8>, at: usize, max: usize) -> io::Result<usize> {
        let fd = self.as_raw_fd();
        self.bounded(libc::POLLIN, |extra| sys::recv_into_vec(fd, vec, at..at + max, extra))
    }

    /// `send(2)` with `flags`, bounded by the deadline.
    pub(crate) fn send(&self, buf: &[u8], flags: i32) -> io::Result<usize> {
        let fd = self.as_raw_fd();
        self.bounded(libc::POLLOUT, |extra| sys::send(fd, buf, flags | extra))
    }

    /// Reads and throws away what the peer still sends, so that closing does not answer it
    /// with a reset that would destroy what we sent and the peer has not acknowledged yet.
    ///
    /// Stops at the peer's end of stream, on an error, when every byte sent has been
    /// acknowledged (TCP; a later reset then loses nothing), or at `until`. Before it waits,
    /// it shuts down our side, so that the peer sees the end and can answer with its own.
    pub(crate) fn drain_before_close(&self, tcp: bool, until: Instant) {
        let fd = self.as_raw_fd();
        let mut shut = false;
        loop {
            // What is there now; an error or the end means the peer is done.
            loop {
                match sys::discard(fd, 0) {
                    Ok(0) => return,
                    Ok(_) if Instant::now() < until => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    _ => return,
                }
            }
            if !tcp || sys::all_acked(fd) {
                return;
            }
            if !shut {
                shut = true;
                if self.socket2().shutdown(std::net::Shutdown::Write).is_err() {
                    return;
                }
            }
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            // Wake for what the peer sends, and look at the acknowledgements now and then.
            if sys::wait(fd, libc::POLLIN, left.min(Duration::from_millis(10))).is_err() {
                return;
            }
        }
    }
}

/// How much a [`ReadAheadIo`] asks the kernel for at once: the largest TLS record
/// (16 KiB of plaintext, 2 KiB of expansion, a 5-byte header).
///
/// ```
/// assert_eq!(net::READ_AHEAD_SIZE, 16 * 1024 + 2048 + 5);
/// ```
pub const READ_AHEAD_SIZE: usize = 16 * 1024 + 2048 + 5;

/// A [`SocketIo`] that reads ahead while a call has a deadline, for TLS libraries: they read a
/// record's header, then its body (rustls 4 KiB at a time), in separate small reads, and each
/// read of a timed call costs a `poll` and a `recv`. Through this handle each `recv(2)` of a
/// timed call asks for a whole record's worth and the small reads are served from memory, so
/// a timed record costs one `poll` and one `recv`. Without a deadline reads pass straight
/// through (no copy: bulk transfer costs what the TLS library alone costs), as do writes.
///
/// The bytes it holds were read from the descriptor but not yet handed to the TLS library:
/// keep one `ReadAheadIo` per session and never read the descriptor around it.
///
/// ```
/// use std::io::{Read, Write};
/// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
/// let (a, b) = (net::Socket::from(a), net::Socket::from(b));
/// b.io_handle()?.write_all(b"header+body").unwrap();
/// let io = a.io_handle()?;
/// let _timed = io.scoped_deadline(Some(std::time::Instant::now() + std::time::Duration::from_secs(5)));
/// let mut ahead = net::ReadAheadIo::new(io.clone());
/// let mut header = [0u8; 6];
/// ahead.read_exact(&mut header).unwrap(); // one recv(2) takes all 11 bytes
/// assert_eq!(&header, b"header");
/// assert_eq!(ahead.buffered(), 5);
/// # Ok::<(), net::Error>(())
/// ```
#[derive(Debug)]
pub struct ReadAheadIo {
    io: SocketIo,
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl ReadAheadIo {
    /// Reads ahead on `io`; the buffer is allocated on the first small read of a timed call.
    ///
    /// ```
    /// let socket = net::Socket::tcp()?;
    /// let ahead = net::ReadAheadIo::new(socket.io_handle()?);
    /// assert_eq!(ahead.buffered(), 0);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn new(io: SocketIo) -> ReadAheadIo {
        ReadAheadIo { io, buf: Vec::new(), start: 0, end: 0 }
    }

    /// The descriptor handle underneath.
    ///
    /// ```
    /// let socket = net::Socket::tcp()?;
    /// let ahead = net::ReadAheadIo::new(socket.io_handle()?);
    /// assert!(ahead.io().deadline().is_none());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn io(&self) -> &SocketIo {
        &self.io
    }

    /// Bytes read from the descriptor and not handed out yet.
    ///
    /// ```
    /// let socket = net::Socket::tcp()?;
    /// assert_eq!(net::ReadAheadIo::new(socket.io_handle()?).buffered(), 0);
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn buffered(&self) -> usize {
        self.end - self.start
    }
}

impl io::Read for ReadAheadIo {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if self.start == self.end {
            if dst.len() >= READ_AHEAD_SIZE || !self.io.has_deadline() {
                return self.io.recv(dst, 0);
            }
            if self.buf.len() < READ_AHEAD_SIZE {
                self.buf.resize(READ_AHEAD_SIZE, 0);
            }
            let n = self.io.recv(&mut self.buf, 0)?;
            self.start = 0;
            self.end = n;
        }
        let n = dst.len().min(self.end - self.start);
        dst[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        self.start += n;
        Ok(n)
    }
}

impl io::Write for ReadAheadIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.io.write(buf)
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        self.io.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsRawFd for ReadAheadIo {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_raw_fd()
    }
}

impl io::Read for SocketIo {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf, 0)
    }
}

impl io::Write for SocketIo {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf, 0)
    }

    /// One `sendmsg(2)` for every slice: a TLS library hands over every queued record at
    /// once, and a flight cut into small segments would wait on Nagle's algorithm and the
    /// peer's delayed ACK.
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let socket = self.socket2();
        self.bounded(libc::POLLOUT, |extra| socket.send_vectored_with_flags(bufs, libc::MSG_NOSIGNAL | extra))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsFd for SocketIo {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.socket.as_fd()
    }
}

impl AsRawFd for SocketIo {
    fn as_raw_fd(&self) -> RawFd {
        self.0.socket.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, encode, epoch};
    use std::time::{Duration, Instant};

    #[test]
    fn deadlines_round_trip_and_saturate() {
        assert_eq!(decode(encode(None)), None);
        let soon = Instant::now() + Duration::from_millis(5);
        let back = decode(encode(Some(soon))).unwrap();
        assert!(back <= soon && soon - back < Duration::from_micros(1));
        // Before the epoch: already past, never "none".
        let past = epoch().checked_sub(Duration::from_secs(1));
        if let Some(p) = past {
            assert_eq!(decode(encode(Some(p))), Some(epoch()));
        }
    }
}
