//! Errors: what they say, what they keep, and Nim's error helpers.

use std::io;
use std::time::Duration;

use net::{is_disconnection_error, parse_ip_address, socket_error, Error, SocketFlags};

#[test]
fn os_errors_keep_their_code_through_io_error() {
    let err = Error::io("connect", Some("127.0.0.1:1".into()), io::Error::from_raw_os_error(libc::ECONNREFUSED));
    assert_eq!(err.raw_os_error(), Some(libc::ECONNREFUSED));
    assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    assert_eq!(err.to_string(), "connect on 127.0.0.1:1 failed");
    let source = std::error::Error::source(&err).expect("the OS error is the source");
    assert_eq!(source.downcast_ref::<io::Error>().and_then(io::Error::raw_os_error), Some(libc::ECONNREFUSED));
    let back: io::Error = err.into();
    assert_eq!(back.raw_os_error(), Some(libc::ECONNREFUSED));

    let timeout: io::Error = Error::Timeout { op: "recv", after: Duration::from_millis(5) }.into();
    assert_eq!(timeout.kind(), io::ErrorKind::TimedOut);
    assert!(timeout.to_string().contains("'recv' timed out"), "{timeout}");
}

#[test]
fn parse_errors_convert_and_keep_the_input() {
    let err: Error = parse_ip_address("1.2.3.256").unwrap_err().into();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("\"1.2.3.256\""), "{err}");
}

#[test]
fn disconnection_errors() {
    let safe = SocketFlags::default();
    for code in [libc::ECONNRESET, libc::EPIPE, libc::ENETRESET, libc::ECONNABORTED] {
        let e = io::Error::from_raw_os_error(code);
        assert!(is_disconnection_error(safe, &e), "{code}");
        assert!(!is_disconnection_error(SocketFlags::empty(), &e), "{code}");
        assert!(socket_error("recv", safe, io::Error::from_raw_os_error(code)).is_ok());
        let err = socket_error("recv", SocketFlags::empty(), io::Error::from_raw_os_error(code)).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(code));
    }
    for code in [libc::ETIMEDOUT, libc::ENOTCONN, libc::ECONNREFUSED] {
        assert!(!is_disconnection_error(safe, &io::Error::from_raw_os_error(code)), "{code}");
    }
}

#[test]
fn every_variant_has_a_kind_and_a_message() {
    let bad = vec![0xffu8];
    let errors = [
        Error::Closed { op: "recv" },
        Error::InvalidArgument { op: "read_line", reason: "max_length must be at least 1".into() },
        Error::Resolve { host: "nowhere".into(), port: 80, source: None },
        Error::NotUtf8 { bytes: bad.clone(), source: std::str::from_utf8(&bad).unwrap_err() },
        Error::DatagramTruncated { size: 10, capacity: 4 },
        Error::Unsupported { op: "send_to", what: "a stream (TCP) socket".into() },
        Error::Tls("handshake failed".into()),
    ];
    for e in &errors {
        assert!(!e.to_string().is_empty());
        let _ = e.kind();
    }
    assert!(errors[2].to_string().contains("\"nowhere\" port 80"), "{}", errors[2]);
}
