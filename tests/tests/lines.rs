//! `read_line` / `recv_line` / `read_line_bytes` over TCP (IPv4, IPv6) and Unix sockets,
//! buffered and unbuffered: terminators, end of stream, resets, limits, timeouts, bad bytes.

use std::thread;
use std::time::{Duration, Instant};

use net::{Error, ReadLineResult, ReadOptions, Socket, SocketFlag, SocketFlags};
use net_tests::{each, kernel_pending, pair, reset_after, wait_kernel, Transport, TRANSPORTS};

fn lines_until_eof(reader: &mut Socket) -> Vec<String> {
    let mut out = Vec::new();
    loop {
        let line = reader.recv_line().unwrap();
        if line.is_empty() {
            return out;
        }
        out.push(line);
    }
}

fn lines_of(data: &[u8], t: Transport, buffered: bool) -> Vec<String> {
    let (mut w, mut r) = pair(t, buffered);
    w.send(data).unwrap();
    w.close();
    lines_until_eof(&mut r)
}

#[test]
fn terminators_are_crlf_lf_and_lone_cr() {
    each(|t, b| {
        let ctx = format!("{t:?} buffered={b}");
        assert_eq!(lines_of(b"a\rb\r\n", t, b), ["a", "b"], "{ctx}");
        assert_eq!(lines_of(b"a\n\rb\n", t, b), ["a", "\r\n", "b"], "{ctx}");
        assert_eq!(lines_of(b"\r\r\n", t, b), ["\r\n", "\r\n"], "{ctx}");
        assert_eq!(lines_of(b"\r\n", t, b), ["\r\n"], "{ctx}");
        assert_eq!(lines_of(b"\n", t, b), ["\r\n"], "{ctx}");
        assert_eq!(lines_of(b"x\0y\xc3\xa9\n", t, b), ["x\0yé"], "{ctx}");
    });
}

#[test]
fn partial_line_at_end_of_stream_is_returned() {
    each(|t, b| {
        assert_eq!(lines_of(b"abc", t, b), ["abc"]);
        assert_eq!(lines_of(b"one\ntwo", t, b), ["one", "two"]);
        // `\r` then end of stream ends the line (Nim raises an error with no code).
        assert_eq!(lines_of(b"abc\r", t, b), ["abc"]);
        assert_eq!(lines_of(b"\r", t, b), ["\r\n"]);
        // The low-level call says which lines were cut short by the end of the stream.
        let (mut w, mut r) = pair(t, b);
        w.send(b"one\ntwo").unwrap();
        w.close();
        let mut line = Vec::new();
        let opts = ReadOptions::new();
        assert_eq!(r.read_line_bytes(&mut line, &opts).unwrap(), ReadLineResult::FullLine);
        assert_eq!(r.read_line_bytes(&mut line, &opts).unwrap(), ReadLineResult::PartialLine);
        assert_eq!(line, b"two");
        assert_eq!(r.read_line_bytes(&mut line, &opts).unwrap(), ReadLineResult::Disconnected);
        assert!(line.is_empty());
        assert_eq!(r.recv_line().unwrap(), "", "end of stream stays end of stream");
    });
}

#[test]
fn crlf_split_across_two_writes() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        let writer = thread::spawn(move || {
            w.send(b"abc\r").unwrap();
            thread::sleep(Duration::from_millis(50));
            w.send(b"\ndef\r").unwrap();
            thread::sleep(Duration::from_millis(50));
            w.send(b"ghi\n").unwrap();
        });
        assert_eq!(r.recv_line().unwrap(), "abc");
        assert_eq!(r.recv_line().unwrap(), "def");
        assert_eq!(r.recv_line().unwrap(), "ghi");
        writer.join().unwrap();
    });
}

#[test]
fn long_lines_come_back_in_pieces_of_max_length() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"abcdefgh\nabc\nabcd\r\nxy\n").unwrap();
        w.close();
        let opts = ReadOptions::new().max_length(3);
        let mut line = Vec::new();
        let mut got = Vec::new();
        loop {
            let res = r.read_line_bytes(&mut line, &opts).unwrap();
            if res == ReadLineResult::Disconnected {
                break;
            }
            got.push((String::from_utf8(line.clone()).unwrap(), res));
        }
        use ReadLineResult::{FullLine as F, PartialLine as P};
        let want = [("abc", P), ("def", P), ("gh", F), ("abc", F), ("abc", P), ("d", F), ("xy", F)];
        let want: Vec<(String, ReadLineResult)> = want.iter().map(|(s, r)| (s.to_string(), *r)).collect();
        assert_eq!(got, want, "{t:?} buffered={b}");
    });
}

#[test]
fn max_length_zero_is_an_error_that_consumes_nothing() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"keep\n").unwrap();
        let err = r.recv_line_with(&ReadOptions::new().max_length(0)).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "read_line", .. }), "{err}");
        assert_eq!(r.recv_line().unwrap(), "keep");
    });
}

#[test]
fn peer_reset_mid_line() {
    for t in [Transport::Tcp4, Transport::Tcp6] {
        for b in [true, false] {
            // With SafeDisconn (the default) a reset reads as end of stream: the bytes first.
            let mut r = reset_after(t, b, b"abc");
            assert_eq!(r.recv_line().unwrap(), "abc");
            assert_eq!(r.recv_line().unwrap(), "");

            // Without it: the bytes first, then the reset as an error.
            let mut r = reset_after(t, b, b"abc");
            let strict = ReadOptions::new().flags(SocketFlags::empty());
            let mut line = Vec::new();
            assert_eq!(r.read_line_bytes(&mut line, &strict).unwrap(), ReadLineResult::PartialLine);
            assert_eq!(line, b"abc");
            let err = r.read_line_bytes(&mut line, &strict).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{t:?} buffered={b}: {err}");
            assert_eq!(err.raw_os_error(), Some(libc::ECONNRESET));
        }
    }
}

