//! The read buffer behind buffered reads, lines, `Peek` and `has_data_buffered`.

/// Bytes read from the stream and not yet handed out: `data[start..end]`.
///
/// A refill reads `refill` bytes: one chunk (`BUFFER_SIZE`) at first, doubling while refills
/// come back full (the peer is streaming), up to [`READ_AHEAD`] chunks, and back to one chunk
/// when a refill comes back less than half full. Beyond that the buffer grows only when a
/// caller must look further ahead without consuming (a long line, a peek, a read with a
/// timeout), and never past what that caller asked for.
///
/// Memory is judged by capacity: once drained, a buffer that grew past one chunk is freed
/// ([`release_if_drained`](Self::release_if_drained), after every read API), and a buffer
/// that holds little when the stream slows down shrinks back to one chunk.
///
/// `data.len()` is how much of the allocation was ever written: a refill on the bare
/// descriptor writes into memory beyond it without zeroing it first; a secured session, which
/// needs initialised memory, zeroes only what was never written.
#[derive(Debug)]
pub(crate) struct ReadBuffer {
    data: Vec<u8>,
    start: usize,
    end: usize,
    chunk: usize,
    refill: usize,
    /// The last refill came back short: the kernel had no more, the stream may be idle.
    slowed: bool,
}

/// How many chunks a refill may read ahead on a busy stream.
pub(crate) const READ_AHEAD: usize = 16;

impl ReadBuffer {
    pub(crate) fn new(chunk: usize) -> Self {
        let chunk = chunk.max(1);
        ReadBuffer { data: Vec::new(), start: 0, end: 0, chunk, refill: chunk, slowed: false }
    }

    /// How much the next refill reads.
    pub(crate) fn refill_size(&self) -> usize {
        self.refill
    }

    /// Adapts the refill size to what the last refill of `asked` bytes `got`; when the stream
    /// slows down, gives back memory beyond one chunk that the buffer no longer needs.
    pub(crate) fn note_refill(&mut self, asked: usize, got: usize) {
        self.slowed = got < asked;
        if got == asked {
            self.refill = (self.refill * 2).min(self.chunk.saturating_mul(READ_AHEAD));
        } else if got < asked / 2 {
            self.refill = self.chunk;
            if self.data.capacity() > self.chunk && self.len() <= self.chunk {
                self.compact();
                self.data.truncate(self.chunk.max(self.end));
                self.data.shrink_to(self.chunk);
            }
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

    /// The allocation's size, for the memory tests.
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.data.capacity()
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
        if n == 0 {
            return 0;
        }
        dst[..n].copy_from_slice(&self.data[self.start..self.start + n]);
        if !peek {
            self.consume(n);
        }
        n
    }

    /// Moves the available bytes to the front.
    fn compact(&mut self) {
        if self.start > 0 {
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Makes room for `want` more bytes after the available ones, compacting first and then
    /// growing the allocation to exactly what is needed.
    fn reserve(&mut self, want: usize) {
        if self.data.capacity() - self.end < want {
            self.compact();
            let needed = (self.end + want).saturating_sub(self.data.len());
            self.data.reserve_exact(needed);
        }
    }

    /// `want` bytes of initialised room after the available ones, for a reader that needs
    /// initialised memory. Zeroes only memory that was never written.
    pub(crate) fn spare(&mut self, want: usize) -> &mut [u8] {
        self.reserve(want);
        if self.data.len() < self.end + want {
            self.data.resize(self.end + want, 0);
        }
        &mut self.data[self.end..self.end + want]
    }

    /// Room for `want` more bytes, handed to `read` as the vector and the offset to write at
    /// (a `recv` that writes into the spare capacity and extends the length).
    pub(crate) fn fill_with<T>(&mut self, want: usize, read: impl FnOnce(&mut Vec<u8>, usize) -> T) -> T {
        self.reserve(want);
        read(&mut self.data, self.end)
    }

    /// Records that `n` bytes were written after the available ones.
    pub(crate) fn filled(&mut self, n: usize) {
        self.end += n;
        debug_assert!(self.end <= self.data.len());
    }

    /// Drops everything and the memory with it.
    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.refill = self.chunk;
        self.slowed = false;
        self.data = Vec::new();
    }

    /// Once drained, gives back a buffer that grew past one chunk (and starts the read-ahead
    /// over), and any buffer when the last refill came back short (the stream has paused): an
    /// idle socket keeps at most one chunk, and usually none. A busy stream, whose refills
    /// come back full, keeps its chunk.
    pub(crate) fn release_if_drained(&mut self) {
        let cap = self.data.capacity();
        if self.start == self.end && (cap > self.chunk || (self.slowed && cap > 0)) {
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
        b.spare(4).copy_from_slice(b"abcd");
        b.filled(4);
        b.consume(2);
        assert_eq!(b.available(), b"cd");
        // Asking for more room compacts first, then grows.
        let room = b.spare(6);
        assert_eq!(room.len(), 6);
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

    #[test]
    fn memory_is_judged_by_capacity_and_given_back() {
        let mut b = ReadBuffer::new(4);
        // A burst: the read-ahead grows to 16 chunks, the buffer with it.
        for _ in 0..6 {
            let asked = b.refill_size();
            let room = b.spare(asked);
            room.fill(b'x');
            b.filled(asked);
            b.note_refill(asked, asked);
        }
        assert!(b.capacity() > 4 * super::READ_AHEAD);
        let n = b.len();
        b.consume(n);
        b.release_if_drained();
        assert_eq!(b.capacity(), 0, "a drained buffer that grew is freed");
        assert_eq!(b.refill_size(), 4, "and the read-ahead starts over");
        // A busy stream (full refills) keeps exactly one chunk...
        b.spare(4).copy_from_slice(b"abcd");
        b.filled(4);
        b.note_refill(4, 4);
        b.consume(4);
        b.release_if_drained();
        assert_eq!(b.capacity(), 4);
        // ...a paused one (a short refill) none.
        b.spare(4)[..2].copy_from_slice(b"ab");
        b.filled(2);
        b.note_refill(4, 2);
        b.consume(2);
        b.release_if_drained();
        assert_eq!(b.capacity(), 0);
    }

    #[test]
    fn a_slow_refill_shrinks_a_large_buffer_that_holds_little() {
        let mut b = ReadBuffer::new(4);
        b.spare(64).fill(b'y');
        b.filled(64);
        b.consume(62);
        b.note_refill(64, 3);
        assert_eq!(b.available(), b"yy");
        assert!(b.capacity() <= 8, "capacity {}", b.capacity());
    }

    #[test]
    fn fill_with_writes_after_the_available_bytes() {
        let mut b = ReadBuffer::new(4);
        b.spare(2).copy_from_slice(b"ab");
        b.filled(2);
        let n = b.fill_with(3, |vec, at| {
            assert_eq!(at, 2);
            vec.truncate(at);
            vec.extend_from_slice(b"cde");
            3
        });
        b.filled(n);
        assert_eq!(b.available(), b"abcde");
    }
}
