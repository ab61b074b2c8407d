//! Our own certificate chain and private key, read once for every backend: PEM or DER
//! (told apart by content), PKCS#1, SEC1 or PKCS#8 keys (turned into PKCS#8, which every
//! backend reads), or a PKCS#12 file with its password. A key that is not the certificate's
//! is refused here, so no backend can accept a pair whose every handshake would fail.

use std::fmt;
use std::path::{Path, PathBuf};

use rustls_pki_types::pem::{self, PemObject, SectionKind};

use crate::der::{self, DerError, Reader, BIT_STRING, INTEGER, NULL, OCTET_STRING, OID, SEQUENCE};
use crate::error::TlsError;
use crate::options::{Certificate, ContextOptions};
use crate::roots::read_file;
use crate::x509::CertificateParts;

/// Our certificate chain (leaf first) and its private key, as the options give them
/// (`cert_and_key` or `pkcs12`), checked to belong together. For backends: the chain is DER,
/// the key PKCS#8 DER, whatever the files held; `chain_pem` and `key_pem` give them as PEM.
///
/// ```
/// use net::tls::{ContextOptions, Identity};
/// let pki = env!("NET_DOC_PKI");
/// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/key.pem"));
/// let id = Identity::from_options(&opts)?.expect("the options name a certificate");
/// assert_eq!(id.chain()[0].subject_name().unwrap().attributes().next().unwrap().value.as_deref(), Some("localhost"));
/// assert!(id.key_pem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
/// assert!(Identity::from_options(&ContextOptions::new())?.is_none());
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[derive(Clone)]
pub struct Identity {
    chain: Vec<Certificate>,
    key: Vec<u8>,
    cert_path: PathBuf,
    key_path: PathBuf,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("chain", &self.chain)
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// The identity the options name: `cert_and_key`, `pkcs12`, or `None`. A file that cannot
    /// be read, holds no certificate or key, or holds a key that is not the certificate's is a
    /// [`TlsError::File`] naming it (a mismatch names both files); a certificate without a
    /// key (or both forms at once) is a [`TlsError::Config`].
    ///
    /// ```
    /// use net::tls::{ContextOptions, Identity, TlsError};
    /// let pki = env!("NET_DOC_PKI");
    /// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/chain.pem"));
    /// let err = Identity::from_options(&opts).unwrap_err();
    /// assert!(matches!(err, TlsError::File { what: "key file", .. }), "{err}");
    /// ```
    pub fn from_options(options: &ContextOptions) -> Result<Option<Identity>, TlsError> {
        match (&options.cert_file, &options.key_file, &options.pkcs12) {
            (None, None, None) => Ok(None),
            (Some(cert), Some(key), None) => Identity::from_files(cert, key).map(Some),
            (None, None, Some(p12)) => Identity::from_pkcs12(&p12.path, &p12.password).map(Some),
            (_, _, Some(_)) => Err(TlsError::Config {
                what: "give a certificate and key either as cert_and_key or as pkcs12, not both".into(),
            }),
            (Some(_), None, None) => Err(TlsError::Config { what: "cert_file is set without key_file".into() }),
            (None, Some(_), None) => Err(TlsError::Config { what: "key_file is set without cert_file".into() }),
        }
    }

    /// A certificate chain file and a key file, each PEM or DER.
    fn from_files(cert_path: &Path, key_path: &Path) -> Result<Identity, TlsError> {
        let chain = load_certificates("certificate file", cert_path)?;
        let bytes = read_file("key file", key_path)?;
        let key = private_key(&bytes).map_err(|reason| TlsError::invalid_file("key file", key_path, reason))?;
        let id = Identity { chain, key, cert_path: cert_path.to_owned(), key_path: key_path.to_owned() };
        id.check_pair()?;
        Ok(id)
    }

