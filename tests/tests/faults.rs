//! Faults on a real network path: two network namespaces joined by a forwarder that drops,
//! delays, reorders and cuts packets (`net_tests::impair`). Data arrive whole or the call
//! reports an error, never silently short; a cut link is a timeout with the bytes before it
//! kept; thousands of faulted connections leak no descriptor.
//!
//! Slow: behind the `faults` feature, in the test-matrix cell of the load test.
//!
//! Root only (CI runs as root). Elsewhere each test prints `SKIPPED` with the reason and
//! returns: it asserts nothing then, and says so.
#![cfg(feature = "faults")]

use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use net::{Error, ReadOptions, Socket};
use net_tests::impair::{Impairment, Path, ADDR_B};
use net_tests::open_fds;

/// One path at a time: the descriptor counts are the process's.
static SERIAL: Mutex<()> = Mutex::new(());

fn path_or_skip(test: &str) -> Option<Path> {
    match Path::new() {
        Ok(p) => Some(p),
        Err(why) => {
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}

/// A listener on side B, port chosen by the OS.
fn listener_in_b(path: &Path) -> (Socket, u16) {
    path.in_b(|| {
        let mut l = Socket::tcp().expect("socket");
        l.bind_addr(0, ADDR_B).expect("bind in B");
        l.listen().expect("listen");
        let port = l.local_addr().unwrap().port();
        (l, port)
    })
}

/// A client socket made in side A (not connected yet).
fn socket_in_a(path: &Path) -> Socket {
    path.in_a(|| Socket::tcp().expect("socket in A"))
}

const LOSSY: Impairment =
    Impairment { loss: 0.05, delay: Duration::from_millis(50), jitter: Duration::from_millis(20), cut: false };

/// Echo 100 lines, then 2 MiB one way, over `client` and the accepted `server` side.
fn echo_and_bulk(what: &str, mut client: Socket, mut server: Socket) {
    let long = ReadOptions::new().timeout(Duration::from_secs(30));
    let echo = thread::spawn(move || {
        loop {
            let line = server.recv_line_with(&long).expect("server read");
            if line.is_empty() || line == "bulk" {
                break;
            }
            server.send(format!("{line}\n").as_bytes()).expect("server send");
        }
        let mut got = 0usize;
        let mut buf = vec![0u8; 65536];
        loop {
            match server.recv_into_with(&mut buf, &long).expect("bulk read") {
                0 => break got,
                n => {
                    assert!(buf[..n].iter().enumerate().all(|(i, &b)| b == ((got + i) % 251) as u8), "bulk corrupted");
                    got += n;
                }
            }
        }
    });
    for i in 0..100 {
        let line = format!("line {i} {}", "x".repeat(i * 13));
        client.send(format!("{line}\n").as_bytes()).unwrap();
        assert_eq!(client.recv_line_with(&long).unwrap(), line, "{what}");
    }
    client.send(b"bulk\n").unwrap();
    let bulk: Vec<u8> = (0..2 << 20).map(|i| (i % 251) as u8).collect();
    client.send(&bulk).unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(echo.join().expect("server side"), bulk.len(), "{what}: bulk arrived whole");
}

#[test]
fn echo_and_bulk_survive_loss_delay_and_reordering() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = path_or_skip("echo_and_bulk_survive_loss_delay_and_reordering") else { return };
    path.set(LOSSY);
    let (mut l, port) = listener_in_b(&path);
    let mut c = socket_in_a(&path);
    let accept = thread::spawn(move || l.accept().expect("accept"));
    c.connect_timeout(ADDR_B, port, Duration::from_secs(20)).expect("connect across the lossy path");
    echo_and_bulk("plain", c, accept.join().unwrap());
    let (forwarded, dropped) = path.counts();
    assert!(dropped > 0 && forwarded > dropped, "the path did impair: {forwarded} forwarded, {dropped} dropped");
}

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
#[test]
fn tls_survives_loss_delay_and_reordering_on_every_backend() {
    use net_tests::certs::{Pki, Validity};
    use net_tests::tls::{client_context, server_context};
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = path_or_skip("tls_survives_loss_delay_and_reordering_on_every_backend") else { return };
    path.set(LOSSY);
    let pki = Pki::new("faults");
    let leaf = pki.server("b", &[ADDR_B], Validity::Current);
    for kind in net::tls::enabled_backends() {
        let (mut l, port) = listener_in_b(&path);
        server_context(kind, &leaf).wrap_socket(&mut l).unwrap();
        let mut c = socket_in_a(&path);
        client_context(kind, &pki).wrap_socket(&mut c).unwrap();
        let accept = thread::spawn(move || l.accept().expect("TLS accept"));
        c.connect_timeout(ADDR_B, port, Duration::from_secs(30)).unwrap_or_else(|e| panic!("{kind}: {e}"));
        echo_and_bulk(&kind.to_string(), c, accept.join().unwrap());
    }
}

#[test]
fn a_cut_link_is_a_timeout_and_the_lines_before_it_are_whole() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = path_or_skip("a_cut_link_is_a_timeout_and_the_lines_before_it_are_whole") else { return };
    path.set(Impairment { delay: Duration::from_millis(5), ..Impairment::default() });
    let (mut l, port) = listener_in_b(&path);
    let mut c = socket_in_a(&path);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sender = {
        let stop = stop.clone();
        thread::spawn(move || {
            let mut s = l.accept().expect("accept");
            // Nonblocking, so that a full send buffer behind the cut cannot hold this thread.
            s.set_nonblocking(true).unwrap();
            let mut pending = Vec::new();
            let mut i = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if pending.is_empty() {
                    pending = format!("line {i} {}\n", "y".repeat((i % 97) as usize)).into_bytes();
                    i += 1;
                }
                match s.send_raw(&pending) {
                    Ok(n) => drop(pending.drain(..n)),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => thread::sleep(Duration::from_millis(5)),
                    Err(_) => break,
                }
            }
        })
    };
    c.connect_timeout(ADDR_B, port, Duration::from_secs(10)).unwrap();
    let opts = ReadOptions::new().timeout(Duration::from_millis(1500));
    let mut next = 0u32;
    let outcome = loop {
        match c.recv_line_with(&opts) {
            Ok(line) => {
                assert_eq!(line, format!("line {next} {}", "y".repeat((next % 97) as usize)), "whole and in order");
                next += 1;
                if next == 300 {
                    path.set(Impairment { cut: true, ..Impairment::default() });
                }
            }
            Err(e) => break e,
        }
    };
    assert!(next >= 300, "lines before the cut arrived: {next}");
    assert!(matches!(outcome, Error::Timeout { op: "read_line", .. }), "a cut is a timeout: {outcome:?}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    sender.join().unwrap();
    c.close();
}

