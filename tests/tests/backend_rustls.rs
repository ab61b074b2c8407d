//! The rustls backend's own proof: what it accepts and refuses and why (rustls's reasons),
//! its session over net-core's seam (partial records across timeouts, decrypted bytes waiting,
//! end of stream with and without close_notify), and its own types behind `ssl_handle`.
//! The cross-backend conformance suite is `tests/tls.rs`.
#![cfg(feature = "rustls")]

use std::io::{Read, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use net::tls::{
    closed_cleanly, new_context, peer_certificates, session_info, ssl_handle, BackendKind, Capability,
    CertificateReason, ClientAuth, Context, ContextOptions, HandshakeSide, ProtocolVersion, TlsError, TlsErrorExt,
    TlsSession, VerifyMode,
};
use net::{Domain, Error, ReadOptions, SockOpt, Socket};
use net_tests::certs::{Leaf, Pki, Validity};
use net_tests::tls::{
    bad_server_certificates, client_context, client_with_identity, env_lock, server_context, server_context_with,
    tls_listener, try_connect,
};
use net_tls_rustls::rustls::{self, Connection};
use net_tls_rustls::{RustlsBackend, RustlsContext, RustlsSession};

const KIND: BackendKind = BackendKind::Rustls;

fn opts() -> ContextOptions {
    ContextOptions::new().backend(KIND)
}

/// A connected pair: the client wrapped before `connect`, the listener before `accept`.
fn secured_pair(client_ctx: &Context, server_ctx: &Context, host: &str) -> (Socket, Socket) {
    let domain = if host == "::1" { Domain::Inet6 } else { Domain::Inet };
    let (mut listener, port) = tls_listener(Some(server_ctx), domain);
    let mut client = Socket::builder().domain(domain).build().unwrap();
    client_ctx.wrap_socket(&mut client).unwrap();
    let host = host.to_owned();
    let connector = thread::spawn(move || {
        client.connect(&host, port).unwrap();
        client
    });
    let conn = listener.accept().unwrap();
    (connector.join().unwrap(), conn)
}

#[test]
fn handshake_echo_and_the_session_behind_ssl_handle() {
    let pki = Pki::new("rustls-echo");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let ctx = client_context(KIND, &pki);
    let client = thread::spawn(move || {
        let mut c = Socket::tcp().unwrap();
        ctx.wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap();
        let mut replies = Vec::new();
        for word in ["alpha", "beta", ""] {
            c.send(format!("{word}\n").as_bytes()).unwrap();
            replies.push(c.recv_line().unwrap());
        }
        let own = ssl_handle::<RustlsSession>(&c).expect("a RustlsSession behind the client");
        assert!(matches!(own.connection(), Connection::Client(_)));
        assert_eq!(own.connection().protocol_version(), Some(rustls::ProtocolVersion::TLSv1_3));
        let certs = peer_certificates(&c);
        c.close();
        (replies, certs)
    });
    let mut conn = listener.accept().unwrap();
    loop {
        let line = conn.recv_line().unwrap();
        if line.is_empty() {
            break;
        }
        let reply = if line == "\r\n" { "empty".to_owned() } else { format!("echo: {line}") };
        conn.send(format!("{reply}\n").as_bytes()).unwrap();
        if reply == "empty" {
            break;
        }
    }
    let (replies, certs) = client.join().unwrap();
    assert_eq!(replies, ["echo: alpha", "echo: beta", "empty"]);
    // Leaf first: the server's own certificate, then its chain as sent.
    assert_eq!(certs[0].as_der(), &leaf.der[..]);
    assert_eq!(certs.last().unwrap().as_der(), &pki.ca_der[..], "the server sends its chain");

    let info = session_info(&conn).unwrap();
    assert_eq!(info.backend, KIND);
    assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.3"));
    assert!(info.cipher.as_deref().is_some_and(|c| c.starts_with("TLS_") && !c.contains("TLS13")), "{info:?}");
    let own = ssl_handle::<RustlsSession>(&conn).expect("a RustlsSession behind the server");
    assert!(matches!(own.connection(), Connection::Server(_)));
    assert_eq!(own.io().socket2().local_addr().unwrap().as_socket(), Some(conn.local_addr().unwrap()));
    assert!(peer_certificates(&conn).is_empty(), "the client sent no certificate");
    assert!(ssl_handle::<String>(&conn).is_none());
    // The client's close_notify: end of stream, cleanly.
    assert_eq!(conn.recv_line().unwrap(), "");
    assert_eq!(closed_cleanly(&conn), Some(true));
    // The context behind it.
    let own_ctx = server_ctx.backend_context().downcast_ref::<RustlsContext>().unwrap();
    assert!(own_ctx.server_config().is_some());
}

#[test]
fn wrap_connected_socket_both_sides_and_the_empty_host_name() {
    let pki = Pki::new("rustls-connected");
    let other_ca = Pki::new("rustls-connected-other");
    let named = pki.server("named", &["localhost"], Validity::Current);
    let elsewhere = pki.server("elsewhere", &["other.test"], Validity::Current);
    let unknown = other_ca.server("unknown", &["other.test"], Validity::Current);
    // (server certificate, host name given by the client, whether the handshake succeeds)
    let cases =
        [(&named, "localhost", true), (&elsewhere, "", true), (&elsewhere, "localhost", false), (&unknown, "", false)];
    let client_ctx = client_context(KIND, &pki);
    for (leaf, host, ok) in cases {
        let server_ctx = server_context(KIND, leaf);
        let (mut listener, port) = tls_listener(None, Domain::Inet6);
        let server = thread::spawn(move || {
            let mut conn = listener.accept().unwrap();
            let r = server_ctx.wrap_connected_socket(&mut conn, HandshakeSide::Server, "");
            if r.is_ok() {
                let line = conn.recv_line().unwrap();
                conn.send(format!("{line}!\n").as_bytes()).unwrap();
            }
            r.is_ok()
        });
        let mut c = net::dial("::1", port).unwrap();
        let r = client_ctx.wrap_connected_socket(&mut c, HandshakeSide::Client, host);
        assert_eq!(r.is_ok(), ok, "{host:?}: {r:?}");
        if ok {
            c.send(b"hi\n").unwrap();
            assert_eq!(c.recv_line().unwrap(), "hi!");
            assert!(server.join().unwrap());
        } else {
            let TlsError::Handshake { source, .. } = r.unwrap_err() else { panic!("not a handshake error") };
            let reason = source.downcast_ref::<CertificateReason>();
            assert!(
                matches!(reason, Some(CertificateReason::NameMismatch { .. } | CertificateReason::UnknownIssuer)),
                "{source}"
            );
            c.close();
            assert!(!server.join().unwrap());
        }
    }
}

#[test]
fn peer_verification_refuses_with_rustls_reasons() {
    let pki = Pki::new("rustls-reject");
    let other_ca = Pki::new("rustls-reject-other");
    let mut cases = bad_server_certificates(&pki, &other_ca);
    cases.push(("name certificate for an IP", pki.server("byname", &["localhost"], Validity::Current), "::1"));
    let verifying = client_context(KIND, &pki);
    let trusting = new_context(opts().verify_mode(VerifyMode::None)).unwrap();
    for (what, leaf, host) in &cases {
        let err = try_connect(KIND, &verifying, leaf, host).expect_err(what);
        // rustls's own reason (a bare UnknownIssuer for the self-signed certificate and the
        // unknown CA alike) becomes the reason every backend gives.
        let reason = err.tls_error().and_then(|e| e.certificate_reason()).unwrap_or_else(|| panic!("{what}: {err}"));
        let expected = match *what {
            "expired" => matches!(reason, CertificateReason::Expired { not_after: Some(_) }),
            "not yet valid" => matches!(reason, CertificateReason::NotYetValid { not_before: Some(_) }),
            "self-signed" => matches!(reason, CertificateReason::SelfSigned),
            "unknown CA" => matches!(reason, CertificateReason::UnknownIssuer),
            _ => matches!(reason, CertificateReason::NameMismatch { presented: Some(_), .. }),
        };
        assert!(expected, "{what}: {reason:?}");
        assert_eq!(err.to_string(), "TLS handshake failed (rustls)", "{what}");
        assert_eq!(net_tests::report(&err), format!("TLS handshake failed (rustls): {reason}"), "{what}");
        // VerifyMode::None accepts every one of them, by name, by address and without a name.
        try_connect(KIND, &trusting, leaf, host).unwrap_or_else(|e| panic!("None refused {what}: {e}"));
    }
}

#[test]
fn peer_verification_accepts_names_addresses_and_every_root_source() {
    let pki = Pki::new("rustls-accept");
    let by_name = pki.server("name", &["localhost"], Validity::Current);
    let by_ip = pki.server("ip", &["127.0.0.1", "::1"], Validity::Current);
    let with_file = client_context(KIND, &pki);
    try_connect(KIND, &with_file, &by_name, "localhost").unwrap();
    try_connect(KIND, &with_file, &by_ip, "127.0.0.1").unwrap();
    try_connect(KIND, &with_file, &by_ip, "::1").unwrap();

    // ca_dir: every file that parses as PEM certificates; the rest is skipped.
    std::fs::write(pki.ca_dir.join("README"), "not a certificate\n").unwrap();
    std::fs::write(pki.ca_dir.join("broken.pem"), "-----BEGIN CERTIFICATE-----\n!!!\n").unwrap();
    std::fs::copy(&by_name.key, pki.ca_dir.join("a-key.pem")).unwrap();
    std::fs::create_dir_all(pki.ca_dir.join("subdir")).unwrap();
    let with_dir = new_context(opts().ca_dir(&pki.ca_dir)).unwrap();
    try_connect(KIND, &with_dir, &by_name, "localhost").unwrap();

    // Neither the system's roots (no CA given) nor the bundled ones know the test CA; the
    // server sends the test CA along, so the chain ends at a root nobody trusts.
    for public in [new_context(opts()).unwrap(), new_context(opts().bundled_roots()).unwrap()] {
        let err = try_connect(KIND, &public, &by_name, "localhost").unwrap_err();
        let reason = err.tls_error().and_then(|e| e.certificate_reason());
        assert_eq!(reason, Some(&CertificateReason::UnknownIssuer), "{err}");
    }

    // SSL_CERT_FILE / SSL_CERT_DIR under PeerUseEnvVars only (set and removed here).
    let _env = env_lock();
    std::env::set_var("SSL_CERT_FILE", &pki.ca_file);
    let from_file = new_context(opts().verify_mode(VerifyMode::PeerUseEnvVars));
    let ignored = new_context(opts());
    std::env::remove_var("SSL_CERT_FILE");
    std::env::set_var("SSL_CERT_DIR", &pki.ca_dir);
    let from_dir = new_context(opts().verify_mode(VerifyMode::PeerUseEnvVars));
    std::env::set_var("SSL_CERT_DIR", pki.dir.join("no-such-dir"));
    let missing_dir = new_context(opts().verify_mode(VerifyMode::PeerUseEnvVars));
    std::env::remove_var("SSL_CERT_DIR");
    try_connect(KIND, &from_file.unwrap(), &by_name, "localhost").unwrap();
    try_connect(KIND, &from_dir.unwrap(), &by_name, "localhost").unwrap();
    assert!(try_connect(KIND, &ignored.unwrap(), &by_name, "localhost").is_err(), "Peer does not read SSL_CERT_FILE");
    // As in OpenSSL, a variable naming a missing place adds nothing: no roots at all here.
    assert!(matches!(missing_dir, Err(TlsError::NoCaCertificates)), "{missing_dir:?}");
}

#[test]
fn root_and_identity_files_fail_clearly() {
    let pki = Pki::new("rustls-files");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let other = pki.server("other", &["localhost"], Validity::Current);
    let empty_dir = pki.dir.join("empty-dir");
    std::fs::create_dir_all(&empty_dir).unwrap();
    // A named directory without a certificate is an error naming it, whatever the mode (as a
    // named CA file without one is).
    for mode in [VerifyMode::Peer, VerifyMode::None] {
        let err = new_context(opts().ca_dir(&empty_dir).verify_mode(mode)).unwrap_err();
        assert!(matches!(&err, TlsError::File { what: "CA directory", path, .. } if *path == empty_dir), "{err}");
    }
    let err = new_context(opts().ca_dir(pki.dir.join("missing"))).unwrap_err();
    assert!(matches!(&err, TlsError::File { what: "CA directory", path, .. } if path.ends_with("missing")), "{err}");
    let err = new_context(opts().ca_file(&leaf.key)).unwrap_err();
    assert!(matches!(err, TlsError::File { what: "CA file", .. }), "{err}");
    let err = new_context(opts().cert_and_key(&leaf.key, &leaf.key)).unwrap_err();
    assert!(matches!(err, TlsError::File { what: "certificate file", .. }), "{err}");
    let err = new_context(opts().cert_and_key(&leaf.cert, &leaf.cert)).unwrap_err();
    assert!(matches!(err, TlsError::File { what: "key file", .. }), "{err}");
    // A key that is not the certificate's.
    let err = new_context(opts().cert_and_key(&leaf.cert, &other.key)).unwrap_err();
    assert!(matches!(err, TlsError::File { what: "key file", .. }), "{err}");
    // Asking for client certificates needs roots to check them with.
    let err = new_context(opts().cert_and_key(&leaf.chain, &leaf.key).client_auth(ClientAuth::Required)).unwrap_err();
    assert!(matches!(err, TlsError::NoCaCertificates), "{err}");
}

#[test]
fn mutual_tls_required_and_optional() {
    let pki = Pki::new("rustls-mtls");
    let stranger_ca = Pki::new("rustls-mtls-stranger");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let client_leaf = pki.client("client");
    let stranger = stranger_ca.client("stranger");
    let with_cert = |who: &Leaf| client_with_identity(KIND, &pki, who);
    let anonymous = client_context(KIND, &pki);
    // What the server should see: `None` refused, `Some(None)` no certificate, `Some(Some(der))` one.
    let good = Some(Some(client_leaf.der.clone()));
    for (auth, mode, client, expected) in [
        (ClientAuth::Required, VerifyMode::Peer, with_cert(&client_leaf), good.clone()),
        (ClientAuth::Required, VerifyMode::Peer, anonymous.clone(), None),
        (ClientAuth::Required, VerifyMode::Peer, with_cert(&stranger), None),
        (ClientAuth::Optional, VerifyMode::Peer, anonymous.clone(), Some(None)),
        (ClientAuth::Optional, VerifyMode::Peer, with_cert(&client_leaf), good.clone()),
        (ClientAuth::Optional, VerifyMode::Peer, with_cert(&stranger), None),
        // VerifyMode::None on the server still checks client certificates (as OpenSSL does):
        // `client_auth` decides, `verify_mode` is about checking servers.
        (ClientAuth::Required, VerifyMode::None, with_cert(&stranger), None),
        (ClientAuth::Required, VerifyMode::None, with_cert(&client_leaf), good.clone()),
        (ClientAuth::Required, VerifyMode::None, anonymous.clone(), None),
    ] {
        let server_opts = opts().verify_mode(mode).ca_file(&pki.ca_file).client_auth(auth);
        let server_ctx = new_context(server_opts.cert_and_key(&leaf.chain, &leaf.key)).unwrap();
        let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
        let server = thread::spawn(move || match listener.accept() {
            Ok(mut conn) => {
                let leaf = peer_certificates(&conn).first().map(|c| c.as_der().to_vec());
                conn.send(b"welcome\n").unwrap();
                Ok(leaf)
            }
            Err(e) => Err(e.to_string()),
        });
        let mut c = Socket::tcp().unwrap();
        client.wrap_socket(&mut c).unwrap();
        // TLS 1.3: the client finishes its handshake before the server checks its certificate,
        // so a refusal may show on the client's first read.
        let outcome = c.connect("localhost", port).and_then(|()| c.recv_line());
        let on_server = server.join().unwrap();
        let what = format!("{auth:?} {mode:?}");
        match expected {
            Some(leaf) => {
                assert_eq!(outcome.unwrap(), "welcome", "{what}");
                assert_eq!(on_server.unwrap(), leaf, "{what}");
            }
            None => {
                assert!(on_server.is_err(), "{what}: the server accepted");
                assert!(outcome.is_err() || outcome.as_deref().is_ok_and(str::is_empty), "{what}: {outcome:?}");
            }
        }
    }
}

#[test]
fn unsupported_options_are_refused_with_a_hint() {
    let pki = Pki::new("rustls-unsupported");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    assert_eq!(net::tls::TlsBackend::capabilities(&RustlsBackend), net::tls::known_capabilities(KIND));
    let server = || opts().cert_and_key(&leaf.chain, &leaf.key);
    let cases = [
        (opts().protocol(ProtocolVersion::TlsV1), Capability::Tls10),
        (opts().protocol(ProtocolVersion::TlsV1_1), Capability::Tls11),
        (opts().cipher_list("ECDHE+AESGCM"), Capability::CipherList),
        (server().session_id_context("net"), Capability::SessionIdContext),
        (server().psk_identity_hint("hint"), Capability::Psk),
        (opts().psk_client(|_| Some(("id".into(), b"key".to_vec()))), Capability::Psk),
        (server().psk_server(|_| Some(b"key".to_vec())), Capability::Psk),
    ];
    for (o, capability) in cases {
        let err = new_context(o).unwrap_err();
        assert!(
            matches!(err, TlsError::Unsupported { backend: KIND, capability: c, hint: Some(BackendKind::OpenSsl) } if c == capability),
            "{capability:?}: {err}"
        );
        assert!(!net::tls::capabilities(KIND).contains(capability));
    }
    // SSLv2/v3 are broken, not merely unsupported.
    let err = net::tls::TlsBackend::new_context(&RustlsBackend, &opts().protocol(ProtocolVersion::SslV3)).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
    // An unknown TLS 1.3 suite is named.
    let err = new_context(opts().cipher_suites("TLS_AES_128_GCM_SHA256:TLS_NO_SUCH_SUITE")).unwrap_err();
    assert!(matches!(&err, TlsError::Config { what } if what.contains("TLS_NO_SUCH_SUITE")), "{err}");
}

#[test]
fn versions_suites_and_alpn_are_negotiated_as_asked() {
    let pki = Pki::new("rustls-negotiate");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context_with(KIND, &leaf, ContextOptions::new().alpn(["http/1.1", "h2"]));
    let cases = [
        (opts(), "TLSv1.3", None),
        (opts().protocol(ProtocolVersion::TlsV1_2), "TLSv1.2", None),
        (opts().cipher_suites("TLS_CHACHA20_POLY1305_SHA256"), "TLSv1.3", Some("TLS_CHACHA20_POLY1305_SHA256")),
        (opts().cipher_suites("TLS_AES_128_GCM_SHA256"), "TLSv1.3", Some("TLS_AES_128_GCM_SHA256")),
        // An empty TLS 1.3 list leaves TLS 1.2.
        (opts().cipher_suites(""), "TLSv1.2", None),
    ];
    for (client_opts, version, cipher) in cases {
        let client_ctx = new_context(client_opts.ca_file(&pki.ca_file).alpn(["h2", "http/1.1"])).unwrap();
        let (mut c, mut conn) = secured_pair(&client_ctx, &server_ctx, "localhost");
        let info = session_info(&c).unwrap();
        assert_eq!(info.protocol_version.as_deref(), Some(version));
        assert_eq!(session_info(&conn).unwrap().protocol_version.as_deref(), Some(version));
        if let Some(cipher) = cipher {
            assert_eq!(info.cipher.as_deref(), Some(cipher));
        }
        if version == "TLSv1.2" {
            // ECDSA keys: an ECDHE-ECDSA suite, by its IANA name.
            assert!(info.cipher.as_deref().is_some_and(|c| c.starts_with("TLS_ECDHE_ECDSA_WITH_")), "{info:?}");
        }
        // The client prefers h2, but a rustls server picks in its own order of preference.
        assert_eq!(info.alpn_protocol.as_deref(), Some(&b"http/1.1"[..]), "{info:?}");
        assert_eq!(session_info(&conn).unwrap().alpn_protocol, info.alpn_protocol);
        c.send(b"ping\n").unwrap();
        assert_eq!(conn.recv_line().unwrap(), "ping");
    }
    // No common ALPN protocol: the handshake fails (RFC 7301), and the server says why. (The
    // client sees the alert, or a reset when its middlebox-compatibility record reaches the
    // server after it closed.)
    let client_ctx = new_context(opts().ca_file(&pki.ca_file).alpn(["imap"])).unwrap();
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || listener.accept().map(drop).unwrap_err());
    let mut c = Socket::tcp().unwrap();
    client_ctx.wrap_socket(&mut c).unwrap();
    let err = c.connect("localhost", port).unwrap_err();
    assert!(matches!(err, Error::Tls(_) | Error::Io { .. }), "{err}");
    let on_server = server.join().unwrap();
    assert!(net_tests::report(&on_server).contains("doesn't support any known protocol"), "{on_server}");
}

