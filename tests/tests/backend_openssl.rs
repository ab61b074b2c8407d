//! The OpenSSL backend on its own: what only it does (TLS 1.0/1.1, cipher strings, PSK, the
//! verified chain, OpenSSL's messages, its session type) and the behaviour every backend owes,
//! checked against OpenSSL's specifics.
#![cfg(feature = "openssl")]

use std::thread;

use net::tls::{
    capabilities, closed_cleanly, known_capabilities, new_context, peer_certificates, psk_identity, session_info,
    ssl_handle, ssl_handle_mut, BackendKind, ClientAuth, ContextOptions, HandshakeSide, ProtocolVersion, TlsBackend,
    TlsError, VerifyMode,
};
use net::SocketIo;
use net_tests::certs::{Leaf, Pki, Validity};
use net_tests::tls::{
    bulk_both_ways, check_broken_peers_during_the_handshake, check_ca_dir_skips_what_is_not_a_certificate,
    check_close_notify_ends_the_stream, check_decrypted_bytes_count_as_buffered, check_environment_roots,
    check_file_errors_name_the_file, check_wrap_socket_before_connect_and_accept, client_context, client_error,
    client_with_identity, context, env_lock, file_error_what, handshake, negotiated_alpn, no_verify_context, ok,
    pair_ended_without_close_notify, ping_pong, refused_then_accepted_unverified, server_context, server_context_with,
    tcp_pair, verified_pair,
};
use net_tls_openssl::openssl::ssl::{NameType, SslContext, SslStream};
use net_tls_openssl::{OpenSslBackend, Stream};

const KIND: BackendKind = BackendKind::OpenSsl;

fn ders(certs: &[net::tls::Certificate]) -> Vec<&[u8]> {
    certs.iter().map(|c| c.as_der()).collect()
}

#[test]
fn wrap_socket_before_connect_and_accept_echoes_lines() {
    check_wrap_socket_before_connect_and_accept(KIND, &Pki::new("ossl-wrap"));
}

#[test]
fn wrap_connected_socket_on_both_sides_and_session_info() {
    let (mut c, mut s) = verified_pair(KIND, &Pki::new("ossl-connected"));
    ping_pong(KIND, &mut c, &mut s);
    for sock in [&c, &s] {
        let info = session_info(sock).unwrap();
        assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.3"));
        assert!(info.cipher.as_deref().is_some_and(|c| c.starts_with("TLS_AES_") || c.starts_with("TLS_CHACHA")));
        assert_eq!(info.alpn_protocol, None);
    }
    assert_eq!(psk_identity(&s), None);
}

#[test]
fn peer_rejects_bad_certificates_with_the_common_reasons() {
    let pki = Pki::new("ossl-reject");
    let other = Pki::new("ossl-other");
    let cases = [
        (pki.server("expired", &["server.test"], Validity::Expired), "server.test", "the certificate expired at "),
        (
            pki.server("future", &["server.test"], Validity::NotYetValid),
            "server.test",
            "the certificate is not valid before ",
        ),
        (
            pki.server("wrong", &["other.test"], Validity::Current),
            "server.test",
            "the certificate is for other.test, not for \"server.test\"",
        ),
        (pki.self_signed("self", &["server.test"]), "server.test", "the certificate is self-signed"),
        (
            other.server("unknown", &["server.test"], Validity::Current),
            "server.test",
            "the certificate chain ends at a root that is not trusted",
        ),
        (pki.server("ip", &["127.0.0.2"], Validity::Current), "127.0.0.1", "is for 127.0.0.2, not for \"127.0.0.1\""),
        (pki.server("ip6", &["::2"], Validity::Current), "::1", "is for ::2, not for \"::1\""),
        (
            pki.server("dns-not-ip", &["localhost"], Validity::Current),
            "127.0.0.1",
            "is for localhost, not for \"127.0.0.1\"",
        ),
    ];
    for (leaf, host, reason) in &cases {
        let (message, unverified) = refused_then_accepted_unverified(KIND, &pki, leaf, host);
        assert!(message.contains(reason), "{host}: {message:?} should say {reason:?}");
        assert_eq!(ders(&unverified)[0], &leaf.der[..], "None: the certificate as sent");
    }
}

