//! Boolean socket options: each one set and read back at its own level, on IPv4 and IPv6.

use net::{to_os_flags, Domain, SockOpt, Socket, SocketFlag, SocketFlags};

fn raw_opt(socket: &Socket, level: i32, name: i32) -> i32 {
    let fd = std::os::fd::AsRawFd::as_raw_fd(socket);
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    #[allow(unsafe_code)]
    // SAFETY: `value` and `len` are valid for writes; `len` holds the size of `value`.
    let ret = unsafe { libc::getsockopt(fd, level, name, (&mut value as *mut libc::c_int).cast(), &mut len) };
    assert_eq!(ret, 0);
    value
}

#[test]
fn every_settable_option_round_trips() {
    for domain in [Domain::Inet, Domain::Inet6] {
        for opt in [
            SockOpt::Broadcast,
            SockOpt::DontRoute,
            SockOpt::KeepAlive,
            SockOpt::OobInline,
            SockOpt::ReuseAddr,
            SockOpt::ReusePort,
            SockOpt::NoDelay,
        ] {
            let s = if opt == SockOpt::Broadcast {
                Socket::builder().domain(domain).sock_type(net::SockType::Dgram).protocol(net::Protocol::Udp).build()
            } else {
                Socket::builder().domain(domain).build()
            }
            .unwrap();
            assert!(!s.get_sock_opt(opt).unwrap(), "{opt:?} starts off");
            s.set_sock_opt(opt, true).unwrap();
            assert!(s.get_sock_opt(opt).unwrap(), "{opt:?} on");
            assert_eq!(raw_opt(&s, opt.level(), opt.to_c_int()), 1, "{opt:?} at its own level");
            s.set_sock_opt(opt, false).unwrap();
            assert!(!s.get_sock_opt(opt).unwrap(), "{opt:?} off");
        }
    }
}

#[test]
fn no_delay_is_set_at_ipproto_tcp_not_so_debug() {
    let s = Socket::tcp().unwrap();
    s.set_sock_opt(SockOpt::NoDelay, true).unwrap();
    assert_eq!(raw_opt(&s, libc::IPPROTO_TCP, libc::TCP_NODELAY), 1);
    assert_eq!(raw_opt(&s, libc::SOL_SOCKET, libc::SO_DEBUG), 0, "Nim's bug sets SO_DEBUG");
}

#[test]
fn debug_option_reads_and_fails_or_sets_by_privilege() {
    let s = Socket::tcp().unwrap();
    assert!(!s.get_sock_opt(SockOpt::Debug).unwrap());
    match s.set_sock_opt(SockOpt::Debug, true) {
        Ok(()) => assert!(s.get_sock_opt(SockOpt::Debug).unwrap()),
        Err(e) => {
            assert_eq!(e.raw_os_error(), Some(libc::EACCES), "{e}");
            assert!(e.to_string().contains("SO_DEBUG"), "{e}");
        }
    }
}

#[test]
fn accept_conn_is_read_only() {
    let mut s = Socket::tcp().unwrap();
    assert!(!s.get_sock_opt(SockOpt::AcceptConn).unwrap());
    s.bind_addr(0, "127.0.0.1").unwrap();
    s.listen().unwrap();
    assert!(s.get_sock_opt(SockOpt::AcceptConn).unwrap());
    let err = s.set_sock_opt(SockOpt::AcceptConn, false).unwrap_err();
    assert!(err.raw_os_error().is_some(), "{err}");
    assert!(err.to_string().contains("SO_ACCEPTCONN"), "{err}");
}

#[test]
fn constants_and_flags() {
    assert_eq!(SockOpt::ALL.len(), 9);
    assert_eq!(SockOpt::ReuseAddr.to_c_int(), libc::SO_REUSEADDR);
    assert_eq!(SockOpt::NoDelay.to_c_int(), libc::TCP_NODELAY);
    assert_eq!(SockOpt::NoDelay.level(), libc::IPPROTO_TCP);
    assert_eq!(to_os_flags(SocketFlags::empty()), 0);
    assert_eq!(to_os_flags(SocketFlag::Peek | SocketFlag::SafeDisconn), libc::MSG_PEEK);
    assert_eq!(to_os_flags(SocketFlags::default()), 0);
    let all: SocketFlags = [SocketFlag::Peek, SocketFlag::SafeDisconn].into_iter().collect();
    assert_eq!(format!("{all:?}"), "{Peek, SafeDisconn}");
}
