// The body of the TLS bounds suite, included once per backend by `tests/tls_bounds.rs` with
// `KIND` naming the backend: timed reads against peers that stall or drip, handshakes that
// cannot hang, closing that loses nothing, and the user's own socket timeouts left alone.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use net::tls::{ContextOptions, HandshakeSide, DEFAULT_HANDSHAKE_TIMEOUT};
use net::{Domain, Error, ReadOptions, Socket};
use net_tests::certs::{Pki, Validity};
use net_tests::drip::{drip_client, drip_server, slow_hello, Relay};
use net_tests::tls::{client_context, server_context, server_context_with, tls_listener, verified_pair};

/// A bounded wait must end well within this, against peers that would hold it 20 s or more.
const LOOSE: Duration = Duration::from_secs(5);

fn quick() -> ReadOptions {
    ReadOptions::new().timeout(Duration::from_millis(300))
}

#[test]
fn a_record_dripped_byte_by_byte_cannot_hold_a_timed_read() {
    let pki = Pki::new("drip-read");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let (mut listener, port) = tls_listener(Some(&server_context(KIND, &leaf)), Domain::Inet);
    // 10 ms a byte: the 2001-byte record below takes 20 s to arrive whole.
    let relay = Relay::start(port, Duration::from_millis(10));
    let (go, wait_go) = mpsc::channel::<()>();
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        wait_go.recv().unwrap();
        let mut record = vec![b'x'; 2000];
        record.push(b'\n');
        conn.send(&record).unwrap();
        let _ = conn.recv_line_with(&ReadOptions::new().timeout(Duration::from_secs(30)));
    });
    let mut client = Socket::tcp().unwrap();
    client_context(KIND, &pki).wrap_socket(&mut client).unwrap();
    client.connect("localhost", relay.port).unwrap();
    relay.start_dripping();
    go.send(()).unwrap();
    for round in 0..2 {
        let start = Instant::now();
        let r = client.recv_line_with(&quick());
        assert!(matches!(r, Err(Error::Timeout { op: "read_line", .. })), "{KIND} round {round}: {r:?}");
        assert!(start.elapsed() < LOOSE, "{KIND}: a 300 ms read took {:?}", start.elapsed());
    }
    client.close();
    server.join().unwrap();
}

#[test]
fn a_peer_that_stalls_mid_record_times_out_every_read_api() {
    let (mut c, s) = verified_pair(KIND, &Pki::new("stall"));
    let mut raw = s.io_handle().unwrap();
    // A record header and part of its body, then nothing.
    std::io::Write::write_all(&mut raw, &[0x17, 0x03, 0x03, 0x00, 0x40, 1, 2, 3]).unwrap();
    let start = Instant::now();
    assert!(matches!(c.recv_line_with(&quick()), Err(Error::Timeout { .. })));
    let mut buf = [0u8; 16];
    assert!(matches!(c.recv_into_with(&mut buf, &quick()), Err(Error::Timeout { .. })));
    assert_eq!(c.skip_with(4, Some(Duration::from_millis(300))).unwrap(), 0);
    assert!(start.elapsed() < LOOSE, "{KIND}: {:?}", start.elapsed());
}

/// A TLS listener on 127.0.0.1 whose handshakes are bounded by `bound`, and a client already
/// connected to it that sends nothing: `(pki, listener, port, silent client)`.
fn listener_with_a_silent_client(name: &str, bound: Duration) -> (Pki, Socket, u16, std::net::TcpStream) {
    let pki = Pki::new(name);
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let ctx = server_context_with(KIND, &leaf, ContextOptions::new().handshake_timeout(bound));
    let (listener, port) = tls_listener(Some(&ctx), Domain::Inet);
    let silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    (pki, listener, port, silent)
}