#[test]
fn peer_accepts_names_ips_ca_file_and_ca_dir() {
    let pki = Pki::new("ossl-accept");
    let leaf = pki.server("srv", &["server.test", "*.wild.test", "127.0.0.1", "::1"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for host in ["server.test", "SERVER.test", "a.wild.test", "127.0.0.1", "::1", ""] {
        ok(handshake(&server_ctx, &client_context(KIND, &pki), host));
    }
    // No partial wildcards, and a wildcard covers one label only.
    client_error(KIND, handshake(&server_ctx, &client_context(KIND, &pki), "a.b.wild.test"));
    // ca_dir loads every PEM file in the directory and skips the rest.
    check_ca_dir_skips_what_is_not_a_certificate(KIND, &pki, &server_ctx);
}

#[test]
fn environment_roots_only_under_peer_use_env_vars() {
    let pki = Pki::new("ossl-env");
    check_environment_roots(KIND, &pki);
    // Peer ignores the variables: the system roots do not know the test CA.
    let plain_peer = {
        let _env = env_lock();
        std::env::set_var("SSL_CERT_FILE", &pki.ca_file);
        let plain_peer = new_context(ContextOptions::new().backend(KIND));
        std::env::remove_var("SSL_CERT_FILE");
        plain_peer
    };
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let message = client_error(KIND, handshake(&server_context(KIND, &leaf), &plain_peer.unwrap(), "server.test"));
    assert!(message.contains("the certificate chain ends at a root that is not trusted"), "{message}");
}

#[test]
fn sni_is_sent_for_names_only() {
    let pki = Pki::new("ossl-sni");
    let leaf = pki.server("srv", &["server.test", "127.0.0.1"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for (host, sni) in [("server.test", Some("server.test")), ("127.0.0.1", None), ("", None)] {
        let (_c, s) = ok(handshake(&server_ctx, &client_context(KIND, &pki), host));
        let stream = ssl_handle::<Stream>(&s).expect("the server's SslStream");
        assert_eq!(stream.ssl().servername(NameType::HOST_NAME), sni, "{host:?}");
    }
    // An empty name skips the name check, not the chain.
    let stranger = Pki::new("ossl-sni-stranger");
    let foreign = server_context(KIND, &stranger.server("srv", &["x.test"], Validity::Current));
    client_error(KIND, handshake(&foreign, &client_context(KIND, &pki), ""));
}

#[test]
fn peer_certificates_are_the_verified_chain_under_peer() {
    let pki = Pki::new("ossl-chain");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    // The server sends its leaf alone: the verified chain still reaches the root.
    let alone = server_context_with(KIND, &Leaf { chain: leaf.cert.clone(), ..leaf.clone() }, ContextOptions::new());
    let (c, _s) = ok(handshake(&alone, &client_context(KIND, &pki), "server.test"));
    assert_eq!(ders(&peer_certificates(&c)), [&leaf.der[..], &pki.ca_der[..]]);
    let (c, _s) = ok(handshake(&alone, &no_verify_context(KIND), "server.test"));
    assert_eq!(ders(&peer_certificates(&c)), [&leaf.der[..]], "None: what the peer sent");
    let full = server_context(KIND, &leaf);
    let (c, s) = ok(handshake(&full, &no_verify_context(KIND), "server.test"));
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
    let with = |who: &Leaf| client_with_identity(KIND, &pki, who);
    // The server's own verify mode is None (the helper's): client_auth alone decides.
    let server = |auth| server_context_with(KIND, &leaf, ContextOptions::new().ca_file(&pki.ca_file).client_auth(auth));
    let required = server(ClientAuth::Required);
    let (_c, s) = ok(handshake(&required, &with(&id), "server.test"));
    assert_eq!(ders(&peer_certificates(&s)), [&id.der[..], &pki.ca_der[..]]);
    // Without a certificate, or with one from an unknown CA: refused by the server.
    for client_ctx in [client_context(KIND, &pki), with(&foreign_id)] {
        let (c, s) = handshake(&required, &client_ctx, "server.test");
        assert!(s.is_err(), "the server accepted");
        // TLS 1.3: the client may finish first and learn of the refusal on its first read.
        if let Ok(mut c) = c {
            assert!(c.recv_line().map_or(true, |l| l.is_empty()));
        }
    }
    let optional = server(ClientAuth::Optional);
    let (_c, s) = ok(handshake(&optional, &client_context(KIND, &pki), "server.test"));
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
    let (c, _s) = handshake(&server_context(KIND, &leaf), &no_verify_context(KIND), "bad\0name");
    assert!(matches!(c, Err(TlsError::Config { .. })), "{:?}", c.err());
    // Missing or wrong files, and a server without a certificate (or PSK).
    check_file_errors_name_the_file(KIND, &pki);
    let other = pki.server("other", &["x.test"], Validity::Current);
    let mismatched = ContextOptions::new().verify_mode(VerifyMode::None).cert_and_key(&leaf.cert, &other.key);
    assert_eq!(file_error_what(KIND, mismatched), "key file", "a key of another certificate");
    // The session id context is accepted and used.
    let sid = server_context_with(KIND, &leaf, ContextOptions::new().session_id_context("net-tests"));
    ok(handshake(&sid, &client_context(KIND, &pki), "server.test"));
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
        let client_ctx = context(KIND, ContextOptions::new().ca_file(&pki.ca_file).protocol(version));
        let (mut c, mut s) = ok(handshake(&server_ctx, &client_ctx, "server.test"));
        assert_eq!(session_info(&c).unwrap().protocol_version.as_deref(), Some(name));
        c.send(b"old but working\n").unwrap();
        assert_eq!(s.recv_line().unwrap(), "old but working");
        // A client that wants another version is refused.
        let newer =
            if version == ProtocolVersion::TlsV1_3 { ProtocolVersion::TlsV1_2 } else { ProtocolVersion::TlsV1_3 };
        let other = context(KIND, ContextOptions::new().ca_file(&pki.ca_file).protocol(newer));
        client_error(KIND, handshake(&server_ctx, &other, "server.test"));
    }
}

#[test]
fn cipher_list_and_tls13_suites_are_applied() {
    let pki = Pki::new("ossl-ciphers");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let tls12 = context(
        KIND,
        ContextOptions::new()
            .ca_file(&pki.ca_file)
            .protocol(ProtocolVersion::TlsV1_2)
            .cipher_list("ECDHE-ECDSA-CHACHA20-POLY1305"),
    );
    let (c, _s) = ok(handshake(&server_ctx, &tls12, "server.test"));
    assert_eq!(session_info(&c).unwrap().cipher.as_deref(), Some("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"));
    let tls13 =
        context(KIND, ContextOptions::new().ca_file(&pki.ca_file).cipher_suites("TLS_CHACHA20_POLY1305_SHA256"));
    let (c, _s) = ok(handshake(&server_ctx, &tls13, "server.test"));
    assert_eq!(session_info(&c).unwrap().cipher.as_deref(), Some("TLS_CHACHA20_POLY1305_SHA256"));
    // An RSA-only list finds nothing to use with an ECDSA certificate.
    let rsa = context(
        KIND,
        ContextOptions::new().ca_file(&pki.ca_file).protocol(ProtocolVersion::TlsV1_2).cipher_list("aRSA"),
    );
    client_error(KIND, handshake(&server_ctx, &rsa, "server.test"));
}

#[test]
fn alpn_on_both_sides() {
    let pki = Pki::new("ossl-alpn");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context_with(KIND, &leaf, ContextOptions::new().alpn(["h2", "http/1.1"]));
    let with = |protocols: &[&str]| context(KIND, ContextOptions::new().ca_file(&pki.ca_file).alpn(protocols));
    let h2 = Some(b"h2".to_vec());
    assert_eq!(negotiated_alpn(&server_ctx, &with(&["http/1.1", "h2"])), (h2.clone(), h2), "the server's preference");
    assert_eq!(negotiated_alpn(&server_ctx, &with(&["http/1.1"])).0.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(negotiated_alpn(&server_ctx, &client_context(KIND, &pki)).0, None, "no ALPN offered");
    let message = client_error(KIND, handshake(&server_ctx, &with(&["spdy/1"]), "server.test"));
    // The server's alert, by its RFC name.
    assert_eq!(message, "the peer sent the alert no_application_protocol (120)");
    let err = new_context(ContextOptions::new().backend(KIND).alpn([""])).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
}

#[test]
fn end_of_stream_with_and_without_close_notify() {
    let pki = Pki::new("ossl-eof");
    // Without close_notify: the TCP stream just ends.
    let (mut c, _s) = pair_ended_without_close_notify(KIND, &pki);
    assert_eq!(c.recv_line().unwrap(), "last");
    assert_eq!(closed_cleanly(&c), None);
    assert_eq!(c.recv_line().unwrap(), "");
    assert_eq!(closed_cleanly(&c), Some(false));
    assert_eq!(c.recv(10).unwrap(), b"", "it stays at the end");
    assert_eq!(c.recv_line().unwrap(), "");
    c.close();
    // With close_notify.
    let (c, s) = verified_pair(KIND, &pki);
    check_close_notify_ends_the_stream(c, s);
}

#[test]
fn has_data_buffered_counts_decrypted_bytes() {
    check_decrypted_bytes_count_as_buffered::<Stream>(KIND, &Pki::new("ossl-pending"));
}

#[test]
fn ssl_handle_is_the_openssl_stream() {
    let pki = Pki::new("ossl-handle");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let ossl_ctx = server_ctx.backend_context().downcast_ref::<SslContext>().expect("SslContext");
    assert!(ossl_ctx.certificate().is_some());
    let (mut c, _s) = ok(handshake(&server_ctx, &client_context(KIND, &pki), "server.test"));
    let stream = ssl_handle::<SslStream<SocketIo>>(&c).expect("SslStream<SocketIo>");
    assert_eq!(stream.ssl().version_str(), "TLSv1.3");
    assert!(stream.ssl().peer_certificate().is_some());
    assert!(ssl_handle_mut::<Stream>(&mut c).is_some());
    assert!(ssl_handle::<String>(&c).is_none());
}

#[test]
fn psk_tls12_with_hint_and_no_certificate() {
    let server_ctx = context(
        KIND,
        ContextOptions::new()
            .verify_mode(VerifyMode::None)
            .psk_identity_hint("net-hint")
            .psk_server(|identity| (identity == "user").then(|| b"0123456789abcdef".to_vec())),
    );
    let hints = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = hints.clone();
    let client_ctx = context(
        KIND,
        ContextOptions::new().psk_client(move |hint| {
            seen.lock().unwrap().push(hint.to_owned());
            Some(("user".to_owned(), b"0123456789abcdef".to_vec()))
        }),
    );
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
    let stranger =
        context(KIND, ContextOptions::new().psk_client(|_| Some(("eve".to_owned(), b"0123456789abcdef".to_vec()))));
    assert!(handshake(&server_ctx, &stranger, "").1.is_err());
    let wrong_key =
        context(KIND, ContextOptions::new().psk_client(|_| Some(("user".to_owned(), b"fedcba9876543210".to_vec()))));
    assert!(handshake(&server_ctx, &wrong_key, "").1.is_err());
    let giving_up = context(KIND, ContextOptions::new().psk_client(|_| None));
    assert!(handshake(&server_ctx, &giving_up, "").1.is_err());
}

#[test]
fn psk_tls13_when_pinned() {
    let tls13 = || ContextOptions::new().protocol(ProtocolVersion::TlsV1_3);
    let server_ctx = context(
        KIND,
        tls13()
            .verify_mode(VerifyMode::None)
            .psk_server(|identity| (identity == "user").then(|| b"0123456789abcdef0123456789abcdef".to_vec())),
    );
    let client_ctx = context(
        KIND,
        tls13().psk_client(|hint| {
            assert_eq!(hint, "", "TLS 1.3 carries no hint");
            Some(("user".to_owned(), b"0123456789abcdef0123456789abcdef".to_vec()))
        }),
    );
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
    let server_ctx = context(
        KIND,
        ContextOptions::new()
            .verify_mode(VerifyMode::None)
            .psk_server(|_| -> Option<Vec<u8>> { panic!("server callback says no") }),
    );
    let client_ctx = context(KIND, ContextOptions::new().psk_client(|_| Some(("user".to_owned(), b"k".to_vec()))));
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
    let (c, s) = verified_pair(KIND, &Pki::new("ossl-bulk"));
    bulk_both_ways(c, s, 8 << 20);
}

#[test]
fn broken_peers_during_the_handshake() {
    // The peer reads the ClientHello and closes, or answers in plain text; a client sends a
    // server plain text.
    check_broken_peers_during_the_handshake(KIND, &Pki::new("ossl-broken"));
}

#[test]
fn writing_to_a_closed_peer_is_an_error_not_a_signal() {
    let (mut c, s) = verified_pair(KIND, &Pki::new("ossl-epipe"));
    net_tests::reset(s);
    let chunk = vec![0u8; 64 * 1024];
    let failed = (0..100).any(|_| c.send(&chunk).is_err());
    assert!(failed, "sending to a reset peer kept succeeding");
}