#[test]
fn end_of_stream_with_and_without_close_notify() {
    let pki = Pki::new("rustls-eof");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let client_ctx = client_context(KIND, &pki);
    for clean in [false, true] {
        let (mut c, mut conn) = secured_pair(&client_ctx, &server_ctx, "localhost");
        conn.send(b"last line\n").unwrap();
        if clean {
            conn.close();
        } else {
            // The end of the TCP stream without a close_notify.
            conn.io_handle().unwrap().socket2().shutdown(std::net::Shutdown::Write).unwrap();
        }
        assert_eq!(closed_cleanly(&c), None, "still open");
        assert_eq!(c.recv_line().unwrap(), "last line");
        assert_eq!(c.recv_line().unwrap(), "");
        assert_eq!(closed_cleanly(&c), Some(clean));
        // And it stays at the end.
        assert_eq!(c.recv_line().unwrap(), "");
        assert_eq!(c.recv(10).unwrap(), b"");
        let own = ssl_handle::<RustlsSession>(&c).unwrap();
        assert_eq!(own.clean_close(), Some(clean));
        // Writing still works toward a half-closed peer.
        if !clean {
            c.send(b"after\n").unwrap();
            assert_eq!(conn.recv_line().unwrap(), "after");
        }
    }
}

#[test]
fn closing_mid_handshake_and_talking_plain_text_are_clean_errors() {
    let pki = Pki::new("rustls-broken");
    let ctx = client_context(KIND, &pki);
    // The peer closes (FIN, no reset) after reading the ClientHello.
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let t = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let mut hello = [0u8; 4096];
        let n = conn.io_handle().unwrap().read(&mut hello).unwrap();
        assert_eq!(hello[0], 22, "a handshake record");
        assert_eq!(n, 5 + usize::from(u16::from_be_bytes([hello[3], hello[4]])), "the whole ClientHello");
        conn.close();
    });
    let mut c = net::dial("127.0.0.1", port).unwrap();
    let err = ctx.wrap_connected_socket(&mut c, HandshakeSide::Client, "localhost").unwrap_err();
    t.join().unwrap();
    assert!(matches!(&err, TlsError::Handshake { backend: KIND, .. }), "{err}");
    assert_eq!(
        net_tests::report(&err),
        "TLS handshake failed (rustls): the peer closed the connection during the handshake"
    );
    // The socket is still there, and says so: the end of the stream.
    assert_eq!(c.recv_line().unwrap(), "");
    // A server that gets plain text instead of a ClientHello.
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let t = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        server_ctx.wrap_connected_socket(&mut conn, HandshakeSide::Server, "").unwrap_err()
    });
    let mut c = net::dial("127.0.0.1", port).unwrap();
    c.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let err = t.join().unwrap();
    let TlsError::Handshake { source, .. } = &err else { panic!("{err}") };
    assert!(source.downcast_ref::<rustls::Error>().is_some(), "{err}");
    // The plain-text client sees the alert or the end of the stream, not a hang.
    let r = c.recv_line_with(&ReadOptions::new().timeout(Duration::from_secs(5)));
    assert!(!matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    // A server context without a certificate cannot accept.
    let client_only = client_context(KIND, &pki);
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let t = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        client_only.wrap_connected_socket(&mut conn, HandshakeSide::Server, "").unwrap_err()
    });
    let mut c = net::dial("127.0.0.1", port).unwrap();
    let client_err = ctx.wrap_connected_socket(&mut c, HandshakeSide::Client, "localhost");
    let err = t.join().unwrap();
    assert!(matches!(&err, TlsError::Config { what } if what.contains("cert_file")), "{err}");
    drop(client_err);
}

