//! The plain benchmarks: `read_line`, `recv_64k`, `udp_ping_pong`, `connect_accept`, each one
//! run of one variant. The reading side of each run is a [`probe::reading`] section.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use crate::probe;
use crate::setup::{
    last_cpu, line_text, net_listener, per_second, sender, std_listener, Ctx, Pinned, Variant, CHUNK, DATAGRAM, FILL,
    LOOPBACK, MIB, SEND_BLOCK, UDP_PATIENCE,
};

/// Reads every line; returns the count, the first and the last line. The reading side is the
/// whole loop: net's `read_line` into one reused `String`, or std's after `clear()`.
pub(crate) fn read_line(variant: Variant, ctx: &Ctx) -> f64 {
    let payload = ctx.line_payload();
    let expected = ctx.sizes.lines;
    let go = Arc::new(Barrier::new(2));
    let send = move |s: &mut TcpStream| s.write_all(&payload).expect("send lines");
    let (count, first, last, elapsed);
    match variant {
        Variant::Net => {
            let (mut listener, port) = net_listener();
            let writer = sender(port, go.clone(), send);
            let mut conn = listener.accept().expect("accept");
            assert!(conn.is_buffered());
            let start = Instant::now();
            go.wait();
            (count, first, last) = probe::reading(|| {
                let mut count = 0usize;
                let mut line = String::new();
                let mut prev = String::new();
                let mut first_line = None;
                loop {
                    conn.read_line(&mut line).expect("read_line");
                    if line.is_empty() {
                        break;
                    }
                    if count == 0 {
                        first_line = Some(line.clone());
                    }
                    count += 1;
                    // Keep the last line without copying it: the next call clears `line` itself.
                    std::mem::swap(&mut line, &mut prev);
                }
                (count, first_line, prev)
            });
            elapsed = start.elapsed();
            writer.join().expect("sender");
        }
        Variant::Std => {
            let (listener, port) = std_listener();
            let writer = sender(port, go.clone(), send);
            let mut conn = BufReader::new(listener.accept().expect("accept").0);
            let start = Instant::now();
            go.wait();
            let (n, first_line, prev) = probe::reading(|| {
                let mut count = 0usize;
                let mut line = String::new();
                let mut prev = String::new();
                let mut first_line = None;
                loop {
                    line.clear();
                    if conn.read_line(&mut line).expect("read_line") == 0 {
                        break;
                    }
                    if count == 0 {
                        first_line = Some(line.clone());
                    }
                    count += 1;
                    std::mem::swap(&mut line, &mut prev);
                }
                (count, first_line, prev)
            });
            elapsed = start.elapsed();
            writer.join().expect("sender");
            let strip = |s: String| s.strip_suffix('\n').expect("std keeps the terminator").to_owned();
            (count, first, last) = (n, first_line.map(strip), strip(prev));
        }
    }
    assert_eq!(count, expected, "{variant:?}: line count");
    assert_eq!(first.as_deref(), Some(line_text(0).as_str()), "{variant:?}: first line");
    assert_eq!(last, line_text(expected - 1), "{variant:?}: last line");
    per_second(count as f64, elapsed) / 1e6
}

/// Reads the whole stream 64 KiB at a time. The reading side is the read loop.
pub(crate) fn recv_64k(variant: Variant, ctx: &Ctx) -> f64 {
    let total = ctx.sizes.bulk;
    let go = Arc::new(Barrier::new(2));
    let send = move |s: &mut TcpStream| {
        let block = vec![FILL; SEND_BLOCK];
        let mut left = total;
        while left > 0 {
            let n = left.min(block.len());
            s.write_all(&block[..n]).expect("send bulk");
            left -= n;
        }
    };
    let mut buf = vec![0u8; CHUNK];
    // Reads until the end of the stream: the byte count, and whether every read ended on a
    // byte that was sent. The same loop for both variants; only `read` differs.
    let mut drain = |read: &mut dyn FnMut(&mut [u8]) -> usize| {
        probe::reading(|| {
            let (mut got, mut good_tails) = (0usize, true);
            loop {
                let n = read(&mut buf);
                if n == 0 {
                    return (got, good_tails);
                }
                got += n;
                good_tails &= buf[n - 1] == FILL;
            }
        })
    };
    let (got, good_tails, elapsed) = match variant {
        Variant::Net => {
            let (mut listener, port) = net_listener();
            let writer = sender(port, go.clone(), send);
            let mut conn = listener.accept().expect("accept");
            assert!(conn.is_buffered());
            let start = Instant::now();
            go.wait();
            let (got, good_tails) = drain(&mut |b| conn.recv_into(b).expect("recv_into"));
            let elapsed = start.elapsed();
            writer.join().expect("sender");
            (got, good_tails, elapsed)
        }
        Variant::Std => {
            let (listener, port) = std_listener();
            let writer = sender(port, go.clone(), send);
            let mut conn = listener.accept().expect("accept").0;
            let start = Instant::now();
            go.wait();
            let (got, good_tails) = drain(&mut |b| conn.read(b).expect("read"));
            let elapsed = start.elapsed();
            writer.join().expect("sender");
            (got, good_tails, elapsed)
        }
    };
    assert_eq!(got, total, "{variant:?}: bytes received");
    assert!(good_tails, "{variant:?}: a read ended on a byte that was never sent");
    per_second(got as f64 / MIB, elapsed)
}

