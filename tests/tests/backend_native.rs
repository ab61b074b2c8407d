//! The native-tls backend on its own: what it refuses (with a hint naming a backend that can),
//! what it does, and the behaviour every backend owes, checked against its specifics.
#![cfg(feature = "native-tls")]

use net::tls::{
    capabilities, closed_cleanly, known_capabilities, new_context, peer_certificates, psk_identity, session_info,
    ssl_handle, BackendKind, Capability, ClientAuth, ContextOptions, ProtocolVersion, TlsBackend, TlsError, VerifyMode,
};
use net_tests::certs::{Pki, Validity};
use net_tests::tls::{
    bulk_both_ways, check_broken_peers_during_the_handshake, check_ca_dir_skips_what_is_not_a_certificate,
    check_close_notify_ends_the_stream, check_decrypted_bytes_count_as_buffered, check_environment_roots,
    check_file_errors_name_the_file, check_wrap_socket_before_connect_and_accept, client_context, client_error,
    context, file_error_what, handshake, negotiated_alpn, ok, pair_ended_without_close_notify, ping_pong,
    refused_then_accepted_unverified, server_context, server_context_with, verified_pair,
};
use net_tls_native::{NativeTlsContext, Stream};

const KIND: BackendKind = BackendKind::NativeTls;

#[test]
fn wrap_socket_before_connect_and_accept_echoes_lines() {
    check_wrap_socket_before_connect_and_accept(KIND, &Pki::new("native-wrap"));
}

#[test]
fn wrap_connected_socket_on_both_sides_and_session_info() {
    let pki = Pki::new("native-connected");
    let (mut c, mut s) = verified_pair(KIND, &pki);
    ping_pong(KIND, &mut c, &mut s);
    // Read from the ServerHello on both sides: native-tls servers on OpenSSL speak TLS 1.2.
    for sock in [&c, &s] {
        let info = session_info(sock).unwrap();
        assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.2"));
        assert!(info.cipher.as_deref().is_some_and(|c| c.starts_with("TLS_ECDHE_ECDSA_WITH_")), "{info:?}");
        assert_eq!(info.alpn_protocol, None);
    }
    assert_eq!(psk_identity(&s), None);
    let leaf = pki.server("pinned", &["server.test"], Validity::Current);
    let pinned = |o: ContextOptions| o.protocol(ProtocolVersion::TlsV1_2);
    let server_ctx = server_context_with(KIND, &leaf, pinned(ContextOptions::new()));
    let client_ctx = context(KIND, pinned(ContextOptions::new().ca_file(&pki.ca_file)));
    let (c, _s) = ok(handshake(&server_ctx, &client_ctx, "server.test"));
    assert_eq!(session_info(&c).unwrap().protocol_version.as_deref(), Some("TLSv1.2"));
}

#[test]
fn peer_rejects_bad_certificates() {
    let pki = Pki::new("native-reject");
    let other = Pki::new("native-other");
    let cases = [
        (pki.server("expired", &["server.test"], Validity::Expired), "server.test", "the certificate has expired"),
        (
            pki.server("future", &["server.test"], Validity::NotYetValid),
            "server.test",
            "the certificate is not valid yet",
        ),
        (
            pki.server("wrong", &["other.test"], Validity::Current),
            "server.test",
            "the certificate is not for \"server.test\"",
        ),
        (pki.self_signed("self", &["server.test"]), "server.test", "the certificate is self-signed"),
        (
            other.server("unknown", &["server.test"], Validity::Current),
            "server.test",
            "the certificate chain ends at a root that is not trusted",
        ),
        (pki.server("ip", &["127.0.0.2"], Validity::Current), "127.0.0.1", "not for \"127.0.0.1\""),
        (pki.server("ip6", &["::2"], Validity::Current), "::1", "not for \"::1\""),
    ];
    // The server of each handshake serves one connection: the second look at a refused
    // certificate finds nobody, and the reasons come without their dates and names.
    for (leaf, host, reason) in &cases {
        let (message, unverified) = refused_then_accepted_unverified(KIND, &pki, leaf, host);
        if cfg!(target_os = "linux") {
            assert!(message.contains(reason), "{host}: {message:?} should say {reason:?}");
        }
        assert_eq!(unverified.iter().map(|c| c.as_der()).collect::<Vec<_>>(), [&leaf.der[..]]);
    }
}

