//! Helpers for the TLS suites: contexts per backend, servers on loopback, handshakes and
//! their outcomes, options that need one capability, a lock for the process-wide `SSL_CERT_*`
//! variables, and the test bodies (`check_*`) that several backend suites run unchanged.

use std::any::Any;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use net::tls::{
    closed_cleanly, got_handshake, new_context, peer_certificates, session_info, ssl_handle_mut, BackendKind,
    Capability, Certificate, ClientAuth, Context, ContextOptions, HandshakeSide, ProtocolVersion, TlsError, VerifyMode,
};
use net::{Domain, Error, ReadOptions, Socket};

use crate::certs::{Leaf, Pki, Validity};

/// A server context on `kind` serving `leaf`'s chain.
pub fn server_context(kind: BackendKind, leaf: &Leaf) -> Context {
    server_context_with(kind, leaf, ContextOptions::new())
}

/// A server context on `kind` serving `leaf`'s chain, from `options`.
pub fn server_context_with(kind: BackendKind, leaf: &Leaf, options: ContextOptions) -> Context {
    new_context(options.backend(kind).verify_mode(VerifyMode::None).cert_and_key(&leaf.chain, &leaf.key))
        .unwrap_or_else(|e| panic!("{kind} server context: {e}"))
}

/// A verifying client context on `kind` that trusts `pki`'s CA.
pub fn client_context(kind: BackendKind, pki: &Pki) -> Context {
    new_context(ContextOptions::new().backend(kind).ca_file(&pki.ca_file))
        .unwrap_or_else(|e| panic!("{kind} client context: {e}"))
}

/// A context on `kind` from `options`.
pub fn context(kind: BackendKind, options: ContextOptions) -> Context {
    new_context(options.backend(kind)).unwrap_or_else(|e| panic!("{kind} context: {e}"))
}

/// A context on `kind` that checks nothing (`VerifyMode::None`) and has no certificate.
pub fn no_verify_context(kind: BackendKind) -> Context {
    context(kind, ContextOptions::new().verify_mode(VerifyMode::None))
}

/// A verifying client context on `kind` that trusts `pki`'s CA and presents `who`'s
/// certificate (alone, without the CA's) and key.
pub fn client_with_identity(kind: BackendKind, pki: &Pki, who: &Leaf) -> Context {
    context(kind, ContextOptions::new().ca_file(&pki.ca_file).cert_and_key(&who.cert, &who.key))
}

/// A TCP pair over loopback, `(client, server)`, not wrapped.
pub fn tcp_pair(v6: bool) -> (Socket, Socket) {
    let (mut listener, port) = tls_listener(None, if v6 { Domain::Inet6 } else { Domain::Inet });
    let client = net::dial(if v6 { "::1" } else { "127.0.0.1" }, port).expect("dial");
    (client, listener.accept().expect("accept"))
}

/// What both sides of a handshake got: `(client, server)`.
pub type Outcome = (Result<Socket, TlsError>, Result<Socket, TlsError>);

/// Both handshakes of a fresh pair through `wrap_connected_socket`; the client checks `host`.
pub fn handshake(server: &Context, client: &Context, host: &str) -> Outcome {
    let (mut c, mut s) = tcp_pair(host.contains(':'));
    let server = server.clone();
    let t = thread::spawn(move || server.wrap_connected_socket(&mut s, HandshakeSide::Server, "").map(|()| s));
    let r = client.wrap_connected_socket(&mut c, HandshakeSide::Client, host);
    if r.is_err() {
        c.close(); // so a server still in its handshake sees the end
    }
    let s = t.join().expect("server thread");
    (r.map(|()| c), s)
}

/// As [`handshake`], with a server that goes on accepting (and shaking hands) until the
/// client's handshake is over: a client may connect again meanwhile, as native-tls does for a
/// second look at a certificate it refused. The server's outcome is its first handshake's.
pub fn handshake_serving(server: &Context, client: &Context, host: &str) -> Outcome {
    let v6 = host.contains(':');
    let (mut listener, port) = tls_listener(None, if v6 { Domain::Inet6 } else { Domain::Inet });
    let ip = if v6 { "::1" } else { "127.0.0.1" };
    let over = Arc::new(AtomicBool::new(false));
    let server = server.clone();
    let serving = over.clone();
    let t = thread::spawn(move || {
        let mut first = None;
        while let Ok(mut s) = listener.accept() {
            if serving.load(Ordering::SeqCst) {
                break;
            }
            let r = server.wrap_connected_socket(&mut s, HandshakeSide::Server, "").map(|()| s);
            first.get_or_insert(r);
        }
        first.expect("the client connected")
    });
    let mut c = net::dial(ip, port).expect("dial");
    let r = client.wrap_connected_socket(&mut c, HandshakeSide::Client, host);
    if r.is_err() {
        c.close();
    }
    over.store(true, Ordering::SeqCst);
    drop(net::dial(ip, port).expect("dial, to end the accepting")); // wakes the last accept
    let s = t.join().expect("server thread");
    (r.map(|()| c), s)
}

