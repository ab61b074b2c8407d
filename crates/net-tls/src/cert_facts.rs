//! What verification reads from a certificate, the same for every backend: its validity
//! period (as RFC 3339 text), the names it is for (subjectAltName DNS names and IP
//! addresses), whether it is a CA, and whether it names itself as its issuer.
//!
//! Backends describe a refused certificate from these facts, not from their library's own
//! wording, so the same file gives the same `CertificateReason` on every backend. Every read
//! is bounds-checked: malformed input gives `None`, never a panic. (It has its own small DER
//! reader so that it does not depend on how `der.rs` renders names.)

use std::net::{Ipv4Addr, Ipv6Addr};

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

const BOOLEAN: u8 = 0x01;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const SEQUENCE: u8 = 0x30;
/// `[3]` explicit: the extensions of a v3 certificate.
const EXTENSIONS: u8 = 0xa3;
/// subjectAltName GeneralName choices: `[2] dNSName`, `[7] iPAddress`.
const DNS_NAME: u8 = 0x82;
const IP_ADDRESS: u8 = 0x87;
/// id-ce-subjectAltName (2.5.29.17) and id-ce-basicConstraints (2.5.29.19).
const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];

/// The fields of a certificate's tbsCertificate that verification reads, as DER contents.
struct Tbs<'a> {
    issuer: &'a [u8],
    validity: &'a [u8],
    subject: &'a [u8],
    /// The contents of the `[3]` extensions, when present.
    extensions: Option<&'a [u8]>,
}

fn tbs(der: &[u8]) -> Option<Tbs<'_>> {
    let (SEQUENCE, cert, _) = element(der)? else { return None };
    let (SEQUENCE, mut rest, _) = element(cert)? else { return None };
    if rest.first() == Some(&0xa0) {
        rest = element(rest)?.2; // the explicit [0] version
    }
    let mut next = || -> Option<(u8, &[u8])> {
        let (tag, contents, after) = element(rest)?;
        rest = after;
        Some((tag, contents))
    };
    let _serial = next()?;
    let _signature = next()?;
    let (SEQUENCE, issuer) = next()? else { return None };
    let (SEQUENCE, validity) = next()? else { return None };
    let (SEQUENCE, subject) = next()? else { return None };
    let _public_key = next()?;
    // Then the optional [1] and [2] unique identifiers, and [3] the extensions.
    let mut extensions = None;
    while let Some((tag, contents)) = next() {
        if tag == EXTENSIONS {
            extensions = Some(contents);
        }
    }
    Some(Tbs { issuer, validity, subject, extensions })
}

