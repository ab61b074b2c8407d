//! TLS record framing of a byte stream, for backends that must tell an end of stream between
//! records (a peer gone without close_notify) from one inside a record (data lost).

/// Where the bytes read so far stand in the TLS record framing: each record is a 5-byte header
/// (its last two bytes the body's length) and a body.
///
/// ```
/// let mut f = net::tls::RecordFraming::default();
/// f.feed(&[23, 3, 3, 0, 2, 0xAA]); // a header promising 2 bytes, and 1 of them
/// assert!(f.inside_a_record());
/// f.feed(&[0xBB]);
/// assert!(!f.inside_a_record());
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct RecordFraming {
    header: [u8; 5],
    have: usize,
    body_left: usize,
}

impl RecordFraming {
    /// Notes bytes read from the stream, in order.
    ///
    /// ```
    /// let mut f = net::tls::RecordFraming::default();
    /// f.feed(&[21, 3]);
    /// assert!(f.inside_a_record(), "half a header");
    /// ```
    pub fn feed(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.body_left > 0 {
                let n = self.body_left.min(data.len());
                self.body_left -= n;
                data = &data[n..];
                continue;
            }
            let n = (5 - self.have).min(data.len());
            self.header[self.have..self.have + n].copy_from_slice(&data[..n]);
            self.have += n;
            data = &data[n..];
            if self.have == 5 {
                self.body_left = usize::from(u16::from_be_bytes([self.header[3], self.header[4]]));
                self.have = 0;
            }
        }
    }

    /// Whether the bytes so far stop inside a record (its header or its body).
    ///
    /// ```
    /// assert!(!net::tls::RecordFraming::default().inside_a_record());
    /// ```
    pub fn inside_a_record(&self) -> bool {
        self.have > 0 || self.body_left > 0
    }
}

#[cfg(test)]
mod tests {
    use super::RecordFraming;

    #[test]
    fn knows_a_record_boundary_however_the_bytes_are_cut() {
        let stream = [&[23u8, 3, 3, 0, 3, 1, 2, 3][..], &[21, 3, 3, 0, 0], &[23, 3, 3, 0, 2, 9, 9]].concat();
        for cut in 0..=stream.len() {
            let mut f = RecordFraming::default();
            f.feed(&stream[..cut]);
            assert_eq!(!f.inside_a_record(), [0, 8, 13, 20].contains(&cut), "after {cut} bytes");
            f.feed(&stream[cut..]);
            assert!(!f.inside_a_record());
        }
    }
}
