//! Certificate subjects and issuers: distinguished names as attribute pairs, and as
//! RFC 4514 text with its escaping, so a crafted value cannot pass for another attribute.

use std::fmt;

use crate::der::{dotted_oid, DerError, Reader, OID, SEQUENCE, SET};
use crate::options::Certificate;
use crate::x509::CertificateParts;

/// One attribute of a distinguished name (`CN=localhost`): its type and its value.
///
/// ```
/// let chain = net::tls::load_certificates("certificate file", concat!(env!("NET_DOC_PKI"), "/chain.pem").as_ref())?;
/// let subject = chain[0].subject_name().unwrap();
/// let cn = subject.attributes().find(|a| a.short_name == Some("CN")).unwrap();
/// assert_eq!((cn.oid.as_str(), cn.value.as_deref()), ("2.5.4.3", Some("localhost")));
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NameAttribute {
    /// The attribute type as a dotted object identifier (`"2.5.4.3"`).
    pub oid: String,
    /// The short name RFC 4514 gives the type (`CN`, `L`, `ST`, `O`, `OU`, `C`, `STREET`,
    /// `DC`, `UID`), if it gives one.
    pub short_name: Option<&'static str>,
    /// The value as text, when it is a string that decodes (UTF8String, PrintableString,
    /// IA5String, VisibleString, NumericString, TeletexString read as Latin-1, BMPString,
    /// UniversalString); `None` otherwise.
    pub value: Option<String>,
    /// The value's whole DER encoding (tag, length and contents).
    pub value_der: Vec<u8>,
}

/// A distinguished name: relative distinguished names (each one or more attributes), in
/// certificate order. `Display` gives the RFC 4514 text.
///
/// ```
/// let ca = net::tls::load_certificates("CA file", concat!(env!("NET_DOC_PKI"), "/ca.pem").as_ref())?;
/// let name = ca[0].subject_name().unwrap();
/// assert_eq!(name.to_string(), ca[0].subject().unwrap());
/// assert_eq!(name.rdns().len(), name.attributes().count());
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DistinguishedName {
    rdns: Vec<Vec<NameAttribute>>,
}

impl DistinguishedName {
    /// Reads a Name's contents (its SEQUENCE of RDN SETs).
    pub(crate) fn read(mut rdns: Reader<'_>) -> Result<DistinguishedName, DerError> {
        let mut name = DistinguishedName::default();
        while !rdns.is_empty() {
            let mut set = Reader::new(rdns.expect(SET, "a relative distinguished name")?);
            let mut rdn = Vec::new();
            while !set.is_empty() {
                let mut attr = Reader::new(set.expect(SEQUENCE, "a name attribute")?);
                let oid = dotted_oid(attr.expect(OID, "a name attribute's type")?)?;
                let (tag, contents, value_der) = attr.any().map_err(|e| DerError(format!("a name attribute: {e}")))?;
                rdn.push(NameAttribute {
                    short_name: short_name(&oid),
                    oid,
                    value: string_value(tag, contents),
                    value_der: value_der.to_vec(),
                });
            }
            if rdn.is_empty() {
                return Err(DerError("an empty relative distinguished name".into()));
            }
            name.rdns.push(rdn);
        }
        Ok(name)
    }

    /// The relative distinguished names, in certificate order (RFC 4514 text lists them the
    /// other way round).
    ///
    /// ```
    /// assert!(net::tls::DistinguishedName::default().rdns().is_empty());
    /// ```
    pub fn rdns(&self) -> &[Vec<NameAttribute>] {
        &self.rdns
    }

    /// Every attribute, in certificate order.
    ///
    /// ```
    /// assert_eq!(net::tls::DistinguishedName::default().attributes().count(), 0);
    /// ```
    pub fn attributes(&self) -> impl Iterator<Item = &NameAttribute> {
        self.rdns.iter().flatten()
    }
}