/// An echo server on loopback (std for both variants); a zero-length datagram stops it.
fn echo_server(cpu: Option<usize>) -> (u16, thread::JoinHandle<()>) {
    let echo = UdpSocket::bind((LOOPBACK, 0)).expect("bind echo");
    echo.set_read_timeout(Some(UDP_PATIENCE * 2)).expect("the UDP read timeout");
    let port = echo.local_addr().expect("local_addr").port();
    let handle = thread::spawn(move || {
        // Dropped with the thread: nothing to restore.
        let _pinned = cpu.map(Pinned::to);
        let mut buf = [0u8; 64];
        loop {
            let (n, from) = echo.recv_from(&mut buf).expect("echo recv_from");
            if n == 0 {
                break;
            }
            echo.send_to(&buf[..n], from).expect("echo send_to");
        }
    });
    (port, handle)
}

/// Round trips to a std echo thread. The reading side is the client's loop (send, then
/// receive the echo).
pub(crate) fn udp_ping_pong(variant: Variant, ctx: &Ctx) -> f64 {
    let trips = ctx.sizes.round_trips;
    let cpu = last_cpu();
    let _pinned = cpu.map(Pinned::to);
    let (port, echo) = echo_server(cpu);
    let mut payload = [0x42u8; DATAGRAM];
    let mut buf = [0u8; 64];
    let (good, elapsed);
    match variant {
        Variant::Net => {
            let mut client = net::Socket::udp().expect("socket");
            client.bind_addr(0, LOOPBACK).expect("bind");
            socket2::SockRef::from(&client).set_read_timeout(Some(UDP_PATIENCE)).expect("the UDP read timeout");
            let start = Instant::now();
            good = probe::reading(|| {
                let mut good = 0usize;
                for i in 0..trips {
                    payload[..8].copy_from_slice(&(i as u64).to_le_bytes());
                    client.send_to(LOOPBACK, port, &payload).expect("send_to");
                    let (n, _from, from_port) = client.recv_from(&mut buf).expect("recv_from");
                    good += usize::from(u16::from(from_port) == port && buf[..n] == payload);
                }
                good
            });
            elapsed = start.elapsed();
            client.send_to(LOOPBACK, port, &[]).expect("stop echo");
        }
        Variant::Std => {
            let client = UdpSocket::bind((LOOPBACK, 0)).expect("bind");
            client.set_read_timeout(Some(UDP_PATIENCE)).expect("the UDP read timeout");
            let start = Instant::now();
            good = probe::reading(|| {
                let mut good = 0usize;
                for i in 0..trips {
                    payload[..8].copy_from_slice(&(i as u64).to_le_bytes());
                    client.send_to(&payload, (LOOPBACK, port)).expect("send_to");
                    let (n, from) = client.recv_from(&mut buf).expect("recv_from");
                    good += usize::from(from.port() == port && buf[..n] == payload);
                }
                good
            });
            elapsed = start.elapsed();
            client.send_to(&[], (LOOPBACK, port)).expect("stop echo");
        }
    }
    echo.join().expect("echo");
    assert_eq!(good, trips, "{variant:?}: echoes that came back right");
    per_second(trips as f64, elapsed) / 1e3
}

/// Sequential connections in one thread. The reading side is the whole loop: connect, accept,
/// close both.
pub(crate) fn connect_accept(variant: Variant, ctx: &Ctx) -> f64 {
    let n = ctx.sizes.connections;
    // Only the first and the last connection are checked: two more system calls per connection
    // would weigh on both variants' figures.
    let check = |i: usize| i == 0 || i == n - 1;
    let _pinned = last_cpu().map(Pinned::to);
    let elapsed = match variant {
        Variant::Net => {
            let (mut listener, port) = net_listener();
            let start = Instant::now();
            probe::reading(|| {
                for i in 0..n {
                    let client = net::dial(LOOPBACK, port).expect("dial");
                    let server = listener.accept().expect("accept");
                    if check(i) {
                        assert_eq!(server.peer_addr().expect("peer"), client.local_addr().expect("local"), "net: peer");
                    }
                    // The client closes first, so TIME_WAIT stays on its side.
                    drop(client);
                    drop(server);
                }
            });
            start.elapsed()
        }
        Variant::Std => {
            let (listener, port) = std_listener();
            let start = Instant::now();
            probe::reading(|| {
                for i in 0..n {
                    let client = TcpStream::connect((LOOPBACK, port)).expect("connect");
                    let (server, peer) = listener.accept().expect("accept");
                    if check(i) {
                        assert_eq!(peer, client.local_addr().expect("local"), "std: peer");
                    }
                    drop(client);
                    drop(server);
                }
            });
            start.elapsed()
        }
    };
    per_second(n as f64, elapsed) / 1e3
}