#[test]
fn ten_thousand_faulted_connections_leak_no_descriptor_and_never_hang() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = path_or_skip("ten_thousand_faulted_connections_leak_no_descriptor_and_never_hang") else { return };
    let before = open_fds();
    path.set(Impairment { loss: 0.1, delay: Duration::from_millis(1), jitter: Duration::from_millis(2), cut: false });
    let (mut l, port) = listener_in_b(&path);
    l.set_nonblocking(true).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let server = {
        let stop = stop.clone();
        thread::spawn(move || {
            let mut handlers = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match l.accept() {
                    Ok(mut conn) => handlers.push(thread::spawn(move || {
                        let opts = ReadOptions::new().timeout(Duration::from_millis(500));
                        if let Ok(line) = conn.recv_line_with(&opts) {
                            let _ = conn.send(format!("{line}\n").as_bytes());
                        }
                    })),
                    Err(_) => thread::sleep(Duration::from_millis(1)),
                }
                handlers.retain(|h| !h.is_finished());
            }
            for h in handlers {
                h.join().expect("handler");
            }
        })
    };
    let clients: Vec<_> = (0..50)
        .map(|t| {
            let sockets: Vec<Socket> = (0..200).map(|_| socket_in_a(&path)).collect();
            thread::spawn(move || {
                let mut ok = 0;
                for (i, mut s) in sockets.into_iter().enumerate() {
                    if s.connect_timeout(ADDR_B, port, Duration::from_millis(500)).is_err() {
                        continue;
                    }
                    let line = format!("{t}-{i}");
                    let opts = ReadOptions::new().timeout(Duration::from_millis(500));
                    if s.send(format!("{line}\n").as_bytes()).is_ok() {
                        match s.recv_line_with(&opts) {
                            Ok(got) if got == line => ok += 1,
                            Ok(got) => assert!(got.is_empty(), "a reply that is not the line: {got:?}"),
                            Err(_) => {}
                        }
                    }
                }
                ok
            })
        })
        .collect();
    let ok: usize = clients.into_iter().map(|c| c.join().expect("client thread")).sum();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    server.join().expect("server");
    assert!(ok > 5000, "most connections got through the faults: {ok} of 10000");
    // Counted with the path still up: its own TUN descriptors were there before, too.
    assert_eq!(open_fds(), before, "descriptors leaked");
    drop(path);
}

