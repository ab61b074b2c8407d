//! The OpenSSL backend on its own: what only it does (TLS 1.0/1.1, cipher strings, PSK, the
//! verified chain, OpenSSL's messages, its session type) and the behaviour every backend owes,
//! checked against OpenSSL's specifics.
#![cfg(feature = "openssl")]

use std::io::Read;
use std::thread;

use net::tls::{
    capabilities, closed_cleanly, got_handshake, known_capabilities, new_context, peer_certificates, psk_identity,
    session_info, ssl_handle, ssl_handle_mut, BackendKind, ClientAuth, Context, ContextOptions, HandshakeSide,
    ProtocolVersion, TlsBackend, TlsError, VerifyMode,
};
use net::{Domain, ReadOptions, Socket, SocketIo};
use net_tests::certs::{Leaf, Pki, Validity};
use net_tests::tls::{
    self, client_context, context, echo_once, env_lock, handshake, ok, server_context, server_context_with, tcp_pair,
    tls_listener, Outcome,
};
use net_tls_openssl::openssl::ssl::{NameType, SslContext, SslStream};
use net_tls_openssl::{OpenSslBackend, Stream};

const KIND: BackendKind = BackendKind::OpenSsl;

fn ctx(options: ContextOptions) -> Context {
    context(KIND, options)
}

fn client(pki: &Pki) -> Context {
    client_context(KIND, pki)
}

fn none() -> Context {
    ctx(ContextOptions::new().verify_mode(VerifyMode::None))
}

fn client_error(outcome: Outcome) -> String {
    tls::client_error(KIND, outcome)
}

fn ders(certs: &[net::tls::Certificate]) -> Vec<&[u8]> {
    certs.iter().map(|c| c.as_der()).collect()
}

#[test]
fn wrap_socket_before_connect_and_accept_echoes_lines() {
    let pki = Pki::new("ossl-wrap");
    for (domain, host) in [(Domain::Inet, "127.0.0.1"), (Domain::Inet6, "::1")] {
        let leaf = pki.server(&format!("srv{}", domain.to_c_int()), &[host], Validity::Current);
        let server_ctx = server_context(KIND, &leaf);
        let (listener, port) = tls_listener(Some(&server_ctx), domain);
        let server = echo_once(listener);
        let mut c = Socket::builder().domain(domain).build().unwrap();
        client(&pki).wrap_socket(&mut c).unwrap();
        assert!(!got_handshake(&c).unwrap());
        c.connect(host, port).unwrap();
        assert!(got_handshake(&c).unwrap());
        c.send(b"hello\nworld\n").unwrap();
        assert_eq!(c.recv_line().unwrap(), "echo: hello");
        assert_eq!(c.recv_line().unwrap(), "echo: world");
        c.close();
        assert_eq!(server.join().unwrap().unwrap(), 2);
    }
}

