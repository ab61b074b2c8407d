// The body of the TLS conformance suite, included once per backend by `tests/tls.rs` with
// `KIND` naming the backend. Every test here runs unchanged against every backend.

use std::io::{Read, Write};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use net::tls::TlsErrorExt;
use net::tls::{
    capabilities, closed_cleanly, got_handshake, new_context, peer_certificates, psk_identity, session_info,
    BackendKind, Capability, ClientAuth, ContextOptions, HandshakeSide, TlsError, VerifyMode,
};
use net::{Domain, Error, ReadOptions, Socket, SocketFlag, SocketFlags};
use net_tests::certs::{Pki, Validity};
use net_tests::tls::{
    bad_server_certificates, client_context, client_with_identity, context, echo_once, env_lock, options_requiring,
    server_context, server_context_with, tls_listener, try_connect, verified_pair,
};

fn has(capability: Capability) -> bool {
    capabilities(KIND).contains(capability)
}

#[test]
fn handshake_in_connect_and_accept_then_lines() {
    let pki = Pki::new("echo");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = echo_once(listener);
    let mut client = Socket::tcp().unwrap();
    let ctx = client_context(KIND, &pki);
    ctx.wrap_socket(&mut client).unwrap();
    assert!(client.is_ssl());
    assert!(!got_handshake(&client).unwrap());
    client.connect("localhost", port).unwrap();
    assert!(got_handshake(&client).unwrap());
    for word in ["one", "two", "three"] {
        client.send(format!("{word}\r\n").as_bytes()).unwrap();
        assert_eq!(client.recv_line().unwrap(), format!("echo: {word}"));
    }
    let info = session_info(&client).unwrap();
    assert_eq!(info.backend, KIND);
    assert!(info.protocol_version.as_deref().is_some_and(|v| v.starts_with("TLS")), "{info:?}");
    assert!(info.cipher.is_some());
    client.close();
    assert_eq!(server.join().unwrap().unwrap(), 3);
}

#[test]
fn wrap_connected_socket_on_both_sides() {
    let pki = Pki::new("connected");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(None, Domain::Inet6);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        server_ctx.wrap_connected_socket(&mut conn, HandshakeSide::Server, "").unwrap();
        let line = conn.recv_line().unwrap();
        conn.send(format!("{line}!\n").as_bytes()).unwrap();
        conn
    });
    let mut client = net::dial("::1", port).unwrap();
    let ctx = client_context(KIND, &pki);
    ctx.wrap_connected_socket(&mut client, HandshakeSide::Client, "localhost").unwrap();
    client.send(b"hi\n").unwrap();
    assert_eq!(client.recv_line().unwrap(), "hi!");
    let _conn = server.join().unwrap();
    // Wrapping twice is an error.
    assert!(ctx.wrap_connected_socket(&mut client, HandshakeSide::Client, "localhost").is_err());
    assert!(ctx.wrap_socket(&mut client).is_err());
}

#[test]
fn every_socket_api_works_over_tls() {
    let pki = Pki::new("apis");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    for buffered in [true, false] {
        let server_ctx = server_context(KIND, &leaf);
        let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
        let writer = thread::spawn(move || {
            let mut conn = listener.accept().unwrap();
            conn.send(b"one\r\ntwo\rthree\n\r\nHDR:body\npeek\npar").unwrap();
            thread::sleep(Duration::from_millis(300));
            conn.send(b"tial\nlast").unwrap();
            assert!(conn.try_send(b" bytes"));
            writeln!(conn).unwrap();
            conn.flush().unwrap();
            conn
        });
        let mut c = Socket::builder().buffered(buffered).build().unwrap();
        client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap();
        assert_eq!(c.recv_line().unwrap(), "one");
        let mut line = String::new();
        c.read_line(&mut line).unwrap();
        assert_eq!(line, "two");
        assert_eq!(c.recv_line().unwrap(), "three");
        assert_eq!(c.recv_line().unwrap(), "\r\n");
        assert_eq!(c.skip(4).unwrap(), 4);
        assert_eq!(c.recv_string(5).unwrap(), "body\n");
        let peek = ReadOptions::new().flag(SocketFlag::Peek);
        assert_eq!(c.recv_line_with(&peek).unwrap(), "peek");
        assert_eq!(c.recv_line().unwrap(), "peek");
        assert!(c.has_data_buffered() || !buffered, "decrypted bytes are counted");
        let quick = ReadOptions::new().timeout(Duration::from_millis(50));
        assert!(matches!(c.recv_line_with(&quick), Err(Error::Timeout { .. })));
        assert_eq!(c.recv_line_with(&ReadOptions::new().timeout(Duration::from_secs(5))).unwrap(), "partial");
        let mut rest = Vec::new();
        let mut conn = writer.join().unwrap();
        conn.close();
        c.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"last bytes\n");
        assert_eq!(closed_cleanly(&c), Some(true));
    }
}

