//! Sending on a connected socket: `send`, `send_raw`, `try_send`, `io::Write`.

use std::io;

use crate::error::{Error, Result};
use crate::socket::Socket;
use crate::stream::Stream;

impl Socket {
    /// One write (Nim's low-level `send(pointer, size)`): returns how many bytes were taken,
    /// which may be fewer than `data.len()`.
    ///
    /// ```
    /// use net::Socket;
    /// let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let mut a = Socket::from(a);
    /// assert_eq!(a.send_raw(b"abc")?, 3);
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "send")]
    pub fn send_raw(&mut self, data: &[u8]) -> Result<usize> {
        const OP: &str = "send";
        let res = self.conn.write(OP, data)?;
        res.map_err(|e| self.fail(OP, None, e))
    }

    /// Sends all of `data` (Nim's `send`), resuming partial writes from where they stopped.
    /// A peer that is gone is an error even under `SafeDisconn` (never `SIGPIPE`): unsent
    /// data is never silent.
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    /// a.send(b"line\n")?;
    /// assert_eq!(b.recv_line()?, "line");
    /// # Ok::<(), net::Error>(())
    /// ```
    pub fn send(&mut self, data: &[u8]) -> Result<()> {
        let mut sent = 0;
        while sent < data.len() {
            match self.send_raw(&data[sent..])? {
                0 => {
                    let e = io::Error::new(io::ErrorKind::WriteZero, format!("sent {sent} of {} bytes", data.len()));
                    return Err(self.fail("send", None, e));
                }
                n => sent += n,
            }
        }
        if let Stream::Secured(session) = &mut self.conn.stream {
            session.flush().map_err(|e| Error::io("send", None, e))?;
        }
        Ok(())
    }

    /// Sends all of `data`, returning `false` instead of an error (Nim's `trySend`).
    ///
    /// ```
    /// use net::Socket;
    /// let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    /// let mut a = Socket::from(a);
    /// assert!(a.try_send(b"x"));
    /// drop(b);
    /// a.close();
    /// assert!(!a.try_send(b"x"));
    /// ```
    #[doc(alias = "trySend")]
    pub fn try_send(&mut self, data: &[u8]) -> bool {
        self.send(data).is_ok()
    }
}

/// `write` is one send; `flush` pushes out what a secured session holds. `write!` and
/// `write_all` are Nim's `&=`.
impl io::Write for Socket {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send_raw(buf).map_err(io::Error::from)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.is_closed() {
            return Err(Error::Closed { op: "flush" }.into());
        }
        match &mut self.conn.stream {
            Stream::Secured(session) => session.flush(),
            _ => Ok(()),
        }
    }
}
