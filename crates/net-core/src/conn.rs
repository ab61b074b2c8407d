//! The I/O half of a socket: descriptor, secured stream, and the errors it keeps. The read
//! buffer is the other half ([`ReadBuffer`]); the engine borrows the two apart.

use std::io;
use std::sync::Arc;
use std::time::Instant;

use crate::buffer::ReadBuffer;
use crate::error::{is_disconnection_error, Error, Result};
use crate::flags::SocketFlags;
use crate::io::SocketIo;
use crate::stream::Stream;

/// The settings of one read call, as the engine passes them down.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call {
    /// The public operation, for errors: `"recv"`, `"read_line"`...
    pub(crate) op: &'static str,
    /// When the whole call must be over; `None` waits for ever.
    pub(crate) deadline: Option<Instant>,
    pub(crate) flags: SocketFlags,
}

/// The outcome of one read from the descriptor or the session.
#[derive(Debug)]
pub(crate) enum Got {
    Data(usize),
    Eof,
    TimedOut,
    Failed(io::Error),
}

impl Got {
    fn from_io(res: io::Result<usize>, io: &SocketIo, timed: bool) -> Got {
        match res {
            Ok(0) => Got::Eof,
            Ok(n) => Got::Data(n),
            Err(_) if timed && io.timed_out() => Got::TimedOut,
            // A nonblocking socket with nothing to read: the caller says what that means.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Got::TimedOut,
            Err(e) => Got::Failed(e),
        }
    }
}

type Parts<'a> = (&'a SocketIo, &'a mut Stream, &'a mut Option<io::Error>);

/// Descriptor, secured stream and the errors a socket keeps between calls.
#[derive(Debug, Default)]
pub(crate) struct Conn {
    /// `None` once closed.
    pub(crate) io: Option<SocketIo>,
    pub(crate) stream: Stream,
    /// An error met after bytes that were returned first; reported by the next read.
    pub(crate) deferred: Option<io::Error>,
    /// The last OS error code an operation on this socket met (Nim's `lastError`).
    pub(crate) last_error: Option<i32>,
    /// close_notify was sent (by `shutdown`): `close` does not send it again.
    pub(crate) notified: bool,
}

impl Conn {
    pub(crate) fn io(&self, op: &'static str) -> Result<&SocketIo> {
        self.io.as_ref().ok_or_else(|| Error::Closed { op })
    }

    /// One write of `data`: the session's, or `send(2)` with the `MSG_*` bits `os_flags`
    /// (which a session, framing its own records, cannot take).
    pub(crate) fn write(&mut self, op: &'static str, data: &[u8], os_flags: i32) -> Result<io::Result<usize>> {
        self.ready(op)?;
        let (io, stream, _) = self.parts(op)?;
        Ok(match stream {
            Stream::Secured(_) if os_flags != 0 => {
                return Err(Error::Unsupported { op, what: "send flags on a TLS socket".into() })
            }
            Stream::Secured(session) => session.write(data),
            _ => io.send(data, os_flags),
        })
    }

    /// Records the OS code of a failure for `last_error` and wraps it.
    pub(crate) fn fail(&mut self, op: &'static str, addr: Option<String>, e: io::Error) -> Error {
        // A session's own failure (a fatal alert after the handshake) is a TLS error.
        let e = match crate::error::SessionFailure::take(e) {
            Ok(tls) => return Error::Tls(tls),
            Err(e) => e,
        };
        self.last_error = e.raw_os_error().or(self.last_error);
        Error::io(op, addr, e)
    }