/// A connected pair across the path: (client in A, server in B), accepted by `accept`
/// (`Socket::accept`, or a TLS listener's).
fn pair_across(path: &Path, wrap: impl FnOnce(&mut Socket, &mut Socket)) -> (Socket, Socket) {
    let (mut l, port) = listener_in_b(path);
    let mut c = socket_in_a(path);
    wrap(&mut l, &mut c);
    let accept = thread::spawn(move || l.accept());
    let connected = c.connect_timeout(ADDR_B, port, Duration::from_secs(10));
    let s = accept.join().unwrap().expect("accept");
    connected.expect("connect");
    (c, s)
}

#[test]
fn resets_and_half_closes_mid_line_keep_the_bytes_before_them() {
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = path_or_skip("resets_and_half_closes_mid_line_keep_the_bytes_before_them") else { return };
    path.set(Impairment {
        delay: Duration::from_millis(20),
        jitter: Duration::from_millis(10),
        ..Impairment::default()
    });
    let long = ReadOptions::new().timeout(Duration::from_secs(10));
    let strict = long.flags(net::SocketFlags::empty());

    // Reset mid-line, without SafeDisconn: the partial line, then the reset as an error.
    let (mut c, mut s) = pair_across(&path, |_, _| {});
    s.send(b"first\npartial li").unwrap();
    assert_eq!(c.recv_line_with(&long).unwrap(), "first");
    // Wait until the partial line has crossed the path before resetting behind it.
    let mut peek = [0u8; 10];
    let peeked = c.recv_into_with(&mut peek, &long.flag(net::SocketFlag::Peek)).unwrap();
    assert!(peeked > 0);
    thread::sleep(Duration::from_millis(200));
    net_tests::reset(s);
    let mut line = Vec::new();
    assert_eq!(c.read_line_bytes(&mut line, &strict).unwrap(), net::ReadLineResult::PartialLine);
    assert_eq!(line, b"partial li");
    let err = c.read_line_bytes(&mut line, &strict).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");

    // Half-close mid-line: the partial line, then the end of the stream.
    let (mut c, mut s) = pair_across(&path, |_, _| {});
    s.send(b"whole\nhalf").unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    assert_eq!(c.recv_line_with(&long).unwrap(), "whole");
    assert_eq!(c.recv_line_with(&long).unwrap(), "half");
    assert_eq!(c.recv_line_with(&long).unwrap(), "");
}

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
#[test]
fn tls_resets_mid_handshake_and_mid_record_are_errors_that_keep_what_came_before() {
    use net_tests::certs::{Pki, Validity};
    use net_tests::tls::{client_context, server_context};
    let _one = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(path) = path_or_skip("tls_resets_mid_handshake_and_mid_record") else { return };
    path.set(Impairment { delay: Duration::from_millis(20), ..Impairment::default() });
    let pki = Pki::new("faults-reset");
    let leaf = pki.server("b", &[ADDR_B], Validity::Current);
    let long = ReadOptions::new().timeout(Duration::from_secs(10));
    for kind in net::tls::enabled_backends() {
        let before = open_fds();
        // Mid-handshake: the server takes the ClientHello, then resets.
        let (mut l, port) = listener_in_b(&path);
        let mut c = socket_in_a(&path);
        client_context(kind, &pki).wrap_socket(&mut c).unwrap();
        let server = thread::spawn(move || {
            let mut s = l.accept().unwrap();
            let _ = s.recv_with(5, &ReadOptions::new().timeout(Duration::from_secs(10)));
            net_tests::reset(s);
        });
        let err = c.connect_timeout(ADDR_B, port, Duration::from_secs(10)).unwrap_err();
        server.join().unwrap();
        assert!(!matches!(err, Error::Timeout { .. }), "{kind}: a reset is not a timeout: {err}");
        c.close();

        // Mid-record: whole lines arrive, then the reset is an error, not a short success.
        let (mut c, mut s) = pair_across(&path, |l, c| {
            server_context(kind, &leaf).wrap_socket(l).unwrap();
            client_context(kind, &pki).wrap_socket(c).unwrap();
        });
        s.send(b"sealed line\n").unwrap();
        assert_eq!(c.recv_line_with(&long).unwrap(), "sealed line", "{kind}");
        // A record header promising more than follows, straight on the TCP stream, then RST.
        let raw = socket2::SockRef::from(&s);
        raw.send(&[23, 3, 3, 0x40, 0x00, 1, 2, 3]).unwrap();
        thread::sleep(Duration::from_millis(100));
        net_tests::reset(s);
        let strict = long.flags(net::SocketFlags::empty());
        let err = match c.recv_line_with(&strict) {
            Err(e) => e,
            Ok(line) => panic!("{kind}: a stream cut inside a record read as {line:?}, not an error"),
        };
        assert!(!matches!(err, Error::Timeout { .. }), "{kind}: {err}");
        c.close();
        assert_eq!(open_fds(), before, "{kind}: descriptors left open");
    }
}
