//! Our own certificate and key in every format, on every backend: PEM and DER certificates;
//! PKCS#8, PKCS#1 and SEC1 keys, PEM and DER; PKCS#12 with a password. Keys are made at test
//! time by the `openssl` CLI, and each form is tried with a handshake, as a server's identity
//! and as a client's. Also: mismatched pairs, hostile files, the file-size cap.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use net::tls::{enabled_backends, BackendKind, ClientAuth, ContextOptions, TlsError, VerifyMode};
use net_tests::tls::{context, handshake, ok};

/// A directory of openssl-made files, removed on drop.
struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Dir {
    fn new(label: &str) -> Dir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("net-keys-{}-{label}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Runs `openssl args...` in the directory; its failure fails the test.
    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl").args(args).current_dir(&self.0).output().expect("run the openssl CLI");
        assert!(out.status.success(), "openssl {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    }
}

/// A key algorithm and the `openssl genpkey` arguments for it.
#[derive(Debug, Clone, Copy)]
enum Algorithm {
    Rsa,
    Ec,
    Ed25519,
}

impl Algorithm {
    fn genpkey(self) -> &'static [&'static str] {
        match self {
            Algorithm::Rsa => &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
            Algorithm::Ec => &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Algorithm::Ed25519 => &["-algorithm", "ED25519"],
        }
    }

    /// Whether the key has a "traditional" form (PKCS#1 for RSA, SEC1 for EC).
    fn has_traditional_form(self) -> bool {
        !matches!(self, Algorithm::Ed25519)
    }
}

/// A CA, in `dir` as `ca.pem` / `ca.key`.
fn make_ca(dir: &Dir) {
    dir.openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ca.key"]);
    dir.openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=net keys test CA",
        "-days",
        "2",
        "-out",
        "ca.pem",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
}

/// A leaf `stem` for localhost and 127.0.0.1 (server and client use), signed by the CA, with
/// a key made by `genpkey`: `stem.key` (PKCS#8 PEM), `stem.pem`, `stem-chain.pem`.
fn make_leaf(dir: &Dir, stem: &str, genpkey: &[&str]) {
    static SERIAL: AtomicUsize = AtomicUsize::new(1);
    let serial = SERIAL.fetch_add(1, Ordering::SeqCst).to_string();
    let ext = dir.path(format!("{stem}.ext").as_str());
    std::fs::write(
        &ext,
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    let key = format!("{stem}.key");
    let csr = format!("{stem}.csr");
    let cert = format!("{stem}.pem");
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey);
    args.extend(["-out", &key]);
    dir.openssl(&args);
    dir.openssl(&["req", "-new", "-key", &key, "-subj", "/CN=localhost", "-out", &csr]);
    dir.openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        &serial,
        "-days",
        "2",
        "-extfile",
        &format!("{stem}.ext"),
        "-out",
        &cert,
    ]);
    let chain = [std::fs::read(dir.path(&cert)).unwrap(), std::fs::read(dir.path("ca.pem")).unwrap()].concat();
    std::fs::write(dir.path(&format!("{stem}-chain.pem")), chain).unwrap();
}

/// One way to give the identity: its name and the options.
struct Form {
    name: String,
    options: ContextOptions,
}

