//! `send_with`: `More` holds data for the next send, `Peek` is refused, `SafeDisconn` does not
//! hide a dead peer, and a TLS socket refuses OS send flags.

use net::{Error, Protocol, Socket, SocketFlag, SocketFlags};
use net_tests::{pair, Transport};

#[test]
fn more_on_udp_joins_the_sends_into_one_datagram() {
    let mut rx = Socket::udp().unwrap();
    rx.bind_addr(0, "127.0.0.1").unwrap();
    let port = rx.local_addr().unwrap().port();
    let mut tx = net::dial_with("127.0.0.1", port, Protocol::Udp, false).unwrap();
    tx.send_with(b"a", SocketFlag::More.into()).unwrap();
    tx.send_with(b"b", SocketFlag::More | SocketFlag::SafeDisconn).unwrap();
    tx.send(b"c").unwrap();
    tx.send(b"d").unwrap();
    let mut buf = [0u8; 8];
    let (n, _, _) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"abc");
    let (n, _, _) = rx.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"d");
}

#[test]
fn more_on_tcp_and_unix_delivers_every_byte_in_order() {
    for t in [Transport::Tcp4, Transport::Tcp6, Transport::Unix] {
        let (mut w, mut r) = pair(t, true);
        w.send_with(b"first ", SocketFlag::More.into()).unwrap();
        w.send_with(b"second\n", SocketFlags::default()).unwrap();
        assert_eq!(r.recv_line().unwrap(), "first second", "{t:?}");
    }
}

#[test]
fn peek_is_refused_and_nothing_is_sent() {
    let (mut w, mut r) = pair(Transport::Unix, false);
    let err = w.send_with(b"x", SocketFlag::Peek.into()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { op: "send", .. }), "{err:?}");
    w.send(b"y").unwrap();
    assert_eq!(r.recv(1).unwrap(), b"y");
}

#[test]
fn safe_disconn_does_not_hide_a_dead_peer() {
    let (mut w, r) = pair(Transport::Tcp4, false);
    drop(r);
    let big = vec![0u8; 8 << 20];
    assert!(w.send_with(&big, SocketFlags::default()).is_err());
}

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
#[test]
fn a_tls_socket_refuses_send_flags() {
    use net_tests::certs::Pki;
    use net_tests::tls::verified_pair;
    let pki = Pki::new("send-flags");
    for kind in net::tls::enabled_backends() {
        let (mut c, mut s) = verified_pair(kind, &pki);
        let err = c.send_with(b"x", SocketFlag::More.into()).unwrap_err();
        assert!(matches!(err, Error::Unsupported { op: "send", .. }), "{kind:?}: {err:?}");
        c.send_with(b"ok\n", SocketFlags::default()).unwrap();
        assert_eq!(s.recv_line().unwrap(), "ok", "{kind:?}");
    }
}
