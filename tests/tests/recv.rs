//! `recv*`, `skip`, `Peek`, `has_data_buffered`, timeouts, resets and the std `Read`/`BufRead`
//! impls, over TCP (IPv4, IPv6) and Unix sockets.

use std::io::{BufRead, Read};
use std::thread;
use std::time::{Duration, Instant};

use net::{Error, ReadOptions, SocketFlag, SocketFlags};
use net_tests::{each, pair, reset_after, wait_kernel, Transport, TRANSPORTS};

#[test]
fn buffered_recv_waits_for_the_size_unbuffered_does_not() {
    for t in TRANSPORTS {
        let (mut w, mut r) = pair(t, true);
        let writer = thread::spawn(move || {
            w.send(b"hel").unwrap();
            thread::sleep(Duration::from_millis(50));
            w.send(b"lo world").unwrap();
        });
        assert_eq!(r.recv(5).unwrap(), b"hello");
        writer.join().unwrap();

        let (mut w, mut r) = pair(t, false);
        w.send(b"hel").unwrap();
        wait_kernel(&r, 3);
        assert_eq!(r.recv(10).unwrap(), b"hel");
    }
}

#[test]
fn recv_returns_what_is_left_at_end_of_stream_then_nothing() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"abc").unwrap();
        w.close();
        let mut all = Vec::new();
        loop {
            let chunk = r.recv(10).unwrap();
            if chunk.is_empty() {
                break;
            }
            all.extend(chunk);
        }
        assert_eq!(all, b"abc");
        assert_eq!(r.recv_into(&mut [0u8; 4]).unwrap(), 0);
        assert_eq!(r.recv(0).unwrap(), b"");
    });
}

#[test]
fn large_transfers_arrive_whole() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let expected = data.clone();
        let writer = thread::spawn(move || w.send(&data).unwrap());
        let mut got = Vec::new();
        let mut buf = vec![0u8; 65536 + 3];
        loop {
            let n = r.recv_into(&mut buf).unwrap();
            if n == 0 && got.len() == expected.len() {
                break;
            }
            got.extend_from_slice(&buf[..n]);
            if got.len() == expected.len() {
                break;
            }
        }
        writer.join().unwrap();
        assert!(got == expected, "{t:?} buffered={b}: data differs");
    });
}

#[test]
fn buffered_timeout_keeps_the_bytes_for_the_next_call() {
    for t in TRANSPORTS {
        let (mut w, mut r) = pair(t, true);
        w.send(b"ab").unwrap();
        let err = r.recv_with(10, &ReadOptions::new().timeout(Duration::from_millis(50))).unwrap_err();
        assert!(matches!(err, Error::Timeout { op: "recv", .. }), "{err}");
        assert!(r.has_data_buffered());
        w.close();
        assert_eq!(r.recv(10).unwrap(), b"ab");
    }
}

#[test]
fn unbuffered_timeout_returns_as_soon_as_something_arrives() {
    for t in TRANSPORTS {
        let (mut w, mut r) = pair(t, false);
        let writer = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            w.send(b"xy").unwrap();
            thread::sleep(Duration::from_millis(2000));
        });
        let start = Instant::now();
        let got = r.recv_with(100, &ReadOptions::new().timeout(Duration::from_secs(1))).unwrap();
        assert_eq!(got, b"xy");
        assert!(start.elapsed() < Duration::from_millis(900), "waited for the amount, not the data");
        let err = r.recv_with(1, &ReadOptions::new().timeout(Duration::from_millis(20))).unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
        writer.join().unwrap();
    }
}

#[test]
fn zero_timeout_reads_what_the_kernel_holds() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        let zero = ReadOptions::new().timeout(Duration::ZERO);
        assert!(matches!(r.recv_with(2, &zero), Err(Error::Timeout { .. })));
        w.send(b"ok").unwrap();
        wait_kernel(&r, 2);
        assert_eq!(r.recv_with(2, &zero).unwrap(), b"ok");
    });
}

#[test]
fn peek_is_honoured_by_every_read() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"abcdef").unwrap();
        wait_kernel(&r, 6);
        let peek = ReadOptions::new().flag(SocketFlag::Peek);
        assert_eq!(r.recv_with(3, &peek).unwrap(), b"abc");
        assert_eq!(r.recv_with(3, &peek).unwrap(), b"abc");
        assert_eq!(r.recv_string_with(3, &peek).unwrap(), "abc");
        assert_eq!(r.recv(3).unwrap(), b"abc");
        let mut buf = [0u8; 3];
        assert_eq!(r.recv_into_with(&mut buf, &peek).unwrap(), 3);
        assert_eq!(&buf, b"def");
        assert_eq!(r.recv(3).unwrap(), b"def");
    });
}