/// Every form of the leaf `stem`'s identity the openssl CLI can write.
fn forms(dir: &Dir, stem: &str, alg: Algorithm) -> Vec<Form> {
    let p = |suffix: &str| format!("{stem}{suffix}");
    let key = p(".key");
    dir.openssl(&["x509", "-in", &p(".pem"), "-outform", "DER", "-out", &p(".der")]);
    dir.openssl(&["pkey", "-in", &key, "-outform", "DER", "-out", &p(".pk8.der")]);
    let mut forms = vec![
        ("PEM chain, PKCS#8 PEM key", p("-chain.pem"), key.clone()),
        ("DER certificate, PKCS#8 DER key", p(".der"), p(".pk8.der")),
        ("PEM certificate, PKCS#8 DER key", p(".pem"), p(".pk8.der")),
    ];
    if alg.has_traditional_form() {
        let label = if matches!(alg, Algorithm::Rsa) { "PKCS#1" } else { "SEC1" };
        dir.openssl(&["pkey", "-in", &key, "-traditional", "-out", &p(".trad.pem")]);
        dir.openssl(&["pkey", "-in", &key, "-traditional", "-outform", "DER", "-out", &p(".trad.der")]);
        let head = std::fs::read_to_string(dir.path(&p(".trad.pem"))).unwrap();
        let want = if matches!(alg, Algorithm::Rsa) { "RSA PRIVATE KEY" } else { "EC PRIVATE KEY" };
        assert!(head.contains(want), "openssl wrote a traditional key: {head}");
        forms.push((
            if label == "PKCS#1" { "PEM chain, PKCS#1 PEM key" } else { "PEM chain, SEC1 PEM key" },
            p("-chain.pem"),
            p(".trad.pem"),
        ));
        forms.push((
            if label == "PKCS#1" { "DER certificate, PKCS#1 DER key" } else { "DER certificate, SEC1 DER key" },
            p(".der"),
            p(".trad.der"),
        ));
    }
    let mut forms: Vec<Form> = forms
        .into_iter()
        .map(|(name, cert, key)| Form {
            name: format!("{alg:?}: {name}"),
            options: ContextOptions::new().cert_and_key(dir.path(&cert), dir.path(&key)),
        })
        .collect();
    // PKCS#12: OpenSSL 3's default (PBES2, AES-256-CBC, HMAC-SHA256) and the older 3DES form.
    let p12 = p(".p12");
    dir.openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        &key,
        "-in",
        &p(".pem"),
        "-certfile",
        "ca.pem",
        "-out",
        &p12,
        "-passout",
        "pass:s3cret",
    ]);
    let p12_3des = p("-3des.p12");
    dir.openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        &key,
        "-in",
        &p(".pem"),
        "-out",
        &p12_3des,
        "-passout",
        "pass:other",
        "-keypbe",
        "PBE-SHA1-3DES",
        "-certpbe",
        "PBE-SHA1-3DES",
        "-macalg",
        "sha1",
    ]);
    forms.push(Form {
        name: format!("{alg:?}: PKCS#12 (AES)"),
        options: ContextOptions::new().pkcs12(dir.path(&p12), "s3cret"),
    });
    forms.push(Form {
        name: format!("{alg:?}: PKCS#12 (3DES)"),
        options: ContextOptions::new().pkcs12(dir.path(&p12_3des), "other"),
    });
    forms
}

/// A backend that can ask for client certificates, to check client identities against.
fn asking_backend() -> Option<BackendKind> {
    enabled_backends().into_iter().find(|&k| k != BackendKind::NativeTls)
}

#[test]
fn every_format_serves_and_identifies_a_client_on_every_backend() {
    let dir = Dir::new("formats");
    make_ca(&dir);
    let ca = dir.path("ca.pem");
    for alg in [Algorithm::Rsa, Algorithm::Ec, Algorithm::Ed25519] {
        let stem = format!("{alg:?}").to_lowercase();
        make_leaf(&dir, &stem, alg.genpkey());
        for form in forms(&dir, &stem, alg) {
            for kind in enabled_backends() {
                let what = format!("{kind}, {}", form.name);
                // Our server, with the identity in this form.
                let server = net::tls::new_context(form.options.clone().backend(kind).verify_mode(VerifyMode::None))
                    .unwrap_or_else(|e| panic!("{what}: server context: {e} ({:?})", std::error::Error::source(&e)));
                let client = context(kind, ContextOptions::new().ca_file(&ca));
                let (c, _s) = ok(handshake(&server, &client, "localhost"));
                let chain = net::tls::peer_certificates(&c);
                assert_eq!(chain[0].subject().as_deref(), Some("CN=localhost"), "{what}");

                // Our client, with the identity in this form, to a server that requires one.
                let Some(asker) = asking_backend() else { continue };
                let leaf_opts = ContextOptions::new()
                    .cert_and_key(dir.path(&format!("{stem}-chain.pem")), dir.path(&format!("{stem}.key")));
                let server = context(
                    asker,
                    leaf_opts.verify_mode(VerifyMode::None).ca_file(&ca).client_auth(ClientAuth::Required),
                );
                let client = net::tls::new_context(form.options.clone().backend(kind).ca_file(&ca))
                    .unwrap_or_else(|e| panic!("{what}: client context: {e}"));
                let (_c, s) = ok(handshake(&server, &client, "localhost"));
                let seen = net::tls::peer_certificates(&s);
                assert_eq!(seen.first().and_then(|c| c.subject()).as_deref(), Some("CN=localhost"), "{what}");
            }
        }
    }
}

/// The context error of `options` on `kind`, which must be a file error.
fn file_error(kind: BackendKind, options: ContextOptions) -> (TlsError, String) {
    match net::tls::new_context(options.backend(kind).verify_mode(VerifyMode::None)) {
        Ok(_) => panic!("{kind}: the context was made"),
        Err(e @ TlsError::File { .. }) => {
            let why = std::error::Error::source(&e).map(ToString::to_string).unwrap_or_default();
            (e, why)
        }
        Err(other) => panic!("{kind}: not a file error: {other}"),
    }
}

