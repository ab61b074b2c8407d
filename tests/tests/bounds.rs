//! Plain sockets: closing loses nothing, the user's socket timeouts are left alone, and any
//! `max_length` works.

use std::thread;
use std::time::Duration;

use net::{Domain, Error, ReadLineResult, ReadOptions, Socket};
use net_tests::{each, listener, pair, read_to_end_checked, Transport};

#[test]
fn sixteen_mib_then_close_arrives_whole_even_with_a_byte_left_unread() {
    const SIZE: usize = 16 << 20;
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    for domain in [Domain::Inet, Domain::Inet6] {
        let mut server = listener(domain);
        let port = server.local_addr().unwrap().port();
        let host = if domain == Domain::Inet { "127.0.0.1" } else { "::1" };
        for round in 0..20 {
            let reader = thread::spawn(move || {
                let mut conn = server.accept().unwrap();
                // Never read by the client: closing with it unread used to send a reset,
                // which destroys what is still on its way.
                conn.send(b"!").unwrap();
                let (got, ok) = read_to_end_checked(&mut conn, 251);
                (server, got, ok)
            });
            let mut client = net::dial(host, port).unwrap();
            client.send(&data).unwrap();
            client.close();
            let (back, got, ok) = reader.join().unwrap();
            server = back;
            assert!(ok, "{host} round {round}: bytes corrupted");
            assert_eq!(got, SIZE, "{host} round {round}: {} bytes lost", SIZE - got);
        }
    }
}

#[test]
fn closing_an_idle_connection_does_not_wait_for_the_peer() {
    // Everything sent is acknowledged: close returns at once, though the peer stays open.
    let (mut a, mut b) = pair(Transport::Tcp4, true);
    a.send(b"bye\n").unwrap();
    let start = std::time::Instant::now();
    a.close();
    assert!(start.elapsed() < net::CLOSE_LINGER / 2, "{:?}", start.elapsed());
    assert_eq!(b.recv_line().unwrap(), "bye");
    assert_eq!(b.recv_line().unwrap(), "");
}

#[test]
fn closing_against_a_peer_that_never_reads_gives_up_and_loses_nothing() {
    // The peer's receive buffer and our send buffer fill up: what we sent stays
    // unacknowledged, so close waits for it at most CLOSE_LINGER, then closes all the same.
    let (mut a, mut b) = pair(Transport::Tcp4, true);
    a.set_nonblocking(true).unwrap();
    let chunk = vec![7u8; 64 << 10];
    let mut sent = 0usize;
    loop {
        match a.send_raw(&chunk) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) => panic!("send_raw: {e}"),
        }
        assert!(sent < 1 << 30, "the peer's buffers never filled");
    }
    a.set_nonblocking(false).unwrap();
    a.close();
    assert!(a.is_closed());
    // The kernel still delivers what was queued, then the end of the stream: no reset.
    let mut buf = vec![0u8; 64 << 10];
    let mut got = 0usize;
    loop {
        let n = b.recv_into(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&x| x == 7), "bytes corrupted");
        got += n;
    }
    assert_eq!(got, sent, "bytes lost");
}

#[test]
fn timed_calls_leave_the_users_socket_timeouts_alone() {
    let mine = (Some(Duration::from_secs(7)), Some(Duration::from_secs(9)));
    let set = |s: &Socket| {
        let io = s.io_handle().unwrap();
        io.socket2().set_read_timeout(mine.0).unwrap();
        io.socket2().set_write_timeout(mine.1).unwrap();
    };
    let get = |s: &Socket| {
        let io = s.io_handle().unwrap();
        (io.socket2().read_timeout().unwrap(), io.socket2().write_timeout().unwrap())
    };
    each(|transport, buffered| {
        let (mut a, mut b) = pair(transport, buffered);
        set(&b);
        a.send(b"par").unwrap();
        let quick = ReadOptions::new().timeout(Duration::from_millis(30));
        assert!(matches!(b.recv_line_with(&quick), Err(Error::Timeout { .. })));
        let mut buf = [0u8; 8];
        let _ = b.recv_into_with(&mut buf, &quick);
        let _ = b.skip_with(100, Some(Duration::from_millis(30)));
        assert_eq!(get(&b), mine, "{transport:?} buffered={buffered}");
    });
    let mut server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let mut c = Socket::tcp().unwrap();
    set(&c);
    c.connect_timeout("127.0.0.1", port, Duration::from_secs(2)).unwrap();
    let _conn = server.accept().unwrap();
    assert_eq!(get(&c), mine, "connect_timeout");
}

#[test]
fn any_max_length_works_usize_max_included() {
    each(|transport, buffered| {
        let (mut a, mut b) = pair(transport, buffered);
        a.send(b"first\nsecond\r\nlast").unwrap();
        a.close();
        let opts = ReadOptions::new().max_length(usize::MAX);
        assert_eq!(b.recv_line_with(&opts).unwrap(), "first");
        let mut line = Vec::new();
        assert_eq!(b.read_line_bytes(&mut line, &opts).unwrap(), ReadLineResult::FullLine);
        assert_eq!(line, b"second");
        assert_eq!(b.read_line_bytes(&mut line, &opts).unwrap(), ReadLineResult::PartialLine);
        assert_eq!(line, b"last");
        let near = ReadOptions::new().max_length(usize::MAX - 1);
        assert_eq!(b.read_line_bytes(&mut line, &near).unwrap(), ReadLineResult::Disconnected, "{transport:?}");
    });
}
