//! Just enough DER to read a certificate's subject and issuer names, with no TLS library.
//! Every read is bounds-checked: malformed input gives `None`, never a panic.

use crate::options::Certificate;

/// One DER element: its tag, its contents, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let len = rest[..count].iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, &rest[count..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;

/// The subject (`issuer == false`) or issuer Name of a certificate, as its DER contents.
fn name(der: &[u8], issuer: bool) -> Option<&[u8]> {
    let (SEQUENCE, cert, _) = element(der)? else { return None };
    let (SEQUENCE, tbs, _) = element(cert)? else { return None };
    let mut rest = tbs;
    // An explicit [0] version comes first when present.
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2;
    }
    // serialNumber, signature, issuer, validity, subject.
    let mut fields = Vec::with_capacity(5);
    for _ in 0..5 {
        let (tag, contents, next) = element(rest)?;
        fields.push((tag, contents));
        rest = next;
    }
    let (tag, contents) = fields[if issuer { 2 } else { 4 }];
    (tag == SEQUENCE).then_some(contents)
}

fn attribute_label(oid: &[u8]) -> Option<&'static str> {
    Some(match oid {
        [0x55, 0x04, 0x03] => "CN",
        [0x55, 0x04, 0x06] => "C",
        [0x55, 0x04, 0x07] => "L",
        [0x55, 0x04, 0x08] => "ST",
        [0x55, 0x04, 0x0a] => "O",
        [0x55, 0x04, 0x0b] => "OU",
        _ => return None,
    })
}

/// A Name as `CN=..., O=...`: the attributes we know, in certificate order; string values
/// taken as UTF-8 (lossy), others skipped.
fn render(mut rdns: &[u8]) -> Option<String> {
    let mut parts = Vec::new();
    while !rdns.is_empty() {
        let (SET, mut set, next) = element(rdns)? else { return None };
        rdns = next;
        while !set.is_empty() {
            let (SEQUENCE, attr, after) = element(set)? else { return None };
            set = after;
            let (OID, oid, value) = element(attr)? else { return None };
            let (_, text, _) = element(value)?;
            if let Some(label) = attribute_label(oid) {
                parts.push(format!("{label}={}", String::from_utf8_lossy(text)));
            }
        }
    }
    Some(parts.join(", "))
}

impl Certificate {
    /// The subject's name as `CN=..., O=...` (the common attributes), or `None` when the DER
    /// cannot be read.
    ///
    /// ```
    /// // A certificate whose DER is not valid has no subject.
    /// assert_eq!(net::tls::Certificate(vec![0x30, 0x81]).subject(), None);
    /// ```
    pub fn subject(&self) -> Option<String> {
        render(name(&self.0, false)?)
    }

    /// The issuer's name, as [`Certificate::subject`] gives it.
    ///
    /// ```
    /// assert_eq!(net::tls::Certificate(Vec::new()).issuer(), None);
    /// ```
    pub fn issuer(&self) -> Option<String> {
        render(name(&self.0, true)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built certificate skeleton: tbs = version, serial, alg, issuer, validity, subject.
    fn der(cn_subject: &str, cn_issuer: &str) -> Vec<u8> {
        fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
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
        let name = |cn: &str| {
            let attr = [tlv(OID, &[0x55, 0x04, 0x03]), tlv(0x0c, cn.as_bytes())].concat();
            let org = [tlv(OID, &[0x55, 0x04, 0x0a]), tlv(0x0c, b"net")].concat();
            tlv(SEQUENCE, &[tlv(SET, &tlv(SEQUENCE, &attr)), tlv(SET, &tlv(SEQUENCE, &org))].concat())
        };
        let tbs = [
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[1]),
            tlv(SEQUENCE, &tlv(OID, &[1, 2, 3])),
            name(cn_issuer),
            tlv(SEQUENCE, &[]),
            name(cn_subject),
            tlv(SEQUENCE, &[0u8; 200]),
        ]
        .concat();
        tlv(SEQUENCE, &[tlv(SEQUENCE, &tbs), tlv(SEQUENCE, &[]), tlv(0x03, &[0])].concat())
    }

    #[test]
    fn reads_subject_and_issuer() {
        let cert = Certificate(der("localhost", "test CA"));
        assert_eq!(cert.subject().as_deref(), Some("CN=localhost, O=net"));
        assert_eq!(cert.issuer().as_deref(), Some("CN=test CA, O=net"));
    }

    #[test]
    fn hostile_input_gives_none_never_a_panic() {
        let good = der("localhost", "ca");
        for cut in 0..good.len() {
            let c = Certificate(good[..cut].to_vec());
            let _ = (c.subject(), c.issuer());
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..20_000 {
            let mut bytes = good.clone();
            for _ in 0..(round % 7 + 1) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state as usize) % bytes.len();
                bytes[i] = (state >> 32) as u8;
            }
            let c = Certificate(bytes);
            let _ = (c.subject(), c.issuer());
        }
        assert_eq!(Certificate(vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).subject(), None);
        assert_eq!(Certificate(vec![0x30, 0x85, 1, 1, 1, 1, 1]).subject(), None);
    }
}