    /// A PKCS#12 file: its key, and the certificate chain that goes with it.
    fn from_pkcs12(path: &Path, password: &str) -> Result<Identity, TlsError> {
        let bytes = read_file("PKCS#12 file", path)?;
        let (chain, key) =
            pkcs12_parts(&bytes, password).map_err(|reason| TlsError::invalid_file("PKCS#12 file", path, reason))?;
        let id = Identity { chain, key, cert_path: path.to_owned(), key_path: path.to_owned() };
        id.check_pair()?;
        Ok(id)
    }

    /// The key belongs to the leaf certificate, or an error naming both files.
    fn check_pair(&self) -> Result<(), TlsError> {
        match key_matches(&self.chain[0], &self.key) {
            Ok(()) => Ok(()),
            Err(why) => Err(self.key_error(why)),
        }
    }

    /// For backends: their own refusal of the key (a kind they cannot use, a mismatch they
    /// found), as the error [`Identity::from_options`] gives, naming both files.
    ///
    /// ```
    /// use net::tls::{ContextOptions, Identity};
    /// let pki = env!("NET_DOC_PKI");
    /// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/key.pem"));
    /// let id = Identity::from_options(&opts)?.unwrap();
    /// let err = id.key_error("unsupported key type");
    /// assert!(err.to_string().contains("key.pem"), "{err}");
    /// assert!(std::error::Error::source(&err).unwrap().to_string().contains("chain.pem"));
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn key_error(&self, reason: impl fmt::Display) -> TlsError {
        if self.cert_path == self.key_path {
            return TlsError::invalid_file("PKCS#12 file", &self.key_path, format!("its key: {reason}"));
        }
        let why = format!("with certificate file {:?}: {reason}", self.cert_path);
        TlsError::invalid_file("key file", &self.key_path, why)
    }

    /// The certificate chain, leaf first, as DER.
    ///
    /// ```
    /// # use net::tls::{ContextOptions, Identity};
    /// # let pki = env!("NET_DOC_PKI");
    /// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/key.pem"));
    /// assert!(!Identity::from_options(&opts)?.unwrap().chain().is_empty());
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The private key as PKCS#8 DER (a PrivateKeyInfo).
    ///
    /// ```
    /// # use net::tls::{ContextOptions, Identity};
    /// # let pki = env!("NET_DOC_PKI");
    /// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/key.pem"));
    /// assert_eq!(Identity::from_options(&opts)?.unwrap().key_pkcs8_der()[0], 0x30);
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn key_pkcs8_der(&self) -> &[u8] {
        &self.key
    }

    /// The chain as PEM (`CERTIFICATE` sections, leaf first).
    ///
    /// ```
    /// # use net::tls::{ContextOptions, Identity};
    /// # let pki = env!("NET_DOC_PKI");
    /// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/key.pem"));
    /// assert!(Identity::from_options(&opts)?.unwrap().chain_pem().starts_with("-----BEGIN CERTIFICATE-----"));
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn chain_pem(&self) -> String {
        self.chain.iter().map(|c| pem_section("CERTIFICATE", &c.0)).collect()
    }

    /// The key as PKCS#8 PEM (`PRIVATE KEY`).
    ///
    /// ```
    /// # use net::tls::{ContextOptions, Identity};
    /// # let pki = env!("NET_DOC_PKI");
    /// let opts = ContextOptions::new().cert_and_key(format!("{pki}/chain.pem"), format!("{pki}/key.pem"));
    /// assert!(Identity::from_options(&opts)?.unwrap().key_pem().trim_end().ends_with("-----END PRIVATE KEY-----"));
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn key_pem(&self) -> String {
        pem_section("PRIVATE KEY", &self.key)
    }
}

/// The certificates of a file, PEM (every `CERTIFICATE` section) or DER (one or more
/// certificates back to back); at least one. Errors name the file (`what` is "certificate
/// file", "CA file"...) and say what is wrong in words.
///
/// ```
/// let ca = net::tls::load_certificates("CA file", concat!(env!("NET_DOC_PKI"), "/ca.pem").as_ref())?;
/// assert_eq!(ca.len(), 1);
/// assert!(ca[0].subject().is_some());
/// # Ok::<(), net::tls::TlsError>(())
/// ```
pub fn load_certificates(what: &'static str, path: &Path) -> Result<Vec<Certificate>, TlsError> {
    let bytes = read_file(what, path)?;
    parse_certificates(&bytes).map_err(|reason| TlsError::invalid_file(what, path, reason))
}

