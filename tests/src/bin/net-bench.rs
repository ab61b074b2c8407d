//! `net-bench`: net against std (and net's TLS against the TLS crates used directly), over
//! loopback (`127.0.0.1`, never any other address), both measured in the same run.
//!
//! Run it with `cargo xtask bench [--quick] [NAME]` (a release build). Each benchmark runs
//! net and its baseline alternately for a few rounds, flipping the order every round, and
//! keeps the median figure of each (every round's figure is printed too). The ratio is net's
//! throughput over the baseline's: above 1 means net is faster. The goal column says what ratio
//! net aims for; nothing here asserts on time, but every run checks its result (counts, first
//! and last lines, bytes, echoes, peers) and panics when it is wrong.
//!
//! - `read_line`: a sender thread writes `lines` lines of 64 bytes (63 characters and `\n`,
//!   each starting with its number) over TCP; the receiver reads them all with net's
//!   `Socket::read_line` on a default buffered socket accepted from a net listener (one
//!   `String`, reused), against `BufReader<TcpStream>::read_line` (one `String`, cleared before
//!   each call). Lines per second.
//! - `recv_64k`: a sender writes `bulk` bytes (one pre-filled 256 KiB buffer, written again and
//!   again); the receiver reads 64 KiB at a time with net's `recv_into` on a default buffered
//!   socket until it returns 0, against a plain `TcpStream::read` loop. MiB per second.
//! - `udp_ping_pong`: `round_trips` round trips of 32-byte datagrams to an echo thread (std on
//!   the echo side for both); the client is net's `send_to("127.0.0.1", port, ..)` and
//!   `recv_from` against std's `UdpSocket::send_to(("127.0.0.1", port))` and `recv_from`.
//!   Round trips per second. The client and the echo thread are pinned to one CPU: across two
//!   CPUs each round trip would mostly measure how fast an idle CPU wakes up (several times
//!   slower, and erratic, on a virtual machine), not the sockets.
//! - `connect_accept`: `connections` sequential connections, each connected, accepted and
//!   closed (client first) in one thread, pinned to one CPU so that it does not wander between
//!   them: `net::dial("127.0.0.1", port)` and a net listener's `accept`, against
//!   `TcpStream::connect(("127.0.0.1", port))` and `TcpListener::accept`. Each run has its own
//!   listener, so no run can run out of ports to TIME_WAIT. Connections per second.
//!
//!
//! The TLS benchmarks run per backend (`rustls`, `openssl`, `native-tls`, each when its feature
//! is on) against the same TLS crate used directly over std's `TcpStream`, with the settings
//! the backend uses (protocol versions, the test CA as the only root, the server name
//! `localhost` sent and checked, the server sending its chain). Both sides of a connection are
//! net, or both are direct (rustls `StreamOwned`, openssl `SslStream`, native-tls `TlsStream`).
//! On net's side the server is a listener wrapped with a context (`accept` runs the handshake)
//! and the client is `net::dial("127.0.0.1", port)` then `wrap_connected_socket(..,
//! "localhost")`: like the direct client, it connects to the address without a name lookup.
//! The handshake is done before the first byte in both (a rustls `StreamOwned` is driven to the
//! end of it first), and closing sends close_notify in both. The certificates are made once per
//! run of net-bench. The client and the server thread are pinned to one CPU, as in
//! `udp_ping_pong`: the figures then follow the CPU work of both ends, not how the two threads
//! happen to be placed (which moves them by a factor of two on a virtual machine).
//! - `tls_bulk_<backend>`: over one TLS connection, `tls_bulk` bytes client to server, then as
//!   many back, written 64 KiB at a time (net's `send`; `write_all` then `flush`) and read 64
//!   KiB at a time (net's `recv_into` on default buffered sockets; `read`). Every read's first
//!   and last bytes are checked against the pattern sent, and the byte counts. Every socket has
//!   `TCP_NODELAY`: without it the last records of a direction can wait for a delayed ACK (40
//!   ms, at random, in either variant). MiB per second, both directions counted.
//! - `tls_handshake_<backend>`: `handshakes` sequential connections, each with a full handshake
//!   (no session is resumed: the client never reads the tickets), one byte from the client
//!   (checked by the server), and a close. Handshakes per second.
//!
//! In both variants of a plain benchmark the other side (sender, echo) is the same std code, and
//! the clock starts once the connection is set up: a TCP sender waits for the receiver's go (for
//! `tls_bulk`, the client waits for the server's, once both handshakes are done).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::sync::{Arc, Barrier, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// The only address used.
const LOOPBACK: &str = "127.0.0.1";
/// Length of a line, `\n` included.
const LINE_LEN: usize = 64;
/// The receiver's read size in `recv_64k`.
const CHUNK: usize = 64 * 1024;
/// The sender's write size in `recv_64k`.
const SEND_BLOCK: usize = 256 * 1024;
/// The byte `recv_64k` sends.
const FILL: u8 = 0x5a;
/// The datagram size in `udp_ping_pong`.
const DATAGRAM: usize = 32;
/// How long a UDP socket waits before calling a datagram lost (loopback does not lose any).
const UDP_PATIENCE: Duration = Duration::from_secs(5);
const MIB: f64 = 1024.0 * 1024.0;

