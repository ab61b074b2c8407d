//! The TLS seam, proved with a test-only layer (framed, XORed records with a handshake):
//! every read and write API, timeouts included, works through a secured session, and the
//! socket keeps its descriptor, options and addresses.

use std::io::{BufRead, Read, Write};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use net::{Domain, Error, ReadLineResult, ReadOptions, SockOpt, Socket, SocketFlag, SocketFlags};
use net_tests::{listener, wait_kernel, XorSession, XorUpgrade};

const KEY: u8 = 0x5a;

/// A secured pair over TCP: the client wrapped before `connect`, the listener before `accept`.
fn secured_pair(domain: Domain, buffered: bool) -> (Socket, Socket, XorUpgrade) {
    let layer = XorUpgrade::new(KEY);
    let mut server = Socket::builder().domain(domain).buffered(buffered).build().unwrap();
    let host = if domain == Domain::Inet6 { "::1" } else { "127.0.0.1" };
    server.bind_addr(0, host).unwrap();
    server.listen().unwrap();
    server.set_upgrade(Arc::new(layer.clone())).unwrap();
    let port = server.local_addr().unwrap().port();
    let mut client = Socket::builder().domain(domain).buffered(false).build().unwrap();
    client.set_upgrade(Arc::new(layer.clone())).unwrap();
    let host_owned = host.to_owned();
    let connector = thread::spawn(move || {
        client.connect(&host_owned, port).unwrap();
        client
    });
    let conn = server.accept().unwrap();
    (connector.join().unwrap(), conn, layer)
}

fn each(f: impl Fn(Socket, Socket, bool)) {
    for domain in [Domain::Inet, Domain::Inet6] {
        for buffered in [true, false] {
            let (client, conn, _) = secured_pair(domain, buffered);
            f(client, conn, buffered);
        }
    }
}

#[test]
fn handshake_happens_in_connect_and_accept() {
    let (client, conn, _) = secured_pair(Domain::Inet, true);
    assert!(client.is_ssl() && conn.is_ssl());
    assert!(client.session().unwrap().handshake_complete());
    assert_eq!(conn.session().unwrap().peer_certificates(), vec![vec![KEY]]);
    // ssl_handle: a downcast to the layer's own session type.
    let own = client.session().unwrap().as_any().downcast_ref::<XorSession>().unwrap();
    assert_eq!(own.key(), KEY);
    // The socket keeps its descriptor, options and addresses.
    assert_eq!(client.peer_addr().unwrap(), conn.local_addr().unwrap());
    conn.set_sock_opt(SockOpt::NoDelay, true).unwrap();
    assert!(conn.get_sock_opt(SockOpt::NoDelay).unwrap());
}

#[test]
fn the_wire_carries_ciphertext() {
    let mut server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let mut client = Socket::tcp().unwrap();
    client.connect("127.0.0.1", port).unwrap();
    let mut plain_peer = server.accept().unwrap();
    client.secure(Box::new(XorUpgrade::new(KEY).session(client.io_handle().unwrap()))).unwrap();
    client.send(b"secret\n").unwrap();
    let wire = plain_peer.recv(9).unwrap();
    assert_eq!(&wire[..2], &[0, 7]);
    assert_eq!(wire[2..].iter().map(|b| b ^ KEY).collect::<Vec<u8>>(), b"secret\n");
    assert!(!wire.windows(6).any(|w| w == b"secret"));
}

