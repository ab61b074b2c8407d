//! Each error prints its cause once: walking `source()` from a real failure of every kind
//! never meets the same text twice, and the top message still names the operation and input.

use std::error::Error as StdError;
use std::time::Duration;

use net::{parse_ip_address, Error, ReadOptions, Socket};
use net_tests::{pair, report, Transport};

/// The messages of `err` and of each of its causes, top first.
fn chain(err: &(dyn StdError + 'static)) -> Vec<String> {
    let mut links = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        links.push(cause.to_string());
        source = cause.source();
    }
    links
}

/// Asserts that no message of `err`'s chain is empty or holds another one, and that the top
/// message contains each of `names` (the operation, the input); returns the chain.
fn printed_once(err: &(dyn StdError + 'static), names: &[&str]) -> Vec<String> {
    let links = chain(err);
    for (i, link) in links.iter().enumerate() {
        assert!(!link.is_empty(), "empty message in {links:?}");
        for (j, other) in links.iter().enumerate() {
            assert!(i == j || !link.contains(other.as_str()), "{link:?} repeats {other:?}: {links:?}");
        }
    }
    for name in names {
        assert!(links[0].contains(name), "{:?} should name {name:?}", links[0]);
    }
    links
}

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    let mut s = Socket::tcp().unwrap();
    s.bind_addr(0, "127.0.0.1").unwrap();
    s.local_addr().unwrap().port()
}

#[test]
fn an_os_failure_names_the_call_and_the_address_and_has_the_os_error_as_source() {
    let port = closed_port();
    let err = net::dial("127.0.0.1", port).unwrap_err();
    let links = printed_once(&err, &["connect", &format!("127.0.0.1:{port}")]);
    assert_eq!(links[0], format!("connect on 127.0.0.1:{port} failed"));
    assert_eq!(links.len(), 2, "{links:?}");
    let os = err.source().and_then(|s| s.downcast_ref::<std::io::Error>()).expect("the io::Error");
    assert_eq!(os.raw_os_error(), Some(libc::ECONNREFUSED));
    assert_eq!(err.raw_os_error(), Some(libc::ECONNREFUSED));

    let mut udp = Socket::udp().unwrap();
    let links = printed_once(&udp.listen().unwrap_err(), &["listen"]);
    assert_eq!((links[0].as_str(), links.len()), ("listen failed", 2), "{links:?}");

    // `?` on std I/O: the op is "io".
    let err: Error = std::fs::read("/no/such/file").unwrap_err().into();
    assert_eq!(printed_once(&err, &["io"]).len(), 2);
}

#[test]
fn a_resolve_failure_quotes_the_host_and_has_the_resolver_error_as_source() {
    // A NUL byte: std refuses the name before asking any resolver.
    let mut s = Socket::tcp().unwrap();
    let err = s.connect("bad\0host", 80).unwrap_err();
    assert!(matches!(err, Error::Resolve { source: Some(_), .. }), "{err:?}");
    let links = printed_once(&err, &["could not resolve", "\"bad\\0host\"", "port 80"]);
    assert_eq!(links[0], "could not resolve \"bad\\0host\" port 80");
    assert_eq!(links.len(), 2, "{links:?}");
    // Hostile input stays bounded in the message, cause or not.
    let long = format!("{}\0", "a".repeat(100_000));
    let err = s.connect(&long, 80).unwrap_err();
    let links = printed_once(&err, &["could not resolve", "(100001 bytes)"]);
    assert!(links[0].len() < 200, "{}", links[0]);
}

#[test]
fn a_line_that_is_not_utf8_says_so_and_has_the_utf8_error_as_source() {
    let (mut w, mut r) = pair(Transport::Unix, true);
    w.send(b"ab\xffcd\n").unwrap();
    let err = r.recv_line().unwrap_err();
    let links = printed_once(&err, &["5 bytes", "not valid UTF-8"]);
    assert_eq!(links[0], "received 5 bytes that are not valid UTF-8");
    assert!(err.source().is_some_and(|s| s.is::<std::str::Utf8Error>()), "{links:?}");
    assert!(links[1].contains("index 2"), "{links:?}");
}

#[test]
fn leaves_say_everything_and_have_no_source() {
    let (_w, mut r) = pair(Transport::Tcp4, true);
    let err = r.recv_line_with(&ReadOptions::new().timeout(Duration::from_millis(20))).unwrap_err();
    assert_eq!(printed_once(&err, &["read_line", "timed out"]).len(), 1, "{err}");

    let mut v4 = Socket::tcp().unwrap();
    let err = v4.connect("::1", 80).unwrap_err();
    let links = printed_once(&err, &["\"::1\"", "IPv6", "IPv4"]);
    assert_eq!(links, ["\"::1\" is an IPv6 address, but the socket is IPv4"]);

    let mut closed = Socket::tcp().unwrap();
    closed.close();
    assert_eq!(printed_once(&closed.send(b"x").unwrap_err(), &["send", "closed"]).len(), 1);
}

