//! The memory table: what 10 000 idle connected buffered sockets keep, net's (accepted from a
//! net listener, default buffering) against std's `BufReader<TcpStream>` (default capacity,
//! 8 KiB), in three states:
//! 1. after connect (every connection accepted);
//! 2. after one short line (`hello\n`) read on each (`read_line`, one reused `String`);
//! 3. after a 1 MiB burst on each, read to the end 1000 bytes at a time (net's `recv_into`,
//!    `Read::read` through the `BufReader`).
//!
//! Each variant runs in a process of its own (so neither reuses memory the other freed). The
//! peers, std `TcpStream`s, live in a third process that the measured one drives through a
//! pipe, so that neither their memory nor their descriptors are the measured process's. Two
//! measures, per socket, over a baseline taken before the first connect (with the listener,
//! the peer process and the line's `String` already made):
//! - resident: `Rss` of `/proc/self/smaps_rollup` (exact, unlike `VmRSS` in `/proc/self/status`,
//!   which the kernel updates in batches);
//! - heap: the bytes malloc has handed out and not had back (glibc's `mallinfo2`, `uordblks +
//!   hblkhd`), whether the pages were touched or not.
//!
//! The sockets' own handles (the `Vec` that holds them) count. The goal is net's resident
//! memory at most std's in each state. Both processes raise `RLIMIT_NOFILE` to fit their
//! sockets; when the hard limit is lower and cannot be raised, the bench uses fewer sockets and
//! says so.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitCode, Stdio};

use crate::setup::{net_listener, std_listener, Variant, FILL, LOOPBACK};
use crate::table::{verdict, Table};

/// The first argument of a process this mode starts: `CHILD VARIANT SOCKETS`.
pub(crate) const CHILD: &str = "--memory-child";
/// The first argument of the peers' process: `PEER PORT SOCKETS`.
pub(crate) const PEER: &str = "--memory-peer";
/// Connections made per command to the peers' process: fewer than any listener's backlog
/// (std's is 128), so that every connect completes before its accept.
const BATCH: usize = 100;
/// Sockets per variant (10 times fewer with `--quick`).
const SOCKETS: usize = 10_000;
/// The burst each socket reads in state 3.
const BURST: usize = 1 << 20;
/// The read size of the drain.
const READ: usize = 1000;
/// The line each socket reads in state 2.
const LINE: &[u8] = b"hello\n";
/// Descriptors kept for the rest of the process (standard streams, the listener...).
const SPARE_FDS: u64 = 64;

const STATES: [&str; 3] = ["after connect", "after one short line", "after a 1 MiB burst, drained"];

/// One reading end, net's or std's.
trait Idle: Sized {
    fn read_one_line(&mut self, line: &mut String);
    fn read_some(&mut self, buf: &mut [u8]) -> usize;
}

impl Idle for net::Socket {
    fn read_one_line(&mut self, line: &mut String) {
        self.read_line(line).expect("net read_line");
    }
    fn read_some(&mut self, buf: &mut [u8]) -> usize {
        self.recv_into(buf).expect("net recv_into")
    }
}

impl Idle for BufReader<TcpStream> {
    fn read_one_line(&mut self, line: &mut String) {
        line.clear();
        self.read_line(line).expect("std read_line");
        line.pop();
    }
    fn read_some(&mut self, buf: &mut [u8]) -> usize {
        self.read(buf).expect("std read")
    }
}

/// Resident and heap bytes of this process at one moment.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    resident: u64,
    heap: u64,
}

fn usage() -> Usage {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").expect("/proc/self/smaps_rollup");
    let kib = rollup
        .lines()
        .find_map(|l| l.strip_prefix("Rss:"))
        .and_then(|v| v.trim().strip_suffix("kB")?.trim().parse::<u64>().ok())
        .expect("Rss in smaps_rollup");
    // SAFETY: `mallinfo2` only reads malloc's statistics.
    let info = unsafe { libc::mallinfo2() };
    Usage { resident: kib * 1024, heap: (info.uordblks + info.hblkhd) as u64 }
}

/// Raises the soft (and if need be the hard) `RLIMIT_NOFILE` towards `want`; returns the soft
/// limit in force.
fn raise_nofile(want: u64) -> u64 {
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `lim` is a valid `rlimit` to write to.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return 1024;
    }
    if lim.rlim_cur >= want {
        return lim.rlim_cur;
    }
    // Raising the hard limit needs CAP_SYS_RESOURCE; without it, go up to the hard limit.
    for to in [
        libc::rlimit { rlim_cur: want, rlim_max: want.max(lim.rlim_max) },
        libc::rlimit { rlim_cur: lim.rlim_max.min(want), rlim_max: lim.rlim_max },
    ] {
        // SAFETY: `to` is a valid `rlimit`.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &to) } == 0 {
            return to.rlim_cur;
        }
    }
    lim.rlim_cur
}

