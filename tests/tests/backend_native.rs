//! The native-tls backend on its own: what it refuses (with a hint naming a backend that can),
//! what it does, and the behaviour every backend owes, checked against its specifics.
#![cfg(feature = "native-tls")]

use std::io::Read;
use std::thread;

use net::tls::{
    capabilities, closed_cleanly, got_handshake, known_capabilities, new_context, peer_certificates, psk_identity,
    session_info, ssl_handle, ssl_handle_mut, BackendKind, Capability, ClientAuth, Context, ContextOptions,
    HandshakeSide, ProtocolVersion, TlsBackend, TlsError, VerifyMode,
};
use net::{Domain, ReadOptions, Socket};
use net_tests::certs::{Pki, Validity};
use net_tests::tls::{
    self, client_context, context, echo_once, env_lock, handshake, ok, server_context, server_context_with, tcp_pair,
    tls_listener, Outcome,
};
use net_tls_native::{NativeTlsContext, Stream};

const KIND: BackendKind = BackendKind::NativeTls;

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

#[test]
fn wrap_socket_before_connect_and_accept_echoes_lines() {
    let pki = Pki::new("native-wrap");
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
    let pki = Pki::new("native-connected");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let (mut c, mut s) = ok(handshake(&server_context(KIND, &leaf), &client(&pki), "server.test"));
    c.send(b"ping\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "ping");
    s.send(b"pong\n").unwrap();
    assert_eq!(c.recv_line().unwrap(), "pong");
    // Read from the ServerHello on both sides: native-tls servers on OpenSSL speak TLS 1.2.
    for sock in [&c, &s] {
        let info = session_info(sock).unwrap();
        assert_eq!(info.backend, KIND);
        assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.2"));
        assert!(info.cipher.as_deref().is_some_and(|c| c.starts_with("TLS_ECDHE_ECDSA_WITH_")), "{info:?}");
        assert_eq!(info.alpn_protocol, None);
    }
    assert_eq!(psk_identity(&s), None);
    let pinned = |o: ContextOptions| o.protocol(ProtocolVersion::TlsV1_2);
    let server_ctx = server_context_with(KIND, &leaf, pinned(ContextOptions::new()));
    let (c, _s) = ok(handshake(&server_ctx, &ctx(pinned(ContextOptions::new().ca_file(&pki.ca_file))), "server.test"));
    assert_eq!(session_info(&c).unwrap().protocol_version.as_deref(), Some("TLSv1.2"));
}

#[test]
fn peer_rejects_bad_certificates() {
    let pki = Pki::new("native-reject");
    let other = Pki::new("native-other");
    let cases = [
        (pki.server("expired", &["server.test"], Validity::Expired), "server.test", "certificate has expired"),
        (pki.server("future", &["server.test"], Validity::NotYetValid), "server.test", "certificate is not yet valid"),
        (pki.server("wrong", &["other.test"], Validity::Current), "server.test", "hostname mismatch"),
        (pki.self_signed("self", &["server.test"]), "server.test", "self-signed certificate"),
        (other.server("unknown", &["server.test"], Validity::Current), "server.test", "certificate verify failed"),
        (pki.server("ip", &["127.0.0.2"], Validity::Current), "127.0.0.1", "IP address mismatch"),
        (pki.server("ip6", &["::2"], Validity::Current), "::1", "IP address mismatch"),
    ];
    for (leaf, host, reason) in &cases {
        let server_ctx = server_context(KIND, leaf);
        let message = client_error(handshake(&server_ctx, &client(&pki), host));
        if cfg!(target_os = "linux") {
            assert!(message.contains(reason), "{host}: {message:?} should say {reason:?}");
        }
        // VerifyMode::None checks neither the chain nor the name.
        let (c, _s) = ok(handshake(&server_ctx, &none(), host));
        assert_eq!(peer_certificates(&c).iter().map(|c| c.as_der()).collect::<Vec<_>>(), [&leaf.der[..]]);
    }
}

#[test]
fn peer_accepts_names_ips_ca_file_and_ca_dir() {
    let pki = Pki::new("native-accept");
    let leaf = pki.server("srv", &["server.test", "127.0.0.1", "::1"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    for host in ["server.test", "127.0.0.1", "::1", "[::1]"] {
        let (c, _s) = ok(handshake(&server_ctx, &client(&pki), host));
        // native-tls gives the leaf alone.
        assert_eq!(peer_certificates(&c).iter().map(|c| c.as_der()).collect::<Vec<_>>(), [&leaf.der[..]]);
    }
    std::fs::write(pki.ca_dir.join("notes.txt"), "not a certificate").unwrap();
    std::fs::create_dir_all(pki.ca_dir.join("subdir")).unwrap();
    ok(handshake(&server_ctx, &ctx(ContextOptions::new().ca_dir(&pki.ca_dir)), "server.test"));
    let empty = pki.dir.join("empty-ca-dir");
    std::fs::create_dir_all(&empty).unwrap();
    let err = new_context(ContextOptions::new().backend(KIND).ca_dir(&empty)).unwrap_err();
    assert!(matches!(err, TlsError::NoCaCertificates), "{err}");
    // Explicit roots replace the built-in ones: a CA file of another CA trusts nothing else.
    let stranger = Pki::new("native-accept-stranger");
    client_error(handshake(&server_ctx, &ctx(ContextOptions::new().ca_file(&stranger.ca_file)), "server.test"));
}

#[test]
fn empty_hostname_checks_the_chain_not_the_name() {
    let pki = Pki::new("native-noname");
    let leaf = pki.server("srv", &["other.test"], Validity::Current);
    ok(handshake(&server_context(KIND, &leaf), &client(&pki), ""));
    let stranger = Pki::new("native-noname-stranger");
    let foreign = server_context(KIND, &stranger.server("srv", &["x.test"], Validity::Current));
    client_error(handshake(&foreign, &client(&pki), ""));
}

#[test]
fn environment_roots_under_peer_use_env_vars() {
    let pki = Pki::new("native-env");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let env = ContextOptions::new().verify_mode(VerifyMode::PeerUseEnvVars);
    let (from_file, from_dir) = {
        let _env = env_lock();
        std::env::set_var("SSL_CERT_FILE", &pki.ca_file);
        let from_file = new_context(env.clone().backend(KIND));
        std::env::remove_var("SSL_CERT_FILE");
        std::env::set_var("SSL_CERT_DIR", &pki.ca_dir);
        let from_dir = new_context(env.clone().backend(KIND));
        std::env::remove_var("SSL_CERT_DIR");
        (from_file, from_dir)
    };
    ok(handshake(&server_ctx, &from_file.unwrap(), "server.test"));
    ok(handshake(&server_ctx, &from_dir.unwrap(), "server.test"));
    let _env = env_lock();
    // Neither variable may point anywhere useful (the machine may set SSL_CERT_DIR).
    std::env::remove_var("SSL_CERT_DIR");
    std::env::set_var("SSL_CERT_FILE", pki.dir.join("missing.pem"));
    let err = new_context(env.backend(KIND));
    std::env::remove_var("SSL_CERT_FILE");
    assert!(matches!(err, Err(TlsError::NoCaCertificates)), "{err:?}");
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
    ctx(ContextOptions::new().protocol(ProtocolVersion::TlsV1_2));
    ctx(ContextOptions::new().alpn(["h2"]));
}

#[test]
fn file_errors_name_the_file() {
    let pki = Pki::new("native-files");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let file_err = |opts: ContextOptions| match new_context(opts.backend(KIND)) {
        Err(TlsError::File { what, .. }) => what,
        other => panic!("not a file error: {other:?}"),
    };
    let missing = pki.dir.join("missing.pem");
    let opts = || ContextOptions::new().verify_mode(VerifyMode::None);
    assert_eq!(file_err(opts().cert_and_key(&missing, &leaf.key)), "certificate file");
    assert_eq!(file_err(opts().cert_and_key(&leaf.cert, &missing)), "key file");
    assert_eq!(file_err(opts().cert_and_key(&leaf.key, &leaf.key)), "certificate file");
    let sec1 = pki.dir.join("sec1.key");
    std::fs::write(&sec1, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n").unwrap();
    assert_eq!(file_err(opts().cert_and_key(&leaf.cert, &sec1)), "key file", "not PKCS#8");
    assert_eq!(file_err(ContextOptions::new().ca_file(&missing)), "CA file");
    assert_eq!(file_err(ContextOptions::new().ca_file(&leaf.key)), "CA file");
    assert_eq!(file_err(ContextOptions::new().ca_dir(pki.dir.join("no-dir"))), "CA directory");
    // A server needs a certificate.
    let (_c, s) = handshake(&none(), &none(), "");
    assert!(matches!(s, Err(TlsError::Config { .. })), "{:?}", s.err());
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
    let with_cert = ctx(ContextOptions::new().ca_file(&pki.ca_file).cert_and_key(&id.chain, &id.key));
    let (mut c, mut s) = ok(handshake(&openssl_server, &with_cert, "server.test"));
    assert_eq!(peer_certificates(&s)[0].as_der(), &id.der[..]);
    let info = session_info(&c).unwrap();
    assert_eq!(info.protocol_version.as_deref(), Some("TLSv1.3"), "a native client negotiates TLS 1.3");
    assert_eq!(info.protocol_version, session_info(&s).unwrap().protocol_version);
    assert_eq!(info.cipher, session_info(&s).unwrap().cipher, "the same IANA name as OpenSSL's");
    c.send(b"mutual\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "mutual");
    let (_c, s) = handshake(&openssl_server, &client(&pki), "server.test");
    assert!(s.is_err(), "no certificate, refused");
}

#[test]
fn alpn_on_both_sides() {
    let pki = Pki::new("native-alpn");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context_with(KIND, &leaf, ContextOptions::new().alpn(["h2", "http/1.1"]));
    let with = |protocols: &[&str]| ctx(ContextOptions::new().ca_file(&pki.ca_file).alpn(protocols));
    let (c, s) = ok(handshake(&server_ctx, &with(&["http/1.1", "h2"]), "server.test"));
    assert_eq!(session_info(&c).unwrap().alpn_protocol.as_deref(), Some(&b"h2"[..]));
    assert_eq!(session_info(&s).unwrap().alpn_protocol.as_deref(), Some(&b"h2"[..]));
    let (c, _s) = ok(handshake(&server_ctx, &with(&["http/1.1"]), "server.test"));
    assert_eq!(session_info(&c).unwrap().alpn_protocol.as_deref(), Some(&b"http/1.1"[..]));
    let (c, _s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    assert_eq!(session_info(&c).unwrap().alpn_protocol, None);
    let err = new_context(ContextOptions::new().backend(KIND).alpn([&[0xff_u8][..]])).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
}

#[test]
fn end_of_stream_with_and_without_close_notify() {
    let pki = Pki::new("native-eof");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut c, mut s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    s.send(b"last\n").unwrap();
    s.io_handle().unwrap().socket2().shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(c.recv_line().unwrap(), "last");
    assert_eq!(c.recv_line().unwrap(), "");
    assert_eq!(closed_cleanly(&c), Some(false));
    assert_eq!(c.recv(10).unwrap(), b"", "it stays at the end");
    c.close();
    let (mut c, mut s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    s.send(b"bye").unwrap();
    s.close();
    let mut all = Vec::new();
    c.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"bye");
    assert_eq!(closed_cleanly(&c), Some(true));
}

#[test]
fn has_data_buffered_counts_decrypted_bytes() {
    let pki = Pki::new("native-pending");
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
        c.send(b"wxyz").unwrap();
        let mut one = [0u8; 1];
        let stream = ssl_handle_mut::<Stream>(&mut s).unwrap();
        assert_eq!(stream.read(&mut one).unwrap(), 1);
        assert_eq!(s.session().unwrap().pending_plaintext(), 3);
        assert!(s.has_data_buffered());
        assert_eq!(s.recv(3).unwrap(), b"xyz");
        assert_eq!(s.session().unwrap().pending_plaintext(), 0);
    }
}

#[test]
fn ssl_handle_is_the_native_tls_stream() {
    let pki = Pki::new("native-handle");
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let native = server_ctx.backend_context().downcast_ref::<NativeTlsContext>().expect("NativeTlsContext");
    assert!(native.acceptor().is_some());
    let (c, _s) = ok(handshake(&server_ctx, &client(&pki), "server.test"));
    let stream = ssl_handle::<net_tls_native::native_tls::TlsStream<net_tls_native::NativeIo>>(&c).expect("TlsStream");
    assert!(stream.peer_certificate().unwrap().is_some());
    assert!(stream.get_ref().socket_io().socket2().peer_addr().is_ok());
    assert!(ssl_handle::<String>(&c).is_none());
}

#[test]
fn bulk_8_mib_both_ways() {
    const SIZE: usize = 8 << 20;
    let pki = Pki::new("native-bulk");
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
    let pki = Pki::new("native-broken");
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
        assert!(!c.is_ssl() && !c.is_closed(), "{what}: the socket keeps its descriptor");
        assert!(c.peer_addr().is_ok());
    }
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let (mut c, mut s) = tcp_pair(false);
    c.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let err = server_context(KIND, &leaf).wrap_connected_socket(&mut s, HandshakeSide::Server, "").unwrap_err();
    assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
}