/// A client, in a thread, that connects over TLS, sends `hello` and returns the line it gets.
fn good_client(pki: &Pki, port: u16) -> thread::JoinHandle<String> {
    let ctx = client_context(KIND, pki);
    thread::spawn(move || {
        let mut c = Socket::tcp().unwrap();
        ctx.wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap();
        c.send(b"hello\n").unwrap();
        c.recv_line().unwrap()
    })
}

#[test]
fn silent_and_dripping_clients_cannot_hold_accept() {
    let bound = Duration::from_millis(500);
    let (pki, mut listener, port, _silent) = listener_with_a_silent_client("accept-bound", bound);
    // A ClientHello dripped at 50 ms a byte would take minutes.
    let _dripper = drip_client(port, slow_hello(4000), Duration::from_millis(50));
    thread::sleep(Duration::from_millis(50));
    let good = good_client(&pki, port);
    let start = Instant::now();
    let mut timed_out = 0;
    loop {
        match listener.accept() {
            Ok(mut conn) => {
                assert_eq!(conn.recv_line().unwrap(), "hello");
                conn.send(b"served\n").unwrap();
                break;
            }
            Err(Error::Timeout { op: "handshake", after }) => {
                assert_eq!(after, bound);
                timed_out += 1;
                assert!(timed_out <= 2, "{KIND}: more clients timed out than were slow");
            }
            Err(other) => panic!("{KIND}: accept failed with {other}"),
        }
    }
    assert_eq!(good.join().unwrap(), "served");
    assert_eq!(timed_out, 2, "{KIND}: both slow clients were dropped");
    assert!(start.elapsed() < LOOSE, "{KIND}: serving took {:?}", start.elapsed());
}

#[test]
fn a_dripping_server_cannot_stretch_connect_timeout_or_the_handshake_timeout() {
    let pki = Pki::new("drip-server");
    let ctx = client_context(KIND, &pki);
    let port = drip_server(slow_hello(4000), Duration::from_millis(50));
    let mut c = Socket::tcp().unwrap();
    ctx.wrap_socket(&mut c).unwrap();
    let start = Instant::now();
    let r = c.connect_timeout("localhost", port, Duration::from_secs(1));
    assert!(
        matches!(r, Err(Error::Timeout { op: "connect", after }) if after == Duration::from_secs(1)),
        "{KIND}: {r:?}"
    );
    assert!(start.elapsed() < LOOSE, "{KIND}: connect_timeout(1 s) took {:?}", start.elapsed());

    let bound = Duration::from_millis(500);
    let slow = net_tests::tls::context(KIND, ContextOptions::new().ca_file(&pki.ca_file).handshake_timeout(bound));
    let port = drip_server(slow_hello(4000), Duration::from_millis(50));
    let mut c = net::dial("127.0.0.1", port).unwrap();
    let start = Instant::now();
    let err = slow.wrap_connected_socket(&mut c, HandshakeSide::Client, "localhost").unwrap_err();
    assert!(
        matches!(err, net::tls::TlsError::Socket(Error::Timeout { op: "handshake", after }) if after == bound),
        "{KIND}: {err}"
    );
    assert!(start.elapsed() < LOOSE, "{KIND}: {:?}", start.elapsed());

    // A plain `connect` (no budget of its own) is bounded by the context's handshake timeout.
    let port = drip_server(slow_hello(4000), Duration::from_millis(50));
    let mut c = Socket::tcp().unwrap();
    slow.wrap_socket(&mut c).unwrap();
    let start = Instant::now();
    let r = c.connect("localhost", port);
    assert!(matches!(r, Err(Error::Timeout { op: "handshake", after }) if after == bound), "{KIND}: {r:?}");
    assert!(start.elapsed() < LOOSE, "{KIND}: {:?}", start.elapsed());
}

#[test]
fn handshakes_are_bounded_by_default() {
    assert_eq!(ContextOptions::new().handshake_timeout, Some(DEFAULT_HANDSHAKE_TIMEOUT));
    assert_eq!(ContextOptions::new().no_handshake_timeout().handshake_timeout, None);
}