/// The variant a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Net,
    /// The baseline: std, or for TLS the backend's crate used directly over std's `TcpStream`.
    Std,
}

/// How much each benchmark moves per run.
#[derive(Debug)]
struct Sizes {
    lines: usize,
    bulk: usize,
    round_trips: usize,
    connections: usize,
    /// Bytes each way in `tls_bulk_*`.
    tls_bulk: usize,
    /// Connections per run of `tls_handshake_*`.
    handshakes: usize,
}

impl Sizes {
    fn full() -> Sizes {
        Sizes {
            lines: 2_000_000,
            bulk: 1 << 30,
            round_trips: 100_000,
            connections: 10_000,
            tls_bulk: 64 << 20,
            handshakes: 500,
        }
    }

    /// About 20 times smaller, for smoke runs.
    fn quick() -> Sizes {
        let full = Sizes::full();
        Sizes {
            lines: full.lines / 20,
            bulk: full.bulk / 20 / CHUNK * CHUNK,
            round_trips: full.round_trips / 20,
            connections: full.connections / 20,
            tls_bulk: full.tls_bulk / 20 / CHUNK * CHUNK,
            handshakes: full.handshakes / 20,
        }
    }
}

/// What every run of a benchmark shares: the sizes, the `read_line` payload and the TLS
/// certificates, each made once.
#[derive(Debug)]
struct Ctx {
    sizes: Sizes,
    lines: OnceLock<Arc<Vec<u8>>>,
    #[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
    tls: OnceLock<tls::Files>,
}

impl Ctx {
    fn line_payload(&self) -> Arc<Vec<u8>> {
        self.lines
            .get_or_init(|| {
                let mut all = Vec::with_capacity(self.sizes.lines * LINE_LEN);
                for i in 0..self.sizes.lines {
                    all.extend_from_slice(line_text(i).as_bytes());
                    all.push(b'\n');
                }
                Arc::new(all)
            })
            .clone()
    }
}

/// Line `i` of `read_line`, without its `\n`: its number, then filler up to 63 characters.
fn line_text(i: usize) -> String {
    const FILLER: &str = " the quick brown fox jumps over the lazy dog 0123456789ABCDEFGHIJ";
    let mut line = format!("{i:010}");
    line.push_str(&FILLER[..LINE_LEN - 1 - line.len()]);
    line
}

/// One benchmark: how to run it once, and how to show its figures.
struct Bench {
    name: &'static str,
    /// One run of one variant; returns the throughput in `unit`.
    run: fn(Variant, &Ctx) -> f64,
    unit: &'static str,
    /// Decimal places for the figures.
    decimals: usize,
    /// The ratio net aims for.
    goal: f64,
    rounds: usize,
    /// What the baseline is.
    baseline: &'static str,
}

const BENCHES: &[Bench] = &[
    Bench { name: "read_line", run: read_line, unit: "M lines/s", decimals: 2, goal: 1.0, rounds: 9, baseline: "std" },
    Bench { name: "recv_64k", run: recv_64k, unit: "MiB/s", decimals: 0, goal: 0.95, rounds: 9, baseline: "std" },
    Bench {
        name: "udp_ping_pong",
        run: udp_ping_pong,
        unit: "k round trips/s",
        decimals: 1,
        goal: 0.95,
        rounds: 5,
        baseline: "std",
    },
    Bench {
        name: "connect_accept",
        run: connect_accept,
        unit: "k conn/s",
        decimals: 2,
        goal: 0.95,
        rounds: 9,
        baseline: "std",
    },
    #[cfg(feature = "rustls")]
    tls::bulk_bench("tls_bulk_rustls", tls::bulk::<tls::Rustls>, "rustls"),
    #[cfg(feature = "rustls")]
    tls::handshake_bench("tls_handshake_rustls", tls::handshakes::<tls::Rustls>, "rustls"),
    #[cfg(feature = "openssl")]
    tls::bulk_bench("tls_bulk_openssl", tls::bulk::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "openssl")]
    tls::handshake_bench("tls_handshake_openssl", tls::handshakes::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "native-tls")]
    tls::bulk_bench("tls_bulk_native-tls", tls::bulk::<tls::NativeTls>, "native-tls"),
    #[cfg(feature = "native-tls")]
    tls::handshake_bench("tls_handshake_native-tls", tls::handshakes::<tls::NativeTls>, "native-tls"),
];