#[test]
fn lines_recv_skip_and_peek_through_the_session() {
    each(|mut client, mut conn, buffered| {
        client.send(b"one\r\ntwo\rthree\n\r\nHDR:body-bytes\npeek\n").unwrap();
        assert_eq!(conn.recv_line().unwrap(), "one");
        let mut line = String::new();
        conn.read_line(&mut line).unwrap();
        assert_eq!(line, "two");
        assert_eq!(conn.recv_line().unwrap(), "three");
        assert_eq!(conn.recv_line().unwrap(), "\r\n");
        assert_eq!(conn.skip(4).unwrap(), 4);
        assert_eq!(conn.recv(4).unwrap(), b"body", "buffered={buffered}");
        let mut buf = [0u8; 7];
        let n = conn.recv_into(&mut buf).unwrap();
        assert_eq!(&buf[..n], &b"-bytes\n"[..n]);
        if n < 7 {
            conn.skip(7 - n).unwrap();
        }
        let peek = ReadOptions::new().flag(SocketFlag::Peek);
        assert_eq!(conn.recv_line_with(&peek).unwrap(), "peek");
        assert_eq!(conn.recv_with(2, &peek).unwrap(), b"pe");
        assert_eq!(conn.recv_line().unwrap(), "peek");
        client.close();
        assert_eq!(conn.recv_line().unwrap(), "");
    });
}

#[test]
fn has_data_buffered_counts_decrypted_bytes() {
    for buffered in [true, false] {
        let (mut client, mut conn, _) = secured_pair(Domain::Inet, buffered);
        client.send(b"a\nb\n").unwrap();
        wait_kernel(&conn, 6);
        assert!(!conn.has_data_buffered(), "nothing decrypted yet");
        assert_eq!(conn.recv_line().unwrap(), "a");
        assert!(conn.has_data_buffered(), "buffered={buffered}: 'b\\n' is decrypted and waiting");
        assert_eq!(conn.recv_line().unwrap(), "b");
        assert!(!conn.has_data_buffered());
    }
}

#[test]
fn timeouts_bound_the_session_and_keep_the_bytes() {
    each(|mut client, mut conn, _| {
        let opts = ReadOptions::new().timeout(Duration::from_millis(100));
        client.send(b"par").unwrap();
        let err = conn.recv_line_with(&opts).unwrap_err();
        assert!(matches!(err, Error::Timeout { op: "read_line", .. }), "{err}");
        client.send(b"tial\n").unwrap();
        assert_eq!(conn.recv_line_with(&opts).unwrap(), "partial");
        let mut line = Vec::new();
        assert_eq!(conn.read_line_bytes(&mut line, &opts).unwrap(), ReadLineResult::None);
        assert!(matches!(conn.recv_with(1, &opts), Err(Error::Timeout { op: "recv", .. })));
        assert_eq!(conn.skip_with(1, Some(Duration::from_millis(20))).unwrap(), 0);
    });
}

#[test]
fn half_a_record_does_not_block_past_the_budget() {
    // The descriptor turns readable, but the session needs more bytes than arrived: the read
    // inside the session must still give up when the budget runs out.
    let mut server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let mut raw_peer = Socket::tcp().unwrap();
    raw_peer.connect("127.0.0.1", port).unwrap();
    let mut conn = server.accept().unwrap();
    conn.secure(Box::new(XorUpgrade::new(KEY).session(conn.io_handle().unwrap()))).unwrap();
    raw_peer.send(&[0, 10, b'a' ^ KEY]).unwrap(); // a 10-byte record, 1 byte of it sent
    let start = Instant::now();
    let err = conn.recv_line_with(&ReadOptions::new().timeout(Duration::from_millis(150))).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(start.elapsed() < Duration::from_secs(2), "blocked for {:?}", start.elapsed());
    let rest: Vec<u8> = b"bcdefghi\n".iter().map(|b| b ^ KEY).collect();
    raw_peer.send(&rest).unwrap();
    assert_eq!(conn.recv_line().unwrap(), "abcdefghi", "the half record was kept");
}

#[test]
fn std_io_and_try_send_through_the_session() {
    let (mut client, mut conn, _) = secured_pair(Domain::Inet6, true);
    writeln!(client, "formatted {}", 1).unwrap();
    client.flush().unwrap();
    assert!(client.try_send(b"tried\n"));
    assert_eq!(client.send_raw(b"raw\n").unwrap(), 4);
    let mut first = String::new();
    conn.read_line(&mut first).unwrap();
    assert_eq!(first, "formatted 1");
    let mut second = String::new();
    BufRead::read_line(&mut conn, &mut second).unwrap();
    assert_eq!(second, "tried\n");
    client.close();
    let mut rest = Vec::new();
    conn.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"raw\n");
}