#[test]
fn a_stream_that_ends_inside_a_record_is_an_unexpected_eof_not_an_end() {
    let pki = Pki::new("eof-mid-record");
    let cuts = [&[23u8, 3][..], &[23, 3, 3, 0x40, 0x00, 1, 2, 3][..]];
    // Not even SafeDisconn makes lost bytes a quiet end.
    for (cut, flags) in cuts.iter().flat_map(|c| [(c, SocketFlags::empty()), (c, SocketFlag::SafeDisconn.into())]) {
        let (mut c, mut s) = net_tests::tls::verified_pair(KIND, &pki);
        s.send(b"sealed line\n").unwrap();
        assert_eq!(c.recv_line().unwrap(), "sealed line");
        // Half a header, or a header promising 16 KiB with 3 bytes after it, straight on the
        // TCP stream; then a clean end of the TCP stream (FIN), no reset.
        let raw = s.io_handle().unwrap();
        raw.socket2().send(cut).unwrap();
        raw.socket2().shutdown(std::net::Shutdown::Write).unwrap();
        let read = c.recv_line_with(&ReadOptions::new().flags(flags));
        let err = read.expect_err("a stream cut inside a record read as a line");
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof, "{KIND}, cut {cut:?}, {flags:?}: {err}");
        assert!(net_tests::report(&err).contains("the stream ended inside a TLS record"), "{KIND}: {err}");
    }
}

#[test]
fn names_that_are_no_dns_names_are_refused_alike_and_a_zone_id_is_dropped() {
    let pki = Pki::new("server-names");
    let leaf = pki.server("names", &["server.test", "::1"], Validity::Current);
    let (server_ctx, client) = (server_context(KIND, &leaf), client_context(KIND, &pki));
    let huge = "h".repeat(100_000);
    let long_label = "l".repeat(64);
    for name in ["a..test", "bad name.test", "bücher.test", "bad\0name", "-a.test", "10.1", "0x7f000001", &long_label, &huge] {
        let (c, _) = net_tests::tls::handshake(&server_ctx, &client, name);
        match c {
            Err(TlsError::Config { what }) => {
                assert!(what.contains("is not a valid DNS name"), "{KIND}: {what}");
                assert!(what.len() < 200, "{KIND}: a message of {} bytes", what.len());
            }
            other => panic!("{KIND}: {:?}: {:?}", &name[..name.len().min(20)], other.map(|_| ())),
        }
    }
    // An address with a zone id is the address: checked against the certificate's IP names.
    for name in ["::1%lo", "[::1%25lo]"] {
        net_tests::tls::ok(net_tests::tls::handshake(&server_ctx, &client, name));
    }
}

#[test]
fn bulk_64_mib_both_ways() {
    const SIZE: usize = 64 << 20;
    let pki = Pki::new("bulk");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let pattern: Arc<Vec<u8>> = Arc::new((0..SIZE).map(|i| (i % 251) as u8).collect());
    let expected = pattern.clone();
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let got = conn.recv(SIZE).unwrap();
        assert!(got == *expected, "server received different bytes");
        conn.send(&expected).unwrap();
        conn
    });
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    c.send(&pattern).unwrap();
    let back = c.recv(SIZE).unwrap();
    assert!(back == *pattern, "client received different bytes");
    drop(server.join().unwrap());
}