fn main() -> ExitCode {
    let mut quick = false;
    let mut filter = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("usage: net-bench [--quick] [NAME]\n  --quick  sizes about 20 times smaller");
                println!("  NAME     run only the benchmarks whose name contains it:");
                for b in BENCHES {
                    println!("           {}", b.name);
                }
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') || filter.is_some() => {
                eprintln!("net-bench: unexpected argument {s:?} (see --help)");
                return ExitCode::from(2);
            }
            s => filter = Some(s.to_owned()),
        }
    }
    let benches: Vec<&Bench> =
        BENCHES.iter().filter(|b| filter.as_deref().map_or(true, |f| b.name.contains(f))).collect();
    if benches.is_empty() {
        eprintln!("net-bench: no benchmark name contains {:?} (see --help)", filter.unwrap_or_default());
        return ExitCode::from(2);
    }

    let ctx = Ctx {
        sizes: if quick { Sizes::quick() } else { Sizes::full() },
        lines: OnceLock::new(),
        #[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
        tls: OnceLock::new(),
    };
    let s = &ctx.sizes;
    println!(
        "net-bench{}: over {LOOPBACK} only; net and its baseline alternate, the median of each is kept",
        quick_note(quick)
    );
    println!(
        "sizes: read_line {} lines of {LINE_LEN} B ({:.1} MiB); recv_64k {:.1} MiB in {} KiB reads; \
         udp_ping_pong {} round trips of {DATAGRAM} B; connect_accept {} connections per run; \
         tls_bulk {:.1} MiB each way; tls_handshake {} connections per run",
        s.lines,
        (s.lines * LINE_LEN) as f64 / MIB,
        s.bulk as f64 / MIB,
        CHUNK / 1024,
        s.round_trips,
        s.connections,
        s.tls_bulk as f64 / MIB,
        s.handshakes,
    );

    let started = Instant::now();
    let mut rows = Vec::new();
    for bench in benches {
        let (mut net, mut std) = (Vec::new(), Vec::new());
        for round in 0..bench.rounds {
            let order = if round % 2 == 0 { [Variant::Net, Variant::Std] } else { [Variant::Std, Variant::Net] };
            for variant in order {
                let figure = (bench.run)(variant, &ctx);
                if variant == Variant::Net { &mut net } else { &mut std }.push(figure);
            }
        }
        let show = |v: &[f64]| v.iter().map(|f| format!("{f:.*}", bench.decimals)).collect::<Vec<_>>().join(" ");
        println!("{:<24} net [{}]  {} [{}]  ({})", bench.name, show(&net), bench.baseline, show(&std), bench.unit);
        rows.push((bench, median(&net), median(&std)));
    }
    println!();
    print_table(&rows);
    println!("\ntotal time {:.1} s", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

fn quick_note(quick: bool) -> &'static str {
    if quick {
        " --quick"
    } else {
        ""
    }
}

fn median(figures: &[f64]) -> f64 {
    let mut sorted = figures.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 0 {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

fn print_table(rows: &[(&Bench, f64, f64)]) {
    let header = ["benchmark", "net", "baseline", "unit", "ratio", "goal"];
    let cells: Vec<[String; 6]> = rows
        .iter()
        .map(|(b, net, std)| {
            let ratio = net / std;
            let verdict = if ratio >= b.goal { "met" } else { "NOT met" };
            [
                b.name.to_owned(),
                format!("{net:.*}", b.decimals),
                format!("{std:.*}", b.decimals),
                b.unit.to_owned(),
                format!("{ratio:.3}"),
                format!(">= {:.2} {verdict}", b.goal),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.len());
        }
    }
    let line = |row: [&str; 6]| {
        let numeric = [false, true, true, false, true, false];
        let parts: Vec<String> = row
            .iter()
            .zip(width)
            .zip(numeric)
            .map(|((c, w), right)| if right { format!("{c:>w$}") } else { format!("{c:<w$}") })
            .collect();
        println!("{}", parts.join(" | ").trim_end());
    };
    line(header);
    println!("{}", width.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("-+-"));
    for row in &cells {
        line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5]]);
    }
}

/// A net listener on loopback, port chosen by the OS.
fn net_listener() -> (net::Socket, u16) {
    let mut listener = net::Socket::tcp().expect("socket");
    listener.bind_addr(0, LOOPBACK).expect("bind");
    listener.listen().expect("listen");
    let port = listener.local_addr().expect("local_addr").port();
    (listener, port)
}

