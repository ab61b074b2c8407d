//! Certificates made at test time (nothing with a fixed expiry is committed): a CA, leaves
//! for names and IP addresses, expired and not-yet-valid ones, self-signed ones.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// When a certificate is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// From yesterday for a year.
    Current,
    /// Ended a year ago.
    Expired,
    /// Starts in a year.
    NotYetValid,
}

/// A certificate and its key, as PEM files.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The certificate alone.
    pub cert: PathBuf,
    /// Its private key (PKCS#8).
    pub key: PathBuf,
    /// The certificate followed by the CA's (what a server sends).
    pub chain: PathBuf,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

/// A test CA in its own temporary directory, removed on drop.
#[derive(Debug)]
pub struct Pki {
    /// The directory holding every file.
    pub dir: PathBuf,
    /// The CA certificate, PEM.
    pub ca_file: PathBuf,
    /// A directory holding only the CA certificate (for `ca_dir`).
    pub ca_dir: PathBuf,
    /// The CA certificate, DER.
    pub ca_der: Vec<u8>,
    ca: CertifiedIssuer<'static, KeyPair>,
}

/// The civil date `days` days after 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    (year, month, day)
}

fn today() -> i64 {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    (secs / 86_400) as i64
}

fn set_validity(params: &mut CertificateParams, validity: Validity) {
    let (from, to) = match validity {
        Validity::Current => (-1, 365),
        Validity::Expired => (-730, -365),
        Validity::NotYetValid => (365, 730),
    };
    let at = |offset: i64| {
        let (y, m, d) = civil(today() + offset);
        rcgen::date_time_ymd(y, m, d)
    };
    params.not_before = at(from);
    params.not_after = at(to);
}

fn unique_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("net-tests-{}-{label}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the certificate directory");
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

fn leaf_params(names: &[&str], validity: Validity, client: bool) -> CertificateParams {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).expect("certificate names");
    params.distinguished_name.push(DnType::CommonName, names.first().cloned().unwrap_or_else(|| "client".into()));
    params.is_ca = IsCa::NoCa;
    params.extended_key_usages =
        vec![if client { ExtendedKeyUsagePurpose::ClientAuth } else { ExtendedKeyUsagePurpose::ServerAuth }];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    set_validity(&mut params, validity);
    params
}

impl Pki {
    /// A new CA named `label`, valid now.
    pub fn new(label: &str) -> Pki {
        let dir = unique_dir(label);
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, format!("net test CA {label}"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        set_validity(&mut params, Validity::Current);
        let key = KeyPair::generate().expect("CA key");
        let ca = CertifiedIssuer::self_signed(params, key).expect("CA certificate");
        let ca_file = dir.join("ca.pem");
        write(&ca_file, &ca.pem());
        let ca_dir = dir.join("ca-dir");
        std::fs::create_dir_all(&ca_dir).expect("create ca-dir");
        write(&ca_dir.join("test-ca.pem"), &ca.pem());
        let ca_der = ca.der().to_vec();
        Pki { dir, ca_file, ca_dir, ca_der, ca }
    }

    /// A server certificate for `names` (host names or IP addresses), signed by this CA.
    pub fn server(&self, stem: &str, names: &[&str], validity: Validity) -> Leaf {
        self.leaf(stem, names, validity, false)
    }

    /// A client certificate, signed by this CA.
    pub fn client(&self, stem: &str) -> Leaf {
        self.leaf(stem, &["client.test"], Validity::Current, true)
    }

    fn leaf(&self, stem: &str, names: &[&str], validity: Validity, client: bool) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let cert = leaf_params(names, validity, client).signed_by(&key, &self.ca).expect("leaf certificate");
        let leaf = Leaf {
            cert: self.dir.join(format!("{stem}.pem")),
            key: self.dir.join(format!("{stem}.key")),
            chain: self.dir.join(format!("{stem}-chain.pem")),
            der: cert.der().to_vec(),
        };
        write(&leaf.cert, &cert.pem());
        write(&leaf.key, &key.serialize_pem());
        write(&leaf.chain, &format!("{}{}", cert.pem(), self.ca.pem()));
        leaf
    }

    /// A self-signed server certificate for `names`, signed by no CA.
    pub fn self_signed(&self, stem: &str, names: &[&str]) -> Leaf {
        let key = KeyPair::generate().expect("key");
        let cert = leaf_params(names, Validity::Current, false).self_signed(&key).expect("self-signed");
        let leaf = Leaf {
            cert: self.dir.join(format!("{stem}.pem")),
            key: self.dir.join(format!("{stem}.key")),
            chain: self.dir.join(format!("{stem}.pem")),
            der: cert.der().to_vec(),
        };
        write(&leaf.cert, &cert.pem());
        write(&leaf.key, &key.serialize_pem());
        leaf
    }
}

impl Validity {
    /// The validity period this gives a certificate made today, `(notBefore, notAfter)`, as
    /// RFC 3339 text (rcgen sets midnight UTC).
    pub fn bounds(self) -> (String, String) {
        let (from, to) = match self {
            Validity::Current => (-1, 365),
            Validity::Expired => (-730, -365),
            Validity::NotYetValid => (365, 730),
        };
        let at = |offset: i64| {
            let (y, m, d) = civil(today() + offset);
            format!("{y:04}-{m:02}-{d:02}T00:00:00Z")
        };
        (at(from), at(to))
    }
}

