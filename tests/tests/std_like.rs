//! The std habits: `shutdown`, `incoming`, a lines iterator, `Port: FromStr`, `|=` on flags,
//! `?` on `io::Error`, `SOMAXCONN`, and `from_sock_addr` against hostile lengths.

use std::net::Shutdown;

use net::{from_sock_addr, to_sock_addr, Domain, Error, Port, ReadOptions, Socket, SocketFlag, SocketFlags};
use net_tests::{each, listener, pair, Transport};

#[test]
fn shutdown_write_ends_the_peers_stream_and_keeps_the_other_way_open() {
    each(|transport, buffered| {
        let (mut w, mut r) = pair(transport, buffered);
        w.send(b"last\n").unwrap();
        w.shutdown(Shutdown::Write).unwrap();
        assert_eq!(r.recv_line().unwrap(), "last");
        assert_eq!(r.recv_line().unwrap(), "", "{transport:?}");
        r.send(b"back\n").unwrap();
        assert_eq!(w.recv_line().unwrap(), "back", "{transport:?}");
        assert!(matches!(w.send(b"x"), Err(Error::Io { .. })), "{transport:?}: writing after shutdown");
    });
}

#[test]
fn shutdown_read_keeps_what_is_buffered_and_both_ends_everything() {
    let (mut w, mut r) = pair(Transport::Tcp4, true);
    w.send(b"one\ntwo\n").unwrap();
    assert_eq!(r.recv_line().unwrap(), "one");
    r.shutdown(Shutdown::Read).unwrap();
    assert_eq!(r.recv_line().unwrap(), "two", "buffered bytes survive a read shutdown");
    r.shutdown(Shutdown::Both).unwrap();
    assert_eq!(w.recv_line().unwrap(), "");
    let mut closed = Socket::tcp().unwrap();
    closed.close();
    assert!(matches!(closed.shutdown(Shutdown::Both), Err(Error::Closed { op: "shutdown" })));
    let mut unconnected = Socket::tcp().unwrap();
    assert!(matches!(unconnected.shutdown(Shutdown::Write), Err(Error::Io { op: "shutdown", .. })));
}

#[test]
fn incoming_yields_each_client() {
    let mut server = listener(Domain::Inet6);
    let port = server.local_addr().unwrap().port();
    let mut clients: Vec<Socket> = (0..3).map(|_| net::dial("::1", port).unwrap()).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        c.send(format!("client {i}\n").as_bytes()).unwrap();
    }
    let mut seen: Vec<String> = server.incoming().take(3).map(|conn| conn.unwrap().recv_line().unwrap()).collect();
    seen.sort();
    assert_eq!(seen, ["client 0", "client 1", "client 2"]);
}

#[test]
fn lines_iterates_with_this_librarys_line_rules() {
    each(|transport, buffered| {
        let (mut w, mut r) = pair(transport, buffered);
        w.send(b"a\r\n\r\nb\nc\rd\r\n\nlast").unwrap();
        w.close();
        let lines: Vec<String> = r.lines(ReadOptions::new()).collect::<Result<_, _>>().unwrap();
        assert_eq!(lines, ["a", "", "b", "c", "d", "", "last"], "{transport:?} buffered={buffered}");
    });
    // Long lines come in pieces of max_length; a timeout is an item and the iterator goes on.
    let (mut w, mut r) = pair(Transport::Unix, true);
    w.send(b"abcdefg\npart").unwrap();
    let opts = ReadOptions::new().max_length(3).timeout(std::time::Duration::from_millis(30));
    let mut lines = r.lines(opts);
    assert_eq!(lines.next().unwrap().unwrap(), "abc");
    assert_eq!(lines.next().unwrap().unwrap(), "def");
    assert_eq!(lines.next().unwrap().unwrap(), "g");
    assert_eq!(lines.next().unwrap().unwrap(), "par");
    assert!(matches!(lines.next(), Some(Err(Error::Timeout { .. }))));
    drop(lines);
    w.send(b"\n").unwrap();
    w.close();
    let rest: Vec<String> = r.lines(ReadOptions::new()).collect::<Result<_, _>>().unwrap();
    assert_eq!(rest, ["t"]);
}