#[test]
fn sixteen_mib_then_close_arrives_whole() {
    const SIZE: usize = 16 << 20;
    let pki = Pki::new("close-tail");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let (mut listener, port) = tls_listener(Some(&server_context(KIND, &leaf)), Domain::Inet);
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    let ctx = client_context(KIND, &pki);
    for round in 0..20 {
        let server = thread::spawn(move || {
            let mut conn = listener.accept().unwrap();
            // Left unread by the client, like TLS 1.3 session tickets: closing must not
            // answer it with a reset.
            conn.send(b"unread\n").unwrap();
            let (got, clean) = net_tests::read_to_end_checked(&mut conn, 251);
            (listener, got, clean, net::tls::closed_cleanly(&conn))
        });
        let mut c = Socket::tcp().unwrap();
        ctx.wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap();
        c.send(&data).unwrap();
        c.close();
        let (back, got, pattern_ok, clean) = server.join().unwrap();
        listener = back;
        assert!(pattern_ok, "{KIND} round {round}: bytes corrupted");
        assert_eq!(got, SIZE, "{KIND} round {round}: {} bytes lost", SIZE - got);
        assert_eq!(clean, Some(true), "{KIND} round {round}: no close_notify");
    }
}

#[test]
fn the_users_socket_timeouts_are_left_alone() {
    let pki = Pki::new("user-timeouts");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let server_ctx = server_context(KIND, &leaf);
    let (mut listener, port) = tls_listener(None, Domain::Inet);
    let server = thread::spawn(move || {
        let mut conn = listener.accept().unwrap();
        server_ctx.wrap_connected_socket(&mut conn, HandshakeSide::Server, "").unwrap();
        conn.send(b"par").unwrap();
        let _ = conn.recv_line();
    });
    let mut c = net::dial("127.0.0.1", port).unwrap();
    let mine = (Some(Duration::from_secs(7)), Some(Duration::from_secs(9)));
    let sock = c.io_handle().unwrap();
    sock.socket2().set_read_timeout(mine.0).unwrap();
    sock.socket2().set_write_timeout(mine.1).unwrap();
    client_context(KIND, &pki).wrap_connected_socket(&mut c, HandshakeSide::Client, "localhost").unwrap();
    assert!(matches!(c.recv_line_with(&quick()), Err(Error::Timeout { .. })));
    let now = (sock.socket2().read_timeout().unwrap(), sock.socket2().write_timeout().unwrap());
    assert_eq!(now, mine, "{KIND}: a library call changed SO_RCVTIMEO / SO_SNDTIMEO");
    c.send(b"tial\n").unwrap();
    drop(sock);
    c.close();
    server.join().unwrap();
}

#[test]
fn accept_lazy_hands_each_handshake_to_its_own_thread() {
    let bound = Duration::from_secs(2);
    let (pki, mut listener, port, _silent) = listener_with_a_silent_client("accept-lazy", bound);
    let good = good_client(&pki, port);
    let (done, finished) = mpsc::channel();
    for who in ["first", "second"] {
        // Returns at once: no handshake here.
        let mut conn = listener.accept_lazy().unwrap();
        assert!(conn.is_ssl());
        assert!(!net::tls::got_handshake(&conn).unwrap());
        let done = done.clone();
        thread::spawn(move || {
            let outcome = conn.recv_line();
            if outcome.is_ok() {
                conn.send(b"served\n").unwrap();
            }
            done.send((who, outcome)).unwrap();
        });
    }
    let start = Instant::now();
    let (_, first) = finished.recv().unwrap();
    assert_eq!(first.unwrap(), "hello", "{KIND}: the good client is served while the silent one waits");
    assert_eq!(good.join().unwrap(), "served");
    let (_, second) = finished.recv().unwrap();
    assert!(
        matches!(second, Err(Error::Timeout { op: "handshake", after }) if after == bound),
        "{KIND}: {second:?}"
    );
    assert!(start.elapsed() < LOOSE, "{KIND}: {:?}", start.elapsed());

    // An explicit handshake, and the connection closed after a failed one.
    let _silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut conn = listener.accept_lazy().unwrap();
    assert!(matches!(conn.handshake(), Err(Error::Timeout { op: "handshake", .. })));
    assert!(conn.is_closed(), "{KIND}: a failed lazy handshake closes the connection");
}