/// A std listener on loopback, port chosen by the OS.
fn std_listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind((LOOPBACK, 0)).expect("bind");
    let port = listener.local_addr().expect("local_addr").port();
    (listener, port)
}

/// Connects to `port` with std, waits for `go`, then runs `send`.
fn sender(port: u16, go: Arc<Barrier>, send: impl FnOnce(&mut TcpStream) + Send + 'static) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut stream = TcpStream::connect((LOOPBACK, port)).expect("connect");
        go.wait();
        send(&mut stream);
    })
}

fn per_second(count: f64, elapsed: Duration) -> f64 {
    count / elapsed.as_secs_f64()
}

fn read_line(variant: Variant, ctx: &Ctx) -> f64 {
    let payload = ctx.line_payload();
    let expected = ctx.sizes.lines;
    let go = Arc::new(Barrier::new(2));
    let send = move |s: &mut TcpStream| s.write_all(&payload).expect("send lines");
    let mut count = 0usize;
    let (first, last, elapsed);
    match variant {
        Variant::Net => {
            let (mut listener, port) = net_listener();
            let writer = sender(port, go.clone(), send);
            let mut conn = listener.accept().expect("accept");
            assert!(conn.is_buffered());
            let mut line = String::new();
            let mut prev = String::new();
            let mut first_line = None;
            let start = Instant::now();
            go.wait();
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
            elapsed = start.elapsed();
            writer.join().expect("sender");
            (first, last) = (first_line, prev);
        }
        Variant::Std => {
            let (listener, port) = std_listener();
            let writer = sender(port, go.clone(), send);
            let mut conn = BufReader::new(listener.accept().expect("accept").0);
            let mut line = String::new();
            let mut prev = String::new();
            let mut first_line = None;
            let start = Instant::now();
            go.wait();
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
            elapsed = start.elapsed();
            writer.join().expect("sender");
            let strip = |s: String| s.strip_suffix('\n').expect("std keeps the terminator").to_owned();
            (first, last) = (first_line.map(strip), strip(prev));
        }
    }
    assert_eq!(count, expected, "{variant:?}: line count");
    assert_eq!(first.as_deref(), Some(line_text(0).as_str()), "{variant:?}: first line");
    assert_eq!(last, line_text(expected - 1), "{variant:?}: last line");
    per_second(count as f64, elapsed) / 1e6
}

fn recv_64k(variant: Variant, ctx: &Ctx) -> f64 {
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
        let (mut got, mut good_tails) = (0usize, true);
        loop {
            let n = read(&mut buf);
            if n == 0 {
                return (got, good_tails);
            }
            got += n;
            good_tails &= buf[n - 1] == FILL;
        }
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
    echo.set_read_timeout(Some(UDP_PATIENCE * 2)).expect("SO_RCVTIMEO");
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

/// The last CPU this thread may run on, if the affinity mask can be read.
fn last_cpu() -> Option<usize> {
    // SAFETY: an all-zero `cpu_set_t` is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: `set` is a valid, writable `cpu_set_t` of the size passed.
    let ret = unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if ret != 0 {
        return None;
    }
    // SAFETY: `CPU_ISSET` only reads `set`, here for indices below `CPU_SETSIZE`.
    (0..libc::CPU_SETSIZE as usize).rev().find(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
}

/// The calling thread pinned to one CPU; dropping it gives the thread its old affinity back.
struct Pinned(libc::cpu_set_t);

impl Pinned {
    fn to(cpu: usize) -> Pinned {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        // SAFETY: an all-zero `cpu_set_t` is a valid empty set.
        let (mut old, mut one): (libc::cpu_set_t, libc::cpu_set_t) =
            unsafe { (std::mem::zeroed(), std::mem::zeroed()) };
        // SAFETY: both sets are valid `cpu_set_t`s of `size` bytes; `cpu` is below
        // `CPU_SETSIZE` (it came from `last_cpu`).
        unsafe {
            assert_eq!(libc::sched_getaffinity(0, size, &mut old), 0, "sched_getaffinity");
            libc::CPU_SET(cpu, &mut one);
            assert_eq!(libc::sched_setaffinity(0, size, &one), 0, "sched_setaffinity");
        }
        Pinned(old)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        // SAFETY: `self.0` is the valid set `sched_getaffinity` filled in.
        unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &self.0) };
    }
}

