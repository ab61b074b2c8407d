//! Just enough DER to read certificates and keys with no TLS library: elements, their tags
//! and object identifiers. Every read is bounds-checked; malformed input is an error in
//! words ("truncated", "wrong tag"), never a panic.

use std::fmt;

/// Tags this crate reads.
pub(crate) const INTEGER: u8 = 0x02;
pub(crate) const BIT_STRING: u8 = 0x03;
pub(crate) const OCTET_STRING: u8 = 0x04;
pub(crate) const NULL: u8 = 0x05;
pub(crate) const OID: u8 = 0x06;
pub(crate) const SEQUENCE: u8 = 0x30;
pub(crate) const SET: u8 = 0x31;

/// What is wrong with some DER, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerError(pub(crate) String);

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(what: impl Into<String>) -> Result<T, DerError> {
    Err(DerError(what.into()))
}

/// A tag's name, for errors.
pub(crate) fn tag_name(tag: u8) -> String {
    match tag {
        INTEGER => "INTEGER".into(),
        BIT_STRING => "BIT STRING".into(),
        OCTET_STRING => "OCTET STRING".into(),
        NULL => "NULL".into(),
        OID => "OBJECT IDENTIFIER".into(),
        SEQUENCE => "SEQUENCE".into(),
        SET => "SET".into(),
        t if t & 0xe0 == 0xa0 => format!("[{}]", t & 0x1f),
        t => format!("tag 0x{t:02x}"),
    }
}

/// A cursor over consecutive DER elements.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Reader { rest: input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The tag of the next element, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next element: its tag, its contents, and its whole encoding.
    pub(crate) fn any(&mut self) -> Result<(u8, &'a [u8], &'a [u8]), DerError> {
        let input = self.rest;
        let Some((&tag, rest)) = input.split_first() else { return err("truncated: an element was expected") };
        if tag & 0x1f == 0x1f {
            return err(format!("unsupported high tag number form (0x{tag:02x})"));
        }
        let Some((&first, rest)) = rest.split_first() else { return err("truncated: the length is missing") };
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let count = usize::from(first & 0x7f);
            if count == 0 {
                return err("indefinite length, which DER does not allow");
            }
            if count > 4 {
                return err(format!("a length of {count} bytes is too large"));
            }
            let Some(bytes) = rest.get(..count) else { return err("truncated: the length is cut short") };
            (bytes.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b)), &rest[count..])
        };
        if rest.len() < len {
            return err(format!("truncated: {} says {len} bytes, {} remain", tag_name(tag), rest.len()));
        }
        let header = input.len() - rest.len();
        self.rest = &rest[len..];
        Ok((tag, &rest[..len], &input[..header + len]))
    }

    /// The contents of the next element, which must have tag `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &str) -> Result<&'a [u8], DerError> {
        let (found, contents, _) = self.any().map_err(|e| DerError(format!("{what}: {e}")))?;
        if found != tag {
            return err(format!("{what}: expected {}, found {}", tag_name(tag), tag_name(found)));
        }
        Ok(contents)
    }

    /// The contents of the next element if it has tag `tag`; nothing is consumed otherwise.
    pub(crate) fn optional(&mut self, tag: u8, what: &str) -> Result<Option<&'a [u8]>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.expect(tag, what).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// The contents of the one element `input` holds, with tag `tag` (nothing may follow).
pub(crate) fn single<'a>(input: &'a [u8], tag: u8, what: &str) -> Result<&'a [u8], DerError> {
    let mut r = Reader::new(input);
    let contents = r.expect(tag, what)?;
    if !r.is_empty() {
        return err(format!("{what}: {} bytes follow its end", r.rest.len()));
    }
    Ok(contents)
}

/// An OBJECT IDENTIFIER's contents in dotted form ("2.5.4.3").
pub(crate) fn dotted_oid(contents: &[u8]) -> Result<String, DerError> {
    if contents.is_empty() || contents.last().is_some_and(|b| b & 0x80 != 0) {
        return err("a malformed OBJECT IDENTIFIER");
    }
    let mut arcs = Vec::new();
    let mut value: u64 = 0;
    for &b in contents {
        value = value
            .checked_mul(128)
            .map(|v| v | u64::from(b & 0x7f))
            .ok_or_else(|| DerError("an OBJECT IDENTIFIER arc is too large".into()))?;
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    Ok(arcs.iter().map(u64::to_string).collect::<Vec<_>>().join("."))
}

/// One DER element of `tag` around `body` (up to 64 KiB), for the unit tests that build
/// certificates and names by hand.
#[cfg(test)]
pub(crate) fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    if body.len() < 0x80 {
        out.push(body.len() as u8);
    } else {
        out.push(0x82);
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_and_their_errors() {
        let mut r = Reader::new(&[0x02, 0x01, 0x05, 0x30, 0x00]);
        assert_eq!(r.expect(INTEGER, "n").unwrap(), [5]);
        assert_eq!(r.expect(SEQUENCE, "s").unwrap(), [] as [u8; 0]);
        assert!(r.is_empty());
        let e = Reader::new(&[0x30, 0x05, 1]).any().unwrap_err();
        assert_eq!(e.0, "truncated: SEQUENCE says 5 bytes, 1 remain");
        let e = Reader::new(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).any().unwrap_err();
        assert!(e.0.starts_with("truncated"), "{e}");
        let e = Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).any().unwrap_err();
        assert_eq!(e.0, "a length of 5 bytes is too large");
        let e = Reader::new(&[0x30, 0x80]).any().unwrap_err();
        assert!(e.0.contains("indefinite"), "{e}");
        let e = Reader::new(&[0x02, 0x00]).expect(SEQUENCE, "a certificate").unwrap_err();
        assert_eq!(e.0, "a certificate: expected SEQUENCE, found INTEGER");
        assert!(single(&[0x05, 0x00, 0x00], NULL, "x").unwrap_err().0.contains("follow"));
    }

    #[test]
    fn object_identifiers() {
        assert_eq!(dotted_oid(&[0x55, 0x04, 0x03]).unwrap(), "2.5.4.3");
        assert_eq!(
            dotted_oid(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]).unwrap(),
            "1.2.840.113549.1.1.1"
        );
        assert_eq!(dotted_oid(&[0x09, 0x92, 0x26]).unwrap(), "0.9.2342");
        assert!(dotted_oid(&[]).is_err());
        assert!(dotted_oid(&[0x55, 0x84]).is_err(), "ends inside an arc");
        assert!(dotted_oid(&[0xff; 12]).is_err());
    }
}