#[test]
fn peer_verification_rejects_bad_certificates() {
    let pki = Pki::new("reject");
    let other_ca = Pki::new("other-ca");
    let cases = bad_server_certificates(&pki, &other_ca);
    let verifying = client_context(KIND, &pki);
    let trusting = new_context(ContextOptions::new().backend(KIND).verify_mode(VerifyMode::None)).unwrap();
    for (what, leaf, host) in &cases {
        let start = Instant::now();
        match try_connect(KIND, &verifying, leaf, host) {
            Err(Error::Tls(e)) => assert!(!e.to_string().is_empty(), "{what}"),
            Err(other) => panic!("{KIND}: {what}: not a TLS error: {other}"),
            Ok(_) => panic!("{KIND}: {what}: the handshake succeeded"),
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{what}: took too long");
        // VerifyMode::None accepts every one of them.
        try_connect(KIND, &trusting, leaf, host).unwrap_or_else(|e| panic!("{KIND}: None refused {what}: {e}"));
    }
}

#[test]
fn peer_verification_accepts_good_certificates() {
    let pki = Pki::new("accept");
    let by_name = pki.server("name", &["localhost"], Validity::Current);
    let by_ip = pki.server("ip", &["127.0.0.1"], Validity::Current);
    let by_ip6 = pki.server("ip6", &["::1"], Validity::Current);
    let with_file = client_context(KIND, &pki);
    try_connect(KIND, &with_file, &by_name, "localhost").unwrap();
    try_connect(KIND, &with_file, &by_ip, "127.0.0.1").unwrap();
    try_connect(KIND, &with_file, &by_ip6, "::1").unwrap();
    if has(Capability::CaDir) {
        let with_dir = new_context(ContextOptions::new().backend(KIND).ca_dir(&pki.ca_dir)).unwrap();
        try_connect(KIND, &with_dir, &by_name, "localhost").unwrap();
    }
    if has(Capability::EnvVarRoots) {
        let _env = env_lock();
        std::env::set_var("SSL_CERT_FILE", &pki.ca_file);
        let from_env = new_context(ContextOptions::new().backend(KIND).verify_mode(VerifyMode::PeerUseEnvVars));
        std::env::remove_var("SSL_CERT_FILE");
        try_connect(KIND, &from_env.unwrap(), &by_name, "localhost").unwrap();
    }
}

#[test]
fn empty_hostname_checks_the_chain_but_not_the_name() {
    let pki = Pki::new("noname");
    let leaf = pki.server("wrong", &["other.test"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let _ = server_ctx.wrap_connected_socket(&mut conn, HandshakeSide::Server, "");
        conn
    });
    let mut c = net::dial("127.0.0.1", port).unwrap();
    client_context(KIND, &pki).wrap_connected_socket(&mut c, HandshakeSide::Client, "").unwrap();
    drop(server.join().unwrap());
}

#[test]
fn mutual_tls_where_the_backend_can() {
    let pki = Pki::new("mtls");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let client_leaf = pki.client("client");
    let opts = ContextOptions::new().ca_file(&pki.ca_file).client_auth(ClientAuth::Required);
    if !has(Capability::ClientAuth) {
        let err = new_context(opts.backend(KIND).cert_and_key(&leaf.chain, &leaf.key)).unwrap_err();
        assert!(matches!(err, TlsError::Unsupported { capability: Capability::ClientAuth, hint: Some(_), .. }), "{err}");
        return;
    }
    let server_ctx = server_context_with(KIND, &leaf, opts);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let certs = peer_certificates(&conn);
        conn.send(b"ok\n").unwrap();
        let refused = listener.accept();
        let stranger_refused = listener.accept();
        (certs, refused.is_err() && stranger_refused.is_err())
    });
    let with_cert = client_with_identity(KIND, &pki, &client_leaf);
    let mut c = Socket::tcp().unwrap();
    with_cert.wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    assert_eq!(c.recv_line().unwrap(), "ok");
    // A client without a certificate is turned away.
    let mut anonymous = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut anonymous).unwrap();
    let outcome = anonymous.connect("localhost", port).and_then(|()| anonymous.recv_line());
    // So is one whose certificate comes from a CA the server does not trust, even though the
    // server context has `VerifyMode::None` (that is about checking servers).
    let stranger_ca = Pki::new("mtls-stranger");
    let stranger = stranger_ca.client("stranger");
    let stranger_ctx = client_with_identity(KIND, &pki, &stranger);
    let mut strange = Socket::tcp().unwrap();
    stranger_ctx.wrap_socket(&mut strange).unwrap();
    let strange_outcome = strange.connect("localhost", port).and_then(|()| strange.recv_line());
    assert!(matches!(strange_outcome.as_deref(), Err(_) | Ok("")), "{strange_outcome:?}");
    let (certs, refused) = server.join().unwrap();
    assert_eq!(certs.first().map(|c| c.as_der().to_vec()), Some(client_leaf.der.clone()));
    assert!(refused, "the server accepted a client without a trusted certificate");
    assert!(matches!(outcome.as_deref(), Err(_) | Ok("")), "{outcome:?}");
}

#[test]
fn peer_certificates_leaf_first() {
    let pki = Pki::new("chain");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = echo_once(listener);
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    let certs = peer_certificates(&c);
    assert_eq!(certs[0].as_der(), &leaf.der[..]);
    assert_eq!(certs[0].subject().as_deref(), Some("CN=localhost"));
    assert_eq!(certs[0].issuer().as_deref(), Some("CN=net test CA chain"));
    if has(Capability::VerifiedChain) {
        assert_eq!(certs.last().unwrap().as_der(), &pki.ca_der[..], "the verified chain ends at the root");
    }
    c.close();
    server.join().unwrap().unwrap();
    assert!(peer_certificates(&Socket::tcp().unwrap()).is_empty());
    assert!(matches!(got_handshake(&Socket::tcp().unwrap()), Err(TlsError::NotTls { .. })));
}

#[test]
fn end_of_stream_without_close_notify_is_end_of_stream() {
    let pki = Pki::new("eof");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        conn.send(b"last line\n").unwrap();
        // Half-close the TCP stream: the peer sees the end without a close_notify.
        conn.io_handle().unwrap().socket2().shutdown(std::net::Shutdown::Write).unwrap();
        thread::sleep(Duration::from_millis(200));
        conn
    });
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    assert_eq!(c.recv_line().unwrap(), "last line");
    assert_eq!(c.recv_line().unwrap(), "");
    assert_eq!(closed_cleanly(&c), Some(false));
    assert_eq!(c.recv_line().unwrap(), "", "and it stays at the end");
    drop(server.join().unwrap());
}