#[test]
fn ports_parse_from_text_and_refuse_hostile_text() {
    assert_eq!("0".parse::<Port>(), Ok(Port(0)));
    assert_eq!("65535".parse::<Port>(), Ok(Port(65535)));
    for bad in ["", " 80", "80 ", "65536", "-1", "+", "0x50", "８０", "99999999999999999999", "8o"] {
        assert!(bad.parse::<Port>().is_err(), "{bad:?} parsed");
    }
}

#[test]
fn flags_combine_with_or_and_or_assign() {
    let mut flags = SocketFlags::empty();
    flags |= SocketFlag::Peek;
    assert!(flags.contains(SocketFlag::Peek) && !flags.contains(SocketFlag::SafeDisconn));
    flags |= SocketFlags::default();
    assert!(flags.contains(SocketFlag::SafeDisconn));
    assert_eq!(SocketFlags::empty() | SocketFlags::default(), SocketFlags::default());
    assert_eq!(SocketFlag::Peek | SocketFlag::SafeDisconn, SocketFlags::default() | SocketFlag::Peek);
}

#[test]
fn question_mark_works_on_io_errors_and_somaxconn_is_the_os_limit() {
    fn read(path: &str) -> net::Result<Vec<u8>> {
        Ok(std::fs::read(path)?)
    }
    let err = read("/definitely/not/here").unwrap_err();
    assert!(matches!(err, Error::Io { op: "io", .. }));
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(err.raw_os_error(), Some(libc::ENOENT));
    assert_eq!(net::SOMAXCONN, libc::SOMAXCONN);
}

/// A `sockaddr` of `family` with `len` bytes as its length (at most the storage's size).
fn sock_addr(family: i32, len: u32) -> socket2::SockAddr {
    let mut storage = socket2::SockAddrStorage::zeroed();
    let len = len.min(storage.size_of());
    #[allow(unsafe_code)]
    // SAFETY: `sockaddr_storage` is a `sockaddr_*` type of this platform (view_as's contract);
    // the storage is zeroed, only the family is set, and `len` is at most the storage's size,
    // as `SockAddr::new` requires.
    unsafe {
        storage.view_as::<libc::sockaddr_storage>().ss_family = family as libc::sa_family_t;
        socket2::SockAddr::new(storage, len)
    }
}

#[test]
fn from_sock_addr_checks_the_length_against_the_family() {
    let v4 = std::mem::size_of::<libc::sockaddr_in>() as u32;
    let v6 = std::mem::size_of::<libc::sockaddr_in6>() as u32;
    for (family, good) in [(libc::AF_INET, v4), (libc::AF_INET6, v6)] {
        assert!(from_sock_addr(&sock_addr(family, good)).is_ok(), "family {family}");
        for len in [0, 1, 2, 3, good / 2, good - 1, good + 1, 128] {
            match from_sock_addr(&sock_addr(family, len)) {
                Err(Error::InvalidArgument { op: "from_sock_addr", reason }) => {
                    assert!(reason.contains(&len.to_string()), "{reason}")
                }
                other => panic!("family {family}, length {len}: {other:?}"),
            }
        }
    }
    for family in [libc::AF_UNIX, libc::AF_UNSPEC, 200] {
        assert!(matches!(from_sock_addr(&sock_addr(family, 16)), Err(Error::InvalidArgument { .. })));
    }
    // A real address round-trips.
    let sa = to_sock_addr("::1".parse().unwrap(), 9);
    assert_eq!(from_sock_addr(&sa).unwrap(), ("::1".parse().unwrap(), Port(9)));
}

#[test]
fn errors_quote_hostile_input_bounded() {
    let huge = "9".repeat(1 << 20);
    let message = net::parse_ip_address(&huge).unwrap_err().to_string();
    assert!(message.len() < 300, "a {}-byte message", message.len());
    assert!(message.contains("1048576 bytes"), "{message}");
    // A host name that does not resolve (built here: no resolver is asked).
    let long_host = Error::Resolve { host: "x".repeat(100_000), port: 80, source: None };
    let message = long_host.to_string();
    assert!(message.len() < 200 && message.contains("100000 bytes"), "{message}");
    // Cut on a character boundary, never inside one.
    let wide = "é".repeat(100);
    let message = net::parse_ip_address(&wide).unwrap_err().to_string();
    assert!(message.is_char_boundary(message.len()));
}

