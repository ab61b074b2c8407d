//! Sending on a connected socket: `send`, `send_raw`, `try_send`, `io::Write`.

use std::io;

use crate::error::{Error, Result};
use crate::flags::{to_os_flags, SocketFlag, SocketFlags};
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
        self.send_raw_os(data, 0)
    }

    fn send_raw_os(&mut self, data: &[u8], os_flags: i32) -> Result<usize> {
        const OP: &str = "send";
        let res = self.conn.write(OP, data, os_flags)?;
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
        self.send_os(data, 0)
    }

    /// Sends all of `data` with `flags` (Nim's `send(data, flags)`), as [`Socket::send`]:
    /// - [`SocketFlag::More`]: more data follows (`MSG_MORE`); the kernel may hold this data
    ///   back to send it with the next send. Plain sockets only: a TLS socket frames its own
    ///   records and refuses it ([`Error::Unsupported`]).
    /// - [`SocketFlag::SafeDisconn`] changes nothing: a dead peer is an error, as in Nim,
    ///   whose `send` raises anyway.
    /// - [`SocketFlag::Peek`] means nothing to a send: [`Error::InvalidArgument`].
    ///
    /// ```
    /// use net::{Socket, SocketFlag};
    /// let mut rx = Socket::udp()?;
    /// rx.bind_addr(0, "127.0.0.1")?;
    /// let mut tx = net::dial_with("127.0.0.1", rx.local_addr()?.port(), net::Protocol::Udp, false)?;
    /// tx.send_with(b"one ", SocketFlag::More.into())?;
    /// tx.send(b"datagram")?; // UDP: what was held goes out with it, as one datagram
    /// let mut buf = [0u8; 32];
    /// let (n, _, _) = rx.recv_from(&mut buf)?;
    /// assert_eq!(&buf[..n], b"one datagram");
    /// # Ok::<(), net::Error>(())
    /// ```
    #[doc(alias = "send")]
    pub fn send_with(&mut self, data: &[u8], flags: SocketFlags) -> Result<()> {
        if flags.contains(SocketFlag::Peek) {
            return Err(Error::InvalidArgument { op: "send", reason: "Peek means nothing to a send".into() });
        }
        self.send_os(data, to_os_flags(flags))
    }

    fn send_os(&mut self, data: &[u8], os_flags: i32) -> Result<()> {
        let mut sent = 0;
        while sent < data.len() {
            let n = match self.send_raw_os(&data[sent..], os_flags) {
                Err(e) if sent > 0 && e.kind() == io::ErrorKind::WouldBlock => {
                    let what = format!("sent {sent} of {} bytes, then the nonblocking socket was full", data.len());
                    return Err(crate::nonblocking::would_block("send", what));
                }
                other => other?,
            };
            match n {
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