#[test]
fn broken_peers_give_clear_errors() {
    let pki = Pki::new("broken");
    let ctx = client_context(KIND, &pki);
    let connect = |port: u16| {
        let mut c = Socket::tcp().unwrap();
        ctx.wrap_socket(&mut c).unwrap();
        let start = Instant::now();
        let r = c.connect_timeout("localhost", port, Duration::from_secs(5));
        (r, start.elapsed())
    };

    // A peer that resets in the middle of the handshake.
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let t = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let _ = conn.recv_with(5, &ReadOptions::new());
        net_tests::reset(conn);
    });
    let (r, took) = connect(port);
    t.join().unwrap();
    assert!(matches!(r, Err(Error::Tls(_)) | Err(Error::Io { .. })), "{r:?}");
    assert!(took < Duration::from_secs(5));

    // A plain-TCP server that answers with non-TLS bytes.
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let t = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let _ = conn.recv_with(5, &ReadOptions::new());
        let _ = conn.send(b"HTTP/1.0 400 Bad Request\r\n\r\nthis is not TLS\r\n");
        thread::sleep(Duration::from_millis(200));
    });
    let (r, _) = connect(port);
    t.join().unwrap();
    assert!(matches!(r, Err(Error::Tls(_)) | Err(Error::Io { .. })), "{r:?}");

    // A server that never answers: the connect budget covers the handshake.
    let (listener, port) = tls_listener(None, Domain::Inet);
    let (r, took) = {
        let mut c = Socket::tcp().unwrap();
        ctx.wrap_socket(&mut c).unwrap();
        let start = Instant::now();
        (c.connect_timeout("localhost", port, Duration::from_millis(300)), start.elapsed())
    };
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    drop(listener);

    // The same through wrap_connected_socket with a handshake timeout.
    let slow = new_context(
        ContextOptions::new().backend(KIND).ca_file(&pki.ca_file).handshake_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let mut c = net::dial("127.0.0.1", port).unwrap();
    let _held = listener.accept().unwrap();
    let err = slow.wrap_connected_socket(&mut c, HandshakeSide::Client, "localhost").unwrap_err();
    assert!(matches!(err, TlsError::Socket(Error::Timeout { .. })), "{err}");
}

#[test]
fn reset_in_the_middle_of_a_record() {
    let pki = Pki::new("midrecord");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || {
        let conn = listener.accept().unwrap();
        // Half a TLS application-data record, straight onto the wire, then a reset.
        let mut io = conn.io_handle().unwrap();
        io.write_all(&[0x17, 0x03, 0x03, 0x01, 0x00, 1, 2, 3, 4, 5]).unwrap();
        thread::sleep(Duration::from_millis(100));
        net_tests::reset(conn);
    });
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    c.connect("localhost", port).unwrap();
    server.join().unwrap();
    let strict = ReadOptions::new().flags(SocketFlags::empty()).timeout(Duration::from_secs(5));
    match c.recv_line_with(&strict) {
        Err(Error::Timeout { .. }) => panic!("{KIND}: a reset read as a timeout"),
        Err(_) => {}
        Ok(line) => {
            assert_eq!(line, "", "{KIND}");
            assert_ne!(closed_cleanly(&c), Some(true));
        }
    }
}

#[test]
fn psk_where_the_backend_can() {
    let server_opts = ContextOptions::new()
        .backend(KIND)
        .verify_mode(VerifyMode::None)
        .psk_identity_hint("net-hint")
        .psk_server(|identity| (identity == "user").then(|| b"0123456789abcdef".to_vec()));
    let client_opts = ContextOptions::new().backend(KIND).verify_mode(VerifyMode::None).psk_client(|hint| {
        assert_eq!(hint, "net-hint");
        Some(("user".to_owned(), b"0123456789abcdef".to_vec()))
    });
    if !has(Capability::Psk) {
        for opts in [server_opts, client_opts] {
            let err = new_context(opts).unwrap_err();
            assert!(
                matches!(err, TlsError::Unsupported { backend, capability: Capability::Psk, hint: Some(BackendKind::OpenSsl) } if backend == KIND),
                "{err}"
            );
        }
        return;
    }
    let server_ctx = new_context(server_opts).unwrap();
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        let identity = psk_identity(&conn);
        let line = conn.recv_line().unwrap();
        conn.send(b"psk ok\n").unwrap();
        (identity, line)
    });
    let mut c = Socket::tcp().unwrap();
    new_context(client_opts).unwrap().wrap_socket(&mut c).unwrap();
    c.connect("127.0.0.1", port).unwrap();
    c.send(b"hello\n").unwrap();
    assert_eq!(c.recv_line().unwrap(), "psk ok");
    let (identity, line) = server.join().unwrap();
    assert_eq!(identity.as_deref(), Some("user"));
    assert_eq!(line, "hello");
}

#[test]
fn every_missing_capability_is_refused_when_the_context_is_made() {
    let pki = Pki::new("caps");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let backend = net::tls::backend(KIND).unwrap();
    assert_eq!(backend.capabilities(), capabilities(KIND));
    for &capability in Capability::ALL {
        if capability == Capability::VerifiedChain {
            continue; // not an option: checked by peer_certificates_leaf_first
        }
        let _env = env_lock();
        let result = new_context(options_requiring(capability, &pki, &leaf).backend(KIND));
        if has(capability) {
            if let Err(e) = result {
                // Asking for a capability the backend has may still fail for other reasons
                // (no PSK server callback...), but never as Unsupported.
                assert!(!matches!(e, TlsError::Unsupported { .. }), "{KIND} {capability:?}: {e}");
            }
        } else {
            match result {
                Err(TlsError::Unsupported { backend, capability: c, hint }) => {
                    assert_eq!((backend, c), (KIND, capability));
                    if let Some(h) = hint {
                        assert!(capabilities(h).contains(capability));
                    }
                }
                other => panic!("{KIND}: {capability:?} was not refused: {other:?}"),
            }
        }
    }
}