/// For backends: the certificates of a file's contents, PEM (every `CERTIFICATE` section) or
/// DER (certificates back to back); none is an error. What is wrong is said in words (a cut
/// PEM section by its label), for the backend to put in a [`TlsError::File`].
///
/// ```
/// let pem = std::fs::read(concat!(env!("NET_DOC_PKI"), "/chain.pem"))?;
/// assert_eq!(net::tls::parse_certificates(&pem)?.len(), 2);
/// let cut = &pem[..pem.len() / 3];
/// let why = net::tls::parse_certificates(cut).unwrap_err();
/// assert!(why.starts_with("the PEM section \"CERTIFICATE\" is cut short"), "{why}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_certificates(bytes: &[u8]) -> Result<Vec<Certificate>, String> {
    let certs = if is_pem(bytes) {
        let mut certs = Vec::new();
        for section in pem_sections(bytes)? {
            if let (SectionKind::Certificate, der) = section {
                certs.push(Certificate(der));
            }
        }
        certs
    } else if bytes.first() == Some(&SEQUENCE) {
        let mut certs = Vec::new();
        let mut reader = Reader::new(bytes);
        while !reader.is_empty() {
            let (_, _, whole) = reader.any().map_err(|e| format!("not a DER certificate: {e}"))?;
            certs.push(Certificate(whole.to_vec()));
        }
        certs
    } else {
        return Err("neither PEM nor DER".into());
    };
    if certs.is_empty() {
        return Err("no certificate in the file".into());
    }
    for (i, cert) in certs.iter().enumerate() {
        CertificateParts::read(&cert.0).map_err(|e| format!("certificate {} of the file is malformed: {e}", i + 1))?;
    }
    Ok(certs)
}

/// A PKCS#12 file's certificate chain (leaf first) and its key as PKCS#8 DER.
pub(crate) fn pkcs12_parts(bytes: &[u8], password: &str) -> Result<(Vec<Certificate>, Vec<u8>), String> {
    let store = p12_keystore::KeyStore::from_pkcs12(bytes, password, p12_keystore::Pkcs12ImportPolicy::Relaxed)
        .map_err(|e| format!("not a PKCS#12 file, or the password is wrong: {e}"))?;
    let (_, entry) = store.private_key_chain().ok_or("no private key in the PKCS#12 file")?;
    let chain: Vec<Certificate> = entry.certs().iter().map(|c| Certificate(c.as_der().to_vec())).collect();
    if chain.is_empty() {
        return Err("the PKCS#12 file has no certificate for its key".into());
    }
    Ok((chain, private_key(entry.key().as_der())?))
}

