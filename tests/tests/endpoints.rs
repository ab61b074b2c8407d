//! connect, bind, send_to and dial taking a `SocketAddr`, an IP and port, or a host and port
//! alike (`IntoEndpoint`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::time::Duration;

use net::{dial_to, Domain, Endpoint, Error, IntoEndpoint, Port, Socket};
use net_tests::listener;

/// Every form naming the listener at `addr`, in both port types where there are two.
fn forms(addr: SocketAddr) -> Vec<Endpoint<'static>> {
    let ip = addr.ip();
    let port = addr.port();
    let mut all = vec![
        addr.into_endpoint().into_owned(),
        (ip, port).into_endpoint().into_owned(),
        (ip, Port(port)).into_endpoint().into_owned(),
        Endpoint::Host(ip.to_string().into(), Port(port)),
        (ip.to_string(), port).into_endpoint().into_owned(),
    ];
    match addr {
        SocketAddr::V4(v4) => {
            all.push(v4.into_endpoint().into_owned());
            all.push((*v4.ip(), port).into_endpoint().into_owned());
            all.push(Endpoint::Host("localhost".into(), Port(port)));
        }
        SocketAddr::V6(v6) => {
            all.push(v6.into_endpoint().into_owned());
            all.push((*v6.ip(), port).into_endpoint().into_owned());
        }
    }
    all
}

#[test]
fn connect_and_connect_timeout_take_every_form() {
    for domain in [Domain::Inet, Domain::Inet6] {
        let mut server = listener(domain);
        let addr = server.local_addr().unwrap();
        for (i, to) in forms(addr).into_iter().enumerate() {
            let mut client = Socket::builder().domain(domain).build().unwrap();
            if i % 2 == 0 {
                client.connect_to(&to).unwrap_or_else(|e| panic!("connect_to({to}): {e}"));
            } else {
                client.connect_to_timeout(&to, Duration::from_secs(5)).unwrap_or_else(|e| panic!("{to}: {e}"));
            }
            let mut conn = server.accept().unwrap();
            client.send(format!("{to}\n").as_bytes()).unwrap();
            assert_eq!(conn.recv_line().unwrap(), to.to_string());
        }
    }
}

#[test]
fn dial_to_takes_every_form_on_either_family() {
    for domain in [Domain::Inet, Domain::Inet6] {
        let mut server = listener(domain);
        let addr = server.local_addr().unwrap();
        for to in forms(addr) {
            let mut client = dial_to(&to).unwrap_or_else(|e| panic!("dial_to({to}): {e}"));
            assert_eq!(client.peer_addr().unwrap().port(), addr.port());
            let mut conn = server.accept().unwrap();
            conn.send(b"hi\n").unwrap();
            assert_eq!(client.recv_line().unwrap(), "hi");
        }
    }
}

#[test]
fn bind_to_takes_every_form_and_the_empty_host_is_the_any_address() {
    let v4 = SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0);
    let v6 = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0);
    let cases: Vec<(Domain, Endpoint<'_>, IpAddr)> = vec![
        (Domain::Inet, v4.into_endpoint(), Ipv4Addr::LOCALHOST.into()),
        (Domain::Inet, SocketAddr::from(v4).into_endpoint().into_owned(), Ipv4Addr::LOCALHOST.into()),
        (Domain::Inet, (Ipv4Addr::LOCALHOST, 0).into_endpoint(), Ipv4Addr::LOCALHOST.into()),
        (Domain::Inet, ("127.0.0.1", 0).into_endpoint(), Ipv4Addr::LOCALHOST.into()),
        (Domain::Inet, ("", 0).into_endpoint(), Ipv4Addr::UNSPECIFIED.into()),
        (Domain::Inet6, v6.into_endpoint(), Ipv6Addr::LOCALHOST.into()),
        (Domain::Inet6, (Ipv6Addr::LOCALHOST, Port(0)).into_endpoint(), Ipv6Addr::LOCALHOST.into()),
        (Domain::Inet6, ("", Port(0)).into_endpoint(), Ipv6Addr::UNSPECIFIED.into()),
    ];
    for (domain, to, want) in cases {
        let mut s = Socket::builder().domain(domain).build().unwrap();
        s.bind_to(&to).unwrap_or_else(|e| panic!("bind_to({to}): {e}"));
        assert_eq!(s.local_addr().unwrap().ip(), want, "{to}");
        assert_ne!(s.local_addr().unwrap().port(), 0, "{to}");
    }
}

#[test]
fn send_to_endpoint_takes_every_form() {
    let mut rx = Socket::udp().unwrap();
    rx.bind_to((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = rx.local_addr().unwrap();
    let mut tx = Socket::udp().unwrap();
    for to in forms(addr) {
        let text = to.to_string();
        assert_eq!(tx.send_to_endpoint(&to, text.as_bytes()).unwrap(), text.len());
        let mut buf = [0u8; 64];
        let (n, from, _) = rx.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], text.as_bytes());
        assert!(from.is_loopback());
    }
}

#[test]
fn an_ipv4_endpoint_on_an_ipv6_socket_is_mapped_and_an_ipv6_one_on_an_ipv4_socket_is_refused() {
    let mut rx = Socket::udp6().unwrap();
    rx.bind_to(("::", 0)).unwrap();
    let port = rx.local_addr().unwrap().port();
    let mut tx = Socket::udp6().unwrap();
    assert_eq!(tx.send_to_endpoint((Ipv4Addr::LOCALHOST, port), b"x").unwrap(), 1);
    let mut buf = [0u8; 4];
    assert_eq!(rx.recv_from(&mut buf).unwrap().0, 1);

    let mut v4 = Socket::tcp().unwrap();
    let to = SocketAddr::from((Ipv6Addr::LOCALHOST, 9));
    match v4.connect_to(to) {
        Err(Error::AddressFamily { found: Domain::Inet6, socket: Domain::Inet, address }) => {
            assert!(address.contains("::1"), "{address}")
        }
        other => panic!("expected AddressFamily, got {other:?}"),
    }
    assert!(matches!(v4.bind_to(to), Err(Error::AddressFamily { .. })));
}

#[test]
fn endpoints_print_as_std_does_and_name_their_host() {
    let v6: SocketAddr = "[::1]:443".parse().unwrap();
    assert_eq!(v6.into_endpoint().to_string(), v6.to_string());
    assert_eq!(v6.into_endpoint().host(), "::1");
    assert_eq!(("::1", 443).into_endpoint().to_string(), "[::1]:443");
    assert_eq!(("example.com", 443).into_endpoint().host(), "example.com");
    assert_eq!(("example.com".to_owned(), Port(1)).into_endpoint().port(), Port(1));
}

#[test]
fn a_name_that_does_not_resolve_is_a_resolve_error_naming_it() {
    let err = dial_to(("no-such-host.invalid", 80)).unwrap_err();
    assert!(matches!(err, Error::Resolve { .. }), "{err:?}");
    assert!(err.to_string().contains("no-such-host.invalid"), "{err}");
}
