//! The read buffer behind buffered reads, lines, `Peek` and `has_data_buffered`.

/// Bytes read from the stream and not yet handed out: `data[start..end]`.
///
/// A refill reads `refill` bytes: one chunk (`BUFFER_SIZE`) at first, doubling while refills
/// come back full (the peer is streaming), up to [`READ_AHEAD`] chunks, and back to one chunk
/// when a refill comes back less than half full. Beyond that the buffer grows only when a
/// caller must look further ahead without consuming (a long line, a peek, a read with a
/// timeout), and never past what that caller asked for.
#[derive(Debug)]
pub(crate) struct ReadBuffer {
    data: Vec<u8>,
    start: usize,
    end: usize,
    chunk: usize,
    refill: usize,
}

/// How many chunks a refill may read ahead on a busy stream.
pub(crate) const READ_AHEAD: usize = 16;

impl ReadBuffer {
    pub(crate) fn new(chunk: usize) -> Self {
        let chunk = chunk.max(1);
        ReadBuffer { data: Vec::new(), start: 0, end: 0, chunk, refill: chunk }
    }

    /// How much the next refill reads.
    pub(crate) fn refill_size(&self) -> usize {
        self.refill
    }

    /// Adapts the refill size to what the last refill of `asked` bytes `got`.
    pub(crate) fn note_refill(&mut self, asked: usize, got: usize) {
        if got == asked {
            self.refill = (self.refill * 2).min(self.chunk.saturating_mul(READ_AHEAD));
        } else if got < asked / 2 {
            self.refill = self.chunk;
        }
    }

    /// The refill size (Nim's `BufferSize`).
    pub(crate) fn chunk(&self) -> usize {
        self.chunk
    }

    pub(crate) fn available(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    pub(crate) fn len(&self) -> usize {
        self.end - self.start
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.start == self.end
    }

    pub(crate) fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.len());
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Copies up to `dst.len()` bytes out; consumes them unless `peek`.
    pub(crate) fn copy_to(&mut self, dst: &mut [u8], peek: bool) -> usize {
        let n = dst.len().min(self.len());
        dst[..n].copy_from_slice(&self.data[self.start..self.start + n]);
        if !peek {
            self.consume(n);
        }
        n
    }

    /// Room for at least `want` more bytes after the available ones; returns the free space.
    pub(crate) fn spare(&mut self, want: usize) -> &mut [u8] {
        if self.data.len() - self.end < want {
            if self.start > 0 {
                self.data.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.data.len() - self.end < want {
                self.data.resize(self.end + want, 0);
            }
        }
        &mut self.data[self.end..]
    }

    /// Records that `n` bytes were written into the space from [`spare`](Self::spare).
    pub(crate) fn filled(&mut self, n: usize) {
        self.end += n;
        debug_assert!(self.end <= self.data.len());
    }

    /// Drops everything and gives back the memory beyond one chunk.
    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.refill = self.chunk;
        if self.data.len() > self.chunk {
            self.data.truncate(self.chunk);
            self.data.shrink_to_fit();
        }
    }

    /// After a large look-ahead has been consumed, give the memory back.
    pub(crate) fn shrink_if_idle(&mut self) {
        if self.is_empty() && self.data.len() > READ_AHEAD.saturating_mul(self.chunk) {
            self.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReadBuffer;

    #[test]
    fn fill_consume_compact_and_grow() {
        let mut b = ReadBuffer::new(4);
        b.spare(4)[..4].copy_from_slice(b"abcd");
        b.filled(4);
        b.consume(2);
        assert_eq!(b.available(), b"cd");
        // Asking for more room compacts first, then grows.
        let room = b.spare(6);
        assert!(room.len() >= 6);
        room[..3].copy_from_slice(b"efg");
        b.filled(3);
        assert_eq!(b.available(), b"cdefg");
        let mut out = [0u8; 3];
        assert_eq!(b.copy_to(&mut out, true), 3);
        assert_eq!(b.available(), b"cdefg");
        assert_eq!(b.copy_to(&mut out, false), 3);
        assert_eq!(b.available(), b"fg");
        b.consume(2);
        assert!(b.is_empty());
    }

    #[test]
    fn read_ahead_grows_on_full_refills_and_falls_back() {
        let mut b = ReadBuffer::new(4);
        assert_eq!(b.refill_size(), 4);
        b.note_refill(4, 4);
        assert_eq!(b.refill_size(), 8);
        for _ in 0..10 {
            let asked = b.refill_size();
            b.note_refill(asked, asked);
        }
        assert_eq!(b.refill_size(), 4 * super::READ_AHEAD);
        b.note_refill(64, 40);
        assert_eq!(b.refill_size(), 64, "a refill more than half full keeps the size");
        b.note_refill(64, 3);
        assert_eq!(b.refill_size(), 4);
    }
}