/// The value (the OCTET STRING's contents) of the extension `oid`.
fn extension<'a>(tbs: &Tbs<'a>, oid: &[u8]) -> Option<&'a [u8]> {
    let (SEQUENCE, mut list, _) = element(tbs.extensions?)? else { return None };
    while !list.is_empty() {
        let (SEQUENCE, ext, after) = element(list)? else { return None };
        list = after;
        let (OID, id, mut rest) = element(ext)? else { return None };
        if id != oid {
            continue;
        }
        if rest.first() == Some(&BOOLEAN) {
            rest = element(rest)?.2; // `critical`
        }
        let (OCTET_STRING, value, _) = element(rest)? else { return None };
        return Some(value);
    }
    None
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A UTCTime (`YYMMDDHHMMSSZ`) or GeneralizedTime (`YYYYMMDDHHMMSSZ`) as seconds since the
/// UNIX epoch. Only the `Z` forms RFC 5280 allows are read.
fn time(tag: u8, text: &[u8]) -> Option<i64> {
    let digits = text.strip_suffix(b"Z")?;
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        digits.get(range)?.iter().try_fold(0i64, |acc, &d| Some(acc * 10 + i64::from(d - b'0')))
    };
    let (year, rest) = match (tag, digits.len()) {
        // RFC 5280: YY >= 50 is 19YY, else 20YY.
        (UTC_TIME, 12) => {
            let yy = num(0..2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        (GENERALIZED_TIME, 14) => (num(0..4)?, 4),
        _ => return None,
    };
    let field = |i: usize| num(rest + 2 * i..rest + 2 * i + 2);
    let (month, day, hour, minute, second) = (field(0)?, field(1)?, field(2)?, field(3)?, field(4)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Seconds since the UNIX epoch as RFC 3339 text in UTC: `2025-01-31T00:00:00Z`.
pub(crate) fn rfc3339(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

impl Certificate {
    /// When the certificate starts to be valid (`notBefore`), as RFC 3339 text in UTC; `None`
    /// when the DER cannot be read.
    ///
    /// ```
    /// assert_eq!(net::tls::Certificate(vec![0x30, 0x00]).not_before(), None);
    /// ```
    pub fn not_before(&self) -> Option<String> {
        self.validity().map(|(from, _)| rfc3339(from))
    }

    /// When the certificate stops being valid (`notAfter`), as RFC 3339 text in UTC; `None`
    /// when the DER cannot be read.
    ///
    /// ```
    /// // A certificate from a handshake: `net::tls::peer_certificates(&socket)[0].not_after()`.
    /// assert_eq!(net::tls::Certificate(Vec::new()).not_after(), None);
    /// ```
    pub fn not_after(&self) -> Option<String> {
        self.validity().map(|(_, to)| rfc3339(to))
    }

    /// `(notBefore, notAfter)` in seconds since the UNIX epoch; `None` when the DER cannot be
    /// read.
    ///
    /// ```
    /// assert_eq!(net::tls::Certificate(vec![0x30, 0x00]).validity(), None);
    /// ```
    pub fn validity(&self) -> Option<(i64, i64)> {
        let (tag, from, rest) = element(tbs(&self.0)?.validity)?;
        let from = time(tag, from)?;
        let (tag, to, _) = element(rest)?;
        Some((from, time(tag, to)?))
    }

    /// The names the certificate is for: its subjectAltName DNS names and IP addresses, in
    /// certificate order (other kinds of names are left out). Empty when it has none or the
    /// DER cannot be read.
    ///
    /// ```
    /// assert!(net::tls::Certificate(vec![0x30, 0x00]).alt_names().is_empty());
    /// ```
    pub fn alt_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let Some(value) = tbs(&self.0).and_then(|t| extension(&t, SUBJECT_ALT_NAME)) else { return names };
        let Some((SEQUENCE, mut list, _)) = element(value) else { return names };
        while let Some((tag, contents, after)) = element(list) {
            list = after;
            match (tag, contents.len()) {
                (DNS_NAME, _) => names.push(String::from_utf8_lossy(contents).into_owned()),
                (IP_ADDRESS, 4) => {
                    let octets: [u8; 4] = contents.try_into().unwrap_or_default();
                    names.push(Ipv4Addr::from(octets).to_string());
                }
                (IP_ADDRESS, 16) => {
                    let octets: [u8; 16] = contents.try_into().unwrap_or_default();
                    names.push(Ipv6Addr::from(octets).to_string());
                }
                _ => {}
            }
        }
        names
    }

    /// Whether the certificate is a CA's (basicConstraints `cA` true).
    ///
    /// ```
    /// assert!(!net::tls::Certificate(vec![0x30, 0x00]).is_ca());
    /// ```
    pub fn is_ca(&self) -> bool {
        let Some(value) = tbs(&self.0).and_then(|t| extension(&t, BASIC_CONSTRAINTS)) else { return false };
        match element(value) {
            Some((SEQUENCE, inner, _)) => matches!(element(inner), Some((BOOLEAN, [flag], _)) if *flag != 0),
            _ => false,
        }
    }

    /// Whether the certificate names itself as its issuer (its subject and issuer are the
    /// same DER): a root, or a self-signed certificate.
    ///
    /// ```
    /// assert!(!net::tls::Certificate(Vec::new()).is_self_issued());
    /// ```
    pub fn is_self_issued(&self) -> bool {
        tbs(&self.0).is_some_and(|t| t.issuer == t.subject)
    }

    /// Whether `issuer`'s subject is the name this certificate gives as its issuer.
    pub(crate) fn names_as_issuer(&self, issuer: &Certificate) -> bool {
        match (tbs(&self.0), tbs(&issuer.0)) {
            (Some(cert), Some(issuer)) => cert.issuer == issuer.subject,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::der::tlv;

    /// A certificate skeleton with the fields verification reads.
    fn der(subject: &str, issuer: &str, ca: bool) -> Vec<u8> {
        let name = |cn: &str| {
            let attr = [tlv(OID, &[0x55, 0x04, 0x03]), tlv(0x0c, cn.as_bytes())].concat();
            tlv(SEQUENCE, &tlv(0x31, &tlv(SEQUENCE, &attr)))
        };
        let validity = [tlv(UTC_TIME, b"250131120000Z"), tlv(GENERALIZED_TIME, b"20500101000000Z")].concat();
        let san = tlv(
            SEQUENCE,
            &[tlv(DNS_NAME, b"localhost"), tlv(IP_ADDRESS, &[127, 0, 0, 1]), tlv(0x86, b"uri"), {
                let mut v6 = [0u8; 16];
                v6[15] = 1;
                tlv(IP_ADDRESS, &v6)
            }]
            .concat(),
        );
        let basic = tlv(SEQUENCE, &if ca { tlv(BOOLEAN, &[0xff]) } else { Vec::new() });
        let extensions = tlv(
            EXTENSIONS,
            &tlv(
                SEQUENCE,
                &[
                    tlv(
                        SEQUENCE,
                        &[tlv(OID, BASIC_CONSTRAINTS), tlv(BOOLEAN, &[0xff]), tlv(OCTET_STRING, &basic)].concat(),
                    ),
                    tlv(SEQUENCE, &[tlv(OID, SUBJECT_ALT_NAME), tlv(OCTET_STRING, &san)].concat()),
                ]
                .concat(),
            ),
        );
        let tbs = [
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[1]),
            tlv(SEQUENCE, &tlv(OID, &[1, 2, 3])),
            name(issuer),
            tlv(SEQUENCE, &validity),
            name(subject),
            tlv(SEQUENCE, &[0u8; 100]),
            extensions,
        ]
        .concat();
        tlv(SEQUENCE, &[tlv(SEQUENCE, &tbs), tlv(SEQUENCE, &[]), tlv(0x03, &[0])].concat())
    }

    #[test]
    fn validity_names_and_flags() {
        let leaf = Certificate(der("localhost", "ca", false));
        assert_eq!(leaf.not_before().as_deref(), Some("2025-01-31T12:00:00Z"));
        assert_eq!(leaf.not_after().as_deref(), Some("2050-01-01T00:00:00Z"));
        assert_eq!(leaf.alt_names(), ["localhost", "127.0.0.1", "::1"]);
        assert!(!leaf.is_ca() && !leaf.is_self_issued());
        let ca = Certificate(der("ca", "ca", true));
        assert!(ca.is_ca() && ca.is_self_issued());
        assert!(leaf.names_as_issuer(&ca) && !ca.names_as_issuer(&leaf));
    }

    #[test]
    fn times_both_ways() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
        assert_eq!(time(UTC_TIME, b"500101000000Z"), Some(-631_152_000)); // 1950
        assert_eq!(time(UTC_TIME, b"000229000000Z"), Some(951_782_400));
        assert_eq!(time(GENERALIZED_TIME, b"20000229000000Z"), Some(951_782_400));
        for bad in [&b"000229000000"[..], b"0002290000Z", b"001329000000Z", b"00022900000aZ", b""] {
            assert_eq!(time(UTC_TIME, bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hostile_input_gives_nothing_never_a_panic() {
        let good = der("localhost", "ca", true);
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for round in 0..20_000 {
            let mut bytes = good.clone();
            if round < good.len() {
                bytes.truncate(round);
            } else {
                for _ in 0..(round % 5 + 1) {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let i = (state as usize) % bytes.len();
                    bytes[i] = (state >> 32) as u8;
                }
            }
            let c = Certificate(bytes);
            let _ = (c.not_before(), c.not_after(), c.alt_names(), c.is_ca(), c.is_self_issued());
        }
    }
}
