//! Client and server: connect (with and without timeout), bind, listen, accept, dial, close,
//! and every operation on a closed socket.

use std::time::Duration;

use net::{dial, dial_with, Domain, Error, Protocol, SockOpt, Socket};
use net_tests::{is_nonblocking, listener};

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
fn closed_port() -> u16 {
    let mut s = Socket::tcp().unwrap();
    s.bind_addr(0, "127.0.0.1").unwrap();
    let port = s.local_addr().unwrap().port();
    s.close();
    port
}

#[test]
fn connect_by_literal_and_by_name() {
    for (domain, host) in [(Domain::Inet, "127.0.0.1"), (Domain::Inet6, "::1"), (Domain::Inet, "localhost")] {
        let mut server = listener(if host == "::1" { Domain::Inet6 } else { Domain::Inet });
        let port = server.local_addr().unwrap().port();
        let mut client = Socket::builder().domain(domain).build().unwrap();
        client.connect(host, port).unwrap();
        let (mut conn, address) = server.accept_addr().unwrap();
        assert_eq!(address, if host == "::1" { "::1" } else { "127.0.0.1" });
        client.send(b"hi\n").unwrap();
        assert_eq!(conn.recv_line().unwrap(), "hi");
        assert_eq!(client.peer_addr().unwrap(), server.local_addr().unwrap());
        assert_eq!(conn.peer_addr().unwrap(), client.local_addr().unwrap());
    }
}

#[test]
fn ipv6_listener_reports_the_real_peer_address() {
    let mut server = Socket::tcp6().unwrap();
    server.bind_addr(0, "").unwrap();
    server.listen().unwrap();
    let port = server.local_addr().unwrap().port();
    // An IPv4 client on a dual-stack listener; Nim reports "0.0.0.0" for both.
    let _v4 = dial("127.0.0.1", port).unwrap();
    let (_conn, address) = server.accept_addr().unwrap();
    assert_eq!(address, "::ffff:127.0.0.1");
    let _v6 = dial("::1", port).unwrap();
    assert_eq!(server.accept_addr().unwrap().1, "::1");
}

#[test]
fn ipv6_socket_connects_to_an_ipv4_literal_mapped() {
    let mut server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let mut client = Socket::tcp6().unwrap();
    client.connect("127.0.0.1", port).unwrap();
    assert_eq!(client.peer_addr().unwrap().ip().to_string(), "::ffff:127.0.0.1");
    drop(server.accept().unwrap());
}

#[test]
fn connecting_to_a_closed_port_is_refused() {
    let port = closed_port();
    let mut client = Socket::tcp().unwrap();
    let err = client.connect("127.0.0.1", port).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
    assert_eq!(client.last_error().unwrap().and_then(|e| e.raw_os_error()), Some(libc::ECONNREFUSED));

    // With a timeout, a refusal is still a refusal, and the socket is blocking again.
    let mut client = Socket::tcp().unwrap();
    let err = client.connect_timeout("127.0.0.1", port, Duration::from_secs(2)).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    assert!(!is_nonblocking(&client));
    assert!(dial("127.0.0.1", port).is_err());
}

#[test]
fn connect_timeout_expires_against_a_full_backlog() {
    // A listener that never accepts, with the smallest backlog: once its queue is full, the
    // kernel drops new SYNs and connects hang. Loopback only.
    let mut server = Socket::tcp().unwrap();
    server.bind_addr(0, "127.0.0.1").unwrap();
    server.listen_backlog(0).unwrap();
    let port = server.local_addr().unwrap().port();
    let mut held = Vec::new();
    for _ in 0..64 {
        let mut client = Socket::tcp().unwrap();
        match client.connect_timeout("127.0.0.1", port, Duration::from_millis(200)) {
            Ok(()) => held.push(client),
            Err(err) => {
                assert!(matches!(err, Error::Timeout { op: "connect", .. }), "{err}");
                assert_eq!(err.kind(), std::io::ErrorKind::TimedOut);
                assert!(!is_nonblocking(&client), "blocking mode restored after a timeout");
                return;
            }
        }
    }
    panic!("the backlog never filled after {} connections", held.len());
}

#[test]
fn binding_an_address_in_use_names_it() {
    let server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let mut other = Socket::tcp().unwrap();
    let err = other.bind_addr(port, "127.0.0.1").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse, "{err}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
}

#[test]
fn empty_address_binds_the_family_any_address() {
    let mut v4 = Socket::tcp().unwrap();
    v4.bind_addr(0, "").unwrap();
    assert_eq!(v4.local_addr().unwrap().ip().to_string(), "0.0.0.0");
    let mut v6 = Socket::tcp6().unwrap();
    v6.bind_addr(0, "").unwrap();
    assert_eq!(v6.local_addr().unwrap().ip().to_string(), "::");
    let mut unix = Socket::unix_stream().unwrap();
    assert!(matches!(unix.bind_addr(0, ""), Err(Error::InvalidArgument { op: "bind_addr", .. })));
    // An IPv6 address on an IPv4 socket cannot be used.
    let mut v4 = Socket::tcp().unwrap();
    assert!(matches!(v4.bind_addr(0, "::1"), Err(Error::AddressFamily { .. })));
}

