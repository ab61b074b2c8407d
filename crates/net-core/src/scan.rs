//! The fast path of line reading: a whole ASCII line found in one pass over the buffer, and
//! handed out as `&str` without a UTF-8 decode.
#![allow(unsafe_code)]

use std::str::Utf8Error;

/// Whether `b` ends the fast scan: a line terminator, or a byte that is not ASCII.
fn is_special(b: u8) -> bool {
    b == b'\n' || b == b'\r' || b >= 0x80
}

/// The special bytes of 16 at once, as a bit mask (bit `i` for `chunk[i]`).
#[cfg(target_arch = "x86_64")]
fn special16(chunk: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    // SAFETY: SSE2 is part of the x86_64 baseline; the unaligned load reads exactly the 16
    // bytes of `chunk`.
    unsafe {
        let v = _mm_loadu_si128(chunk.as_ptr().cast());
        let lf = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
        let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
        // A terminator's lane is all ones; a byte that is not ASCII has its top bit set.
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(lf, cr), v)) as u32
    }
}

/// The first byte of `hay` that is `\n`, `\r` or not ASCII.
#[cfg(target_arch = "x86_64")]
fn first_special(hay: &[u8]) -> Option<usize> {
    const LANES: usize = 16;
    if hay.len() < LANES {
        return hay.iter().position(|&b| is_special(b));
    }
    let chunk = |at: usize| -> &[u8; LANES] { hay[at..at + LANES].try_into().expect("16 bytes") };
    let mut at = 0;
    while at + LANES <= hay.len() {
        let mask = special16(chunk(at));
        if mask != 0 {
            return Some(at + mask.trailing_zeros() as usize);
        }
        at += LANES;
    }
    if at < hay.len() {
        // The last 16 bytes, overlapping what was seen: drop the lanes already checked.
        let last = hay.len() - LANES;
        let mask = special16(chunk(last)) >> (at - last);
        if mask != 0 {
            return Some(at + mask.trailing_zeros() as usize);
        }
    }
    None
}

#[cfg(not(target_arch = "x86_64"))]
fn first_special(hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| is_special(b))
}

/// A whole line at the start of `hay` whose terminator lies within its first `window` bytes
/// and whose bytes are all ASCII: the line without its terminator, and how many bytes it
/// takes from `hay` (terminator included: `\n`, `\r\n` or a lone `\r`). `None` sends the
/// caller to the general path: no terminator yet, a `\r` whose next byte has not arrived, or
/// a byte that is not ASCII.
pub(crate) fn ascii_line(hay: &[u8], window: usize) -> Option<(&str, usize)> {
    let i = first_special(&hay[..hay.len().min(window)])?;
    let take = match hay[i] {
        b'\n' => i + 1,
        b'\r' if i + 1 < hay.len() => i + 1 + usize::from(hay[i + 1] == b'\n'),
        _ => return None,
    };
    // SAFETY: `i` is the first byte of `hay` that is `\n`, `\r` or not ASCII, so every byte
    // before it is below 0x80: ASCII, which is valid UTF-8.
    Some((unsafe { std::str::from_utf8_unchecked(&hay[..i]) }, take))
}

/// `bytes` as text, checked.
pub(crate) fn as_text(bytes: &[u8]) -> Result<&str, Utf8Error> {
    std::str::from_utf8(bytes)
}

#[cfg(test)]
mod tests {
    use super::{ascii_line, first_special};

    #[test]
    fn first_special_matches_a_plain_scan_at_every_length_and_position() {
        for len in 0..70 {
            let mut hay = vec![b'a'; len];
            assert_eq!(first_special(&hay), None, "len {len}");
            for pos in 0..len {
                for special in [b'\n', b'\r', 0x80, 0xff, 0xc3] {
                    hay[pos] = special;
                    assert_eq!(first_special(&hay), Some(pos), "len {len} pos {pos} byte {special:#x}");
                    // A later special byte never hides an earlier one.
                    if pos + 1 < len {
                        hay[len - 1] = b'\n';
                        assert_eq!(first_special(&hay), Some(pos));
                        hay[len - 1] = b'a';
                    }
                    hay[pos] = b'a';
                }
            }
        }
    }

    #[test]
    fn ascii_line_takes_only_what_it_can_decide() {
        assert_eq!(ascii_line(b"ab\ncd", 100), Some(("ab", 3)));
        assert_eq!(ascii_line(b"ab\r\ncd", 100), Some(("ab", 4)));
        assert_eq!(ascii_line(b"ab\rcd", 100), Some(("ab", 3)));
        assert_eq!(ascii_line(b"\n", 100), Some(("", 1)));
        assert_eq!(ascii_line(b"ab\r", 100), None, "the byte after \\r decides");
        assert_eq!(ascii_line(b"abc", 100), None);
        assert_eq!(ascii_line("é\n".as_bytes(), 100), None, "not ASCII: the general path");
        assert_eq!(ascii_line(b"abcd\n", 4), None, "terminator past the window");
        assert_eq!(ascii_line(b"abc\n", 4), Some(("abc", 4)));
        assert_eq!(ascii_line(b"", 4), None);
    }
}