/// Measures one variant (in the process `run` started) and prints `usage N` and the four
/// samples, baseline first, as `resident heap` pairs.
pub(crate) fn child(args: &[String]) -> ExitCode {
    let parsed = match args {
        [variant, sockets] => Variant::from_arg(variant).zip(sockets.parse::<usize>().ok()),
        _ => None,
    };
    let Some((variant, wanted)) = parsed else {
        eprintln!("net-bench {CHILD}: expected VARIANT SOCKETS, got {args:?}");
        return ExitCode::from(2);
    };
    let sockets = fitting(wanted);
    if sockets < wanted {
        println!("note: RLIMIT_NOFILE cannot be raised to fit {wanted} sockets: {sockets} instead");
    }
    let samples = match variant {
        Variant::Net => {
            let (mut listener, port) = net_listener();
            measure(sockets, port, || {
                let conn = listener.accept().expect("net accept");
                assert!(conn.is_buffered());
                conn
            })
        }
        Variant::Std => {
            let (listener, port) = std_listener();
            measure(sockets, port, || BufReader::new(listener.accept().expect("std accept").0))
        }
    };
    let pairs: Vec<String> = samples.iter().map(|u| format!("{} {}", u.resident, u.heap)).collect();
    println!("usage {sockets} {}", pairs.join(" "));
    ExitCode::SUCCESS
}

/// How many of `wanted` sockets fit in this process's descriptors, once `RLIMIT_NOFILE` is
/// raised as far as it goes.
fn fitting(wanted: usize) -> usize {
    let limit = raise_nofile(wanted as u64 + SPARE_FDS);
    wanted.min(limit.saturating_sub(SPARE_FDS) as usize)
}

/// The peers' process, driven by one command a line on its standard input, each answered
/// `ok`: `connect K` (K more connections to the port), `line` (the short line on each),
/// `burst` (the burst on the next socket).
pub(crate) fn peer(args: &[String]) -> ExitCode {
    let parsed = match args {
        [port, sockets] => port.parse::<u16>().ok().zip(sockets.parse::<usize>().ok()),
        _ => None,
    };
    let Some((port, sockets)) = parsed else {
        eprintln!("net-bench {PEER}: expected PORT SOCKETS, got {args:?}");
        return ExitCode::from(2);
    };
    if fitting(sockets) < sockets {
        eprintln!("net-bench {PEER}: RLIMIT_NOFILE cannot fit {sockets} sockets");
        return ExitCode::FAILURE;
    }
    let mut peers = Vec::with_capacity(sockets);
    let block = vec![FILL; BURST];
    let mut bursts = 0;
    for command in std::io::stdin().lock().lines() {
        let command = command.expect("read a command");
        match command.split_whitespace().collect::<Vec<_>>()[..] {
            ["connect", k] => {
                for _ in 0..k.parse::<usize>().expect("a count") {
                    peers.push(TcpStream::connect((LOOPBACK, port)).expect("connect"));
                }
            }
            ["line"] => peers.iter().for_each(|mut p| p.write_all(LINE).expect("send the line")),
            ["burst"] => {
                let mut next = peers.get(bursts).expect("a burst for each socket, no more");
                next.write_all(&block).expect("send the burst");
                bursts += 1;
            }
            _ => break,
        }
        println!("ok");
    }
    ExitCode::SUCCESS
}

/// The peers' process, seen from the measured one.
struct Peers {
    process: Child,
    to: ChildStdin,
    from: BufReader<ChildStdout>,
    answer: String,
}