    /// Makes the socket ready to carry data: runs the server handshake of a socket accepted
    /// lazily (a failed one closes the connection), and fails on a socket that is closed or
    /// wrapped for TLS before its `connect` or `accept`.
    pub(crate) fn ready(&mut self, op: &'static str) -> Result<&SocketIo> {
        match &self.stream {
            Stream::Pending(_) => {
                return Err(Error::Unsupported {
                    op,
                    what: "a socket wrapped for TLS before its connect or accept".into(),
                })
            }
            Stream::Accepted(upgrade) => {
                let upgrade = Arc::clone(upgrade);
                let io = self.io(op)?.clone();
                match upgrade.server(io) {
                    Ok(session) => self.stream = Stream::Secured(session),
                    Err(e) => {
                        // The client is dropped, as `accept` drops one whose handshake failed.
                        self.stream = Stream::Plain;
                        self.io = None;
                        return Err(e);
                    }
                }
            }
            Stream::Plain | Stream::Secured(_) => {}
        }
        self.io(op)
    }

    /// The handle, the stream and the deferred error, borrowed apart. The read APIs call
    /// [`Conn::ready`] first, so the stream is plain or secured here.
    fn parts(&mut self, op: &'static str) -> Result<Parts<'_>> {
        debug_assert!(!matches!(self.stream, Stream::Pending(_) | Stream::Accepted(_)));
        match self {
            Conn { io: Some(io), stream, deferred, .. } => Ok((io, stream, deferred)),
            Conn { io: None, .. } => Err(Error::Closed { op }),
        }
    }

    /// Whether a secured session holds decrypted bytes.
    pub(crate) fn has_pending_plaintext(&self) -> bool {
        matches!(&self.stream, Stream::Secured(s) if s.pending_plaintext() > 0)
    }

    /// One read into `dst` (`MSG_PEEK` when `peek`, on the bare descriptor), bounded by the
    /// call's deadline. An error deferred by an earlier call comes first.
    pub(crate) fn read(&mut self, call: &Call, dst: &mut [u8], peek: bool) -> Result<Got> {
        self.attempt(call, |io, stream| match stream {
            Stream::Secured(session) => session.read(dst),
            _ => io.recv(dst, if peek { libc::MSG_PEEK } else { 0 }),
        })
    }

    /// One read of at most `amount` bytes appended to `buf`. On the bare descriptor the
    /// bytes land in memory that was never zeroed.
    pub(crate) fn fill(&mut self, call: &Call, buf: &mut ReadBuffer, amount: usize) -> Result<Got> {
        let got = self.attempt(call, |io, stream| match stream {
            Stream::Secured(session) => session.read(buf.spare(amount)),
            _ => buf.fill_with(amount, |vec, at| io.recv_into_vec(vec, at, amount)),
        })?;
        if let Got::Data(n) = got {
            buf.filled(n);
        }
        Ok(got)
    }

    /// One read by `read` within the call's deadline, a deferred error first.
    fn attempt(&mut self, call: &Call, read: impl FnOnce(&SocketIo, &mut Stream) -> io::Result<usize>) -> Result<Got> {
        let (io, stream, deferred) = self.parts(call.op)?;
        if let Some(e) = deferred.take() {
            return Ok(Got::Failed(e));
        }
        let _deadline = call.deadline.map(|d| io.scoped_deadline(Some(d)));
        let res = read(io, stream);
        Ok(Got::from_io(res, io, call.deadline.is_some()))
    }

    /// Tells the peer the session is over, once: `shutdown(Write)` and `close` both may ask.
    pub(crate) fn close_notify(&mut self) -> io::Result<()> {
        match &mut self.stream {
            Stream::Secured(session) if !self.notified && session.handshake_complete() => {
                self.notified = true;
                session.close_notify()
            }
            _ => Ok(()),
        }
    }

    /// What a failed read means: end of stream under `SafeDisconn`; with bytes already in
    /// hand (`have_bytes`), end of stream now and the error on the next call; otherwise the
    /// error.
    pub(crate) fn read_failed(&mut self, call: &Call, e: io::Error, have_bytes: bool) -> Result<()> {
        if is_disconnection_error(call.flags, &e) {
            Ok(())
        } else if have_bytes {
            // A nonblocking socket running dry is no failure to report later.
            if e.kind() != io::ErrorKind::WouldBlock {
                self.deferred = Some(e);
            }
            Ok(())
        } else {
            Err(self.fail(call.op, None, e))
        }
    }
}