const FLOW: u8 = 0;
const SPLIT: u8 = 1;
const TRICKLE: u8 = 2;

/// A relay on 127.0.0.1 between one client and `upstream`, pacing the server's bytes as
/// `pace` says: `FLOW` as they come; `SPLIT` the next chunk in two, 10 bytes then the rest
/// a second later (then back to `FLOW`); `TRICKLE` one byte every 60 ms.
fn relay(upstream: u16, pace: Arc<AtomicU8>) -> (u16, JoinHandle<()>) {
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let handle = thread::spawn(move || {
        let client = listener.accept().unwrap();
        client.set_sock_opt(SockOpt::NoDelay, true).unwrap();
        let server = net::dial("127.0.0.1", upstream).unwrap();
        let (mut from_client, mut to_client) = (client.io_handle().unwrap(), client.io_handle().unwrap());
        let (mut from_server, mut to_server) = (server.io_handle().unwrap(), server.io_handle().unwrap());
        let up = thread::spawn(move || {
            let _ = std::io::copy(&mut from_client, &mut to_server);
            let _ = to_server.socket2().shutdown(std::net::Shutdown::Write);
        });
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = match from_server.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            let sent = match pace.load(Ordering::SeqCst) {
                SPLIT => {
                    let (a, b) = chunk.split_at(n.min(10));
                    pace.store(FLOW, Ordering::SeqCst);
                    to_client.write_all(a).and_then(|()| {
                        thread::sleep(Duration::from_secs(1));
                        to_client.write_all(b)
                    })
                }
                TRICKLE => chunk.iter().try_for_each(|b| {
                    thread::sleep(Duration::from_millis(60));
                    to_client.write_all(&[*b])
                }),
                _ => to_client.write_all(chunk),
            };
            if sent.is_err() {
                break;
            }
        }
        let _ = to_client.socket2().shutdown(std::net::Shutdown::Write);
        let _ = up.join();
        drop((client, server));
    });
    (port, handle)
}

