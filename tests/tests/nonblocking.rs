//! `set_nonblocking`: every read and write API fails with `WouldBlock` instead of waiting,
//! and loses nothing.

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

use net::{Domain, Error, ReadOptions, Socket, SocketFlag};
use net_tests::{each, listener, pair};

fn would_block<T: std::fmt::Debug>(what: &str, r: Result<T, Error>) {
    match r {
        Err(e) => assert_eq!(e.kind(), ErrorKind::WouldBlock, "{what}: {e}"),
        Ok(v) => panic!("{what}: expected WouldBlock, got {v:?}"),
    }
}

#[test]
fn every_read_api_would_block_on_nothing_and_returns_what_arrived() {
    each(|t, buffered| {
        let at = format!("{t:?}, buffered {buffered}");
        let (mut w, mut r) = pair(t, buffered);
        r.set_nonblocking(true).unwrap();
        assert!(r.is_nonblocking().unwrap());
        let mut buf = [0u8; 16];
        would_block(&format!("recv, {at}"), r.recv(16));
        would_block(&format!("recv_into, {at}"), r.recv_into(&mut buf));
        would_block(&format!("recv_string, {at}"), r.recv_string(16));
        would_block(&format!("recv_line, {at}"), r.recv_line());
        would_block(&format!("peek, {at}"), r.recv_with(4, &ReadOptions::new().flags(SocketFlag::Peek.into())));
        would_block(&format!("lines, {at}"), r.lines(ReadOptions::new()).next().expect("an item"));
        let io = Read::read(&mut r, &mut buf).unwrap_err();
        assert_eq!(io.kind(), ErrorKind::WouldBlock, "Read, {at}");
        assert_eq!(r.skip(4).unwrap(), 0, "skip, {at}");

        // A partial line stays buffered through WouldBlock; then the line comes whole.
        w.send(b"abc").unwrap();
        would_block(&format!("partial line, {at}"), r.recv_line());
        w.send(b"def\nxyz").unwrap();
        assert_eq!(r.recv_line().unwrap(), "abcdef", "{at}");
        // A read returns what has arrived, short of what was asked.
        assert_eq!(r.recv(16).unwrap(), b"xyz", "{at}");
        would_block(&format!("recv after draining, {at}"), r.recv(1));

        // A timeout still waits, in nonblocking mode too.
        let quick = ReadOptions::new().timeout(Duration::from_millis(20));
        assert!(matches!(r.recv_line_with(&quick), Err(Error::Timeout { .. })), "{at}");

        // Back to blocking: the end of stream reads as it always does.
        r.set_nonblocking(false).unwrap();
        w.send(b"last\n").unwrap();
        w.close();
        assert_eq!(r.recv_line().unwrap(), "last", "{at}");
        assert_eq!(r.recv_line().unwrap(), "", "{at}");
    });
}

#[test]
fn writes_would_block_when_full_and_every_byte_counted_arrives() {
    each(|t, buffered| {
        if buffered {
            return; // the writer side is the same either way
        }
        let (mut w, mut r) = pair(t, false);
        w.set_nonblocking(true).unwrap();
        let chunk = vec![7u8; 64 * 1024];
        let mut sent = 0usize;
        loop {
            match w.send_raw(&chunk) {
                Ok(n) => sent += n,
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::WouldBlock, "{t:?}: {e}");
                    break;
                }
            }
        }
        assert_eq!(Write::write(&mut w, &chunk).unwrap_err().kind(), ErrorKind::WouldBlock);
        // `send` of more than fits: WouldBlock, saying how much went out first.
        let mut got = 0usize;
        let mut sink = vec![0u8; 1 << 20];
        while got < sent {
            got += r.recv_into(&mut sink).unwrap();
        }
        assert_eq!(got, sent, "{t:?}");
        let big = vec![1u8; 64 << 20];
        let err = w.send(&big).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WouldBlock, "{t:?}: {err}");
        let mut text = err.to_string();
        let mut cause = std::error::Error::source(&err);
        while let Some(c) = cause {
            text = format!("{text}: {c}");
            cause = c.source();
        }
        let went: usize = text
            .split("sent ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no count in {text:?}"));
        assert!(went > 0 && went < big.len(), "{text}");
        w.set_nonblocking(false).unwrap();
        w.shutdown(std::net::Shutdown::Write).unwrap();
        let mut rest = 0usize;
        loop {
            match r.recv_into(&mut sink).unwrap() {
                0 => break,
                n => rest += n,
            }
        }
        assert_eq!(rest, went, "{t:?}: every byte `send` reported went out arrives, no more");
    });
}

#[test]
fn accept_would_block_without_a_client_and_clients_come_back_blocking() {
    for domain in [Domain::Inet, Domain::Inet6] {
        let mut server = listener(domain);
        server.set_nonblocking(true).unwrap();
        would_block("accept", server.accept());
        let _client = net::dial_to(server.local_addr().unwrap()).unwrap();
        let conn = loop {
            match server.accept() {
                Ok(c) => break c,
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::yield_now(),
                Err(e) => panic!("{e}"),
            }
        };
        assert!(!conn.is_nonblocking().unwrap());
    }
}

#[test]
fn connect_waits_for_the_connection_and_keeps_the_mode() {
    let mut server = listener(Domain::Inet);
    let addr = server.local_addr().unwrap();
    for timed in [false, true] {
        let mut c = Socket::tcp().unwrap();
        c.set_nonblocking(true).unwrap();
        if timed {
            c.connect_to_timeout(addr, Duration::from_secs(5)).unwrap();
        } else {
            c.connect_to(addr).unwrap();
        }
        assert!(c.is_nonblocking().unwrap(), "timed {timed}");
        let mut conn = server.accept().unwrap();
        c.send(b"up\n").unwrap();
        assert_eq!(conn.recv_line().unwrap(), "up");
    }
    // A refused connection is an error, not WouldBlock.
    let free = {
        let s = listener(Domain::Inet);
        s.local_addr().unwrap()
    };
    let mut c = Socket::tcp().unwrap();
    c.set_nonblocking(true).unwrap();
    let err = c.connect_to(free).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
}

#[test]
fn recv_from_would_block_without_a_datagram() {
    let mut rx = Socket::udp().unwrap();
    rx.bind_to(("127.0.0.1", 0)).unwrap();
    rx.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 8];
    would_block("recv_from", rx.recv_from(&mut buf));
    Socket::udp().unwrap().send_to_endpoint(rx.local_addr().unwrap(), b"dg").unwrap();
    assert_eq!(rx.recv_from(&mut buf).unwrap().0, 2);
}

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
#[test]
fn tls_refuses_nonblocking_both_ways() {
    let ctx = net::tls::new_context(net::tls::ContextOptions::new()).unwrap();
    let mut wrapped = Socket::tcp().unwrap();
    ctx.wrap_socket(&mut wrapped).unwrap();
    assert!(matches!(wrapped.set_nonblocking(true), Err(Error::Unsupported { .. })));
    let mut nb = Socket::tcp().unwrap();
    nb.set_nonblocking(true).unwrap();
    let err = ctx.wrap_socket(&mut nb).unwrap_err();
    assert!(err.to_string().contains("nonblocking"), "{err}");
}