fn udp_ping_pong(variant: Variant, ctx: &Ctx) -> f64 {
    let trips = ctx.sizes.round_trips;
    let cpu = last_cpu();
    let _pinned = cpu.map(Pinned::to);
    let (port, echo) = echo_server(cpu);
    let mut payload = [0x42u8; DATAGRAM];
    let mut buf = [0u8; 64];
    let mut good = 0usize;
    let elapsed;
    match variant {
        Variant::Net => {
            let mut client = net::Socket::udp().expect("socket");
            client.bind_addr(0, LOOPBACK).expect("bind");
            socket2::SockRef::from(&client).set_read_timeout(Some(UDP_PATIENCE)).expect("SO_RCVTIMEO");
            let start = Instant::now();
            for i in 0..trips {
                payload[..8].copy_from_slice(&(i as u64).to_le_bytes());
                client.send_to(LOOPBACK, port, &payload).expect("send_to");
                let (n, _from, from_port) = client.recv_from(&mut buf).expect("recv_from");
                good += usize::from(u16::from(from_port) == port && buf[..n] == payload);
            }
            elapsed = start.elapsed();
            client.send_to(LOOPBACK, port, &[]).expect("stop echo");
        }
        Variant::Std => {
            let client = UdpSocket::bind((LOOPBACK, 0)).expect("bind");
            client.set_read_timeout(Some(UDP_PATIENCE)).expect("SO_RCVTIMEO");
            let start = Instant::now();
            for i in 0..trips {
                payload[..8].copy_from_slice(&(i as u64).to_le_bytes());
                client.send_to(&payload, (LOOPBACK, port)).expect("send_to");
                let (n, from) = client.recv_from(&mut buf).expect("recv_from");
                good += usize::from(from.port() == port && buf[..n] == payload);
            }
            elapsed = start.elapsed();
            client.send_to(&[], (LOOPBACK, port)).expect("stop echo");
        }
    }
    echo.join().expect("echo");
    assert_eq!(good, trips, "{variant:?}: echoes that came back right");
    per_second(trips as f64, elapsed) / 1e3
}

fn connect_accept(variant: Variant, ctx: &Ctx) -> f64 {
    let n = ctx.sizes.connections;
    // Only the first and the last connection are checked: two more system calls per connection
    // would weigh on both variants' figures.
    let check = |i: usize| i == 0 || i == n - 1;
    let _pinned = last_cpu().map(Pinned::to);
    let elapsed = match variant {
        Variant::Net => {
            let (mut listener, port) = net_listener();
            let start = Instant::now();
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
            start.elapsed()
        }
        Variant::Std => {
            let (listener, port) = std_listener();
            let start = Instant::now();
            for i in 0..n {
                let client = TcpStream::connect((LOOPBACK, port)).expect("connect");
                let (server, peer) = listener.accept().expect("accept");
                if check(i) {
                    assert_eq!(peer, client.local_addr().expect("local"), "std: peer");
                }
                drop(client);
                drop(server);
            }
            start.elapsed()
        }
    };
    per_second(n as f64, elapsed) / 1e3
}

/// The TLS benchmarks: net's TLS on each backend against the backend's crate used directly.
#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
mod tls {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::sync::{Arc, Barrier};
    use std::thread;
    use std::time::Instant;

    use net::tls::{BackendKind, HandshakeSide};
    use net::SockOpt;
    use net_tests::certs::{Leaf, Pki, Validity};
    use net_tests::tls::{client_context, server_context};

    use super::{last_cpu, net_listener, per_second, std_listener, Bench, Ctx, Pinned, Variant, CHUNK, LOOPBACK, MIB};

    /// The name the server's certificate carries and the clients check.
    const SERVER_NAME: &str = "localhost";

    /// The test CA and the server's certificate (chain and key), made once per run.
    #[derive(Debug)]
    pub(super) struct Files {
        pki: Pki,
        leaf: Leaf,
    }

    impl Ctx {
        fn tls_files(&self) -> &Files {
            self.tls.get_or_init(|| {
                let pki = Pki::new("bench");
                let leaf = pki.server("localhost", &[SERVER_NAME], Validity::Current);
                Files { pki, leaf }
            })
        }
    }

    /// A `tls_bulk_*` entry of the table; `baseline` names the crate.
    pub(super) const fn bulk_bench(name: &'static str, run: fn(Variant, &Ctx) -> f64, baseline: &'static str) -> Bench {
        Bench { name, run, unit: "MiB/s", decimals: 0, goal: 0.95, rounds: 9, baseline }
    }

    /// A `tls_handshake_*` entry of the table; `baseline` names the crate.
    pub(super) const fn handshake_bench(
        name: &'static str,
        run: fn(Variant, &Ctx) -> f64,
        baseline: &'static str,
    ) -> Bench {
        Bench { name, run, unit: "handshakes/s", decimals: 0, goal: 0.95, rounds: 7, baseline }
    }