#[test]
fn parse_errors_are_transparent_and_quote_the_input() {
    let err: Error = parse_ip_address("1.2.3.256").unwrap_err().into();
    let links = printed_once(&err, &["\"1.2.3.256\"", "at byte"]);
    assert_eq!(links, [parse_ip_address("1.2.3.256").unwrap_err().to_string()]);
}

#[test]
fn report_joins_each_link_once() {
    let err = Error::io("recv", Some("127.0.0.1:80".into()), std::io::ErrorKind::ConnectionReset.into());
    assert_eq!(report(&err), "recv on 127.0.0.1:80 failed: connection reset");
    let io: std::io::Error = Error::Closed { op: "recv" }.into();
    assert_eq!(chain(&io), ["'recv' on a closed socket"]);
}

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
mod tls {
    use super::*;
    use net::tls::{BackendKind, ContextOptions, TlsError, TlsErrorExt};
    use net_tests::certs::{Pki, Validity};
    use net_tests::tls::{client_context, try_connect, verified_pair};

    fn backends() -> Vec<BackendKind> {
        let mut kinds = Vec::new();
        if cfg!(feature = "rustls") {
            kinds.push(BackendKind::Rustls);
        }
        if cfg!(feature = "openssl") {
            kinds.push(BackendKind::OpenSsl);
        }
        if cfg!(feature = "native-tls") {
            kinds.push(BackendKind::NativeTls);
        }
        kinds
    }

    #[test]
    fn a_refused_certificate_names_the_handshake_and_gives_the_reason_once() {
        let pki = Pki::new("chain-refused");
        let other = Pki::new("chain-other");
        for kind in backends() {
            let leaf = other.server("unknown", &["localhost"], Validity::Current);
            let err = try_connect(kind, &client_context(kind, &pki), &leaf, "localhost").unwrap_err();
            assert!(matches!(err.tls_error(), Some(TlsError::Handshake { backend, .. }) if *backend == kind), "{err}");
            let links = printed_once(&err, &["TLS handshake", kind.name()]);
            assert_eq!(links[0], format!("TLS handshake failed ({kind})"));
            assert!(links.len() >= 2, "{kind}: the reason is the source: {links:?}");
            // The TlsError itself, reached by the accessor, prints the same chain.
            assert_eq!(chain(err.tls_error().unwrap()), links, "{kind}");
        }
    }

    #[test]
    fn a_broken_record_names_the_read_and_gives_the_reason_once() {
        let pki = Pki::new("chain-record");
        for kind in backends() {
            let (mut c, s) = verified_pair(kind, &pki);
            // Bytes that are not a TLS record, behind the server session's back.
            let raw = s.io_handle().unwrap();
            raw.socket2().send(&[0x17, 0x03, 0x03, 0x00, 0x20]).unwrap();
            raw.socket2().send(&[0x55; 32]).unwrap();
            let err = c.recv_line_with(&ReadOptions::new().timeout(Duration::from_secs(5))).unwrap_err();
            let links = printed_once(&err, &["read_line"]);
            assert!(matches!(err, Error::Io { .. }), "{kind}: {err:?}");
            assert_eq!(links[0], "read_line failed", "{kind}");
            assert!(links.len() >= 2, "{kind}: the reason is the source: {links:?}");
        }
    }

    #[test]
    fn a_missing_file_names_the_file_and_has_the_os_error_as_source() {
        for kind in backends() {
            let err =
                net::tls::new_context(ContextOptions::new().backend(kind).ca_file("/nonexistent/ca.pem")).unwrap_err();
            let links = printed_once(&err, &["CA file", "/nonexistent/ca.pem"]);
            assert_eq!(links[0], "could not load CA file \"/nonexistent/ca.pem\"");
            assert!(err.source().is_some_and(|s| s.is::<std::io::Error>()), "{kind}: {links:?}");
        }
    }

    #[test]
    fn a_backend_error_prints_the_backends_message_once() {
        let err = TlsError::backend(BackendKind::Rustls, "bad record");
        assert_eq!(printed_once(&err, &["rustls", "bad record"]), ["rustls: bad record"]);
        let on_socket: Error = err.into();
        assert_eq!(chain(&on_socket), ["rustls: bad record"]);
        assert!(on_socket.tls_error().is_some());
    }

    #[test]
    fn socket_errors_inside_tls_errors_are_transparent_and_tls_leaves_have_no_source() {
        // Built here: which backend wraps a failed handshake write in `Socket` and which in
        // `Handshake` is the backend's business; `Socket` itself must be transparent.
        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe closed");
        let err = TlsError::Socket(Error::io("handshake", Some("127.0.0.1:443".into()), io));
        let links = printed_once(&err, &["handshake", "127.0.0.1:443"]);
        assert_eq!(links, ["handshake on 127.0.0.1:443 failed", "pipe closed"], "{links:?}");
        let not_tls = TlsError::NotTls { op: "got_handshake" };
        assert_eq!(printed_once(&not_tls, &["got_handshake"]).len(), 1);
    }
}