#[test]
fn a_second_look_that_gets_no_answer_gives_up_and_keeps_the_reason() {
    // The look is bounded by the call's deadline (500 ms here) or LOOK_TIMEOUT; which of the two
    // ended it is a matter of time, which no test asserts.
    use net::tls::{CertificateReason, HandshakeSide, TlsErrorExt};
    use std::time::Duration;
    let pki = Pki::new("native-look-silent");
    let expired = pki.server("expired", &["localhost"], Validity::Expired);
    let server_ctx = server_context(KIND, &expired);
    let (mut listener, port) = net_tests::tls::tls_listener(None, net::Domain::Inet);
    let (done, wait) = std::sync::mpsc::channel::<()>();
    // The first connection gets a handshake; the second (the look) is accepted and never answered.
    let server = std::thread::spawn(move || {
        let mut first = listener.accept().unwrap();
        let _ = server_ctx.wrap_connected_socket(&mut first, HandshakeSide::Server, "");
        let silent = listener.accept().unwrap();
        wait.recv().unwrap();
        drop(silent);
    });
    let mut c = net::Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    let err = c.connect_timeout("localhost", port, Duration::from_millis(500)).unwrap_err();
    done.send(()).unwrap();
    server.join().unwrap();
    let tls = err.tls_error().unwrap_or_else(|| panic!("not a TLS error: {err}"));
    assert_eq!(tls.certificate_reason(), Some(&CertificateReason::Expired { not_after: None }), "{err}");
}

