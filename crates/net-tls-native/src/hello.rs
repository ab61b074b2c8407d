//! The negotiated version and cipher suite, read from the ServerHello as it crosses the wire
//! (native-tls reports neither; the ServerHello is plaintext in every TLS version).

/// The random of a TLS 1.3 HelloRetryRequest, which has the form of a ServerHello.
const HELLO_RETRY: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11,
    0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// More than any server's first flight up to its ServerHello needs.
const LIMIT: usize = 64 * 1024;

/// What the ServerHello said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Negotiated {
    pub(crate) version: u16,
    pub(crate) suite: u16,
}

/// Collects the server's first flight until its ServerHello.
#[derive(Debug, Clone, Default)]
pub(crate) struct HelloWatch {
    bytes: Vec<u8>,
    found: Option<Negotiated>,
    done: bool,
}

impl HelloWatch {
    /// Adds bytes the server sent.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        if self.done || data.is_empty() {
            return;
        }
        self.bytes.extend_from_slice(data);
        self.found = server_hello(&self.bytes);
        if self.found.is_some() || self.bytes.len() > LIMIT {
            self.stop();
        }
    }

    /// Stops watching (the handshake is over).
    pub(crate) fn stop(&mut self) {
        self.done = true;
        self.bytes = Vec::new();
    }

    /// What the ServerHello said, once seen.
    pub(crate) fn negotiated(&self) -> Option<Negotiated> {
        self.found
    }
}

/// The handshake bytes of the plaintext records at the start of `wire`.
fn handshake_bytes(wire: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = wire;
    while rest.len() >= 5 {
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        let Some(body) = rest.get(5..5 + len) else { break };
        match rest[0] {
            22 => out.extend_from_slice(body), // handshake
            20 => {}                           // change_cipher_spec (TLS 1.3 compatibility)
            _ => break,                        // alerts, encrypted records: no ServerHello after them
        }
        rest = &rest[5 + len..];
    }
    out
}

/// The first ServerHello (not a HelloRetryRequest) among the handshake messages of `wire`.
fn server_hello(wire: &[u8]) -> Option<Negotiated> {
    let hs = handshake_bytes(wire);
    let mut rest = &hs[..];
    while rest.len() >= 4 {
        let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
        let body = rest.get(4..4 + len)?;
        if rest[0] == 2 {
            if let Some(n) = parse_server_hello(body) {
                return Some(n);
            }
        }
        rest = &rest[4 + len..];
    }
    None
}

/// Version and suite of one ServerHello body; `None` for a HelloRetryRequest or a malformed one.
fn parse_server_hello(body: &[u8]) -> Option<Negotiated> {
    let legacy = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let random = body.get(2..34)?;
    if random == HELLO_RETRY {
        return None;
    }
    let sid_len = usize::from(*body.get(34)?);
    let at = 35 + sid_len;
    let suite = u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]);
    let mut version = legacy;
    // Extensions: supported_versions (43) carries the real version from TLS 1.3 on.
    if let Some(ext) = body.get(at + 3..).filter(|e| e.len() >= 2) {
        let total = usize::from(u16::from_be_bytes([ext[0], ext[1]]));
        let mut list = ext.get(2..2 + total)?;
        while list.len() >= 4 {
            let kind = u16::from_be_bytes([list[0], list[1]]);
            let len = usize::from(u16::from_be_bytes([list[2], list[3]]));
            let data = list.get(4..4 + len)?;
            if kind == 43 && len == 2 {
                version = u16::from_be_bytes([data[0], data[1]]);
            }
            list = &list[4 + len..];
        }
    }
    Some(Negotiated { version, suite })
}

/// The version's name, as OpenSSL writes it.
pub(crate) fn version_name(version: u16) -> Option<&'static str> {
    Some(match version {
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        0x0304 => "TLSv1.3",
        _ => return None,
    })
}