/// Both sockets of a handshake that must have succeeded.
pub fn ok(outcome: Outcome) -> (Socket, Socket) {
    match outcome {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => panic!("handshake failed: client {:?}, server {:?}", c.err(), s.err()),
    }
}

/// Why the client's handshake failed, which must be a handshake error of `kind`: the
/// backend's reason, that is the error's source and its causes (the message itself only
/// says that the handshake failed, and on which backend).
pub fn client_error(kind: BackendKind, outcome: Outcome) -> String {
    match outcome.0 {
        Err(e @ TlsError::Handshake { backend, .. }) if backend == kind => {
            assert_eq!(e.to_string(), format!("TLS handshake failed ({kind})"));
            crate::report(std::error::Error::source(&e).expect("a handshake error has a source"))
        }
        Err(other) => panic!("not a {kind} handshake error: {other}"),
        Ok(_) => panic!("the client handshake succeeded"),
    }
}

/// A secured pair `(client, server)` after both handshakes (`wrap_connected_socket`): the
/// server on `kind` serves a fresh leaf of `pki` for `server.test`, the client on `kind`
/// trusts `pki`'s CA and checks that name.
pub fn verified_pair(kind: BackendKind, pki: &Pki) -> (Socket, Socket) {
    let leaf = pki.server("pair", &["server.test"], Validity::Current);
    ok(handshake(&server_context(kind, &leaf), &client_context(kind, pki), "server.test"))
}

/// A [`verified_pair`] whose server sent `last\n` and then ended the TCP stream without a
/// close_notify.
pub fn pair_ended_without_close_notify(kind: BackendKind, pki: &Pki) -> (Socket, Socket) {
    let (c, mut s) = verified_pair(kind, pki);
    s.send(b"last\n").unwrap();
    s.io_handle().unwrap().socket2().shutdown(std::net::Shutdown::Write).unwrap();
    (c, s)
}

/// A line each way over a secured pair, `ping` from the client and `pong` back; both sides
/// report a session of `kind`.
pub fn ping_pong(kind: BackendKind, c: &mut Socket, s: &mut Socket) {
    c.send(b"ping\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "ping");
    s.send(b"pong\n").unwrap();
    assert_eq!(c.recv_line().unwrap(), "pong");
    for sock in [&*c, &*s] {
        assert_eq!(session_info(sock).expect("session_info").backend, kind);
    }
}

/// The ALPN protocol each side of a fresh handshake (which must succeed, the client checking
/// `server.test`) settled on: `(client, server)`.
pub fn negotiated_alpn(server: &Context, client: &Context) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let (c, s) = ok(handshake(server, client, "server.test"));
    let alpn = |sock: &Socket| session_info(sock).expect("session_info").alpn_protocol;
    (alpn(&c), alpn(&s))
}

/// Connects with `client` (wrapped before `connect`) to a fresh server on `kind` serving
/// `leaf`, at `host` (127.0.0.1 or ::1 behind it); the handshake's result. The server's own
/// outcome does not matter.
pub fn try_connect(kind: BackendKind, client: &Context, leaf: &Leaf, host: &str) -> Result<(), Error> {
    let server_ctx = server_context(kind, leaf);
    let domain = if host == "::1" { Domain::Inet6 } else { Domain::Inet };
    let (listener, port) = tls_listener(Some(&server_ctx), domain);
    let server = accept_quietly(listener);
    let mut socket = Socket::builder().domain(domain).build()?;
    client.wrap_socket(&mut socket)?;
    let result = socket.connect(host, port);
    socket.close();
    server.join().expect("server thread");
    result
}