#[test]
fn wrap_connected_socket_on_both_sides_and_session_info() {
    let pki = Pki::new("ossl-connected");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let (mut c, mut s) = ok(handshake(&server_context(KIND, &leaf), &client(&pki), "server.test"));
    c.send(b"ping\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "ping");
    s.send(b"pong\n").unwrap();
    assert_eq!(c.recv_line().unwrap(), "pong");
    for sock in [&c, &s] {
        let info = session_info(sock).unwrap();
        assert_eq!(info.backend, KIND);
        assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.3"));
        assert!(info.cipher.as_deref().is_some_and(|c| c.starts_with("TLS_AES_") || c.starts_with("TLS_CHACHA")));
        assert_eq!(info.alpn_protocol, None);
    }
    assert_eq!(psk_identity(&s), None);
}

#[test]
fn peer_rejects_bad_certificates_with_openssl_reasons() {
    let pki = Pki::new("ossl-reject");
    let other = Pki::new("ossl-other");
    let cases = [
        (pki.server("expired", &["server.test"], Validity::Expired), "server.test", "certificate has expired"),
        (pki.server("future", &["server.test"], Validity::NotYetValid), "server.test", "certificate is not yet valid"),
        (pki.server("wrong", &["other.test"], Validity::Current), "server.test", "hostname mismatch"),
        (pki.self_signed("self", &["server.test"]), "server.test", "self-signed certificate"),
        (
            other.server("unknown", &["server.test"], Validity::Current),
            "server.test",
            "self-signed certificate in certificate chain",
        ),
        (pki.server("ip", &["127.0.0.2"], Validity::Current), "127.0.0.1", "IP address mismatch"),
        (pki.server("ip6", &["::2"], Validity::Current), "::1", "IP address mismatch"),
        (pki.server("dns-not-ip", &["localhost"], Validity::Current), "127.0.0.1", "IP address mismatch"),
    ];
    for (leaf, host, reason) in &cases {
        let server_ctx = server_context(KIND, leaf);
        let message = client_error(handshake(&server_ctx, &client(&pki), host));
        assert!(message.contains(reason), "{host}: {message:?} should say {reason:?}");
        // VerifyMode::None checks neither the chain nor the name.
        let (c, _s) = ok(handshake(&server_ctx, &none(), host));
        assert_eq!(ders(&peer_certificates(&c))[0], &leaf.der[..], "None: the certificate as sent");
    }
}

#[test]
fn peer_accepts_names_ips_ca_file_and_ca_dir() {
    let pki = Pki::new("ossl-accept");
    let leaf = pki.server("srv", &["server.test", "*.wild.test", "127.0.0.1", "::1"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for host in ["server.test", "SERVER.test", "a.wild.test", "127.0.0.1", "::1", ""] {
        ok(handshake(&server_ctx, &client(&pki), host));
    }
    // No partial wildcards, and a wildcard covers one label only.
    client_error(handshake(&server_ctx, &client(&pki), "a.b.wild.test"));
    // ca_dir loads every PEM file in the directory and skips the rest.
    std::fs::write(pki.ca_dir.join("notes.txt"), "not a certificate").unwrap();
    std::fs::create_dir_all(pki.ca_dir.join("subdir")).unwrap();
    ok(handshake(&server_ctx, &ctx(ContextOptions::new().ca_dir(&pki.ca_dir)), "server.test"));
    // An empty or certificate-less directory is no trust at all.
    let empty = pki.dir.join("empty-ca-dir");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("junk.pem"), "-----BEGIN NOTHING-----\n").unwrap();
    let err = new_context(ContextOptions::new().backend(KIND).ca_dir(&empty)).unwrap_err();
    assert!(matches!(err, TlsError::NoCaCertificates), "{err}");
}

#[test]
fn environment_roots_only_under_peer_use_env_vars() {
    let pki = Pki::new("ossl-env");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let env = ContextOptions::new().verify_mode(VerifyMode::PeerUseEnvVars);
    let (from_file, from_dir, plain_peer) = {
        let _env = env_lock();
        std::env::set_var("SSL_CERT_FILE", &pki.ca_file);
        let from_file = new_context(env.clone().backend(KIND));
        // Peer ignores the variables: the system roots do not know the test CA.
        let plain_peer = new_context(ContextOptions::new().backend(KIND));
        std::env::remove_var("SSL_CERT_FILE");
        std::env::set_var("SSL_CERT_DIR", &pki.ca_dir);
        let from_dir = new_context(env.clone().backend(KIND));
        std::env::remove_var("SSL_CERT_DIR");
        (from_file, from_dir, plain_peer)
    };
    ok(handshake(&server_ctx, &from_file.unwrap(), "server.test"));
    ok(handshake(&server_ctx, &from_dir.unwrap(), "server.test"));
    let message = client_error(handshake(&server_ctx, &plain_peer.unwrap(), "server.test"));
    assert!(message.contains("certificate verify failed"), "{message}");
    let _env = env_lock();
    // Neither variable may point anywhere useful (the machine may set SSL_CERT_DIR).
    std::env::remove_var("SSL_CERT_DIR");
    std::env::set_var("SSL_CERT_FILE", pki.dir.join("missing.pem"));
    let err = new_context(env.backend(KIND));
    std::env::remove_var("SSL_CERT_FILE");
    assert!(matches!(err, Err(TlsError::NoCaCertificates)), "{err:?}");
}

#[test]
fn sni_is_sent_for_names_only() {
    let pki = Pki::new("ossl-sni");
    let leaf = pki.server("srv", &["server.test", "127.0.0.1"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for (host, sni) in [("server.test", Some("server.test")), ("127.0.0.1", None), ("", None)] {
        let (_c, s) = ok(handshake(&server_ctx, &client(&pki), host));
        let stream = ssl_handle::<Stream>(&s).expect("the server's SslStream");
        assert_eq!(stream.ssl().servername(NameType::HOST_NAME), sni, "{host:?}");
    }
    // An empty name skips the name check, not the chain.
    let stranger = Pki::new("ossl-sni-stranger");
    let foreign = server_context(KIND, &stranger.server("srv", &["x.test"], Validity::Current));
    client_error(handshake(&foreign, &client(&pki), ""));
}

#[test]
fn peer_certificates_are_the_verified_chain_under_peer() {
    let pki = Pki::new("ossl-chain");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    // The server sends its leaf alone: the verified chain still reaches the root.
    let alone = server_context_with(KIND, &Leaf { chain: leaf.cert.clone(), ..leaf.clone() }, ContextOptions::new());
    let (c, _s) = ok(handshake(&alone, &client(&pki), "server.test"));
    assert_eq!(ders(&peer_certificates(&c)), [&leaf.der[..], &pki.ca_der[..]]);
    let (c, _s) = ok(handshake(&alone, &none(), "server.test"));
    assert_eq!(ders(&peer_certificates(&c)), [&leaf.der[..]], "None: what the peer sent");
    let full = server_context(KIND, &leaf);
    let (c, s) = ok(handshake(&full, &none(), "server.test"));
    assert_eq!(ders(&peer_certificates(&c)), [&leaf.der[..], &pki.ca_der[..]]);
    assert!(peer_certificates(&s).is_empty(), "no client certificate");
}

#[test]
fn mutual_tls() {
    let pki = Pki::new("ossl-mtls");
    let stranger = Pki::new("ossl-mtls-stranger");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let id = pki.client("alice");
    let foreign_id = stranger.client("mallory");
    let with = |who: &Leaf| ctx(ContextOptions::new().ca_file(&pki.ca_file).cert_and_key(&who.cert, &who.key));
    // The server's own verify mode is None (the helper's): client_auth alone decides.
    let server = |auth| server_context_with(KIND, &leaf, ContextOptions::new().ca_file(&pki.ca_file).client_auth(auth));
    let required = server(ClientAuth::Required);
    let (_c, s) = ok(handshake(&required, &with(&id), "server.test"));
    assert_eq!(ders(&peer_certificates(&s)), [&id.der[..], &pki.ca_der[..]]);
    // Without a certificate, or with one from an unknown CA: refused by the server.
    for client_ctx in [client(&pki), with(&foreign_id)] {
        let (c, s) = handshake(&required, &client_ctx, "server.test");
        assert!(s.is_err(), "the server accepted");
        // TLS 1.3: the client may finish first and learn of the refusal on its first read.
        if let Ok(mut c) = c {
            assert!(c.recv_line().map_or(true, |l| l.is_empty()));
        }
    }
    let optional = server(ClientAuth::Optional);
    let (_c, s) = ok(handshake(&optional, &client(&pki), "server.test"));
    assert!(peer_certificates(&s).is_empty());
    let (_c, s) = ok(handshake(&optional, &with(&id), "server.test"));
    assert_eq!(peer_certificates(&s).len(), 2);
    assert!(handshake(&optional, &with(&foreign_id), "server.test").1.is_err(), "a sent certificate is checked");
}

#[test]
fn capabilities_and_option_errors() {
    assert_eq!(OpenSslBackend.capabilities(), known_capabilities(KIND));
    assert_eq!(capabilities(KIND), known_capabilities(KIND));
    let pki = Pki::new("ossl-opts");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let err = new_context(ContextOptions::new().backend(KIND).cipher_list("NO-SUCH-CIPHER")).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
    let err = new_context(ContextOptions::new().backend(KIND).cipher_suites("TLS_NO_SUCH")).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
    let err = new_context(ContextOptions::new().backend(KIND).cipher_list("DEFAULT\0")).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "a NUL byte is an error, not a panic: {err}");
    let (c, _s) = handshake(&server_context(KIND, &leaf), &none(), "bad\0name");
    assert!(matches!(c, Err(TlsError::Config { .. })), "{:?}", c.err());
    let file_err = |opts: ContextOptions| match new_context(opts.backend(KIND)) {
        Err(TlsError::File { what, .. }) => what,
        other => panic!("not a file error: {other:?}"),
    };
    let missing = pki.dir.join("missing.pem");
    let opts = || ContextOptions::new().verify_mode(VerifyMode::None);
    assert_eq!(file_err(opts().cert_and_key(&missing, &leaf.key)), "certificate file");
    assert_eq!(file_err(opts().cert_and_key(&leaf.cert, &missing)), "key file");
    assert_eq!(file_err(opts().cert_and_key(&leaf.key, &leaf.key)), "certificate file", "a key is no certificate");
    let other = pki.server("other", &["x.test"], Validity::Current);
    assert_eq!(file_err(opts().cert_and_key(&leaf.cert, &other.key)), "key file", "a key of another certificate");
    assert_eq!(file_err(ContextOptions::new().ca_file(&missing)), "CA file");
    assert_eq!(file_err(ContextOptions::new().ca_file(&leaf.key)), "CA file");
    assert_eq!(file_err(ContextOptions::new().ca_dir(pki.dir.join("no-dir"))), "CA directory");
    // A server needs a certificate (or PSK).
    let (_c, s) = handshake(&none(), &none(), "");
    assert!(matches!(s, Err(TlsError::Config { .. })), "{:?}", s.err());
    // The session id context is accepted and used.
    let sid = server_context_with(KIND, &leaf, ContextOptions::new().session_id_context("net-tests"));
    ok(handshake(&sid, &client(&pki), "server.test"));
}

#[test]
fn pinned_versions_including_tls_1_0_and_1_1() {
    let pki = Pki::new("ossl-versions");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let versions = [
        (ProtocolVersion::TlsV1, "TLSv1"),
        (ProtocolVersion::TlsV1_1, "TLSv1.1"),
        (ProtocolVersion::TlsV1_2, "TLSv1.2"),
        (ProtocolVersion::TlsV1_3, "TLSv1.3"),
    ];
    for (version, name) in versions {
        let server_ctx = server_context_with(KIND, &leaf, ContextOptions::new().protocol(version));
        let client_ctx = ctx(ContextOptions::new().ca_file(&pki.ca_file).protocol(version));
        let (mut c, mut s) = ok(handshake(&server_ctx, &client_ctx, "server.test"));
        assert_eq!(session_info(&c).unwrap().protocol_version.as_deref(), Some(name));
        c.send(b"old but working\n").unwrap();
        assert_eq!(s.recv_line().unwrap(), "old but working");
        // A client that wants another version is refused.
        let newer =
            if version == ProtocolVersion::TlsV1_3 { ProtocolVersion::TlsV1_2 } else { ProtocolVersion::TlsV1_3 };
        let other = ctx(ContextOptions::new().ca_file(&pki.ca_file).protocol(newer));
        client_error(handshake(&server_ctx, &other, "server.test"));
    }
}

#[test]
fn cipher_list_and_tls13_suites_are_applied() {
    let pki = Pki::new("ossl-ciphers");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let tls12 = ctx(ContextOptions::new()
        .ca_file(&pki.ca_file)
        .protocol(ProtocolVersion::TlsV1_2)
        .cipher_list("ECDHE-ECDSA-CHACHA20-POLY1305"));
    let (c, _s) = ok(handshake(&server_ctx, &tls12, "server.test"));
    assert_eq!(session_info(&c).unwrap().cipher.as_deref(), Some("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
    let tls13 = ctx(ContextOptions::new().ca_file(&pki.ca_file).cipher_suites("TLS_CHACHA20_POLY1305_SHA256"));
    let (c, _s) = ok(handshake(&server_ctx, &tls13, "server.test"));
    assert_eq!(session_info(&c).unwrap().cipher.as_deref(), Some("TLS_CHACHA20_POLY1305_SHA256"));
    // An RSA-only list finds nothing to use with an ECDSA certificate.
    let rsa = ctx(ContextOptions::new().ca_file(&pki.ca_file).protocol(ProtocolVersion::TlsV1_2).cipher_list("aRSA"));
    client_error(handshake(&server_ctx, &rsa, "server.test"));
}

#[test]
fn alpn_on_both_sides() {
    let pki = Pki::new("ossl-alpn");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context_with(KIND, &leaf, ContextOptions::new().alpn(["h2", "http/1.1"]));
    let with = |protocols: &[&str]| ctx(ContextOptions::new().ca_file(&pki.ca_file).alpn(protocols));
    let (c, s) = ok(handshake(&server_ctx, &with(&["http/1.1", "h2"]), "server.test"));
    assert_eq!(session_info(&c).unwrap().alpn_protocol.as_deref(), Some(&b"h2"[..]), "the server's preference");
    assert_eq!(session_info(&s).unwrap().alpn_protocol.as_deref(), Some(&b"h2"[..]));
    let (c, _s) = ok(handshake(&server_ctx, &with(&["http/1.1"]), "server.test"));
    assert_eq!(session_info(&c).unwrap().alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    let (c, _s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    assert_eq!(session_info(&c).unwrap().alpn_protocol, None, "no ALPN offered");
    let message = client_error(handshake(&server_ctx, &with(&["spdy/1"]), "server.test"));
    assert!(message.contains("no application protocol"), "{message}");
    let err = new_context(ContextOptions::new().backend(KIND).alpn([""])).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
}

#[test]
fn end_of_stream_with_and_without_close_notify() {
    let pki = Pki::new("ossl-eof");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    // Without close_notify: the TCP stream just ends.
    let (mut c, mut s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    s.send(b"last\n").unwrap();
    s.io_handle().unwrap().socket2().shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(c.recv_line().unwrap(), "last");
    assert_eq!(closed_cleanly(&c), None);
    assert_eq!(c.recv_line().unwrap(), "");
    assert_eq!(closed_cleanly(&c), Some(false));
    assert_eq!(c.recv(10).unwrap(), b"", "it stays at the end");
    assert_eq!(c.recv_line().unwrap(), "");
    c.close();
    // With close_notify.
    let (mut c, mut s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    s.send(b"bye").unwrap();
    s.close();
    let mut all = Vec::new();
    c.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"bye");
    assert_eq!(closed_cleanly(&c), Some(true));
    assert_eq!(c.recv(1).unwrap(), b"");
}

#[test]
fn has_data_buffered_counts_decrypted_bytes() {
    let pki = Pki::new("ossl-pending");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for buffered in [true, false] {
        let (mut c, s) = tcp_pair(false);
        let mut s = Socket::builder().buffered(buffered).from_fd(s.into_socket2().unwrap().into());
        let server_ctx = server_ctx.clone();
        let t = thread::spawn(move || {
            server_ctx.wrap_connected_socket(&mut s, HandshakeSide::Server, "").unwrap();
            s
        });
        client(&pki).wrap_connected_socket(&mut c, HandshakeSide::Client, "server.test").unwrap();
        let mut s = t.join().unwrap();
        c.send(b"a\nb\n").unwrap();
        net_tests::wait_kernel(&s, 20);
        assert!(!s.has_data_buffered(), "nothing decrypted yet");
        assert_eq!(s.recv_line().unwrap(), "a");
        assert!(s.has_data_buffered(), "buffered={buffered}");
        assert_eq!(s.recv_line().unwrap(), "b");
        assert!(!s.has_data_buffered());
        // The session's count is exact: one byte read out of a 4-byte record leaves 3.
        c.send(b"wxyz").unwrap();
        let mut one = [0u8; 1];
        let stream = ssl_handle_mut::<Stream>(&mut s).unwrap();
        assert_eq!(std::io::Read::read(stream, &mut one).unwrap(), 1);
        assert_eq!(s.session().unwrap().pending_plaintext(), 3);
        assert!(s.has_data_buffered());
        assert_eq!(s.recv(3).unwrap(), b"xyz");
        assert_eq!(s.session().unwrap().pending_plaintext(), 0);
    }
}

#[test]
fn ssl_handle_is_the_openssl_stream() {
    let pki = Pki::new("ossl-handle");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let ossl_ctx = server_ctx.backend_context().downcast_ref::<SslContext>().expect("SslContext");
    assert!(ossl_ctx.certificate().is_some());
    let (mut c, _s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    let stream = ssl_handle::<SslStream<SocketIo>>(&c).expect("SslStream<SocketIo>");
    assert_eq!(stream.ssl().version_str(), "TLSv1.3");
    assert!(stream.ssl().peer_certificate().is_some());
    assert!(ssl_handle_mut::<Stream>(&mut c).is_some());
    assert!(ssl_handle::<String>(&c).is_none());
}

#[test]
fn psk_tls12_with_hint_and_no_certificate() {
    let server_ctx = ctx(ContextOptions::new()
        .verify_mode(VerifyMode::None)
        .psk_identity_hint("net-hint")
        .psk_server(|identity| (identity == "user").then(|| b"0123456789abcdef".to_vec())));
    let hints = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = hints.clone();
    let client_ctx = ctx(ContextOptions::new().psk_client(move |hint| {
        seen.lock().unwrap().push(hint.to_owned());
        Some(("user".to_owned(), b"0123456789abcdef".to_vec()))
    }));
    let (mut c, mut s) = ok(handshake(&server_ctx, &client_ctx, "server.test"));
    assert_eq!(*hints.lock().unwrap(), ["net-hint"]);
    assert_eq!(psk_identity(&s).as_deref(), Some("user"));
    assert_eq!(psk_identity(&c), None, "clients have no PSK identity to report");
    let info = session_info(&c).unwrap();
    assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.2"), "PSK callbacks use TLS 1.2 unless pinned");
    assert!(info.cipher.as_deref().is_some_and(|c| c.contains("PSK")), "{info:?}");
    assert!(peer_certificates(&c).is_empty());
    c.send(b"over psk\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "over psk");
    // An unknown identity or a wrong key is refused.
    let stranger = ctx(ContextOptions::new().psk_client(|_| Some(("eve".to_owned(), b"0123456789abcdef".to_vec()))));
    assert!(handshake(&server_ctx, &stranger, "").1.is_err());
    let wrong_key = ctx(ContextOptions::new().psk_client(|_| Some(("user".to_owned(), b"fedcba9876543210".to_vec()))));
    assert!(handshake(&server_ctx, &wrong_key, "").1.is_err());
    let giving_up = ctx(ContextOptions::new().psk_client(|_| None));
    assert!(handshake(&server_ctx, &giving_up, "").1.is_err());
}

#[test]
fn psk_tls13_when_pinned() {
    let tls13 = || ContextOptions::new().protocol(ProtocolVersion::TlsV1_3);
    let server_ctx = ctx(tls13()
        .verify_mode(VerifyMode::None)
        .psk_server(|identity| (identity == "user").then(|| b"0123456789abcdef0123456789abcdef".to_vec())));
    let client_ctx = ctx(tls13().psk_client(|hint| {
        assert_eq!(hint, "", "TLS 1.3 carries no hint");
        Some(("user".to_owned(), b"0123456789abcdef0123456789abcdef".to_vec()))
    }));
    let (mut c, mut s) = ok(handshake(&server_ctx, &client_ctx, "server.test"));
    assert_eq!(session_info(&c).unwrap().protocol_version.as_deref(), Some("TLSv1.3"));
    assert_eq!(psk_identity(&s).as_deref(), Some("user"));
    c.send(b"over tls 1.3 psk\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "over tls 1.3 psk");
    // A hint cannot be sent with TLS 1.3: refused rather than dropped.
    let err = new_context(tls13().backend(KIND).psk_identity_hint("h").psk_server(|_| None)).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
}

#[test]
fn a_panicking_psk_callback_panics_the_caller_not_the_process() {
    let server_ctx = ctx(ContextOptions::new()
        .verify_mode(VerifyMode::None)
        .psk_server(|_| -> Option<Vec<u8>> { panic!("server callback says no") }));
    let client_ctx = ctx(ContextOptions::new().psk_client(|_| Some(("user".to_owned(), b"k".to_vec()))));
    let (mut c, mut s) = tcp_pair(false);
    let server = thread::spawn(move || {
        let _ = server_ctx.wrap_connected_socket(&mut s, HandshakeSide::Server, "");
    });
    let client_result = client_ctx.wrap_connected_socket(&mut c, HandshakeSide::Client, "");
    let panic = server.join().expect_err("the server thread panicked");
    assert_eq!(panic.downcast_ref::<&str>(), Some(&"server callback says no"));
    assert!(client_result.is_err());
}

#[test]
fn bulk_8_mib_both_ways() {
    const SIZE: usize = 8 << 20;
    let pki = Pki::new("ossl-bulk");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let (mut c, mut s) = ok(handshake(&server_context(KIND, &leaf), &client(&pki), "server.test"));
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 253) as u8).collect();
    let expected = data.clone();
    let echo = thread::spawn(move || {
        let got = s.recv(SIZE).unwrap();
        s.send(&got).unwrap();
        got == expected
    });
    c.send(&data).unwrap();
    let back = c.recv(SIZE).unwrap();
    assert!(echo.join().unwrap(), "the server got other bytes");
    assert!(back == data, "the client got other bytes");
}

#[test]
fn broken_peers_during_the_handshake() {
    let pki = Pki::new("ossl-broken");
    // The peer reads the ClientHello and closes.
    for (what, reply) in [("close", &b""[..]), ("plain text", &b"HTTP/1.0 400 Bad Request\r\n\r\n"[..])] {
        let (mut c, mut s) = tcp_pair(false);
        let t = thread::spawn(move || {
            let _ = s.recv_with(5, &ReadOptions::new());
            let _ = s.send(reply);
            s.close();
        });
        let err = client(&pki).wrap_connected_socket(&mut c, HandshakeSide::Client, "server.test").unwrap_err();
        t.join().unwrap();
        assert!(matches!(err, TlsError::Handshake { .. }), "{what}: {err}");
        assert!(!err.to_string().is_empty());
        assert!(!c.is_ssl() && !c.is_closed(), "{what}: the socket keeps its descriptor");
    }
    // A client that sends garbage to a server.
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut c, mut s) = tcp_pair(false);
    c.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let err = server_ctx.wrap_connected_socket(&mut s, HandshakeSide::Server, "").unwrap_err();
    assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
}

#[test]
fn writing_to_a_closed_peer_is_an_error_not_a_signal() {
    let pki = Pki::new("ossl-epipe");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let (mut c, s) = ok(handshake(&server_context(KIND, &leaf), &client(&pki), "server.test"));
    net_tests::reset(s);
    let chunk = vec![0u8; 64 * 1024];
    let failed = (0..100).any(|_| c.send(&chunk).is_err());
    assert!(failed, "sending to a reset peer kept succeeding");
}