/// The suite's IANA name (the suites TLS libraries offer by default), else its number.
pub(crate) fn suite_name(suite: u16) -> String {
    let name = match suite {
        0x1301 => "TLS_AES_128_GCM_SHA256",
        0x1302 => "TLS_AES_256_GCM_SHA384",
        0x1303 => "TLS_CHACHA20_POLY1305_SHA256",
        0x1304 => "TLS_AES_128_CCM_SHA256",
        0x1305 => "TLS_AES_128_CCM_8_SHA256",
        0xC02B => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        0xC02C => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        0xC02F => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        0xC030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        0xCCA8 => "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCA9 => "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        0xCCAA => "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        0xC009 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        0xC00A => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        0xC013 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        0xC014 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        0xC023 => "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        0xC024 => "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        0xC027 => "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        0xC028 => "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        0x009E => "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        0x009F => "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        0x0033 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        0x0039 => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        0x0067 => "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        0x006B => "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        0x009C => "TLS_RSA_WITH_AES_128_GCM_SHA256",
        0x009D => "TLS_RSA_WITH_AES_256_GCM_SHA384",
        0x002F => "TLS_RSA_WITH_AES_128_CBC_SHA",
        0x0035 => "TLS_RSA_WITH_AES_256_CBC_SHA",
        0x003C => "TLS_RSA_WITH_AES_128_CBC_SHA256",
        0x003D => "TLS_RSA_WITH_AES_256_CBC_SHA256",
        other => return format!("0x{other:04X}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ServerHello record: `version`, a session id of `sid` bytes, `suite`, and the
    /// supported_versions extension when `tls13`.
    fn hello(random: [u8; 32], sid: usize, suite: u16, tls13: bool) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&random);
        body.push(sid as u8);
        body.extend(std::iter::repeat_n(7, sid));
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        let mut ext = vec![0xff, 0x01, 0x00, 0x01, 0x00]; // renegotiation_info
        if tls13 {
            ext.extend_from_slice(&[0x00, 0x2b, 0x00, 0x02, 0x03, 0x04]);
        }
        body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
        body.extend_from_slice(&ext);
        let mut hs = vec![2, 0, (body.len() >> 8) as u8, body.len() as u8];
        hs.extend_from_slice(&body);
        let mut record = vec![22, 0x03, 0x03, (hs.len() >> 8) as u8, hs.len() as u8];
        record.extend_from_slice(&hs);
        record
    }

    #[test]
    fn reads_version_and_suite_in_pieces() {
        let wire = hello([1; 32], 32, 0x1302, true);
        let mut w = HelloWatch::default();
        for chunk in wire.chunks(3) {
            assert_eq!(w.negotiated(), None);
            w.feed(chunk);
        }
        assert_eq!(w.negotiated(), Some(Negotiated { version: 0x0304, suite: 0x1302 }));
        let tls12 = server_hello(&hello([1; 32], 0, 0xC02B, false)).unwrap();
        assert_eq!(
            (version_name(tls12.version), suite_name(tls12.suite).as_str()),
            (Some("TLSv1.2"), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")
        );
    }

    #[test]
    fn a_flight_without_a_server_hello_is_watched_up_to_the_limit_only() {
        // One handshake message (a Certificate, type 11) longer than anything sent, in
        // records of 16 000 bytes.
        let record = |body: &[u8]| {
            let mut r = vec![22, 3, 3];
            r.extend_from_slice(&(body.len() as u16).to_be_bytes());
            r.extend_from_slice(body);
            r
        };
        let mut w = HelloWatch::default();
        w.feed(&record(&[11, 0xff, 0xff, 0xff]));
        let mut fed = 9;
        while !w.done {
            assert!(fed <= LIMIT, "still watching after {fed} bytes");
            w.feed(&record(&[0; 16_000]));
            fed += 16_005;
        }
        assert!(w.bytes.capacity() == 0, "the bytes kept are freed");
        // What comes after is not looked at.
        w.feed(&hello([1; 32], 0, 0x1301, true));
        assert_eq!(w.negotiated(), None);
    }

    #[test]
    fn skips_a_hello_retry_request_and_ignores_garbage() {
        let mut wire = hello(HELLO_RETRY, 32, 0x1301, true);
        wire.extend_from_slice(&[20, 3, 3, 0, 1, 1]); // change_cipher_spec
        wire.extend_from_slice(&hello([2; 32], 32, 0x1303, true));
        assert_eq!(server_hello(&wire), Some(Negotiated { version: 0x0304, suite: 0x1303 }));
        assert_eq!(server_hello(b"HTTP/1.1 400 Bad Request\r\n"), None);
        assert_eq!(server_hello(&[22, 3, 3, 0, 4, 2, 0, 0, 0]), None);
        assert_eq!(suite_name(0xABCD), "0xABCD");
    }
}