#[test]
fn reset_after_data_comes_after_the_data() {
    for t in [Transport::Tcp4, Transport::Tcp6] {
        for b in [true, false] {
            let mut r = reset_after(t, b, b"abc");
            let strict = ReadOptions::new().flags(SocketFlags::empty());
            assert_eq!(r.recv_with(10, &strict).unwrap(), b"abc", "{t:?} buffered={b}");
            let err = r.recv_with(10, &strict).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET), "{t:?} buffered={b}: {err}");

            let mut r = reset_after(t, b, b"abc");
            assert_eq!(r.recv(10).unwrap(), b"abc");
            assert_eq!(r.recv(10).unwrap(), b"", "SafeDisconn: the reset reads as end of stream");
        }
    }
}

#[test]
fn skip_discards_and_counts() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"HEAD:payload\n").unwrap();
        assert_eq!(r.skip(5).unwrap(), 5);
        assert_eq!(r.recv_line().unwrap(), "payload");
        assert_eq!(r.skip(0).unwrap(), 0);
        // Stops at the end of the stream with the count (Nim loops for ever).
        w.send(b"xyz").unwrap();
        w.close();
        assert_eq!(r.skip(100).unwrap(), 3);
    });
}

#[test]
fn skip_with_timeout_returns_the_count_so_far() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"1234").unwrap();
        assert_eq!(r.skip_with(10, Some(Duration::from_millis(50))).unwrap(), 4);
        w.send(b"5\n").unwrap();
        assert_eq!(r.recv_line().unwrap(), "5");
    });
}

#[test]
fn has_data_buffered_tracks_the_buffer() {
    let (mut w, mut r) = pair(Transport::Tcp4, true);
    assert!(!r.has_data_buffered());
    w.send(b"a\nb\n").unwrap();
    wait_kernel(&r, 4);
    assert_eq!(r.recv_line().unwrap(), "a");
    assert!(r.has_data_buffered());
    assert_eq!(r.recv_line().unwrap(), "b");
    assert!(!r.has_data_buffered());
}

#[test]
fn recv_string_keeps_bad_bytes_in_the_error() {
    let (mut w, mut r) = pair(Transport::Unix, true);
    w.send(b"ok\xc3").unwrap();
    match r.recv_string(3) {
        Err(Error::NotUtf8 { bytes, source }) => {
            assert_eq!(bytes, b"ok\xc3");
            assert_eq!(source.valid_up_to(), 2);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn std_read_and_bufread_work() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"x1\ny2\nrest").unwrap();
        w.close();
        let mut first = String::new();
        BufRead::read_line(&mut r, &mut first).unwrap();
        assert_eq!(first, "x1\n");
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"y2\nrest");
    });
    let (mut w, r) = pair(Transport::Tcp6, true);
    w.send(b"l1\nl2\n").unwrap();
    w.close();
    let lines: Vec<String> = r.lines().map(|l| l.unwrap()).collect();
    assert_eq!(lines, ["l1", "l2"]);
}

#[test]
fn reads_on_a_closed_socket_are_errors() {
    each(|t, b| {
        let (_w, mut r) = pair(t, b);
        r.close();
        assert!(matches!(r.recv(1), Err(Error::Closed { .. })));
        assert!(matches!(r.recv_line(), Err(Error::Closed { .. })));
        assert!(matches!(r.skip(1), Err(Error::Closed { .. })));
        assert!(matches!(r.recv_into(&mut []), Err(Error::Closed { .. })));
        assert!(r.read(&mut [0u8; 1]).is_err());
        assert!(!r.has_data_buffered());
    });
}

#[test]
fn std_read_reports_a_reset_as_an_error_after_the_bytes() {
    for b in [true, false] {
        let mut r = reset_after(Transport::Tcp4, b, b"abc");
        let mut got = Vec::new();
        let err = r.read_to_end(&mut got).unwrap_err();
        assert_eq!(got, b"abc", "buffered={b}: the bytes come first");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "buffered={b}: {err}");
        assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET));
    }
}