#[test]
fn dial_tries_ipv4_and_ipv6_tcp_and_udp() {
    let mut v4 = listener(Domain::Inet);
    let mut c = dial("127.0.0.1", v4.local_addr().unwrap().port()).unwrap();
    assert!(c.is_buffered());
    assert_eq!(c.domain(), Domain::Inet);
    c.send(b"x\n").unwrap();
    assert_eq!(v4.accept().unwrap().recv_line().unwrap(), "x");

    let mut v6 = listener(Domain::Inet6);
    let c = dial("::1", v6.local_addr().unwrap().port()).unwrap();
    assert_eq!(c.domain(), Domain::Inet6);
    drop(v6.accept().unwrap());

    let c = dial_with("localhost", v4.local_addr().unwrap().port(), Protocol::Tcp, false).unwrap();
    assert!(!c.is_buffered());

    let mut rx = Socket::udp().unwrap();
    rx.bind_addr(0, "127.0.0.1").unwrap();
    let mut tx = dial_with("127.0.0.1", rx.local_addr().unwrap().port(), Protocol::Udp, false).unwrap();
    tx.send(b"datagram").unwrap();
    let mut buf = [0u8; 32];
    let (n, from, port) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"datagram");
    assert_eq!((from, port.0), (tx.local_addr().unwrap().ip(), tx.local_addr().unwrap().port()));
}

#[test]
fn accepted_sockets_inherit_buffering() {
    let mut server = Socket::builder().buffered(false).buffer_size(123).build().unwrap();
    server.bind_addr(0, "127.0.0.1").unwrap();
    server.listen().unwrap();
    let _c = dial("127.0.0.1", server.local_addr().unwrap().port()).unwrap();
    let conn = server.accept().unwrap();
    assert!(!conn.is_buffered());
    assert_eq!(conn.buffer_size(), 123);
}

#[test]
fn every_operation_on_a_closed_socket_is_an_error() {
    let mut s = Socket::tcp().unwrap();
    s.close();
    s.close();
    assert!(s.is_closed());
    let errors = vec![
        s.connect("127.0.0.1", 1).unwrap_err(),
        s.connect_timeout("127.0.0.1", 1, Duration::from_millis(10)).unwrap_err(),
        s.bind_addr(0, "127.0.0.1").unwrap_err(),
        s.listen().unwrap_err(),
        s.accept().unwrap_err(),
        s.send(b"x").unwrap_err(),
        s.recv(1).unwrap_err(),
        s.recv_line().unwrap_err(),
        s.skip(1).unwrap_err(),
        s.send_to("127.0.0.1", 1, b"x").unwrap_err(),
        s.recv_from(&mut [0u8; 1]).unwrap_err(),
        s.get_sock_opt(SockOpt::ReuseAddr).unwrap_err(),
        s.set_sock_opt(SockOpt::ReuseAddr, true).unwrap_err(),
        s.local_addr().unwrap_err(),
        s.peer_addr().unwrap_err(),
        s.fd().unwrap_err(),
        s.io_handle().unwrap_err(),
        s.last_error().unwrap_err(),
        s.bind_unix("/tmp/never").unwrap_err(),
        s.connect_unix("/tmp/never").unwrap_err(),
    ];
    for err in &errors {
        assert!(matches!(err, Error::Closed { .. }), "{err}");
        assert!(err.to_string().contains("closed socket"), "{err}");
    }
    assert_eq!(std::os::fd::AsRawFd::as_raw_fd(&s), -1);
}

#[test]
fn conversions_to_and_from_std_and_socket2() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = std_listener.local_addr().unwrap().port();
    let mut server = Socket::from(std_listener);
    assert_eq!(server.domain(), Domain::Inet);
    assert_eq!(server.protocol(), Protocol::Tcp);
    let std_client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut client = Socket::from(std_client);
    let mut conn = server.accept().unwrap();
    client.send(b"std\n").unwrap();
    assert_eq!(conn.recv_line().unwrap(), "std");
    let back: std::net::TcpStream = client.try_into().unwrap();
    assert_eq!(back.peer_addr().unwrap().port(), port);

    let udp = Socket::from(std::net::UdpSocket::bind("[::1]:0").unwrap());
    assert_eq!((udp.domain(), udp.protocol()), (Domain::Inet6, Protocol::Udp));
    let raw: socket2::Socket = udp.into_socket2().unwrap();
    let again = Socket::from(raw);
    assert_eq!(again.sock_type(), net::SockType::Dgram);

    // Buffered bytes are never dropped by a conversion.
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    let (mut a, mut b) = (Socket::from(a), Socket::from(b));
    a.send(b"one\ntwo\n").unwrap();
    assert_eq!(b.recv_line().unwrap(), "one");
    assert!(matches!(b.into_socket2(), Err(Error::InvalidArgument { .. })));
}

#[test]
fn a_connect_without_a_timeout_is_one_socket_and_one_connect_call() {
    let mut server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let (client, counts) = net_tests::syscalls::count_syscalls(|| {
        let mut client = Socket::tcp().unwrap();
        client.connect("127.0.0.1", port).unwrap();
        client
    });
    let calls = |name: &str| counts.get(name).copied().unwrap_or(0);
    assert_eq!((calls("socket"), calls("connect")), (1, 1), "{counts:?}");
    // The mode is asked for (to be put back) by a timed connect alone.
    assert_eq!(calls("fcntl"), 0, "{counts:?}");
    let (mut conn, _) = server.accept_addr().unwrap();
    drop(client);
    assert_eq!(conn.recv_line().unwrap(), "");
}