#[test]
fn bad_options_are_errors_that_say_why() {
    let err = new_context(ContextOptions::new().backend(KIND).session_id_context([b'x'; 33])).unwrap_err();
    assert!(err.to_string().contains("33 bytes"), "{err}");
    let err = new_context(ContextOptions::new().backend(KIND).protocol(net::tls::ProtocolVersion::SslV3)).unwrap_err();
    assert!(matches!(err, TlsError::Config { .. }), "{err}");
    let err = new_context(ContextOptions::new().backend(KIND).ca_file("/nonexistent/ca.pem")).unwrap_err();
    assert!(matches!(err, TlsError::File { .. }), "{err}");
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    let err =
        new_context(ContextOptions::new().backend(KIND).cert_and_key("/nonexistent/c.pem", "/nonexistent/k.pem"))
            .unwrap_err();
    assert!(matches!(err, TlsError::File { .. }), "{err}");
}

#[test]
fn extra_data_by_index() {
    let ctx = new_context(ContextOptions::new().backend(KIND).verify_mode(VerifyMode::None)).unwrap();
    assert!(ctx.extra_data(3).is_none());
    ctx.set_extra_data(3, Arc::new(String::from("payload")));
    let got = ctx.extra_data(3).unwrap();
    assert_eq!(got.downcast_ref::<String>().map(String::as_str), Some("payload"));
    ctx.set_extra_data(3, Arc::new(7u32));
    assert_eq!(ctx.clone().extra_data(3).unwrap().downcast_ref::<u32>(), Some(&7));
}

#[test]
fn try_accept_reports_what_it_found() {
    let pki = Pki::new("try-accept");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    assert_eq!(server_ctx.try_accept(&mut listener).unwrap().0, net::tls::AcceptResult::NoClient);
    let ctx = client_context(KIND, &pki);
    let client = thread::spawn(move || {
        let mut c = Socket::tcp().unwrap();
        ctx.wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap();
        c.send(b"via try_accept\n").unwrap();
        c
    });
    let poll = |listener: &mut Socket| {
        for _ in 0..500 {
            match server_ctx.try_accept(listener).unwrap() {
                (net::tls::AcceptResult::NoClient, _) => thread::sleep(Duration::from_millis(10)),
                other => return other,
            }
        }
        panic!("no client arrived");
    };
    let (result, accepted) = poll(&mut listener);
    assert_eq!(result, net::tls::AcceptResult::Success);
    let (mut conn, address) = accepted.unwrap();
    assert_eq!(address, "127.0.0.1");
    assert_eq!(conn.recv_line().unwrap(), "via try_accept");
    drop(client.join().unwrap());
    // A client that does not speak TLS: the handshake fails, and that is a result.
    let mut plain = net::dial("127.0.0.1", port).unwrap();
    plain.send(b"\x00\x01\x02 not a client hello\r\n\r\n").unwrap();
    plain.close();
    let (result, accepted) = poll(&mut listener);
    assert_eq!(result, net::tls::AcceptResult::NoHandshake);
    assert!(accepted.is_none());
}

#[test]
fn read_timeouts_bound_the_session_and_keep_the_bytes() {
    let (mut c, mut s) = verified_pair(KIND, &Pki::new("timeouts"));
    let quick = ReadOptions::new().timeout(Duration::from_millis(100));
    s.send(b"par").unwrap();
    assert!(matches!(c.recv_line_with(&quick), Err(Error::Timeout { .. })));
    assert!(matches!(c.recv_line_with(&quick), Err(Error::Timeout { .. })));
    s.send(b"tial\n").unwrap();
    assert_eq!(c.recv_line_with(&quick).unwrap(), "partial");
    // Half a TLS record on the wire: the read inside the TLS library is bounded too.
    let mut raw = s.io_handle().unwrap();
    raw.write_all(&[0x17, 0x03, 0x03]).unwrap();
    let start = Instant::now();
    assert!(matches!(c.recv_line_with(&quick), Err(Error::Timeout { .. })));
    assert!(start.elapsed() < Duration::from_secs(2), "{KIND}: {:?}", start.elapsed());
}

