//! Sending: whole buffers, dead peers (an error, no SIGPIPE, no hang), `try_send`, `Write`.

use std::io::Write;
use std::thread;
use std::time::Duration;

use net::{Error, Socket};
use net_tests::{pair, reset, Transport, TRANSPORTS};

#[test]
fn send_delivers_every_byte_in_order() {
    for t in TRANSPORTS {
        let (mut w, mut r) = pair(t, true);
        // Larger than any socket buffer: the kernel takes it in many partial writes.
        let data: Vec<u8> = (0..16_000_000u32).map(|i| (i % 253) as u8).collect();
        let expected = data.clone();
        let writer = thread::spawn(move || w.send(&data).unwrap());
        let got = r.recv(expected.len()).unwrap();
        writer.join().unwrap();
        assert!(got == expected, "{t:?}: data differs");
    }
}

/// Sends until the dead peer is reported; bounded so a bug shows as a failure, not a hang.
fn send_until_error(w: &mut Socket) -> Error {
    for _ in 0..1000 {
        if let Err(e) = w.send(&[7u8; 65536]) {
            return e;
        }
    }
    panic!("sending to a dead peer never failed");
}

#[test]
fn sending_to_a_closed_peer_is_an_error_without_sigpipe() {
    for t in TRANSPORTS {
        let (mut w, r) = pair(t, true);
        drop(r);
        let err = send_until_error(&mut w);
        // Reaching this line at all means no SIGPIPE killed the process.
        assert!(matches!(err.raw_os_error(), Some(libc::EPIPE) | Some(libc::ECONNRESET)), "{t:?}: {err}");
        assert!(err.to_string().starts_with("send"), "{err}");
        assert!(!w.try_send(b"more"), "try_send reports the dead peer");
    }
}

#[test]
fn sending_to_a_reset_peer_is_an_error() {
    for t in [Transport::Tcp4, Transport::Tcp6] {
        let (mut w, r) = pair(t, true);
        reset(r);
        thread::sleep(Duration::from_millis(20));
        let err = send_until_error(&mut w);
        assert!(matches!(err.raw_os_error(), Some(libc::EPIPE) | Some(libc::ECONNRESET)), "{err}");
    }
}

#[test]
fn send_raw_try_send_and_write() {
    let (mut w, mut r) = pair(Transport::Tcp4, true);
    assert_eq!(w.send_raw(b"raw ").unwrap(), 4);
    assert!(w.try_send(b"try "));
    writeln!(w, "fmt {}", 42).unwrap();
    w.write_all(b"all\n").unwrap();
    w.flush().unwrap();
    assert!(w.try_send(b""));
    assert_eq!(r.recv_line().unwrap(), "raw try fmt 42");
    assert_eq!(r.recv_line().unwrap(), "all");
}

#[test]
fn sending_on_a_closed_socket_is_an_error() {
    let (mut w, _r) = pair(Transport::Unix, true);
    w.close();
    assert!(matches!(w.send(b"x"), Err(Error::Closed { op: "send" })));
    assert!(matches!(w.send_raw(b"x"), Err(Error::Closed { op: "send" })));
    assert!(!w.try_send(b"x"));
    assert!(w.write(b"x").is_err());
    assert!(w.flush().is_err());
}