#[test]
fn a_timed_read_costs_at_most_two_system_calls_a_record() {
    const RECORDS: u64 = 100;
    let (mut c, mut s) = verified_pair(KIND, &Pki::new("syscalls"));
    let patient = ReadOptions::new().timeout(Duration::from_secs(10));
    s.send(b"warm\n").unwrap();
    assert_eq!(c.recv_line_with(&patient).unwrap(), "warm"); // and any session tickets
    let (go, wait_go) = mpsc::channel::<()>();
    let sender = thread::spawn(move || {
        wait_go.recv().unwrap();
        for i in 0..RECORDS {
            // One record each, a little apart: every read waits for its record.
            s.send(format!("record {i:04} {}\n", "x".repeat(1000)).as_bytes()).unwrap();
            thread::sleep(Duration::from_millis(2));
        }
        s
    });
    let (lines, counts) = net_tests::syscalls::count_syscalls(|| {
        go.send(()).unwrap();
        (0..RECORDS).map(|_| c.recv_line_with(&patient).unwrap()).filter(|l| l.starts_with("record")).count()
    });
    drop(sender.join().unwrap());
    assert_eq!(lines as u64, RECORDS);
    eprintln!("{KIND}: {counts:?}");
    // Not the read's: `kill` stops strace, and `futex` is lock contention with the other test
    // threads of this process (the allocator, the test harness).
    let total: u64 = counts.iter().filter(|(name, _)| !matches!(name.as_str(), "futex" | "kill")).map(|(_, n)| n).sum();
    // Two a record (poll, recvfrom); a few more for the attach and detach of strace.
    assert!(total <= 2 * RECORDS + 4, "{KIND}: {total} system calls for {RECORDS} timed reads: {counts:?}");
    for option_call in ["setsockopt", "getsockopt"] {
        assert!(!counts.contains_key(option_call), "{KIND}: a timed read called {option_call}: {counts:?}");
    }
}

#[test]
fn shutdown_write_sends_close_notify_first() {
    let (mut c, mut s) = verified_pair(KIND, &Pki::new("shutdown"));
    c.send(b"last\n").unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(s.recv_line().unwrap(), "last");
    assert_eq!(s.recv_line().unwrap(), "");
    assert_eq!(net::tls::closed_cleanly(&s), Some(true), "{KIND}: the peer saw close_notify");
    // Reads still work the other way: a half-close.
    s.send(b"reply\n").unwrap();
    assert_eq!(c.recv_line().unwrap(), "reply", "{KIND}");
}

#[test]
fn a_failed_handshake_is_a_typed_tls_error_without_a_downcast() {
    use net::tls::{TlsError, TlsErrorExt};
    let pki = Pki::new("typed");
    let stranger = Pki::new("typed-stranger");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    let (listener, port) = tls_listener(Some(&server_context(KIND, &leaf)), Domain::Inet);
    let server = net_tests::tls::accept_quietly(listener);
    let mut c = Socket::tcp().unwrap();
    client_context(KIND, &stranger).wrap_socket(&mut c).unwrap();
    let err = c.connect("localhost", port).unwrap_err();
    match err.tls_error() {
        Some(TlsError::Handshake { backend, .. }) => assert_eq!(*backend, KIND),
        other => panic!("{KIND}: {err} gave {other:?}"),
    }
    drop(c);
    server.join().unwrap();
}