#[test]
fn connect_to_a_socket_addr_verifies_its_ip() {
    let pki = Pki::new("endpoint");
    for (names, accepted) in [(&["127.0.0.1"][..], true), (&["localhost"][..], false)] {
        let leaf = pki.server("ip", names, Validity::Current);
        let server_ctx = server_context(KIND, &leaf);
        let (listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
        let server = net_tests::tls::accept_quietly(listener);
        let mut socket = Socket::tcp().unwrap();
        client_context(KIND, &pki).wrap_socket(&mut socket).unwrap();
        let to = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
        let result = socket.connect_to(to);
        assert_eq!(result.is_ok(), accepted, "certificate for {names:?}: {result:?}");
        if accepted {
            assert!(got_handshake(&socket).unwrap());
        }
        socket.close();
        server.join().unwrap();
    }
}

#[test]
fn sessions_resume_by_name_and_port_and_can_be_turned_off() {
    use net::tls::{Certificate, Context};
    use net_tests::tls::{context, echo_each};
    let pki = Pki::new("resume");
    let leaf = pki.server("localhost", &["localhost", "127.0.0.1"], Validity::Current);
    // One connection to `port` as `host`, a line each way (which brings the server's
    // tickets): whether it resumed, and the certificates it gave.
    let visit = |ctx: &Context, host: &str, port: u16| -> Result<(Option<bool>, Vec<Certificate>), Error> {
        let mut c = Socket::tcp()?;
        ctx.wrap_socket(&mut c)?;
        c.connect(host, port)?;
        c.send(b"hi\n")?;
        assert_eq!(c.recv_line()?, "echo");
        let seen = (session_info(&c).unwrap().resumed, peer_certificates(&c));
        c.close();
        Ok(seen)
    };
    let expect = |resumed: bool| if has(Capability::SessionResumption) { Some(resumed) } else { None };

    let server_ctx = server_context(KIND, &leaf);
    let (listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = echo_each(listener, 6);
    let client = client_context(KIND, &pki); // resumption as the backend does it by default
    let (first, full_chain) = visit(&client, "localhost", port).unwrap();
    assert_eq!(first, expect(false), "{KIND}: the first connection is a full handshake");
    let (second, resumed_chain) = visit(&client, "localhost", port).unwrap();
    assert_eq!(second, expect(true), "{KIND}: the second connection resumes");
    assert!(!full_chain.is_empty());
    assert_eq!(resumed_chain, full_chain, "{KIND}: a resumed session gives the same peer certificates");
    // A session remembered for one name is not offered for another, nor by another context.
    let (other_name, _) = visit(&client, "127.0.0.1", port).unwrap();
    assert_eq!(other_name, expect(false), "{KIND}: another name, a full handshake");
    let off = context(KIND, ContextOptions::new().ca_file(&pki.ca_file).session_resumption(false));
    for round in 0..2 {
        let (resumed, chain) = visit(&off, "localhost", port).unwrap();
        assert_eq!(resumed, expect(false), "{KIND}: resumption off, connection {round}");
        assert_eq!(chain, full_chain);
    }
    // Another context, whose verification fails, gets no session to lean on: it verifies, and
    // refuses.
    let stranger = client_context(KIND, &Pki::new("resume-stranger"));
    assert!(visit(&stranger, "localhost", port).is_err(), "{KIND}: an unknown CA is refused");
    let served = server.join().unwrap();
    assert_eq!(served.len(), 6);
    let served_resumed: Vec<Option<bool>> = served[..5].iter().map(|r| *r.as_ref().unwrap()).collect();
    let on_server: Vec<Option<bool>> = [false, true, false, false, false].map(expect).to_vec();
    assert_eq!(served_resumed, on_server, "{KIND}: what the server saw");
    assert!(served[5].is_err(), "the stranger's handshake failed");

    // The same server context (the same ticket keys) on another port: a session is kept per
    // name and port, so the client starts afresh there.
    let (listener, other_port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = echo_each(listener, 2);
    assert_eq!(visit(&client, "localhost", other_port).unwrap().0, expect(false), "{KIND}: another port");
    assert_eq!(visit(&client, "localhost", other_port).unwrap().0, expect(true), "{KIND}: that port's own session");
    assert!(server.join().unwrap().iter().all(Result::is_ok));

    // A server with resumption off issues nothing to resume. native-tls servers resume what
    // clients offer, and cannot be told not to: they refuse to be made so.
    let server_off = ContextOptions::new().session_resumption(false);
    if !has(Capability::SessionResumption) {
        let options = server_off.backend(KIND).verify_mode(VerifyMode::None).cert_and_key(&leaf.chain, &leaf.key);
        let err = new_context(options).unwrap_err();
        assert!(matches!(err, TlsError::Unsupported { capability: Capability::SessionResumption, .. }), "{err}");
        return;
    }
    let no_tickets = server_context_with(KIND, &leaf, server_off);
    let (listener, port) = tls_listener(Some(&no_tickets), Domain::Inet);
    let server = echo_each(listener, 2);
    for round in 0..2 {
        assert_eq!(visit(&client, "localhost", port).unwrap().0, expect(false), "{KIND}: server off, {round}");
    }
    let served = server.join().unwrap();
    assert!(served.iter().all(|r| matches!(r, Ok(x) if *x == expect(false))), "{KIND}: {served:?}");
}

#[test]
fn every_certificate_failure_has_the_same_reason_on_every_backend() {
    use net::tls::CertificateReason as R;
    let pki = Pki::new("reasons");
    let other_ca = Pki::new("reasons-other");
    let (_, expired_at) = Validity::Expired.bounds();
    let (valid_from, _) = Validity::NotYetValid.bounds();
    let names = |names: &[&str]| Some(names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
    let cases = vec![
        (
            pki.server("expired", &["localhost"], Validity::Expired),
            "localhost",
            R::Expired { not_after: Some(expired_at) },
        ),
        (
            pki.server("future", &["localhost"], Validity::NotYetValid),
            "localhost",
            R::NotYetValid { not_before: Some(valid_from) },
        ),
        (
            pki.server("wrong", &["other.test", "127.0.0.2"], Validity::Current),
            "localhost",
            R::NameMismatch { expected: "localhost".into(), presented: names(&["other.test", "127.0.0.2"]) },
        ),
        (
            pki.server("ip", &["127.0.0.2"], Validity::Current),
            "127.0.0.1",
            R::NameMismatch { expected: "127.0.0.1".into(), presented: names(&["127.0.0.2"]) },
        ),
        (pki.self_signed("self", &["localhost"]), "localhost", R::SelfSigned),
        // The server sends the untrusted root along: the chain ends at it.
        (other_ca.server("unknown", &["localhost"], Validity::Current), "localhost", R::UnknownIssuer),
        (pki.without_intermediate("incomplete", &["localhost"]), "localhost", R::IncompleteChain),
        (pki.ca_as_leaf("ca-leaf", &["localhost"]), "localhost", R::CaUsedAsLeaf),
        (pki.bad_signature("bad-signature", &["localhost"]), "localhost", R::BadSignature),
    ];
    let verifying = client_context(KIND, &pki);
    for (leaf, host, expected) in cases {
        // A server that goes on accepting: native-tls connects again for the leaf's details.
        let (client, _server) = net_tests::tls::handshake_serving(&server_context(KIND, &leaf), &verifying, host);
        match client {
            Err(e) => {
                assert_eq!(e.certificate_reason(), Some(&expected), "{KIND}: {e}: {:?}", std::error::Error::source(&e));
                // Said once: the handshake failed, because of the reason.
                assert_eq!(e.to_string(), format!("TLS handshake failed ({KIND})"));
                assert_eq!(net_tests::report(&e), format!("TLS handshake failed ({KIND}): {expected}"));
            }
            Ok(_) => panic!("{KIND}: {expected:?}: the handshake succeeded"),
        }
    }
}

#[test]
fn a_pinned_certificate_is_trusted_as_it_is_and_alone() {
    use net::tls::CertificateReason as R;
    let pki = Pki::new("pinning");
    // The usual HTTPS recipe: `openssl req -x509`, a self-signed CA certificate.
    let recipe = pki.openssl_req_x509("recipe").expect("the openssl command (the CI installs it)");
    let server_ctx = server_context(KIND, &recipe);
    let pinned = context(KIND, ContextOptions::new().pinned_certificate(&recipe.cert));
    let (mut c, mut s) = net_tests::tls::ok(net_tests::tls::handshake(&server_ctx, &pinned, "localhost"));
    net_tests::tls::ping_pong(KIND, &mut c, &mut s);
    assert_eq!(peer_certificates(&c)[0].as_der(), &recipe.der[..]);
    // Nothing else about it is checked: not the name either.
    net_tests::tls::ok(net_tests::tls::handshake(&server_ctx, &pinned, "127.0.0.1"));
    // Trusted as a root instead, the same certificate is a CA used as a leaf, on every backend.
    let as_root = context(KIND, ContextOptions::new().ca_file(&recipe.cert));
    let (client, _) = net_tests::tls::handshake(&server_ctx, &as_root, "localhost");
    assert_eq!(client.err().and_then(|e| e.certificate_reason().cloned()), Some(R::CaUsedAsLeaf));
    // Any other certificate is refused, even one the roots would accept.
    let other = pki.server("other", &["localhost"], Validity::Current);
    let pinned_with_roots = context(KIND, ContextOptions::new().ca_file(&pki.ca_file).pinned_certificate(&recipe.cert));
    for client_ctx in [&pinned, &pinned_with_roots] {
        let (client, _) = net_tests::tls::handshake(&server_context(KIND, &other), client_ctx, "localhost");
        assert_eq!(client.err().and_then(|e| e.certificate_reason().cloned()), Some(R::NotPinned));
    }
    // A pinned file that is missing is an error naming it.
    let err =
        new_context(ContextOptions::new().backend(KIND).pinned_certificate(pki.dir.join("absent.pem"))).unwrap_err();
    assert!(matches!(err, TlsError::File { what: "pinned certificate", .. }), "{err}");
}

#[test]
fn the_system_roots_or_the_bundled_ones() {
    // By default every backend trusts the system's roots, found in the same place
    // (`RootSources::system`); a private CA is not among them.
    let pki = Pki::new("system-roots");
    let leaf = pki.server("srv", &["localhost"], Validity::Current);
    let default = context(KIND, ContextOptions::new());
    let (client, _) = net_tests::tls::handshake(&server_context(KIND, &leaf), &default, "localhost");
    let reason = client.err().and_then(|e| e.certificate_reason().cloned());
    assert_eq!(reason, Some(net::tls::CertificateReason::UnknownIssuer), "{KIND}");
    // The bundled Mozilla roots are a choice where the backend has them.
    let bundled = new_context(ContextOptions::new().backend(KIND).bundled_roots());
    if has(Capability::BundledRoots) {
        bundled.unwrap();
    } else {
        let err = bundled.unwrap_err();
        assert!(
            matches!(err, TlsError::Unsupported { backend, capability: Capability::BundledRoots, hint: Some(BackendKind::Rustls) } if backend == KIND),
            "{err}"
        );
    }
}

#[test]
fn a_server_refusing_our_certificate_is_a_tls_error_with_the_alert() {
    let pki = Pki::new("refused-client");
    let leaf = pki.server("srv", &["localhost"], Validity::Current);
    if !has(Capability::ClientAuth) || !has(Capability::Tls13) {
        return; // refusing the option itself is tested by mutual_tls_where_the_backend_can
    }
    let opts = ContextOptions::new().ca_file(&pki.ca_file).client_auth(ClientAuth::Required);
    let server_ctx = server_context_with(KIND, &leaf, opts.protocol(net::tls::ProtocolVersion::TlsV1_3));
    let (listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = net_tests::tls::accept_quietly(listener);
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut c).unwrap();
    // TLS 1.3: the client's handshake ends before the server has seen its (empty)
    // certificate, so the refusal arrives with the first read.
    let err = c.connect("localhost", port).and_then(|()| c.recv_line()).unwrap_err();
    server.join().unwrap();
    let tls = err.tls_error().unwrap_or_else(|| panic!("{KIND}: not a TLS error: {err}"));
    let alert = tls.peer_alert().unwrap_or_else(|| panic!("{KIND}: no alert in {err}"));
    assert_eq!(alert.name(), Some("certificate_required"), "{KIND}");
    assert_eq!(
        net_tests::report(&err),
        format!("TLS handshake failed ({KIND}): the peer sent the alert certificate_required (116)")
    );
}

#[test]
fn a_revoked_certificate_is_refused_where_the_backend_reads_revocation_lists() {
    let pki = Pki::new("revocation");
    let revoked = pki.server_with_serial("revoked", &["localhost"], 0x5151);
    let good = pki.server_with_serial("good", &["localhost"], 0x5152);
    let crl = pki.crl("ca", &[0x5151]);
    let opts = ContextOptions::new().backend(KIND).ca_file(&pki.ca_file).crl_file(&crl);
    if !has(Capability::Crl) {
        let err = new_context(opts).unwrap_err();
        assert!(
            matches!(err, TlsError::Unsupported { backend, capability: Capability::Crl, hint: Some(_) } if backend == KIND),
            "{err}"
        );
        return;
    }
    let checking = new_context(opts).unwrap();
    let (client, _) = net_tests::tls::handshake(&server_context(KIND, &revoked), &checking, "localhost");
    let err = client.err().unwrap_or_else(|| panic!("{KIND}: a revoked certificate was accepted"));
    assert_eq!(err.certificate_reason(), Some(&net::tls::CertificateReason::Revoked), "{KIND}: {err}");
    net_tests::tls::ok(net_tests::tls::handshake(&server_context(KIND, &good), &checking, "localhost"));
    // Without the list, the revoked certificate is like any other.
    net_tests::tls::ok(net_tests::tls::handshake(
        &server_context(KIND, &revoked),
        &client_context(KIND, &pki),
        "localhost",
    ));
    // A file holding no list is an error naming it.
    let err =
        new_context(ContextOptions::new().backend(KIND).ca_file(&pki.ca_file).crl_file(&pki.ca_file)).unwrap_err();
    assert!(matches!(err, TlsError::File { what: "CRL file", .. }), "{err}");
}

#[test]
fn a_resumed_session_keeps_the_clients_certificates_on_the_server() {
    use net_tests::tls::client_with_identity;
    if !(has(Capability::ClientAuth) && has(Capability::SessionResumption)) {
        return; // covered by every_missing_capability_is_refused_when_the_context_is_made
    }
    let pki = Pki::new("resume-mtls");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let alice = pki.client("alice");
    let opts = ContextOptions::new().ca_file(&pki.ca_file).client_auth(ClientAuth::Required);
    let server_ctx = server_context_with(KIND, &leaf, opts);
    let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
    let server = thread::spawn(move || {
        (0..2)
            .map(|_| {
                let mut conn = listener.accept().unwrap();
                assert_eq!(conn.recv_line().unwrap(), "hi");
                conn.send(b"echo\n").unwrap();
                let seen = (session_info(&conn).unwrap().resumed, peer_certificates(&conn));
                assert_eq!(conn.recv_line().unwrap(), "");
                seen
            })
            .collect::<Vec<_>>()
    });
    let client = client_with_identity(KIND, &pki, &alice);
    for _ in 0..2 {
        let mut c = Socket::tcp().unwrap();
        client.wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap();
        c.send(b"hi\n").unwrap();
        assert_eq!(c.recv_line().unwrap(), "echo");
        c.close();
    }
    let seen = server.join().unwrap();
    assert_eq!((seen[0].0, seen[1].0), (Some(false), Some(true)), "{KIND}: full, then resumed");
    assert!(!seen[0].1.is_empty());
    assert_eq!(seen[1].1, seen[0].1, "{KIND}: the client's certificates, as on the full handshake");
}