/// Server certificates a client verifying with `pki`'s CA must refuse at the given host:
/// `(what is wrong, the leaf, the host the client asks for)`. `other_ca` is a CA the client
/// does not trust.
pub fn bad_server_certificates(pki: &Pki, other_ca: &Pki) -> Vec<(&'static str, Leaf, &'static str)> {
    vec![
        ("expired", pki.server("expired", &["localhost"], Validity::Expired), "localhost"),
        ("not yet valid", pki.server("future", &["localhost"], Validity::NotYetValid), "localhost"),
        ("wrong host name", pki.server("wrong", &["other.test"], Validity::Current), "localhost"),
        ("self-signed", pki.self_signed("self", &["localhost"]), "localhost"),
        ("unknown CA", other_ca.server("unknown", &["localhost"], Validity::Current), "localhost"),
        ("IP certificate for another IP", pki.server("ip", &["127.0.0.2"], Validity::Current), "127.0.0.1"),
    ]
}

/// For one bad server certificate: a client on `kind` verifying with `pki`'s CA must refuse
/// `leaf` at `host`, and a client with `VerifyMode::None` must accept it. Returns the refusal
/// (the client's handshake error, see [`client_error`]) and the certificates the unverifying
/// client got.
pub fn refused_then_accepted_unverified(
    kind: BackendKind,
    pki: &Pki,
    leaf: &Leaf,
    host: &str,
) -> (String, Vec<Certificate>) {
    let server_ctx = server_context(kind, leaf);
    let message = client_error(kind, handshake(&server_ctx, &client_context(kind, pki), host));
    // VerifyMode::None checks neither the chain nor the name.
    let (c, _s) = ok(handshake(&server_ctx, &no_verify_context(kind), host));
    (message, peer_certificates(&c))
}

/// What the `TlsError::File` of making a context on `kind` from `options` names ("CA file",
/// "key file"...); any other outcome panics.
pub fn file_error_what(kind: BackendKind, options: ContextOptions) -> &'static str {
    match new_context(options.backend(kind)) {
        Err(TlsError::File { what, .. }) => what,
        other => panic!("not a file error: {other:?}"),
    }
}

/// A listener on 127.0.0.1 (or ::1), wrapped with `ctx` when given.
pub fn tls_listener(ctx: Option<&Context>, domain: Domain) -> (Socket, u16) {
    let mut server = crate::listener(domain);
    if let Some(ctx) = ctx {
        ctx.wrap_socket(&mut server).expect("wrap the listener");
    }
    let port = server.local_addr().expect("local_addr").port();
    (server, port)
}

/// Serves one client in a thread: accepts (running the handshake), then echoes lines
/// prefixed with `echo: ` until the end of the stream. Returns what `accept` gave.
pub fn echo_once(mut listener: Socket) -> JoinHandle<Result<usize, net::Error>> {
    thread::spawn(move || {
        let mut conn = listener.accept()?;
        let mut lines = 0;
        loop {
            let line = conn.recv_line()?;
            if line.is_empty() {
                return Ok(lines);
            }
            conn.send(format!("echo: {line}\n").as_bytes())?;
            lines += 1;
        }
    })
}

/// Serves `clients` clients one after the other in a thread, each accepted (running the
/// handshake) and echoed as by [`echo_once`]. Returns, per client, whether the server
/// resumed its session (`SessionInfo::resumed`), or why its handshake failed.
pub fn echo_each(mut listener: Socket, clients: usize) -> JoinHandle<Vec<Result<Option<bool>, net::Error>>> {
    thread::spawn(move || {
        (0..clients)
            .map(|_| {
                let mut conn = listener.accept()?;
                let resumed = session_info(&conn).expect("a TLS session").resumed;
                while !conn.recv_line()?.is_empty() {
                    conn.send(b"echo\n")?;
                }
                Ok(resumed)
            })
            .collect()
    })
}

/// Accepts one client and keeps it, so the handshake's outcome on the server side does not
/// matter to the test (used when the client is expected to fail).
pub fn accept_quietly(mut listener: Socket) -> JoinHandle<()> {
    thread::spawn(move || {
        if let Ok(mut conn) = listener.accept() {
            let _ = conn.recv_line_with(&net::ReadOptions::new().timeout(Duration::from_secs(2)));
        }
    })
}