#[test]
fn read_timeouts_keep_partial_lines_and_partial_records() {
    let pki = Pki::new("rustls-timeouts");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, upstream) = tls_listener(Some(&server_ctx), Domain::Inet);
    let pace = Arc::new(AtomicU8::new(FLOW));
    let (port, relay) = relay(upstream, pace.clone());
    let (go, next) = mpsc::channel::<&'static [u8]>();
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        assert_eq!(conn.recv_line().unwrap(), "ping");
        conn.send(b"pong\n").unwrap();
        for piece in next {
            conn.send(piece).unwrap();
        }
        conn
    });
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    // A round trip first, so the handshake's last records (session tickets) are through.
    c.send(b"ping\n").unwrap();
    assert_eq!(c.recv_line().unwrap(), "pong");
    let quick = ReadOptions::new().timeout(Duration::from_millis(150));
    let patient = ReadOptions::new().timeout(Duration::from_secs(5));

    // A line in two records: the first part is kept across the timeout.
    go.send(b"par").unwrap();
    assert!(matches!(c.recv_line_with(&quick), Err(Error::Timeout { .. })));
    go.send(b"tial\n").unwrap();
    assert_eq!(c.recv_line_with(&patient).unwrap(), "partial");

    // A record in two pieces: the timeout comes while rustls holds half a record; the rest
    // completes it.
    pace.store(SPLIT, Ordering::SeqCst);
    go.send(b"split record\n").unwrap();
    let start = Instant::now();
    assert!(matches!(c.recv_line_with(&quick), Err(Error::Timeout { .. })));
    assert!(start.elapsed() < Duration::from_millis(900), "{:?}", start.elapsed());
    assert_eq!(c.recv_line_with(&patient).unwrap(), "split record");

    // A record trickling in a byte at a time: the timeout bounds the whole call, not each
    // piece (the record takes 1.7 s to arrive).
    pace.store(TRICKLE, Ordering::SeqCst);
    go.send(b"slowly\n").unwrap();
    let start = Instant::now();
    let r = c.recv_line_with(&ReadOptions::new().timeout(Duration::from_millis(300)));
    let took = start.elapsed();
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    assert!(took < Duration::from_millis(1200), "{took:?}");
    assert_eq!(c.recv_line_with(&patient).unwrap(), "slowly");
    pace.store(FLOW, Ordering::SeqCst);
    // The socket's own read timeout is put back: none.
    assert_eq!(c.io_handle().unwrap().socket2().read_timeout().unwrap(), None);

    drop(go);
    let mut conn = server.join().unwrap();
    conn.close();
    c.close();
    relay.join().unwrap();
}

