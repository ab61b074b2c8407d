//! Topping up the read buffer: how much one read asks for, and what a failed read means.
//!
//! Every read API goes through here or through [`Conn::read`], so the descriptor and a
//! secured session behave the same. The rules that keep data safe:
//! - a timeout ends the call but leaves every byte read so far in the buffer;
//! - an error met after some bytes is kept (`deferred`) and reported by the next call;
//! - under `SafeDisconn` a reset reads as end of stream.

use crate::conn::{Call, Conn, Got};
use crate::error::Result;
use crate::socket::Socket;
use crate::stream::Stream;

/// What topping up the buffer gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// More bytes are buffered.
    Data,
    /// The end of the stream, or an error that reads as one now (see the module docs).
    End,
    TimedOut,
}

impl Socket {
    /// Whether lines are read exactly (peek, then take up to the terminator) instead of by
    /// chunks: unbuffered sockets on the bare descriptor.
    pub(crate) fn exact(&self) -> bool {
        !self.buffered && matches!(self.conn.stream, Stream::Plain)
    }

    /// Reads more into the buffer: at least a refill (the read-ahead adapts to the stream)
    /// when buffered, at most `want` (one byte at least, a chunk at most) when not. `held` is
    /// how many bytes of this call were already taken out of the buffer.
    pub(crate) fn refill(&mut self, call: &Call, want: usize, held: usize) -> Result<Fill> {
        let refill = self.buf.refill_size();
        let amount = if self.buffered { want.max(refill) } else { want.clamp(1, self.buf.chunk()) };
        let got = self.conn.fill(call, &mut self.buf, amount)?;
        if let Got::Data(n) = got {
            if self.buffered && amount == refill {
                self.buf.note_refill(amount, n);
            }
        }
        let have = held > 0 || !self.buf.is_empty();
        settle(&mut self.conn, call, got, have)
    }

    /// Unbuffered, on the bare descriptor: reads at most `want` bytes of the next line and not
    /// one byte past its end, so what follows stays in the OS for whoever reads next.
    pub(crate) fn refill_line_exact(&mut self, call: &Call, want: usize) -> Result<Fill> {
        let amount = want.clamp(1, self.buf.chunk());
        let room = self.buf.spare(amount);
        let got = match self.conn.read(call, room, true)? {
            Got::Data(n) => {
                let take = crate::lines::find_eol(&room[..n]).map_or(n, |i| i + 1);
                self.conn.read(call, &mut room[..take], false)?
            }
            other => other,
        };
        if let Got::Data(n) = got {
            self.buf.filled(n);
        }
        let have = !self.buf.is_empty();
        settle(&mut self.conn, call, got, have)
    }
}

/// A read's outcome as a [`Fill`]; a failure is resolved by [`Conn::read_failed`].
pub(crate) fn settle(conn: &mut Conn, call: &Call, got: Got, have_bytes: bool) -> Result<Fill> {
    Ok(match got {
        Got::Data(_) => Fill::Data,
        Got::Eof => Fill::End,
        Got::TimedOut => Fill::TimedOut,
        Got::Failed(e) => {
            conn.read_failed(call, e, have_bytes)?;
            Fill::End
        }
    })
}