/// Options asking for exactly one capability (a client or server context, as it needs).
pub fn options_requiring(capability: Capability, pki: &Pki, leaf: &Leaf) -> ContextOptions {
    let server = || ContextOptions::new().cert_and_key(&leaf.chain, &leaf.key).verify_mode(VerifyMode::None);
    match capability {
        Capability::Tls10 => ContextOptions::new().protocol(ProtocolVersion::TlsV1),
        Capability::Tls11 => ContextOptions::new().protocol(ProtocolVersion::TlsV1_1),
        Capability::Tls12 => ContextOptions::new().protocol(ProtocolVersion::TlsV1_2),
        Capability::Tls13 => ContextOptions::new().protocol(ProtocolVersion::TlsV1_3),
        Capability::CipherList => ContextOptions::new().cipher_list("ECDHE+AESGCM"),
        Capability::Tls13CipherSuites => ContextOptions::new().cipher_suites("TLS_AES_128_GCM_SHA256"),
        Capability::CaFile => ContextOptions::new().ca_file(&pki.ca_file),
        Capability::CaDir => ContextOptions::new().ca_dir(&pki.ca_dir),
        Capability::EnvVarRoots => ContextOptions::new().verify_mode(VerifyMode::PeerUseEnvVars),
        Capability::ClientCertificate => {
            ContextOptions::new().ca_file(&pki.ca_file).cert_and_key(&leaf.cert, &leaf.key)
        }
        Capability::ClientAuth => server().ca_file(&pki.ca_file).client_auth(ClientAuth::Required),
        Capability::SessionIdContext => server().session_id_context("net-tests"),
        Capability::Psk => ContextOptions::new()
            .verify_mode(VerifyMode::None)
            .psk_client(|_| Some(("id".to_owned(), b"0123456789abcdef".to_vec()))),
        Capability::Alpn => ContextOptions::new().alpn(["http/1.1"]),
        Capability::BundledRoots => ContextOptions::new().bundled_roots(),
        Capability::Crl => ContextOptions::new().ca_file(&pki.ca_file).crl_file(pki.crl("caps", &[])),
        // Not an option: every backend makes the context, and `peer_certificates` says more
        // or less. Asking for nothing special is the honest request here.
        Capability::VerifiedChain => ContextOptions::new(),
        Capability::SessionResumption => ContextOptions::new().session_resumption(true),
        other => panic!("no options for {other:?}"),
    }
}

/// Sends `size` patterned bytes from the client `c` to the server `s`, which echoes them from
/// its own thread; both directions must carry them intact.
pub fn bulk_both_ways(mut c: Socket, mut s: Socket, size: usize) {
    let data: Vec<u8> = (0..size).map(|i| (i % 253) as u8).collect();
    let expected = data.clone();
    let echo = thread::spawn(move || {
        let got = s.recv(size).unwrap();
        s.send(&got).unwrap();
        got == expected
    });
    c.send(&data).unwrap();
    let back = c.recv(size).unwrap();
    assert!(echo.join().unwrap(), "the server got other bytes");
    assert!(back == data, "the client got other bytes");
}