#[test]
fn decrypted_bytes_waiting_count_as_buffered() {
    let pki = Pki::new("rustls-pending");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let client_ctx = client_context(KIND, &pki);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        conn.send(b"abcdef\n").unwrap();
        conn
    });
    // Unbuffered: what is waiting is in the session, not in the socket's buffer.
    let mut c = Socket::builder().buffered(false).build().unwrap();
    client_ctx.wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    let conn = server.join().unwrap();
    assert_eq!(c.recv(1).unwrap(), b"a");
    assert_eq!(ssl_handle::<RustlsSession>(&c).unwrap().pending_plaintext(), 6);
    assert!(c.has_data_buffered());
    // A read with a timeout does not wait on the descriptor (nothing more will come on it).
    let start = Instant::now();
    let long = ReadOptions::new().timeout(Duration::from_secs(2));
    assert_eq!(c.recv_with(3, &long).unwrap(), b"bcd");
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
    assert_eq!(c.recv_line_with(&ReadOptions::new().timeout(Duration::from_millis(100))).unwrap(), "ef");
    assert_eq!(ssl_handle::<RustlsSession>(&c).unwrap().pending_plaintext(), 0);
    assert!(!c.has_data_buffered());
    drop(conn);
}

#[test]
fn bulk_8_mib_both_ways_on_tls12_and_tls13() {
    const SIZE: usize = 8 << 20;
    let pki = Pki::new("rustls-bulk");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let pattern: Arc<Vec<u8>> = Arc::new((0..SIZE).map(|i| (i % 253) as u8).collect());
    for protocol in [ProtocolVersion::TlsV1_3, ProtocolVersion::TlsV1_2] {
        let client_ctx = new_context(opts().ca_file(&pki.ca_file).protocol(protocol)).unwrap();
        let (mut c, mut conn) = secured_pair(&client_ctx, &server_ctx, "localhost");
        let expected = pattern.clone();
        let server = thread::spawn(move || {
            let got = conn.recv(SIZE).unwrap();
            assert!(got == *expected, "the server received different bytes");
            conn.send(&expected).unwrap();
            conn
        });
        c.send(&pattern).unwrap();
        let back = c.recv(SIZE).unwrap();
        assert!(back == *pattern, "the client received different bytes ({protocol:?})");
        let mut conn = server.join().unwrap();
        conn.close();
        assert_eq!(c.recv(1).unwrap(), b"");
        assert_eq!(closed_cleanly(&c), Some(true));
    }
}