#[test]
fn try_clone_shares_the_connection_and_refuses_when_bytes_would_be_split() {
    each(|transport, buffered| {
        let (mut w, mut r) = pair(transport, buffered);
        let mut w2 = w.try_clone().unwrap();
        assert_eq!(w2.is_buffered(), w.is_buffered());
        w2.send(b"via the clone\n").unwrap();
        w.send(b"via the original\n").unwrap();
        assert_eq!(r.recv_line().unwrap(), "via the clone");
        assert_eq!(r.recv_line().unwrap(), "via the original");
        drop(w2);
        w.send(b"still open\n").unwrap();
        assert_eq!(r.recv_line().unwrap(), "still open", "{transport:?}: dropping the clone closes only it");
        if buffered {
            w.send(b"a\nb\n").unwrap();
            assert_eq!(r.recv_line().unwrap(), "a");
            if r.has_data_buffered() {
                assert!(matches!(r.try_clone(), Err(Error::InvalidArgument { op: "try_clone", .. })));
            }
        }
    });
    let mut closed = Socket::tcp().unwrap();
    closed.close();
    assert!(matches!(closed.try_clone(), Err(Error::Closed { .. })));
}

#[test]
fn conversions_back_to_std_unix_and_socket2() {
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    let (a, mut b) = (Socket::from(a), Socket::from(b));
    let mut std_a: std::os::unix::net::UnixStream = a.try_into().unwrap();
    std::io::Write::write_all(&mut std_a, b"std again\n").unwrap();
    assert_eq!(b.recv_line().unwrap(), "std again");
    let raw: socket2::Socket = b.try_into().unwrap();
    assert!(raw.peer_addr().is_ok());
    let path = std::env::temp_dir().join(format!("net-std-like-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut l = Socket::unix_stream().unwrap();
    l.bind_unix(&path).unwrap();
    l.listen().unwrap();
    let std_l: std::os::unix::net::UnixListener = l.try_into().unwrap();
    assert!(std_l.local_addr().is_ok());
    let _ = std::fs::remove_file(&path);
    let d = Socket::from(std::os::unix::net::UnixDatagram::unbound().unwrap());
    let _: std::os::unix::net::UnixDatagram = d.try_into().unwrap();
}

#[test]
fn recv_from_with_a_timeout_and_peek() {
    let mut rx = Socket::udp().unwrap();
    rx.bind_addr(0, "127.0.0.1").unwrap();
    let port = rx.local_addr().unwrap().port();
    let mut buf = [0u8; 16];
    let quick = ReadOptions::new().timeout(std::time::Duration::from_millis(30));
    assert!(matches!(rx.recv_from_with(&mut buf, &quick), Err(Error::Timeout { op: "recv_from", .. })));
    let mut tx = Socket::udp().unwrap();
    tx.send_to("127.0.0.1", port, b"datagram").unwrap();
    let peek = quick.flag(SocketFlag::Peek);
    assert_eq!(rx.recv_from_with(&mut buf, &peek).unwrap().0, 8);
    assert_eq!(rx.recv_from_with(&mut buf, &peek).unwrap().0, 8, "a peek leaves it");
    let (n, ip, _) = rx.recv_from_with(&mut buf, &quick).unwrap();
    assert_eq!((&buf[..n], ip.to_string().as_str()), (&b"datagram"[..], "127.0.0.1"));
    assert!(matches!(
        rx.recv_from_with(&mut buf, &ReadOptions::new().timeout(std::time::Duration::ZERO)),
        Err(Error::Timeout { .. })
    ));
}

#[test]
fn a_wrong_family_address_says_so() {
    let mut v4 = Socket::tcp().unwrap();
    match v4.connect("::1", 80) {
        Err(e @ Error::AddressFamily { found: Domain::Inet6, socket: Domain::Inet, .. }) => {
            assert_eq!(e.to_string(), "\"::1\" is an IPv6 address, but the socket is IPv4");
        }
        other => panic!("{other:?}"),
    }
    let mut v6 = Socket::tcp6().unwrap();
    // An IPv6 socket takes IPv4 addresses (IPv4-mapped), so binding it to one works.
    assert!(v6.bind_addr(0, "127.0.0.1").is_ok());
    let mut v4 = Socket::tcp().unwrap();
    assert!(matches!(v4.bind_addr(0, "::"), Err(Error::AddressFamily { .. })));
}