    /// One end of a TLS connection, handshake done: net's socket or a crate's own stream.
    pub(super) trait End: Send {
        fn send_all(&mut self, data: &[u8]);
        /// One read; 0 at the end of the stream.
        fn recv_some(&mut self, buf: &mut [u8]) -> usize;
        /// Sends close_notify (errors ignored: the peer may be gone); the descriptor closes
        /// when the end is dropped.
        fn close(&mut self);
    }

    impl End for net::Socket {
        fn send_all(&mut self, data: &[u8]) {
            self.send(data).expect("net send");
        }
        fn recv_some(&mut self, buf: &mut [u8]) -> usize {
            self.recv_into(buf).expect("net recv_into")
        }
        fn close(&mut self) {
            net::Socket::close(self);
        }
    }

    /// A TLS crate's stream over a `TcpStream`, with that crate's way to send close_notify.
    struct Direct<S> {
        stream: S,
        close_notify: fn(&mut S),
    }

    impl<S: Read + Write + Send> End for Direct<S> {
        fn send_all(&mut self, data: &[u8]) {
            self.stream.write_all(data).and_then(|()| self.stream.flush()).expect("direct write");
        }
        fn recv_some(&mut self, buf: &mut [u8]) -> usize {
            self.stream.read(buf).expect("direct read")
        }
        fn close(&mut self) {
            (self.close_notify)(&mut self.stream);
        }
    }

