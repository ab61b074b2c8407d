//! No descriptor leaks: 1,000 connect/accept/close cycles, failed connects, failed binds,
//! datagrams and Unix sockets leave the count of open descriptors where it was. Alone in its
//! binary so that no other test opens descriptors meanwhile.

use std::time::Duration;

use net::{dial, Domain, Socket};
use net_tests::{listener, open_fds};

#[test]
fn no_descriptor_survives_its_socket() {
    let mut server = listener(Domain::Inet);
    let port = server.local_addr().unwrap().port();
    let before = open_fds();

    for i in 0..1000 {
        let mut client = dial("127.0.0.1", port).unwrap();
        let (mut conn, _) = server.accept_addr().unwrap();
        client.send(b"x\n").unwrap();
        assert_eq!(conn.recv_line().unwrap(), "x");
        if i % 2 == 0 {
            client.close(); // explicit close, then drop
        }
    }
    assert_eq!(open_fds(), before, "after 1000 connect/accept/close cycles");

    let mut closed = Socket::tcp().unwrap();
    closed.bind_addr(0, "127.0.0.1").unwrap();
    let dead_port = closed.local_addr().unwrap().port();
    closed.close();
    for _ in 0..100 {
        assert!(dial("127.0.0.1", dead_port).is_err());
        let mut s = Socket::tcp().unwrap();
        assert!(s.connect_timeout("127.0.0.1", dead_port, Duration::from_millis(100)).is_err());
        let mut s = Socket::tcp().unwrap();
        assert!(s.bind_addr(port, "127.0.0.1").is_err());
    }
    assert_eq!(open_fds(), before, "after failed connects and binds");

    for _ in 0..100 {
        let mut rx = Socket::udp().unwrap();
        rx.bind_addr(0, "127.0.0.1").unwrap();
        Socket::udp().unwrap().send_to("127.0.0.1", rx.local_addr().unwrap().port(), b"d").unwrap();
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let (_a, _b) = (Socket::from(a), Socket::from(b));
    }
    assert_eq!(open_fds(), before, "after datagram and Unix sockets");
}
