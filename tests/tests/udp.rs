//! Datagrams over IPv4 and IPv6: `send_to` by literal, name and `IpAddress`; `recv_from` in
//! both forms; truncation reported; stream sockets refused.

use net::{ipv4_loopback, ipv6_loopback, Error, Port, Socket};

fn receiver(v6: bool) -> (Socket, u16) {
    let mut rx = if v6 { Socket::udp6().unwrap() } else { Socket::udp().unwrap() };
    rx.bind_addr(0, if v6 { "::1" } else { "127.0.0.1" }).unwrap();
    let port = rx.local_addr().unwrap().port();
    (rx, port)
}

#[test]
fn literal_name_and_ip_forms() {
    let (mut rx, port) = receiver(false);
    let mut tx = Socket::udp().unwrap();
    assert_eq!(tx.send_to("127.0.0.1", port, b"literal").unwrap(), 7);
    assert_eq!(tx.send_to("localhost", port, b"name").unwrap(), 4);
    assert_eq!(tx.send_to_addr(ipv4_loopback(), Port(port), b"ip").unwrap(), 2);
    let mut buf = [0u8; 64];
    let tx_port = tx.local_addr().unwrap().port();
    for want in [&b"literal"[..], b"name", b"ip"] {
        let (n, from, from_port) = rx.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], want);
        assert_eq!((from, from_port), (ipv4_loopback(), Port(tx_port)));
    }

    let (mut rx6, port6) = receiver(true);
    let mut tx6 = Socket::udp6().unwrap();
    tx6.send_to("::1", port6, b"six").unwrap();
    tx6.send_to_addr(ipv6_loopback(), port6, b"six ip").unwrap();
    let (n, from, _) = rx6.recv_from(&mut buf).unwrap();
    assert_eq!((&buf[..n], from), (&b"six"[..], ipv6_loopback()));
    let (n, host, _) = rx6.recv_from_host(&mut buf).unwrap();
    assert_eq!((&buf[..n], host.as_str()), (&b"six ip"[..], "::1"));
}

#[test]
fn dual_stack_receiver_sees_ipv4_senders() {
    let mut rx = Socket::udp6().unwrap();
    rx.bind_addr(0, "").unwrap();
    let port = rx.local_addr().unwrap().port();
    let mut tx = Socket::udp().unwrap();
    tx.send_to("127.0.0.1", port, b"from v4").unwrap();
    tx.send_to("127.0.0.1", port, b"again").unwrap();
    let mut buf = [0u8; 16];
    let (_, ip, _) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(ip.to_string(), "::ffff:127.0.0.1");
    // The text form shows the IPv4 address, as Nim's does.
    let (_, host, _) = rx.recv_from_host(&mut buf).unwrap();
    assert_eq!(host, "127.0.0.1");
    // And an IPv6 socket sends to an IPv4 address, mapped.
    let (mut rx4, port4) = receiver(false);
    rx.send_to_addr(ipv4_loopback(), port4, b"mapped").unwrap();
    let (n, _, _) = rx4.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"mapped");
}

#[test]
fn oversized_and_empty_datagrams() {
    let (mut rx, port) = receiver(false);
    let mut tx = Socket::udp().unwrap();
    tx.send_to("127.0.0.1", port, &[9u8; 1000]).unwrap();
    tx.send_to("127.0.0.1", port, b"").unwrap();
    let mut small = [0u8; 10];
    match rx.recv_from(&mut small) {
        Err(Error::DatagramTruncated { size, capacity }) => assert_eq!((size, capacity), (1000, 10)),
        other => panic!("{other:?}"),
    }
    assert_eq!(small, [9u8; 10], "the part that fit is there");
    assert_eq!(rx.recv_from(&mut small).unwrap().0, 0);
}

#[test]
fn stream_sockets_refuse_datagram_calls() {
    let mut tcp = Socket::tcp().unwrap();
    let err = tcp.send_to("127.0.0.1", 9, b"x").unwrap_err();
    assert!(matches!(err, Error::Unsupported { op: "send_to", .. }), "{err}");
    assert!(matches!(tcp.recv_from(&mut [0u8; 4]), Err(Error::Unsupported { op: "recv_from", .. })));
    assert!(matches!(tcp.send_to_addr(ipv4_loopback(), 9, b"x"), Err(Error::Unsupported { .. })));
}

#[test]
fn listen_on_udp_is_an_os_error() {
    let (mut rx, _) = receiver(false);
    let err = rx.listen().unwrap_err();
    assert!(err.raw_os_error().is_some(), "{err}");
    assert!(err.to_string().starts_with("listen"), "{err}");
}

#[test]
fn recv_from_on_a_unix_datagram_socket_is_refused_and_takes_nothing() {
    let (a, b) = std::os::unix::net::UnixDatagram::pair().unwrap();
    a.send(b"kept").unwrap();
    let mut rx = Socket::from(b);
    let mut buf = [0u8; 16];
    let err = rx.recv_from(&mut buf).unwrap_err();
    assert!(matches!(err, Error::Unsupported { op: "recv_from", .. }), "{err}");
    assert!(err.to_string().contains("a Unix socket") && err.to_string().contains("UnixDatagram"), "{err}");
    // The datagram is still there, for the socket std reads Unix datagrams with.
    let unix = std::os::unix::net::UnixDatagram::try_from(rx).unwrap();
    assert_eq!(unix.recv(&mut buf).unwrap(), 4);
    assert_eq!(&buf[..4], b"kept");
}

#[test]
fn a_datagram_larger_than_udp_allows_is_an_error_naming_the_peer() {
    let (_rx, port) = receiver(false);
    let mut tx = Socket::udp().unwrap();
    let err = tx.send_to("127.0.0.1", port, &vec![0u8; 70_000]).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EMSGSIZE), "{err}");
    assert!(err.to_string().contains(&format!("127.0.0.1:{port}")), "{err}");
    // Nothing of it went out, and the socket still sends.
    assert_eq!(tx.send_to("127.0.0.1", port, b"after").unwrap(), 5);
}