#[test]
fn a_key_that_is_not_the_certificates_is_refused_naming_both_files() {
    let dir = Dir::new("mismatch");
    make_ca(&dir);
    make_leaf(&dir, "rsa", Algorithm::Rsa.genpkey());
    make_leaf(&dir, "rsa2", Algorithm::Rsa.genpkey());
    make_leaf(&dir, "ec", Algorithm::Ec.genpkey());
    make_leaf(&dir, "ec2", Algorithm::Ec.genpkey());
    dir.openssl(&["pkey", "-in", "ec2.key", "-traditional", "-outform", "DER", "-out", "ec2.sec1.der"]);
    dir.openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p384.key"]);
    make_leaf(&dir, "ed", Algorithm::Ed25519.genpkey());
    make_leaf(&dir, "ed2", Algorithm::Ed25519.genpkey());
    let cases = [
        ("rsa.pem", "ec.key", "an EC key with an RSA certificate"),
        ("ec.pem", "rsa.key", "an RSA key with an EC certificate"),
        ("rsa.pem", "rsa2.key", "a different public key"),
        ("ec-chain.pem", "ec2.key", "a different public key"),
        ("ec.pem", "ec2.sec1.der", "a different public key"),
        ("ec.pem", "p384.key", "an EC key on another curve"),
        ("ed.pem", "ec.key", "an EC key with an Ed25519 certificate"),
        // openssl writes Ed25519 keys without their public half: the backend finds the
        // mismatch, in its own words, and the error still names both files.
        ("ed.pem", "ed2.key", ""),
    ];
    for kind in enabled_backends() {
        for (cert, key, reason) in cases {
            let opts = ContextOptions::new().cert_and_key(dir.path(cert), dir.path(key));
            let (e, why) = file_error(kind, opts);
            assert!(
                matches!(&e, TlsError::File { what: "key file", path, .. } if *path == dir.path(key)),
                "{kind}: {e}"
            );
            assert!(why.contains(&format!("{:?}", dir.path(cert))), "{kind} {cert}/{key}: {why}");
            assert!(why.contains(reason), "{kind} {cert}/{key}: {why}");
        }
    }
}

#[test]
fn a_key_the_backend_cannot_use_is_refused_in_words() {
    // RSA-512: below every backend's floor (ring's 2048 bits; OpenSSL's security level 1 and up).
    let dir = Dir::new("weak");
    make_ca(&dir);
    make_leaf(&dir, "weak", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:512"]);
    for kind in enabled_backends() {
        let opts = ContextOptions::new().cert_and_key(dir.path("weak-chain.pem"), dir.path("weak.key"));
        let (e, why) = file_error(kind, opts);
        assert!(matches!(e, TlsError::File { what: "key file", .. }), "{kind}: {e}");
        assert!(why.contains("weak-chain.pem"), "{kind}: {why}");
        // OpenSSL's reason, without its source-file paths and error codes.
        let openssl_code = why
            .match_indices("error:")
            .any(|(i, _)| why[i + 6..].chars().take(8).filter(char::is_ascii_hexdigit).count() == 8);
        assert!(!why.contains(".c:") && !openssl_code, "{kind}: {why}");
    }
}

#[test]
fn pkcs12_errors_name_the_file() {
    let dir = Dir::new("p12");
    make_ca(&dir);
    make_leaf(&dir, "leaf", Algorithm::Ec.genpkey());
    dir.openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        "leaf.key",
        "-in",
        "leaf.pem",
        "-out",
        "leaf.p12",
        "-passout",
        "pass:right",
    ]);
    for kind in enabled_backends() {
        let (e, why) = file_error(kind, ContextOptions::new().pkcs12(dir.path("leaf.p12"), "wrong"));
        assert!(
            matches!(&e, TlsError::File { what: "PKCS#12 file", path, .. } if *path == dir.path("leaf.p12")),
            "{e}"
        );
        assert!(why.contains("password"), "{kind}: {why}");
        let (_, why) = file_error(kind, ContextOptions::new().pkcs12(dir.path("leaf.pem"), "right"));
        assert!(why.starts_with("not a PKCS#12 file"), "{kind}: {why}");
        let both = ContextOptions::new().pkcs12(dir.path("leaf.p12"), "right").cert_and_key("a", "b").backend(kind);
        assert!(matches!(net::tls::new_context(both), Err(TlsError::Config { .. })), "{kind}");
    }
}