impl fmt::Display for DistinguishedName {
    /// RFC 4514: the last RDN first, RDNs joined by `,` and an RDN's attributes by `+`; a type
    /// with a short name as that name, others as their dotted OID; a value that is not a
    /// string, or whose type has no short name, as `#` and the hex of its DER.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().rev().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            for (j, attr) in rdn.iter().enumerate() {
                if j > 0 {
                    f.write_str("+")?;
                }
                match (attr.short_name, &attr.value) {
                    (Some(name), Some(text)) => write!(f, "{name}={}", escape(text))?,
                    (name, _) => {
                        write!(f, "{}=#", name.unwrap_or(&attr.oid))?;
                        for b in &attr.value_der {
                            write!(f, "{b:02x}")?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// RFC 4514's short names (section 3).
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.6" => "C",
        "2.5.4.9" => "STREET",
        "0.9.2342.19200300.100.1.25" => "DC",
        "0.9.2342.19200300.100.1.1" => "UID",
        _ => return None,
    })
}

/// A string value's text; `None` for other types and for bytes that do not decode.
fn string_value(tag: u8, contents: &[u8]) -> Option<String> {
    match tag {
        // UTF8String
        0x0c => String::from_utf8(contents.to_vec()).ok(),
        // NumericString, PrintableString, IA5String, VisibleString: ASCII.
        0x12 | 0x13 | 0x16 | 0x1a => contents.is_ascii().then(|| String::from_utf8_lossy(contents).into_owned()),
        // TeletexString: in practice Latin-1.
        0x14 => Some(contents.iter().map(|&b| char::from(b)).collect()),
        // BMPString: UTF-16 big-endian.
        0x1e if contents.len() % 2 == 0 => {
            let units = contents.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
            char::decode_utf16(units).collect::<Result<String, _>>().ok()
        }
        // UniversalString: UTF-32 big-endian.
        0x1c if contents.len() % 4 == 0 => contents
            .chunks_exact(4)
            .map(|c| char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .collect::<Option<String>>(),
        _ => None,
    }
}

/// RFC 4514 section 2.4: `"`, `+`, `,`, `;`, `<`, `>`, `\` behind a backslash; a leading `#`
/// or space and a trailing space too; NUL and other control characters as `\` and hex.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:02x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

impl Certificate {
    /// The subject's distinguished name as attribute pairs, or `None` when the DER cannot be
    /// read.
    ///
    /// ```
    /// assert!(net::tls::Certificate(vec![0x30, 0x03, 0x02, 0x01]).subject_name().is_none());
    /// ```
    pub fn subject_name(&self) -> Option<DistinguishedName> {
        let parts = CertificateParts::read(&self.0).ok()?;
        DistinguishedName::read(Reader::new(parts.subject)).ok()
    }

    /// The issuer's distinguished name, as [`Certificate::subject_name`] gives the subject's.
    ///
    /// ```
    /// assert!(net::tls::Certificate(Vec::new()).issuer_name().is_none());
    /// ```
    pub fn issuer_name(&self) -> Option<DistinguishedName> {
        let parts = CertificateParts::read(&self.0).ok()?;
        DistinguishedName::read(Reader::new(parts.issuer)).ok()
    }

    /// The subject as RFC 4514 text (`O=net,CN=localhost`: the last attribute first, values
    /// escaped), or `None` when the DER cannot be read.
    ///
    /// ```
    /// // A certificate whose DER is not valid has no subject.
    /// assert_eq!(net::tls::Certificate(vec![0x30, 0x81]).subject(), None);
    /// ```
    pub fn subject(&self) -> Option<String> {
        self.subject_name().map(|n| n.to_string())
    }

    /// The issuer as RFC 4514 text, as [`Certificate::subject`] gives the subject.
    ///
    /// ```
    /// assert_eq!(net::tls::Certificate(Vec::new()).issuer(), None);
    /// ```
    pub fn issuer(&self) -> Option<String> {
        self.issuer_name().map(|n| n.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::der::tlv;

    /// A Name of single-attribute RDNs: (OID contents, value tag, value bytes).
    fn name(attrs: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
        let rdns: Vec<u8> = attrs
            .iter()
            .flat_map(|(oid, tag, value)| tlv(SET, &tlv(SEQUENCE, &[tlv(OID, oid), tlv(*tag, value)].concat())))
            .collect();
        tlv(SEQUENCE, &rdns)
    }

    const CN: &[u8] = &[0x55, 0x04, 0x03];
    const O: &[u8] = &[0x55, 0x04, 0x0a];

    /// A hand-built certificate skeleton: tbs = version, serial, alg, issuer, validity,
    /// subject, public key.
    fn der(subject: &[u8], issuer: &[u8]) -> Vec<u8> {
        let tbs = [
            tlv(0xa0, &tlv(0x02, &[2])),
            tlv(0x02, &[1]),
            tlv(SEQUENCE, &tlv(OID, &[1, 2, 3])),
            issuer.to_vec(),
            tlv(SEQUENCE, &[]),
            subject.to_vec(),
            tlv(SEQUENCE, &[0u8; 200]),
        ]
        .concat();
        tlv(SEQUENCE, &[tlv(SEQUENCE, &tbs), tlv(SEQUENCE, &[]), tlv(0x03, &[0])].concat())
    }

    fn simple(cn: &str) -> Vec<u8> {
        name(&[(CN, 0x0c, cn.as_bytes()), (O, 0x0c, b"net")])
    }

    #[test]
    fn reads_subject_and_issuer_as_rfc4514() {
        let cert = Certificate(der(&simple("localhost"), &simple("test CA")));
        assert_eq!(cert.subject().as_deref(), Some("O=net,CN=localhost"));
        assert_eq!(cert.issuer().as_deref(), Some("O=net,CN=test CA"));
        let subject = cert.subject_name().unwrap();
        let pairs: Vec<(&str, Option<&str>)> =
            subject.attributes().map(|a| (a.oid.as_str(), a.value.as_deref())).collect();
        assert_eq!(pairs, [("2.5.4.3", Some("localhost")), ("2.5.4.10", Some("net"))]);
    }

    #[test]
    fn a_crafted_value_cannot_fake_another_attribute() {
        let cert = Certificate(der(&name(&[(CN, 0x0c, b"evil, O=Bank+OU=x")]), &simple("ca")));
        assert_eq!(cert.subject().as_deref(), Some("CN=evil\\, O=Bank\\+OU=x"));
        let edge = Certificate(der(&name(&[(CN, 0x0c, b"#lead;<q>\"\\ trail ")]), &simple("ca")));
        assert_eq!(edge.subject().as_deref(), Some("CN=\\#lead\\;\\<q\\>\\\"\\\\ trail\\ "));
        let ctl = Certificate(der(&name(&[(CN, 0x0c, b" a\0b\n")]), &simple("ca")));
        assert_eq!(ctl.subject().as_deref(), Some("CN=\\ a\\00b\\0a"));
    }

    #[test]
    fn string_types_decode_and_unknown_attributes_are_hex() {
        let bmp: Vec<u8> = "Zürich 東京".encode_utf16().flat_map(u16::to_be_bytes).collect();
        let universal: Vec<u8> = "é".chars().flat_map(|c| u32::from(c).to_be_bytes()).collect();
        let subject = name(&[
            (CN, 0x1e, &bmp),
            (&[0x55, 0x04, 0x07], 0x1c, &universal),
            (&[0x55, 0x04, 0x08], 0x14, &[0x4d, 0xfc, 0x6e]),
            // emailAddress has no RFC 4514 short name: dotted OID and the DER in hex.
            (&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01], 0x16, b"a@b"),
            // A known type whose value is not a string: hex.
            (O, 0x02, &[0x01]),
        ]);
        let cert = Certificate(der(&subject, &simple("ca")));
        assert_eq!(
            cert.subject().as_deref(),
            Some("O=#020101,1.2.840.113549.1.9.1=#1603614062,ST=Mün,L=é,CN=Zürich 東京")
        );
        let bad_bmp = Certificate(der(&name(&[(CN, 0x1e, &[0xd8, 0x00])]), &simple("ca")));
        assert_eq!(bad_bmp.subject().as_deref(), Some("CN=#1e02d800"), "a lone surrogate is not text");
    }

    #[test]
    fn multi_valued_rdns_join_with_plus() {
        let attr = |oid: &[u8], v: &[u8]| tlv(SEQUENCE, &[tlv(OID, oid), tlv(0x0c, v)].concat());
        let subject = tlv(SEQUENCE, &tlv(SET, &[attr(CN, b"a"), attr(O, b"b")].concat()));
        let cert = Certificate(der(&subject, &simple("ca")));
        assert_eq!(cert.subject().as_deref(), Some("CN=a+O=b"));
        assert_eq!(cert.subject_name().unwrap().rdns().len(), 1);
    }

    #[test]
    fn hostile_input_gives_none_never_a_panic() {
        let good = der(&simple("localhost"), &simple("ca"));
        for cut in 0..good.len() {
            let c = Certificate(good[..cut].to_vec());
            assert_eq!((c.subject(), c.issuer()), (None, None), "truncated at {cut}");
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
            let _ = (c.subject(), c.issuer(), c.subject_name(), c.issuer_name());
        }
        // Oversized lengths, wrong tags, an empty RDN.
        assert_eq!(Certificate(vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).subject(), None);
        assert_eq!(Certificate(vec![0x30, 0x85, 1, 1, 1, 1, 1]).subject(), None);
        assert_eq!(Certificate(der(&tlv(SET, &[]), &simple("ca"))).subject(), None);
        assert_eq!(Certificate(der(&tlv(SEQUENCE, &tlv(SET, &[])), &simple("ca"))).subject(), None);
        assert_eq!(Certificate(der(&tlv(SEQUENCE, &tlv(SET, &tlv(OID, CN))), &simple("ca"))).subject(), None);
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(Certificate(trailing).subject(), None, "bytes after the certificate");
    }
}