#[test]
fn bulk_both_ways() {
    let (mut client, mut conn, _) = secured_pair(Domain::Inet, true);
    let data: Vec<u8> = (0..4_000_000u32).map(|i| (i % 241) as u8).collect();
    let expected = data.clone();
    let sender = thread::spawn(move || {
        client.send(&data).unwrap();
        // The client is unbuffered: each recv returns what is there, so read until full.
        let mut back = vec![0u8; 1_000_000];
        client.read_exact(&mut back).unwrap();
        (client, back)
    });
    let got = conn.recv(expected.len()).unwrap();
    assert!(got == expected);
    conn.send(&expected[..1_000_000]).unwrap();
    let (_client, back) = sender.join().unwrap();
    assert!(back == expected[..1_000_000]);
}

#[test]
fn close_notifies_once_and_wrapping_twice_fails() {
    let (mut client, conn, layer) = secured_pair(Domain::Inet, true);
    assert!(matches!(client.set_upgrade(Arc::new(layer.clone())), Err(Error::InvalidArgument { .. })));
    let io = client.io_handle().unwrap();
    assert!(client.secure(Box::new(layer.session(io))).is_err());
    client.close();
    client.close();
    drop(client);
    assert_eq!(layer.close_notifies.load(Ordering::SeqCst), 1);
    drop(conn);
    assert_eq!(layer.close_notifies.load(Ordering::SeqCst), 2);

    // shutdown(Write) sends it; the close after it does not send it again.
    let (mut client, conn, layer) = secured_pair(Domain::Inet, true);
    client.shutdown(std::net::Shutdown::Write).unwrap();
    client.shutdown(std::net::Shutdown::Both).unwrap();
    assert_eq!(layer.close_notifies.load(Ordering::SeqCst), 1);
    client.close();
    assert_eq!(layer.close_notifies.load(Ordering::SeqCst), 1);
    drop(conn);
}

#[test]
fn a_failed_handshake_is_an_error_and_the_listener_goes_on() {
    let layer = XorUpgrade::new(KEY);
    let mut server = listener(Domain::Inet);
    server.set_upgrade(Arc::new(layer.clone())).unwrap();
    let port = server.local_addr().unwrap().port();
    let mut plain = Socket::tcp().unwrap();
    plain.connect("127.0.0.1", port).unwrap();
    plain.send(b"\x00\x03not a hello").unwrap();
    let err = server.accept().unwrap_err();
    assert!(matches!(err, Error::Tls(_)), "{err}");
    // A client wrapped on its side, talking to a plain server, fails in connect.
    let mut plain_server = listener(Domain::Inet);
    let plain_port = plain_server.local_addr().unwrap().port();
    let mut wrapped = Socket::tcp().unwrap();
    wrapped.set_upgrade(Arc::new(layer.clone())).unwrap();
    let t = thread::spawn(move || {
        let mut c = plain_server.accept().unwrap();
        c.send(b"\x00\x02no").unwrap();
        c
    });
    assert!(matches!(wrapped.connect("127.0.0.1", plain_port), Err(Error::Tls(_))));
    drop(t.join().unwrap());
    // Reading from a socket wrapped but never connected says so.
    let mut pending = Socket::tcp().unwrap();
    pending.set_upgrade(Arc::new(layer)).unwrap();
    assert!(matches!(pending.recv(1), Err(Error::Unsupported { .. })));
    assert!(matches!(pending.send(b"x"), Err(Error::Unsupported { .. })));
}

#[test]
fn reset_through_the_session_follows_safe_disconn() {
    let (client, mut conn, _) = secured_pair(Domain::Inet, true);
    net_tests::reset(client);
    thread::sleep(Duration::from_millis(20));
    assert_eq!(conn.recv_line().unwrap(), "", "SafeDisconn: end of stream");
    let (client, mut conn, _) = secured_pair(Domain::Inet, true);
    net_tests::reset(client);
    thread::sleep(Duration::from_millis(20));
    let err = conn.recv_line_with(&ReadOptions::new().flags(SocketFlags::empty())).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET), "{err}");
}
