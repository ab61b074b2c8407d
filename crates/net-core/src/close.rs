//! Closing: close_notify, then nothing the caller sent is turned into a reset.

//!
//! Linux answers data that arrives for a closed TCP socket, or that was unread when it was
//! closed, with a reset, and a reset destroys whatever of ours was still on its way. So
//! `close` reads and discards what is waiting; if some of what we sent is still
//! unacknowledged, it shuts down the write side (the peer sees the end of the stream and can
//! answer: its close_notify, its own close) and keeps discarding until the peer's end of
//! stream, until everything sent is acknowledged, or for at most [`CLOSE_LINGER`].

use std::time::{Duration, Instant};

use crate::conn::Conn;
use crate::error::{is_disconnection_error, Error, Result};
use crate::flags::SocketFlags;
use crate::kinds::{Domain, SockType};
use crate::socket::Socket;

/// The longest `close` (and drop) waits: for close_notify to be sent, and then for the peer to
/// acknowledge what we sent or to end its side. A peer that reads what it is sent and closes
/// ends the wait at once; so does a connection whose every byte is already acknowledged.
///
/// ```
/// use net::{dial, Socket, CLOSE_LINGER};
/// # fn main() -> Result<(), net::Error> {
/// let mut server = Socket::tcp()?;
/// server.bind_addr(0, "127.0.0.1")?;
/// server.listen()?;
/// let mut client = dial("127.0.0.1", server.local_addr()?.port())?;
/// let _conn = server.accept()?; // stays open
/// client.send(b"acknowledged at once on loopback")?;
/// client.close(); // waits at most CLOSE_LINGER; here not at all
/// assert!(client.is_closed());
/// println!("close waits at most {CLOSE_LINGER:?}");
/// # Ok(()) }
/// ```
pub const CLOSE_LINGER: Duration = Duration::from_secs(2);

impl Socket {
    /// Closes the socket (Nim's `close`), without losing what was sent: a secured session
    /// first tells the peer (close_notify, once, errors ignored under `SafeDisconn`), then
    /// what the peer still sends is read and thrown away (see [`CLOSE_LINGER`]). Closing twice
    /// is fine; drop closes the same way.
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.close();
    /// s.close();
    /// assert!(s.recv(1).is_err());
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn close(&mut self) {
        let _ = self.close_with(SocketFlags::default());
    }

    /// Closes the socket; without `SafeDisconn`, a failed close_notify is returned as an error
    /// (the descriptor is closed either way).
    ///
    /// ```
    /// let mut s = net::Socket::tcp()?;
    /// s.close_with(net::SocketFlags::empty())?;
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn close_with(&mut self, flags: SocketFlags) -> Result<()> {
        let Some(io) = self.conn.io.clone() else { return Ok(()) };
        self.buf.clear();
        self.conn.deferred = None;
        let until = Instant::now() + CLOSE_LINGER;
        let _deadline = io.scoped_deadline(Some(until));
        let result = match self.conn.close_notify() {
            Err(e) if !is_disconnection_error(flags, &e) => Err(Error::io("close", None, e)),
            _ => Ok(()),
        };
        // The session holds a clone of the handle: the descriptor closes with the last.
        self.conn = Conn { last_error: self.conn.last_error, ..Conn::default() };
        if self.sock_type == SockType::Stream {
            let tcp = matches!(self.domain, Domain::Inet | Domain::Inet6);
            io.drain_before_close(tcp, until);
        }
        result
    }
}

impl Socket {
    /// Shuts down one or both directions of a connected socket, like std's `shutdown`.
    /// On a TLS socket, shutting down the write side sends close_notify first, so the peer
    /// reads a clean end of stream. Bytes already buffered stay readable after a read
    /// shutdown.
    ///
    /// ```
    /// use std::net::Shutdown;
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"last\n")?;
    /// a.shutdown(Shutdown::Write)?;
    /// assert_eq!(b.recv_line()?, "last");
    /// assert_eq!(b.recv_line()?, "", "the end of the stream");
    /// b.send(b"still open the other way\n")?;
    /// assert_eq!(a.recv_line()?, "still open the other way");
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn shutdown(&mut self, how: std::net::Shutdown) -> Result<()> {
        const OP: &str = "shutdown";
        self.conn.ready(OP)?;
        if how != std::net::Shutdown::Read {
            self.conn.close_notify().map_err(|e| Error::io(OP, None, e))?;
        }
        let res = self.inner(OP)?.shutdown(how);
        res.map_err(|e| self.fail(OP, None, e))
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.close();
    }
}