#[test]
fn hostile_certificate_and_key_files_give_clear_errors() {
    let dir = Dir::new("hostile");
    make_ca(&dir);
    make_leaf(&dir, "leaf", Algorithm::Ec.genpkey());
    dir.openssl(&["x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der"]);
    let pem = std::fs::read_to_string(dir.path("leaf.pem")).unwrap();
    let der = std::fs::read(dir.path("leaf.der")).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.path(name), bytes).unwrap();
        dir.path(name)
    };
    let cut_pem = write("cut.pem", &pem.as_bytes()[..pem.len() / 2]);
    let cut_der = write("cut.der", &der[..der.len() - 10]);
    let mut long = der.clone();
    long[2..4].copy_from_slice(&[0xff, 0xff]); // the outer SEQUENCE claims 64 KiB
    let oversized = write("oversized.der", &long);
    let mut tagged = der.clone();
    tagged[0] = 0x31; // a SET, not a SEQUENCE
    let wrong_tag = write("wrong-tag.der", &tagged);
    let sparse = dir.path("sparse.pem");
    std::fs::File::create(&sparse).unwrap().set_len(1 << 40).unwrap();
    let key = dir.path("leaf.key");
    let cases: [(&Path, &str); 6] = [
        (&cut_pem, "the PEM section \"CERTIFICATE\" is cut short: no \"-----END CERTIFICATE-----\" line"),
        (&cut_der, "not a DER certificate: truncated"),
        (&oversized, "not a DER certificate: truncated: SEQUENCE says 65535 bytes"),
        (&wrong_tag, "neither PEM nor DER"),
        (Path::new("/dev/zero"), "larger than 16 MiB"),
        (&sparse, "larger than 16 MiB"),
    ];
    for kind in enabled_backends() {
        for (cert, reason) in cases {
            let (e, why) = file_error(kind, ContextOptions::new().cert_and_key(cert, &key));
            assert!(matches!(&e, TlsError::File { what: "certificate file", path, .. } if path == cert), "{kind}: {e}");
            assert!(why.starts_with(reason), "{kind} {}: {why}", cert.display());
        }
        // Keys and CA files are read through the same cap.
        let (e, why) = file_error(kind, ContextOptions::new().cert_and_key(dir.path("leaf.pem"), "/dev/zero"));
        assert!(
            matches!(e, TlsError::File { what: "key file", .. }) && why == "larger than 16 MiB",
            "{kind}: {e}: {why}"
        );
        let ca = ContextOptions::new().ca_file("/dev/zero").verify_mode(VerifyMode::Peer).backend(kind);
        match net::tls::new_context(ca) {
            Err(TlsError::File { what: "CA file", source, .. }) => assert_eq!(source.to_string(), "larger than 16 MiB"),
            other => panic!("{kind}: {other:?}"),
        }
        let (_, why) = file_error(kind, ContextOptions::new().cert_and_key(dir.path("leaf.pem"), dir.path("leaf.pem")));
        assert!(why.starts_with("no private key in the file"), "{kind}: {why}");
    }
}

#[test]
fn a_ca_directory_without_a_readable_certificate_names_the_directory() {
    let dir = Dir::new("cadir");
    let junk = dir.path("junk");
    std::fs::create_dir_all(&junk).unwrap();
    std::fs::write(junk.join("a.pem"), "not a certificate\n").unwrap();
    for kind in enabled_backends() {
        let opts = ContextOptions::new().ca_dir(&junk).backend(kind);
        match net::tls::new_context(opts) {
            Err(e @ TlsError::File { what: "CA directory", .. }) => {
                assert_eq!(e.to_string(), format!("could not load CA directory {junk:?}"));
                let why = std::error::Error::source(&e).unwrap().to_string();
                assert_eq!(why, "no readable certificate in the directory", "{kind}");
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
}

#[test]
fn ca_files_may_be_der_and_a_cut_one_is_named_in_words() {
    let dir = Dir::new("cafile");
    make_ca(&dir);
    make_leaf(&dir, "leaf", Algorithm::Ec.genpkey());
    dir.openssl(&["x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der"]);
    let pem = std::fs::read_to_string(dir.path("ca.pem")).unwrap();
    std::fs::write(dir.path("cut.pem"), &pem[..pem.len() - 40]).unwrap();
    for kind in enabled_backends() {
        let server = context(
            kind,
            ContextOptions::new()
                .verify_mode(VerifyMode::None)
                .cert_and_key(dir.path("leaf-chain.pem"), dir.path("leaf.key")),
        );
        let client = context(kind, ContextOptions::new().ca_file(dir.path("ca.der")));
        ok(handshake(&server, &client, "localhost"));
        match net::tls::new_context(ContextOptions::new().ca_file(dir.path("cut.pem")).backend(kind)) {
            Err(e @ TlsError::File { what: "CA file", .. }) => {
                let why = std::error::Error::source(&e).unwrap().to_string();
                assert_eq!(
                    why, "the PEM section \"CERTIFICATE\" is cut short: no \"-----END CERTIFICATE-----\" line",
                    "{kind}"
                );
            }
            other => panic!("{kind}: {other:?}"),
        }
    }
}