/// A key file's (or a PKCS#12 bag's) contents, PEM or DER, PKCS#8, PKCS#1 or SEC1: the
/// first key, as PKCS#8 DER.
pub(crate) fn private_key(bytes: &[u8]) -> Result<Vec<u8>, String> {
    if is_pem(bytes) {
        if contains(bytes, b"ENCRYPTED") {
            return Err("the key is encrypted; give it unencrypted, or as PKCS#12 with its password".into());
        }
        let found = pem_sections(bytes)?.into_iter().find(|(kind, _)| {
            matches!(kind, SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey)
        });
        let Some((_, der)) = found else {
            return Err("no private key in the file (no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY section)".into());
        };
        to_pkcs8(&der)
    } else if bytes.first() == Some(&SEQUENCE) {
        to_pkcs8(bytes)
    } else {
        Err("neither PEM nor DER".into())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_pem(bytes: &[u8]) -> bool {
    contains(bytes, b"-----BEGIN ")
}

/// Every PEM section of the contents, with what is wrong in words (the library's own
/// messages print labels as lists of byte values).
fn pem_sections(bytes: &[u8]) -> Result<Vec<(SectionKind, Vec<u8>)>, String> {
    let text = |b: &[u8]| {
        let s = String::from_utf8_lossy(b);
        let s = s.trim_matches(|c: char| c == '-' || c.is_whitespace());
        match s.char_indices().nth(64) {
            Some((i, _)) => format!("{}...", &s[..i]),
            None => s.to_owned(),
        }
    };
    <(SectionKind, Vec<u8>)>::pem_slice_iter(bytes).collect::<Result<Vec<_>, _>>().map_err(|e| match e {
        pem::Error::MissingSectionEnd { end_marker } => {
            let label = text(&end_marker);
            format!("the PEM section \"{label}\" is cut short: no \"-----END {label}-----\" line")
        }
        pem::Error::IllegalSectionStart { line } => format!("a malformed PEM line: \"{}\"", text(&line)),
        pem::Error::Base64Decode(why) => format!("a PEM section is not valid base64 ({why})"),
        pem::Error::SectionTooLarge => "a PEM section is too large".into(),
        other => format!("not valid PEM ({other})"),
    })
}

/// One PEM section: the label's lines around the base64 of `der`, 64 characters a line.
fn pem_section(label: &str, der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::with_capacity(der.len().div_ceil(3) * 4);
    for chunk in der.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 0x3f) as usize]));
            } else {
                b64.push('=');
            }
        }
    }
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len().to_be_bytes();
    let skip = len.iter().take_while(|&&b| b == 0).count();
    match body.len() {
        0..=0x7f => out.push(body.len() as u8),
        _ => {
            out.push(0x80 | (len.len() - skip) as u8);
            out.extend_from_slice(&len[skip..]);
        }
    }
    out.extend_from_slice(body);
    out
}

/// A private key's DER as PKCS#8: kept when it is PKCS#8, wrapped when it is PKCS#1 (RSA)
/// or SEC1 (EC, whose curve it must name).
fn to_pkcs8(key: &[u8]) -> Result<Vec<u8>, String> {
    let words = |e: DerError| format!("not a private key: {e}");
    let body = der::single(key, SEQUENCE, "the private key").map_err(words)?;
    let mut fields = Reader::new(body);
    let version = fields.expect(INTEGER, "the key's version").map_err(words)?;
    match (version, fields.peek_tag()) {
        // PrivateKeyInfo / OneAsymmetricKey: version, algorithm, key.
        ([0] | [1], Some(SEQUENCE)) => {
            let mut alg = Reader::new(fields.expect(SEQUENCE, "the key's algorithm").map_err(words)?);
            alg.expect(OID, "the key's algorithm").map_err(words)?;
            fields.expect(OCTET_STRING, "the PKCS#8 key").map_err(words)?;
            Ok(key.to_vec())
        }
        // RSAPrivateKey (PKCS#1): version 0, modulus, ...
        ([0], Some(INTEGER)) => {
            let alg = tlv(SEQUENCE, &[tlv(OID, RSA_ENCRYPTION), tlv(NULL, &[])].concat());
            Ok(tlv(SEQUENCE, &[tlv(INTEGER, &[0]), alg, tlv(OCTET_STRING, key)].concat()))
        }
        // ECPrivateKey (SEC1): version 1, the key, [0] the curve, [1] the public key.
        ([1], Some(OCTET_STRING)) => {
            fields.expect(OCTET_STRING, "the EC key").map_err(words)?;
            let curve = fields
                .optional(0xa0, "the EC key's curve")
                .map_err(words)?
                .ok_or("an EC (SEC1) key that does not name its curve")?;
            let curve_oid = der::single(curve, OID, "the EC key's curve").map_err(words)?;
            let alg = tlv(SEQUENCE, &[tlv(OID, EC_PUBLIC_KEY), tlv(OID, curve_oid)].concat());
            Ok(tlv(SEQUENCE, &[tlv(INTEGER, &[0]), alg, tlv(OCTET_STRING, key)].concat()))
        }
        _ => Err("not a PKCS#8, PKCS#1 (RSA) or SEC1 (EC) private key".into()),
    }
}