#[test]
fn peer_accepts_names_ips_ca_file_and_ca_dir() {
    let pki = Pki::new("native-accept");
    let leaf = pki.server("srv", &["server.test", "127.0.0.1", "::1"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for host in ["server.test", "127.0.0.1", "::1", "[::1]"] {
        let (c, _s) = ok(handshake(&server_ctx, &client_context(KIND, &pki), host));
        // native-tls gives the leaf alone.
        assert_eq!(peer_certificates(&c).iter().map(|c| c.as_der()).collect::<Vec<_>>(), [&leaf.der[..]]);
    }
    check_ca_dir_skips_what_is_not_a_certificate(KIND, &pki, &server_ctx);
    // Explicit roots replace the built-in ones: a CA file of another CA trusts nothing else.
    let stranger = Pki::new("native-accept-stranger");
    client_error(
        KIND,
        handshake(&server_ctx, &context(KIND, ContextOptions::new().ca_file(&stranger.ca_file)), "server.test"),
    );
}

#[test]
fn empty_hostname_checks_the_chain_not_the_name() {
    let pki = Pki::new("native-noname");
    let leaf = pki.server("srv", &["other.test"], Validity::Current);
    ok(handshake(&server_context(KIND, &leaf), &client_context(KIND, &pki), ""));
    let stranger = Pki::new("native-noname-stranger");
    let foreign = server_context(KIND, &stranger.server("srv", &["x.test"], Validity::Current));
    client_error(KIND, handshake(&foreign, &client_context(KIND, &pki), ""));
}

#[test]
fn environment_roots_under_peer_use_env_vars() {
    check_environment_roots(KIND, &Pki::new("native-env"));
}

#[test]
fn every_unsupported_option_is_refused_with_a_hint() {
    assert_eq!(net::tls::NativeTlsBackend.capabilities(), known_capabilities(KIND));
    let pki = Pki::new("native-refuse");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server = || ContextOptions::new().cert_and_key(&leaf.chain, &leaf.key).verify_mode(VerifyMode::None);
    let cases = [
        (ContextOptions::new().protocol(ProtocolVersion::TlsV1), Capability::Tls10),
        (ContextOptions::new().protocol(ProtocolVersion::TlsV1_1), Capability::Tls11),
        (ContextOptions::new().protocol(ProtocolVersion::TlsV1_3), Capability::Tls13),
        (ContextOptions::new().cipher_list("ECDHE+AESGCM"), Capability::CipherList),
        (ContextOptions::new().cipher_suites("TLS_AES_128_GCM_SHA256"), Capability::Tls13CipherSuites),
        (server().session_id_context("net-tests"), Capability::SessionIdContext),
        (server().psk_identity_hint("hint"), Capability::Psk),
        (server().psk_server(|_| None), Capability::Psk),
        (ContextOptions::new().psk_client(|_| None), Capability::Psk),
        (server().ca_file(&pki.ca_file).client_auth(ClientAuth::Optional), Capability::ClientAuth),
        (server().ca_file(&pki.ca_file).client_auth(ClientAuth::Required), Capability::ClientAuth),
    ];
    for (options, capability) in cases {
        assert!(!capabilities(KIND).contains(capability));
        match new_context(options.backend(KIND)) {
            Err(TlsError::Unsupported { backend: KIND, capability: c, hint: Some(hint) }) => {
                assert_eq!(c, capability);
                assert!(capabilities(hint).contains(capability), "{hint} named for {capability:?}");
            }
            other => panic!("{capability:?} was not refused: {other:?}"),
        }
    }
    // What it has, it does not refuse.
    context(KIND, ContextOptions::new().protocol(ProtocolVersion::TlsV1_2));
    context(KIND, ContextOptions::new().alpn(["h2"]));
}

#[test]
fn file_errors_name_the_file() {
    let pki = Pki::new("native-files");
    // Missing or wrong files, and a server without a certificate.
    check_file_errors_name_the_file(KIND, &pki);
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let sec1 = pki.dir.join("sec1.key");
    std::fs::write(&sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n").unwrap();
    let not_pkcs8 = ContextOptions::new().verify_mode(VerifyMode::None).cert_and_key(&leaf.cert, &sec1);
    assert_eq!(file_error_what(KIND, not_pkcs8), "key file", "not PKCS#8");
}

#[cfg(feature = "openssl")]
#[test]
fn client_certificate_towards_a_server_that_asks() {
    let pki = Pki::new("native-mtls");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let id = pki.client("alice");
    let openssl_server = new_context(
        ContextOptions::new()
            .backend(BackendKind::OpenSsl)
            .cert_and_key(&leaf.chain, &leaf.key)
            .ca_file(&pki.ca_file)
            .client_auth(ClientAuth::Required),
    )
    .unwrap();
    let with_cert = context(KIND, ContextOptions::new().ca_file(&pki.ca_file).cert_and_key(&id.chain, &id.key));
    let (mut c, mut s) = ok(handshake(&openssl_server, &with_cert, "server.test"));
    assert_eq!(peer_certificates(&s)[0].as_der(), &id.der[..]);
    let info = session_info(&c).unwrap();
    assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.3"), "a native client negotiates TLS 1.3");
    assert_eq!(info.protocol_version, session_info(&s).unwrap().protocol_version);
    assert_eq!(info.cipher, session_info(&s).unwrap().cipher, "the same IANA name as OpenSSL's");
    c.send(b"mutual\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "mutual");
    let (_c, s) = handshake(&openssl_server, &client_context(KIND, &pki), "server.test");
    assert!(s.is_err(), "no certificate, refused");
}

#[test]
fn alpn_on_both_sides() {
    let pki = Pki::new("native-alpn");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context_with(KIND, &leaf, ContextOptions::new().alpn(["h2", "http/1.1"]));
    let with = |protocols: &[&str]| context(KIND, ContextOptions::new().ca_file(&pki.ca_file).alpn(protocols));
    let h2 = Some(b"h2".to_vec());
    assert_eq!(negotiated_alpn(&server_ctx, &with(&["http/1.1", "h2"])), (h2.clone(), h2));
    assert_eq!(negotiated_alpn(&server_ctx, &with(&["http/1.1"])).0.as_deref(), Some(&b"http/1.1"[..]));
    assert_eq!(negotiated_alpn(&server_ctx, &client_context(KIND, &pki)).0, None);
    let err = new_context(ContextOptions::new().backend(KIND).alpn([&[0xff_u8][..]])).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
}

#[test]
fn end_of_stream_with_and_without_close_notify() {
    let pki = Pki::new("native-eof");
    let (mut c, _s) = pair_ended_without_close_notify(KIND, &pki);
    assert_eq!(c.recv_line().unwrap(), "last");
    assert_eq!(c.recv_line().unwrap(), "");
    assert_eq!(closed_cleanly(&c), Some(false));
    assert_eq!(c.recv(10).unwrap(), b"", "it stays at the end");
    c.close();
    let (c, s) = verified_pair(KIND, &pki);
    check_close_notify_ends_the_stream(c, s);
}

#[test]
fn has_data_buffered_counts_decrypted_bytes() {
    check_decrypted_bytes_count_as_buffered::<Stream>(KIND, &Pki::new("native-pending"));
}

#[test]
fn ssl_handle_is_the_native_tls_stream() {
    let pki = Pki::new("native-handle");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let native = server_ctx.backend_context().downcast_ref::<NativeTlsContext>().expect("NativeTlsContext");
    assert!(native.acceptor().is_some());
    let (c, _s) = ok(handshake(&server_ctx, &client_context(KIND, &pki), "server.test"));
    let stream = ssl_handle::<net_tls_native::native_tls::TlsStream<net_tls_native::NativeIo>>(&c).expect("TlsStream");
    assert!(stream.peer_certificate().unwrap().is_some());
    assert!(stream.get_ref().socket_io().socket2().peer_addr().is_ok());
    assert!(ssl_handle::<String>(&c).is_none());
}

#[test]
fn bulk_8_mib_both_ways() {
    let (c, s) = verified_pair(KIND, &Pki::new("native-bulk"));
    bulk_both_ways(c, s, 8 << 20);
}

#[test]
fn broken_peers_during_the_handshake() {
    check_broken_peers_during_the_handshake(KIND, &Pki::new("native-broken"));
}