/// DER as a PEM certificate.
pub fn pem_certificate(der: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                b64.push('=');
            }
        }
    }
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|l| std::str::from_utf8(l).unwrap_or_default()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

impl Pki {
    /// A CA certificate (basicConstraints CA:TRUE) for `names`, signed by this CA and served
    /// as a server's own: what rustls refuses as `CaUsedAsEndEntity`.
    pub fn ca_as_leaf(&self, stem: &str, names: &[&str]) -> Leaf {
        let mut params = leaf_params(names, Validity::Current, false);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.ca).expect("CA as leaf");
        self.files(stem, cert.der(), &key)
    }

    /// A server certificate for `names` signed by an intermediate CA of this CA, served
    /// without the intermediate: an incomplete chain.
    pub fn without_intermediate(&self, stem: &str, names: &[&str]) -> Leaf {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("intermediate params");
        params.distinguished_name.push(DnType::CommonName, format!("{stem} intermediate"));
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        set_validity(&mut params, Validity::Current);
        let key = KeyPair::generate().expect("intermediate key");
        let intermediate = CertifiedIssuer::signed_by(params, key, &self.ca).expect("intermediate");
        let leaf_key = KeyPair::generate().expect("leaf key");
        let cert = leaf_params(names, Validity::Current, false).signed_by(&leaf_key, &intermediate).expect("leaf");
        self.files(stem, cert.der(), &leaf_key)
    }

    /// A server certificate for `names` of this CA whose signature was altered after signing.
    pub fn bad_signature(&self, stem: &str, names: &[&str]) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let cert = leaf_params(names, Validity::Current, false).signed_by(&key, &self.ca).expect("leaf");
        let mut der = cert.der().to_vec();
        // The signature BIT STRING ends the certificate: change its last byte.
        let last = der.len() - 1;
        der[last] ^= 0x5a;
        self.files(stem, &der, &key)
    }

    /// A server certificate for `names` of this CA with the serial number `serial`.
    pub fn server_with_serial(&self, stem: &str, names: &[&str], serial: u64) -> Leaf {
        let mut params = leaf_params(names, Validity::Current, false);
        params.serial_number = Some(serial.into());
        let key = KeyPair::generate().expect("leaf key");
        let cert = params.signed_by(&key, &self.ca).expect("leaf");
        let leaf = self.files(stem, cert.der(), &key);
        write(&leaf.chain, &format!("{}{}", cert.pem(), self.ca.pem()));
        leaf
    }

    /// A revocation list of this CA (PEM, valid now) revoking the serial numbers `revoked`.
    pub fn crl(&self, stem: &str, revoked: &[u64]) -> PathBuf {
        let at = |offset: i64| {
            let (y, m, d) = civil(today() + offset);
            rcgen::date_time_ymd(y, m, d)
        };
        let params = rcgen::CertificateRevocationListParams {
            this_update: at(-1),
            next_update: at(30),
            crl_number: 1u64.into(),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|&serial| rcgen::RevokedCertParams {
                    serial_number: serial.into(),
                    revocation_time: at(-1),
                    reason_code: Some(rcgen::RevocationReason::KeyCompromise),
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let crl = params.signed_by(&self.ca).expect("CRL");
        let path = self.dir.join(format!("{stem}.crl.pem"));
        write(&path, &crl.pem().expect("CRL PEM"));
        path
    }

    /// Writes a leaf's files: the certificate (and as the chain, alone) and its key.
    fn files(&self, stem: &str, der: &[u8], key: &KeyPair) -> Leaf {
        let leaf = Leaf {
            cert: self.dir.join(format!("{stem}.pem")),
            key: self.dir.join(format!("{stem}.key")),
            chain: self.dir.join(format!("{stem}.pem")),
            der: der.to_vec(),
        };
        write(&leaf.cert, &pem_certificate(der));
        write(&leaf.key, &key.serialize_pem());
        leaf
    }

    /// A self-signed certificate made as the usual HTTPS recipe makes one, by the `openssl`
    /// CLI: `openssl req -x509 -newkey ec ... -subj /CN=localhost -addext
    /// subjectAltName=DNS:localhost`, which is a CA certificate (CA:TRUE). `None` when the
    /// `openssl` command is not installed.
    pub fn openssl_req_x509(&self, stem: &str) -> Option<Leaf> {
        let cert = self.dir.join(format!("{stem}.pem"));
        let key = self.dir.join(format!("{stem}.key"));
        let status = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2"])
            .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        assert!(status.success(), "openssl req -x509 failed: {status}");
        let der = std::process::Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert)
            .output()
            .expect("openssl x509")
            .stdout;
        // `openssl req` writes a PKCS#8 key, which every backend reads.
        Some(Leaf { cert: cert.clone(), key, chain: cert, der })
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::civil;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(19_723), (2024, 1, 1));
        assert_eq!(civil(20_513), (2026, 3, 1));
        assert_eq!(civil(-1), (1969, 12, 31));
    }
}