#[test]
fn timeout_is_one_budget_and_keeps_the_bytes() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        // A byte every 20 ms for a second: a per-byte timeout would never expire.
        let writer = thread::spawn(move || {
            for &byte in b"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij" {
                w.send(&[byte]).unwrap();
                thread::sleep(Duration::from_millis(20));
            }
            w.send(b"\n").unwrap();
            w
        });
        let start = Instant::now();
        let err = r.recv_line_with(&ReadOptions::new().timeout(Duration::from_millis(150))).unwrap_err();
        let waited = start.elapsed();
        assert!(matches!(err, Error::Timeout { op: "read_line", .. }), "{err}");
        assert!(waited >= Duration::from_millis(150), "gave up early: {waited:?}");
        assert!(waited < Duration::from_millis(1000), "the budget was not shared: {waited:?}");
        assert!(r.has_data_buffered(), "bytes read before the timeout are kept");
        let _w = writer.join().unwrap();
        assert_eq!(r.recv_line().unwrap(), "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij");
    });
}

#[test]
fn zero_timeout_still_returns_what_the_kernel_holds() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"ready\npart").unwrap();
        wait_kernel(&r, 10);
        let zero = ReadOptions::new().timeout(Duration::ZERO);
        assert_eq!(r.recv_line_with(&zero).unwrap(), "ready");
        assert!(matches!(r.recv_line_with(&zero), Err(Error::Timeout { .. })));
        w.send(b"ial\n").unwrap();
        wait_kernel(&r, 4);
        assert_eq!(r.recv_line_with(&zero).unwrap(), "partial");
    });
}

#[test]
fn bytes_that_are_not_utf8_are_kept_in_the_error() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"\xff\xfeok\r\nnext\n").unwrap();
        match r.recv_line() {
            Err(Error::NotUtf8 { bytes, .. }) => assert_eq!(bytes, b"\xff\xfeok"),
            other => panic!("{other:?}"),
        }
        assert_eq!(r.recv_line().unwrap(), "next");
    });
}

#[test]
fn peek_leaves_the_line() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        w.send(b"first\nsecond\n").unwrap();
        let peek = ReadOptions::new().flag(SocketFlag::Peek);
        assert_eq!(r.recv_line_with(&peek).unwrap(), "first");
        assert_eq!(r.recv_line_with(&peek).unwrap(), "first");
        assert_eq!(r.recv_line().unwrap(), "first");
        assert_eq!(r.recv_line().unwrap(), "second");
    });
}

#[test]
fn unbuffered_reads_take_exactly_one_line_from_the_kernel() {
    for t in TRANSPORTS {
        let (mut w, mut r) = pair(t, false);
        w.send(b"one\r\ntwo\rthree\n").unwrap();
        wait_kernel(&r, 15);
        assert_eq!(r.recv_line().unwrap(), "one");
        assert!(!r.has_data_buffered());
        assert_eq!(kernel_pending(&r), b"two\rthree\n");
        assert_eq!(r.recv_line().unwrap(), "two");
        assert_eq!(kernel_pending(&r), b"three\n");
    }
}

#[test]
fn read_line_replaces_the_string() {
    let (mut w, mut r) = pair(Transport::Tcp4, true);
    w.send(b"a\nbb\n").unwrap();
    let mut line = String::from("old");
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "a");
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "bb");
}

#[test]
fn many_lines_across_buffer_boundaries() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        let writer = thread::spawn(move || {
            let mut all = Vec::new();
            for i in 0..3000 {
                let line = format!("{i:0width$}", width = i % 97);
                all.extend_from_slice(line.as_bytes());
                all.extend_from_slice(if i % 3 == 0 {
                    b"\r\n"
                } else if i % 3 == 1 {
                    b"\n"
                } else {
                    b"\r"
                });
            }
            w.send(&all).unwrap();
        });
        for i in 0..3000 {
            let want = format!("{i:0width$}", width = i % 97);
            let want = if want.is_empty() { "\r\n".to_owned() } else { want };
            assert_eq!(r.recv_line().unwrap(), want, "line {i}");
        }
        writer.join().unwrap();
    });
}

#[test]
fn a_line_ending_in_cr_across_a_timeout_is_one_line_when_the_lf_comes() {
    each(|t, b| {
        let (mut w, mut r) = pair(t, b);
        let quick = ReadOptions::new().timeout(Duration::from_millis(30));
        w.send(b"abc\r").unwrap();
        wait_kernel(&r, 4);
        // Whether `\n` follows the `\r` is not known yet: the read times out and keeps the line.
        let err = r.recv_line_with(&quick).unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{t:?} buffered={b}: {err}");
        w.send(b"\nnext\n").unwrap();
        assert_eq!(r.recv_line_with(&quick).unwrap(), "abc", "{t:?} buffered={b}");
        assert_eq!(
            r.recv_line_with(&quick).unwrap(),
            "next",
            "{t:?} buffered={b}: no empty line from the split \\r\\n"
        );
        // Another byte after the `\r`: the line ended at it, and the byte starts the next.
        w.send(b"def\r").unwrap();
        wait_kernel(&r, 4);
        assert!(matches!(r.recv_line_with(&quick), Err(Error::Timeout { .. })));
        w.send(b"g\n").unwrap();
        assert_eq!(r.recv_line_with(&quick).unwrap(), "def");
        assert_eq!(r.recv_line_with(&quick).unwrap(), "g");
    });
}