/// A key algorithm's name, for errors.
fn algorithm_name(oid: &[u8]) -> String {
    match oid {
        RSA_ENCRYPTION => "RSA".into(),
        EC_PUBLIC_KEY => "EC".into(),
        [0x2b, 0x65, 0x70] => "Ed25519".into(),
        [0x2b, 0x65, 0x71] => "Ed448".into(),
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a] => "RSA-PSS".into(),
        other => der::dotted_oid(other).unwrap_or_else(|_| "unknown".into()),
    }
}

/// An INTEGER's contents without the leading zeros that keep it positive.
fn unsigned(n: &[u8]) -> &[u8] {
    let zeros = n.iter().take_while(|&&b| b == 0).count();
    &n[zeros.min(n.len().saturating_sub(1))..]
}

/// Whether the PKCS#8 `key` is the private half of `cert`'s public key: same algorithm (and
/// curve), and the same public key where the private key carries it (RSA always; EC and
/// others when the file includes it, as OpenSSL and rcgen write them).
pub(crate) fn key_matches(cert: &Certificate, key: &[u8]) -> Result<(), String> {
    let words = |e: DerError| e.to_string();
    let parts = CertificateParts::read(&cert.0).map_err(|e| format!("the certificate is malformed: {e}"))?;
    let mut spki = Reader::new(parts.public_key);
    let mut cert_alg = Reader::new(spki.expect(SEQUENCE, "the certificate's key algorithm").map_err(words)?);
    let cert_oid = cert_alg.expect(OID, "the certificate's key algorithm").map_err(words)?;
    let cert_params = cert_alg.optional(OID, "the certificate's curve").map_err(words)?;
    let cert_bits = spki.expect(BIT_STRING, "the certificate's public key").map_err(words)?;
    let cert_public = cert_bits.get(1..).unwrap_or_default();

    let mut fields = Reader::new(der::single(key, SEQUENCE, "the private key").map_err(words)?);
    fields.expect(INTEGER, "the key's version").map_err(words)?;
    let mut key_alg = Reader::new(fields.expect(SEQUENCE, "the key's algorithm").map_err(words)?);
    let key_oid = key_alg.expect(OID, "the key's algorithm").map_err(words)?;
    let key_params = key_alg.optional(OID, "the key's curve").map_err(words)?;
    let inner = fields.expect(OCTET_STRING, "the key").map_err(words)?;
    fields.optional(0xa0, "the key's attributes").map_err(words)?;
    // OneAsymmetricKey's [1] IMPLICIT BIT STRING publicKey.
    let pkcs8_public = fields.optional(0x81, "the key's public key").map_err(words)?;

    if key_oid != cert_oid {
        return Err(format!(
            "the key does not match the certificate: an {} key with an {} certificate",
            algorithm_name(key_oid),
            algorithm_name(cert_oid)
        ));
    }
    let mismatch = || Err("the key does not match the certificate (a different public key)".to_owned());
    if key_oid == EC_PUBLIC_KEY && key_params != cert_params {
        return Err("the key does not match the certificate: an EC key on another curve".into());
    }
    let public: Option<&[u8]> = match key_oid {
        RSA_ENCRYPTION => {
            let mut private = Reader::new(der::single(inner, SEQUENCE, "the RSA key").map_err(words)?);
            private.expect(INTEGER, "the RSA key's version").map_err(words)?;
            let n = private.expect(INTEGER, "the RSA modulus").map_err(words)?;
            let e = private.expect(INTEGER, "the RSA exponent").map_err(words)?;
            let mut public = Reader::new(der::single(cert_public, SEQUENCE, "the RSA public key").map_err(words)?);
            let cert_n = public.expect(INTEGER, "the RSA modulus").map_err(words)?;
            let cert_e = public.expect(INTEGER, "the RSA exponent").map_err(words)?;
            if unsigned(n) != unsigned(cert_n) || unsigned(e) != unsigned(cert_e) {
                return mismatch();
            }
            None
        }
        EC_PUBLIC_KEY => {
            let mut private = Reader::new(der::single(inner, SEQUENCE, "the EC key").map_err(words)?);
            private.expect(INTEGER, "the EC key's version").map_err(words)?;
            private.expect(OCTET_STRING, "the EC key").map_err(words)?;
            private.optional(0xa0, "the EC key's curve").map_err(words)?;
            match private.optional(0xa1, "the EC public key").map_err(words)? {
                Some(wrapped) => {
                    let bits = der::single(wrapped, BIT_STRING, "the EC public key").map_err(words)?;
                    Some(bits.get(1..).unwrap_or_default())
                }
                None => None,
            }
        }
        _ => pkcs8_public.map(|bits| bits.get(1..).unwrap_or_default()),
    };
    match public {
        Some(public) if public != cert_public => mismatch(),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_encoding_round_trips() {
        for len in 0..70 {
            let der: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let pem = pem_section("PRIVATE KEY", &der);
            let back = pem_sections(pem.as_bytes()).unwrap();
            assert_eq!(back, [(SectionKind::PrivateKey, der)], "{pem}");
        }
    }

    #[test]
    fn long_lengths_are_encoded_minimally() {
        assert_eq!(&tlv(0x04, &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(&tlv(0x04, &[0; 0x1234])[..4], [0x04, 0x82, 0x12, 0x34]);
    }

    #[test]
    fn pem_errors_are_words() {
        let cut = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        let e = parse_certificates(cut.as_bytes()).unwrap_err();
        assert_eq!(e, "the PEM section \"CERTIFICATE\" is cut short: no \"-----END CERTIFICATE-----\" line");
        let e = parse_certificates(b"-----BEGIN CERTIFICATE---\nAA==\n-----END CERTIFICATE-----\n").unwrap_err();
        assert!(e.starts_with("a malformed PEM line: \"BEGIN CERTIFICATE\""), "{e}");
        let e = parse_certificates(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n").unwrap_err();
        assert!(e.contains("base64"), "{e}");
        let e = parse_certificates(b"-----BEGIN CERTIFICATE-----\nAgEB\n-----END CERTIFICATE-----\n").unwrap_err();
        assert_eq!(e, "certificate 1 of the file is malformed: the certificate: expected SEQUENCE, found INTEGER");
        let e = private_key(b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assert!(e.unwrap_err().contains("encrypted"));
        assert!(private_key(b"hello").unwrap_err().contains("neither PEM nor DER"));
    }

    #[test]
    fn hostile_der_keys_and_certificates_are_errors_not_panics() {
        let key = tlv(SEQUENCE, &[tlv(INTEGER, &[0]), tlv(INTEGER, &[5]), tlv(INTEGER, &[3])].concat());
        let pkcs8 = to_pkcs8(&key).unwrap();
        assert_eq!(to_pkcs8(&pkcs8).unwrap(), pkcs8, "PKCS#8 is kept");
        for bytes in [&key, &pkcs8] {
            for cut in 0..bytes.len() {
                assert!(to_pkcs8(&bytes[..cut]).is_err(), "cut at {cut}");
                assert!(parse_certificates(&bytes[..cut]).is_err());
            }
        }
        let e = to_pkcs8(&[0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02]).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let e = to_pkcs8(&tlv(SEQUENCE, &tlv(OCTET_STRING, &[0]))).unwrap_err();
        assert!(e.contains("expected INTEGER, found OCTET STRING"), "{e}");
        let sec1_without_curve = tlv(SEQUENCE, &[tlv(INTEGER, &[1]), tlv(OCTET_STRING, &[7; 32])].concat());
        assert!(to_pkcs8(&sec1_without_curve).unwrap_err().contains("curve"));
        let e = parse_certificates(&[0x30, 0x82, 0xff, 0xff, 0x00]).unwrap_err();
        assert!(e.starts_with("not a DER certificate: truncated"), "{e}");
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..5_000 {
            let mut bytes = pkcs8.clone();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let i = (state as usize) % bytes.len();
            bytes[i] = (state >> 40) as u8;
            let _ = to_pkcs8(&bytes).map(|k| key_matches(&Certificate(bytes.clone()), &k));
        }
    }
}