    fn direct<S: Read + Write + Send + 'static>(stream: S, close_notify: fn(&mut S)) -> Box<dyn End> {
        Box::new(Direct { stream, close_notify })
    }

    /// A backend, and its crate used directly with the settings the backend uses.
    pub(super) trait Backend {
        const KIND: BackendKind;
        /// The client and server configurations, made once per run, shared with the server
        /// thread.
        type Config: Send + Sync + 'static;
        fn config(files: &Files) -> Self::Config;
        /// A client on `tcp`, handshake done.
        fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End>;
        /// A server on `tcp`, handshake done.
        fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End>;
    }

    /// Gives the server's end of the next connection (in the server thread).
    type Acceptor = Box<dyn FnMut() -> Box<dyn End> + Send>;
    /// Opens the next connection and gives the client's end.
    type Connector = Box<dyn FnMut() -> Box<dyn End>>;

    /// Both sides of `variant` on a new listener: net (a wrapped listener; `dial` then
    /// `wrap_connected_socket`) or the crate directly over std. With `nodelay`, every socket
    /// has `TCP_NODELAY` before its handshake (accepted ones inherit it from the listener).
    fn endpoints<B: Backend>(variant: Variant, ctx: &Ctx, nodelay: bool) -> (Acceptor, Connector) {
        let files = ctx.tls_files();
        match variant {
            Variant::Net => {
                let server = server_context(B::KIND, &files.leaf);
                let client = client_context(B::KIND, &files.pki);
                let (mut listener, port) = net_listener();
                listener.set_sock_opt(SockOpt::NoDelay, nodelay).expect("TCP_NODELAY");
                server.wrap_socket(&mut listener).expect("wrap the listener");
                let accept = move || -> Box<dyn End> {
                    let conn = listener.accept().expect("net TLS accept");
                    assert!(conn.is_buffered() && conn.get_sock_opt(SockOpt::NoDelay).expect("TCP_NODELAY") == nodelay);
                    Box::new(conn)
                };
                let connect = move || -> Box<dyn End> {
                    let mut conn = net::dial(LOOPBACK, port).expect("dial");
                    conn.set_sock_opt(SockOpt::NoDelay, nodelay).expect("TCP_NODELAY");
                    client
                        .wrap_connected_socket(&mut conn, HandshakeSide::Client, SERVER_NAME)
                        .expect("net TLS connect");
                    Box::new(conn)
                };
                (Box::new(accept), Box::new(connect))
            }
            Variant::Std => {
                let config = Arc::new(B::config(files));
                let (listener, port) = std_listener();
                socket2::SockRef::from(&listener).set_tcp_nodelay(nodelay).expect("TCP_NODELAY");
                let server_config = config.clone();
                let accept = move || B::accept(&server_config, listener.accept().expect("accept").0);
                let connect = move || {
                    let tcp = TcpStream::connect((LOOPBACK, port)).expect("connect");
                    tcp.set_nodelay(nodelay).expect("TCP_NODELAY");
                    B::connect(&config, tcp)
                };
                (Box::new(accept), Box::new(connect))
            }
        }
    }

    /// The byte at offset `i` of a `tls_bulk` direction: each 64 KiB write is the same block.
    fn pattern(i: usize) -> u8 {
        (i % CHUNK % 251) as u8
    }

    fn send_bulk(end: &mut dyn End, total: usize) {
        let block: Vec<u8> = (0..CHUNK).map(pattern).collect();
        let mut left = total;
        while left > 0 {
            let n = left.min(CHUNK);
            end.send_all(&block[..n]);
            left -= n;
        }
    }

    /// Reads `total` bytes (less at an early end of stream); returns how many came, after
    /// checking the first and last byte of every read.
    fn recv_bulk(end: &mut dyn End, total: usize) -> usize {
        let mut buf = vec![0u8; CHUNK];
        let mut got = 0;
        while got < total {
            let n = end.recv_some(&mut buf[..CHUNK.min(total - got)]);
            if n == 0 {
                break;
            }
            assert!(buf[0] == pattern(got) && buf[n - 1] == pattern(got + n - 1), "bytes out of place at {got}");
            got += n;
        }
        got
    }

    pub(super) fn bulk<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
        let total = ctx.sizes.tls_bulk;
        let (mut accept, mut connect) = endpoints::<B>(variant, ctx, true);
        let go = Arc::new(Barrier::new(2));
        let server_go = go.clone();
        let cpu = last_cpu();
        let _pinned = cpu.map(Pinned::to);
        let server = thread::spawn(move || {
            let _pinned = cpu.map(Pinned::to);
            let mut end = accept();
            server_go.wait();
            let got = recv_bulk(&mut *end, total);
            send_bulk(&mut *end, total);
            end.close();
            got
        });
        let mut end = connect();
        go.wait();
        let start = Instant::now();
        send_bulk(&mut *end, total);
        let back = recv_bulk(&mut *end, total);
        let elapsed = start.elapsed();
        end.close();
        let there = server.join().expect("server");
        assert_eq!((there, back), (total, total), "{variant:?} {}: bytes received (server, client)", B::KIND);
        per_second(2.0 * total as f64 / MIB, elapsed)
    }

    pub(super) fn handshakes<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
        let n = ctx.sizes.handshakes;
        let cpu = last_cpu();
        let _pinned = cpu.map(Pinned::to);
        let (mut accept, mut connect) = endpoints::<B>(variant, ctx, false);
        let server = thread::spawn(move || {
            let _pinned = cpu.map(Pinned::to);
            let mut good = 0usize;
            for i in 0..n {
                let mut end = accept();
                let mut byte = [0u8; 1];
                good += usize::from(end.recv_some(&mut byte) == 1 && byte[0] == i as u8);
                end.close();
            }
            good
        });
        let start = Instant::now();
        for i in 0..n {
            let mut end = connect();
            end.send_all(&[i as u8]);
            end.close();
        }
        let good = server.join().expect("server");
        let elapsed = start.elapsed();
        assert_eq!(good, n, "{variant:?} {}: connections whose byte arrived", B::KIND);
        per_second(n as f64, elapsed)
    }

    /// rustls with the ring provider: TLS 1.3 and 1.2, the CA as the only root.
    #[cfg(feature = "rustls")]
    pub(super) enum Rustls {}

    #[cfg(feature = "rustls")]
    impl Backend for Rustls {
        const KIND: BackendKind = BackendKind::Rustls;
        type Config = (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>);

        fn config(files: &Files) -> Self::Config {
            use rustls::pki_types::pem::PemObject;
            use rustls::pki_types::{CertificateDer, PrivateKeyDer};
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let versions = [&rustls::version::TLS13, &rustls::version::TLS12];
            let certs = |path| CertificateDer::pem_file_iter(path).expect("PEM").map(|c| c.expect("certificate"));
            let mut roots = rustls::RootCertStore::empty();
            for ca in certs(&files.pki.ca_file) {
                roots.add(ca).expect("CA");
            }
            let client = rustls::ClientConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(&versions)
                .expect("versions")
                .with_root_certificates(roots)
                .with_no_client_auth();
            let key = PrivateKeyDer::from_pem_file(&files.leaf.key).expect("key");
            let server = rustls::ServerConfig::builder_with_provider(provider)
                .with_protocol_versions(&versions)
                .expect("versions")
                .with_no_client_auth()
                .with_single_cert(certs(&files.leaf.chain).collect(), key)
                .expect("server certificate");
            (Arc::new(client), Arc::new(server))
        }

        fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
            let name = SERVER_NAME.try_into().expect("server name");
            let conn = rustls::ClientConnection::new(config.0.clone(), name).expect("client connection");
            direct(handshake(conn, tcp), close_rustls)
        }

        fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
            let conn = rustls::ServerConnection::new(config.1.clone()).expect("server connection");
            direct(handshake(conn, tcp), close_rustls)
        }
    }

    #[cfg(feature = "rustls")]
    use net::tls::rustls::rustls;

    /// Runs the handshake now, as net does in `connect`/`accept` (a `StreamOwned` would run it
    /// on the first read or write).
    #[cfg(feature = "rustls")]
    fn handshake<C, S>(mut conn: C, mut tcp: TcpStream) -> rustls::StreamOwned<C, TcpStream>
    where
        C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
        S: rustls::SideData,
    {
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp).expect("rustls handshake");
        }
        rustls::StreamOwned::new(conn, tcp)
    }

    #[cfg(feature = "rustls")]
    fn close_rustls<C, S>(stream: &mut rustls::StreamOwned<C, TcpStream>)
    where
        C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
        S: rustls::SideData,
    {
        stream.conn.send_close_notify();
        let _ = stream.flush();
    }

    /// OpenSSL with the settings of net's OpenSSL backend: any version, partial writes, the CA
    /// as the only root, SNI and the host name checked (no partial wildcards).
    #[cfg(feature = "openssl")]
    pub(super) enum OpenSsl {}

    #[cfg(feature = "openssl")]
    impl Backend for OpenSsl {
        const KIND: BackendKind = BackendKind::OpenSsl;
        type Config = (openssl::ssl::SslContext, openssl::ssl::SslContext);

        fn config(files: &Files) -> Self::Config {
            use openssl::ssl::{SslContextBuilder, SslFiletype, SslMethod, SslMode, SslVerifyMode};
            let builder = || {
                let mut b = SslContextBuilder::new(SslMethod::tls()).expect("SSL_CTX");
                b.set_mode(SslMode::ENABLE_PARTIAL_WRITE | SslMode::ACCEPT_MOVING_WRITE_BUFFER);
                b
            };
            let mut client = builder();
            client.set_ca_file(&files.pki.ca_file).expect("CA file");
            client.set_verify(SslVerifyMode::PEER);
            let mut server = builder();
            server.set_certificate_chain_file(&files.leaf.chain).expect("certificate chain");
            server.set_private_key_file(&files.leaf.key, SslFiletype::PEM).expect("key");
            (client.build(), server.build())
        }

        fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
            let mut ssl = openssl::ssl::Ssl::new(&config.0).expect("SSL");
            ssl.set_hostname(SERVER_NAME).expect("SNI");
            let param = ssl.param_mut();
            param.set_hostflags(openssl::x509::verify::X509CheckFlags::NO_PARTIAL_WILDCARDS);
            param.set_host(SERVER_NAME).expect("host name");
            direct(ssl.connect(tcp).expect("openssl connect"), close_openssl)
        }

        fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
            let ssl = openssl::ssl::Ssl::new(&config.1).expect("SSL");
            direct(ssl.accept(tcp).expect("openssl accept"), close_openssl)
        }
    }

    #[cfg(feature = "openssl")]
    use net::tls::openssl::openssl;

    #[cfg(feature = "openssl")]
    fn close_openssl(stream: &mut openssl::ssl::SslStream<TcpStream>) {
        let _ = stream.shutdown();
    }

    /// native-tls with the settings of net's native-tls backend: the CA as the only root, the
    /// server's chain and PKCS#8 key as its identity.
    #[cfg(feature = "native-tls")]
    pub(super) enum NativeTls {}

    #[cfg(feature = "native-tls")]
    impl Backend for NativeTls {
        const KIND: BackendKind = BackendKind::NativeTls;
        type Config = (native_tls::TlsConnector, native_tls::TlsAcceptor);

        fn config(files: &Files) -> Self::Config {
            let read = |path: &std::path::Path| std::fs::read(path).expect("read a PEM file");
            let ca = native_tls::Certificate::from_pem(&read(&files.pki.ca_file)).expect("CA");
            let connector = native_tls::TlsConnector::builder()
                .disable_built_in_roots(true)
                .add_root_certificate(ca)
                .build()
                .expect("connector");
            let identity = native_tls::Identity::from_pkcs8(&read(&files.leaf.chain), &read(&files.leaf.key));
            let acceptor = native_tls::TlsAcceptor::new(identity.expect("identity")).expect("acceptor");
            (connector, acceptor)
        }

        fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
            direct(config.0.connect(SERVER_NAME, tcp).expect("native-tls connect"), close_native)
        }

        fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
            direct(config.1.accept(tcp).expect("native-tls accept"), close_native)
        }
    }

    #[cfg(feature = "native-tls")]
    use net::tls::native::native_tls;

    #[cfg(feature = "native-tls")]
    fn close_native(stream: &mut native_tls::TlsStream<TcpStream>) {
        let _ = stream.shutdown();
    }
}