impl Peers {
    fn start(port: u16, sockets: usize) -> Peers {
        let exe = std::env::current_exe().expect("own executable");
        let mut process = Command::new(exe)
            .args([PEER, &port.to_string(), &sockets.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the peers' process");
        let to = process.stdin.take().expect("stdin");
        let from = BufReader::new(process.stdout.take().expect("stdout"));
        Peers { process, to, from, answer: String::with_capacity(64) }
    }

    /// Sends `command` without waiting for its answer.
    fn send(&mut self, command: &str) {
        writeln!(self.to, "{command}").expect("write to the peers");
    }

    /// Waits for the answer to the last command sent.
    fn done(&mut self) {
        self.answer.clear();
        self.from.read_line(&mut self.answer).expect("read from the peers");
        assert_eq!(self.answer, "ok\n", "the peers' process failed");
    }

    fn stop(mut self) {
        drop(self.to);
        let status = self.process.wait().expect("wait for the peers");
        assert!(status.success(), "the peers' process: {status}");
    }
}

/// The baseline and the three states, for `sockets` connections to `port` each accepted by
/// `accept`.
fn measure<R: Idle>(sockets: usize, port: u16, mut accept: impl FnMut() -> R) -> [Usage; 4] {
    // Made before the baseline: the peers' process, the line, the read buffer.
    let mut peers = Peers::start(port, sockets);
    let mut line = String::with_capacity(64);
    let mut buf = [0u8; READ];
    let baseline = usage();

    let mut conns = Vec::with_capacity(sockets);
    while conns.len() < sockets {
        let k = BATCH.min(sockets - conns.len());
        peers.send(&format!("connect {k}"));
        peers.done();
        for _ in 0..k {
            conns.push(accept());
        }
    }
    let connected = usage();

    peers.send("line");
    peers.done();
    for conn in &mut conns {
        conn.read_one_line(&mut line);
        assert_eq!(line.as_bytes(), &LINE[..LINE.len() - 1], "the short line");
    }
    let after_line = usage();

    // One burst at a time: 1 MiB fits in a loopback socket's send buffer, so a peer that did
    // not wait would queue all of them in the kernel (gigabytes, and TCP memory pressure).
    for conn in &mut conns {
        peers.send("burst");
        let mut got = 0;
        while got < BURST {
            let n = conn.read_some(&mut buf[..READ.min(BURST - got)]);
            assert!(n > 0, "the burst ended early, after {got} bytes");
            assert_eq!(buf[n - 1], FILL);
            got += n;
        }
        peers.done();
    }
    let drained = usage();
    peers.stop();
    drop(conns);
    [baseline, connected, after_line, drained]
}

/// One variant's samples, as its process printed them.
#[derive(Debug)]
struct Run {
    sockets: usize,
    samples: [Usage; 4],
}

impl Run {
    /// Bytes per socket over the baseline in state `i` (1-based), resident then heap.
    fn per_socket(&self, i: usize) -> (f64, f64) {
        let d = |now: u64, base: u64| (now as f64 - base as f64) / self.sockets as f64;
        let (now, base) = (self.samples[i], self.samples[0]);
        (d(now.resident, base.resident), d(now.heap, base.heap))
    }
}

fn parse_run(stdout: &str) -> Option<Run> {
    let line = stdout.lines().find_map(|l| l.strip_prefix("usage "))?;
    let numbers: Vec<u64> = line.split_whitespace().map(str::parse).collect::<Result<_, _>>().ok()?;
    let (&sockets, rest) = numbers.split_first()?;
    let samples: Vec<Usage> = rest.chunks_exact(2).map(|p| Usage { resident: p[0], heap: p[1] }).collect();
    Some(Run { sockets: sockets as usize, samples: samples.try_into().ok()? })
}

/// Runs each variant in its own process and prints the table.
pub(crate) fn run(quick: bool) -> ExitCode {
    let sockets = if quick { SOCKETS / 10 } else { SOCKETS };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("net-bench: cannot find its own executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut runs = Vec::new();
    for variant in [Variant::Net, Variant::Std] {
        let output = Command::new(&exe).args([CHILD, variant.arg(), &sockets.to_string()]).output();
        let output = match output {
            Ok(o) if o.status.success() => o,
            Ok(o) => {
                eprintln!("net-bench memory {}: {}\n{}", variant.arg(), o.status, String::from_utf8_lossy(&o.stderr));
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("net-bench memory {}: cannot run {}: {e}", variant.arg(), exe.display());
                return ExitCode::FAILURE;
            }
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        for note in stdout.lines().filter(|l| l.starts_with("note:")) {
            println!("{} {note}", variant.arg());
        }
        let Some(run) = parse_run(&stdout) else {
            eprintln!("net-bench memory {}: unexpected output {stdout:?}", variant.arg());
            return ExitCode::FAILURE;
        };
        runs.push(run);
    }
    let (net, std) = (&runs[0], &runs[1]);
    println!(
        "memory: {} idle connected sockets (net), {} (std), each variant in its own process; bytes per socket \
         over a baseline",
        net.sockets, std.sockets
    );
    println!("  resident: Rss of /proc/self/smaps_rollup; heap: bytes malloc has handed out (mallinfo2)");
    let mut table = Table::new(&[
        ("state", false),
        ("net resident", true),
        ("std resident", true),
        ("ratio", true),
        ("net heap", true),
        ("std heap", true),
        ("goal", false),
    ]);
    for (i, state) in STATES.iter().enumerate() {
        let ((net_rss, net_heap), (std_rss, std_heap)) = (net.per_socket(i + 1), std.per_socket(i + 1));
        table.row(vec![
            (*state).to_owned(),
            format!("{net_rss:.0}"),
            format!("{std_rss:.0}"),
            format!("{:.3}", net_rss / std_rss),
            format!("{net_heap:.0}"),
            format!("{std_heap:.0}"),
            format!("net resident <= std {}", verdict(net_rss <= std_rss)),
        ]);
    }
    print!("{}", table.render());
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_line_gives_per_socket_deltas() {
        let run = parse_run("note: x\nusage 10 1000 500 2000 600 2000 600 11000 1600\n").expect("parsed");
        assert_eq!(run.sockets, 10);
        assert_eq!(run.per_socket(1), (100.0, 10.0));
        assert_eq!(run.per_socket(3), (1000.0, 110.0));
        assert!(parse_run("usage 10 1 2 3\n").is_none());
    }
}