/// Test body: a client wrapped before `connect` and a listener wrapped before `accept`, both
/// on `kind`, over IPv4 and IPv6 with the address as the host name: the handshake happens in
/// `connect`, then lines are echoed.
pub fn check_wrap_socket_before_connect_and_accept(kind: BackendKind, pki: &Pki) {
    for (domain, host) in [(Domain::Inet, "127.0.0.1"), (Domain::Inet6, "::1")] {
        let leaf = pki.server(&format!("srv{}", domain.to_c_int()), &[host], Validity::Current);
        let server_ctx = server_context(kind, &leaf);
        let (listener, port) = tls_listener(Some(&server_ctx), domain);
        let server = echo_once(listener);
        let mut c = Socket::builder().domain(domain).build().unwrap();
        client_context(kind, pki).wrap_socket(&mut c).unwrap();
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

/// Test body: the server `s` sends its last bytes and a close_notify; the client `c` reads
/// them, then the end of the stream, which `closed_cleanly` calls clean, and stays there.
pub fn check_close_notify_ends_the_stream(mut c: Socket, mut s: Socket) {
    s.send(b"bye").unwrap();
    s.close();
    let mut all = Vec::new();
    c.read_to_end(&mut all).unwrap();
    assert_eq!(all, b"bye");
    assert_eq!(closed_cleanly(&c), Some(true));
    assert_eq!(c.recv(1).unwrap(), b"");
}

/// Test body for a backend on `kind` whose session behind `ssl_handle_mut` is `S`:
/// `has_data_buffered` counts the decrypted bytes waiting in the session, on buffered and
/// unbuffered sockets, and the session's count is exact (one byte read out of a 4-byte record
/// leaves 3).
pub fn check_decrypted_bytes_count_as_buffered<S: Read + Any>(kind: BackendKind, pki: &Pki) {
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let server_ctx = server_context(kind, &leaf);
    for buffered in [true, false] {
        let (mut c, s) = tcp_pair(false);
        let mut s = Socket::builder().buffered(buffered).from_fd(s.into_socket2().unwrap().into());
        let server_ctx = server_ctx.clone();
        let t = thread::spawn(move || {
            server_ctx.wrap_connected_socket(&mut s, HandshakeSide::Server, "").unwrap();
            s
        });
        client_context(kind, pki).wrap_connected_socket(&mut c, HandshakeSide::Client, "server.test").unwrap();
        let mut s = t.join().unwrap();
        c.send(b"a\nb\n").unwrap();
        crate::wait_kernel(&s, 20);
        assert!(!s.has_data_buffered(), "nothing decrypted yet");
        assert_eq!(s.recv_line().unwrap(), "a");
        assert!(s.has_data_buffered(), "buffered={buffered}");
        assert_eq!(s.recv_line().unwrap(), "b");
        assert!(!s.has_data_buffered());
        c.send(b"wxyz").unwrap();
        let mut one = [0u8; 1];
        let stream = ssl_handle_mut::<S>(&mut s).unwrap();
        assert_eq!(stream.read(&mut one).unwrap(), 1);
        assert_eq!(s.session().unwrap().pending_plaintext(), 3);
        assert!(s.has_data_buffered());
        assert_eq!(s.recv(3).unwrap(), b"xyz");
        assert_eq!(s.session().unwrap().pending_plaintext(), 0);
    }
}

/// Test body: a client on `kind` whose peer closes, or answers in plain text, after reading
/// the ClientHello gets a handshake error and keeps its descriptor; a server on `kind` sent
/// plain text gets a handshake error.
pub fn check_broken_peers_during_the_handshake(kind: BackendKind, pki: &Pki) {
    for (what, reply) in [("close", &b""[..]), ("plain text", &b"HTTP/1.0 400 Bad Request\r\n\r\n"[..])] {
        let (mut c, mut s) = tcp_pair(false);
        let t = thread::spawn(move || {
            let _ = s.recv_with(5, &ReadOptions::new());
            let _ = s.send(reply);
            s.close();
        });
        let client_ctx = client_context(kind, pki);
        let err = client_ctx.wrap_connected_socket(&mut c, HandshakeSide::Client, "server.test").unwrap_err();
        t.join().unwrap();
        assert!(matches!(err, TlsError::Handshake { .. }), "{what}: {err}");
        assert!(!err.to_string().is_empty());
        assert!(!c.is_ssl() && !c.is_closed(), "{what}: the socket keeps its descriptor");
        assert!(c.peer_addr().is_ok());
    }
    let leaf = pki.server("srv", &["server.test"], Validity::Current);
    let (mut c, mut s) = tcp_pair(false);
    c.send(b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let err = server_context(kind, &leaf).wrap_connected_socket(&mut s, HandshakeSide::Server, "").unwrap_err();
    assert!(matches!(err, TlsError::Handshake { .. }), "{err}");
}

/// Test body: on `kind`, every certificate, key or CA file or directory that is missing or
/// holds the wrong thing is a `TlsError::File` naming which it was, and a server context
/// without a certificate fails its handshake with `TlsError::Config`.
pub fn check_file_errors_name_the_file(kind: BackendKind, pki: &Pki) {
    let leaf = pki.server("files", &["server.test"], Validity::Current);
    let file_err = |options| file_error_what(kind, options);
    let missing = pki.dir.join("missing.pem");
    let opts = || ContextOptions::new().verify_mode(VerifyMode::None);
    assert_eq!(file_err(opts().cert_and_key(&missing, &leaf.key)), "certificate file");
    assert_eq!(file_err(opts().cert_and_key(&leaf.cert, &missing)), "key file");
    assert_eq!(file_err(opts().cert_and_key(&leaf.key, &leaf.key)), "certificate file", "a key is no certificate");
    assert_eq!(file_err(ContextOptions::new().ca_file(&missing)), "CA file");
    assert_eq!(file_err(ContextOptions::new().ca_file(&leaf.key)), "CA file");
    assert_eq!(file_err(ContextOptions::new().ca_dir(pki.dir.join("no-dir"))), "CA directory");
    let (_c, s) = handshake(&no_verify_context(kind), &no_verify_context(kind), "");
    assert!(matches!(s, Err(TlsError::Config { .. })), "{:?}", s.err());
}

/// Test body: `ca_dir` on `kind` trusts the PEM certificates of `pki`'s CA directory and
/// skips what is not one (a text file, a subdirectory) for a handshake with `server_ctx`
/// (which serves a leaf of `pki` for `server.test`); a directory without any certificate is
/// no trust at all (`NoCaCertificates`).
pub fn check_ca_dir_skips_what_is_not_a_certificate(kind: BackendKind, pki: &Pki, server_ctx: &Context) {
    std::fs::write(pki.ca_dir.join("notes.txt"), "not a certificate").unwrap();
    std::fs::create_dir_all(pki.ca_dir.join("subdir")).unwrap();
    ok(handshake(server_ctx, &context(kind, ContextOptions::new().ca_dir(&pki.ca_dir)), "server.test"));
    // A directory without a certificate is a mistake in the options: an error naming it.
    let empty = pki.dir.join("empty-ca-dir");
    std::fs::create_dir_all(&empty).unwrap();
    std::fs::write(empty.join("junk.pem"), "-----BEGIN NOTHING-----\n").unwrap();
    let err = new_context(ContextOptions::new().backend(kind).ca_dir(&empty)).unwrap_err();
    assert!(matches!(&err, TlsError::File { what: "CA directory", path, .. } if *path == empty), "{err}");
}

/// Test body: under `PeerUseEnvVars`, a client on `kind` trusts the roots of `SSL_CERT_FILE`
/// and of `SSL_CERT_DIR` (handshakes with a server of `pki` succeed); with `SSL_CERT_FILE`
/// naming a missing file and `SSL_CERT_DIR` unset, no root is trusted at all:
/// `NoCaCertificates` (a variable naming a missing place adds nothing, as in OpenSSL).
pub fn check_environment_roots(kind: BackendKind, pki: &Pki) {
    let leaf = pki.server("env", &["server.test"], Validity::Current);
    let server_ctx = server_context(kind, &leaf);
    let env = ContextOptions::new().backend(kind).verify_mode(VerifyMode::PeerUseEnvVars);
    let (from_file, from_dir) = {
        let _env = env_lock();
        std::env::set_var("SSL_CERT_FILE", &pki.ca_file);
        let from_file = new_context(env.clone());
        std::env::remove_var("SSL_CERT_FILE");
        std::env::set_var("SSL_CERT_DIR", &pki.ca_dir);
        let from_dir = new_context(env.clone());
        std::env::remove_var("SSL_CERT_DIR");
        (from_file, from_dir)
    };
    ok(handshake(&server_ctx, &from_file.unwrap(), "server.test"));
    ok(handshake(&server_ctx, &from_dir.unwrap(), "server.test"));
    let _env = env_lock();
    // Neither variable may point anywhere useful (the machine may set SSL_CERT_DIR).
    std::env::remove_var("SSL_CERT_DIR");
    std::env::set_var("SSL_CERT_FILE", pki.dir.join("missing.pem"));
    let err = new_context(env);
    std::env::remove_var("SSL_CERT_FILE");
    assert!(matches!(err, Err(TlsError::NoCaCertificates)), "{err:?}");
}

/// The environment variables the TLS tests change.
const CERT_VARS: [&str; 2] = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

/// Held while a test changes `SSL_CERT_FILE` / `SSL_CERT_DIR` (process-wide state): other such
/// tests wait, and the variables get back the values they had (the machine may set them) when
/// the guard drops, however the test ends.
#[derive(Debug)]
pub struct EnvGuard {
    saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
    _lock: MutexGuard<'static, ()>,
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (name, value) in &self.saved {
            match value {
                Some(v) => std::env::set_var(name, v),
                None => std::env::remove_var(name),
            }
        }
    }
}

/// Serialises tests that touch `SSL_CERT_FILE` / `SSL_CERT_DIR`, and restores them afterwards.
pub fn env_lock() -> EnvGuard {
    static LOCK: Mutex<()> = Mutex::new(());
    let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    EnvGuard { saved: CERT_VARS.iter().map(|&n| (n, std::env::var_os(n))).collect(), _lock: lock }
}
