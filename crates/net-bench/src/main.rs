//! `net-bench`: net against std (and net's TLS against the TLS crates used directly), over
//! loopback (`127.0.0.1`, never any other address), both measured in the same run.
//! `docs/benchmarks.md` explains the three modes and how the figures are counted.
//!
//! Run it with `cargo xtask bench [--quick] [--instructions | --memory] [NAME]` (a release
//! build).
//! - Wall clock (the default, [`wall`]): each benchmark runs net and its baseline alternately
//!   for a few rounds, flipping the order every round, and keeps the median figure of each
//!   (every round's figure is printed too). The ratio is net's throughput over the baseline's:
//!   above 1 means net is faster. The goal column says what ratio net aims for. Then the memory
//!   table.
//! - `--instructions` ([`instructions`]): each variant of each benchmark runs once in its own
//!   process under callgrind, which counts the user-space instructions of the reading side
//!   ([`probe`]); another run of the same process under strace counts its system calls.
//! - `--memory` ([`memory`]): only the memory table (resident memory of idle sockets).
//!
//! Nothing here asserts on time, but every run checks its result (counts, first and last
//! lines, bytes, echoes, peers) and panics when it is wrong.
//!
//! The plain benchmarks ([`plain`]):
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
//! The TLS benchmarks ([`tls`]) run per backend (`rustls`, `openssl`, `native-tls`, each when
//! its feature is on) against the same TLS crate used directly over std's `TcpStream`, with the
//! settings the backend uses (protocol versions, the test CA as the only root, the server name
//! `localhost` sent and checked, the server sending its chain). Both sides of a connection are
//! net, or both are direct (rustls `StreamOwned`, openssl `SslStream`, native-tls `TlsStream`).
//! On net's side the server is a listener wrapped with a context (`accept` runs the handshake)
//! and the client is `net::dial("127.0.0.1", port)` then `wrap_connected_socket(..,
//! "localhost")`: like the direct client, it connects to the address without a name lookup.
//! The handshake is done before the first byte in both (a rustls `StreamOwned` is driven to the
//! end of it first), and closing sends close_notify in both. The certificates are made once per
//! process. The client and the server thread are pinned to one CPU, as in `udp_ping_pong`: the
//! figures then follow the CPU work of both ends, not how the two threads happen to be placed
//! (which moves them by a factor of two on a virtual machine).
//! - `tls_bulk_<backend>`: over one TLS connection, `tls_bulk` bytes client to server, then as
//!   many back, written 64 KiB at a time (net's `send`; `write_all` then `flush`) and read 64
//!   KiB at a time (net's `recv_into` on default buffered sockets; `read`). Every read's first
//!   and last bytes are checked against the pattern sent, and the byte counts. Every socket has
//!   `TCP_NODELAY`: without it the last records of a direction can wait for a delayed ACK (40
//!   ms, at random, in either variant). MiB per second, both directions counted.
//! - `tls_handshake_<backend>`: `handshakes` sequential connections, each with a full handshake
//!   (no session is resumed: the client never reads the tickets), one byte from the client
//!   (checked by the server), and a close. Handshakes per second.
//! - `tls_handshake_resumed_<backend>` (rustls and openssl; native-tls cannot resume): the
//!   same, but the server sends the byte back and the client reads it, and with it the
//!   server's tickets, so every connection resumes the session the one before it left; one
//!   connection before the clock starts leaves the first. net's contexts resume by default;
//!   rustls resumes with its default configuration; an OpenSSL client resumes nothing by
//!   itself, so the direct one keeps the last session it was issued (a client cache and a
//!   new-session callback) and offers it. The server counts the resumed handshakes (all must
//!   be), as `tls_handshake_*` counts none. After the table, resumed over full handshakes per
//!   second per backend, net's against a goal of 2.5, and the baseline's.
//! - `tls_handshake_<backend>_tls12` and `tls_handshake_resumed_<backend>_tls12` (rustls and
//!   openssl): the same two with both sides pinned to TLS 1.2, where a resumed handshake is
//!   the abbreviated one (no key exchange, no certificate). Full runs turn resumption off on
//!   the client (a TLS 1.2 session comes with the handshake, read or not); every socket has
//!   `TCP_NODELAY` (see `tls::connections`). They get a row of the resumption table too.
//!
//! In both variants of a plain benchmark the other side (sender, echo) is the same std code, and
//! the clock starts once the connection is set up: a TCP sender waits for the receiver's go (for
//! `tls_bulk`, the client waits for the server's, once both handshakes are done).

mod instructions;
mod load;
mod memory;
mod plain;
mod probe;
mod setup;
mod table;
#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
mod tls;
mod wall;

use std::process::ExitCode;
use std::time::Instant;

use setup::{Ctx, Sizes, Variant, MIB};

/// One benchmark: how to run it once, and how to show its figures.
pub(crate) struct Bench {
    pub(crate) name: &'static str,
    /// One run of one variant; returns the throughput in `unit`.
    pub(crate) run: fn(Variant, &Ctx) -> f64,
    /// The wall-clock unit.
    pub(crate) unit: &'static str,
    /// Decimal places for the wall-clock figures.
    pub(crate) decimals: usize,
    /// The wall-clock ratio net aims for (at least).
    pub(crate) goal: f64,
    pub(crate) rounds: usize,
    /// What the baseline is.
    pub(crate) baseline: &'static str,
    /// What `--instructions` counts per: `line`, `MiB`...
    pub(crate) per: &'static str,
    /// How many `per` the reading side of one run handles.
    pub(crate) units: fn(&Sizes) -> f64,
    /// `--instructions`' goal: net's instructions per unit at most this times the baseline's.
    pub(crate) instructions_goal: Option<f64>,
}

const BENCHES: &[Bench] = &[
    Bench {
        name: "read_line",
        run: plain::read_line,
        unit: "M lines/s",
        decimals: 2,
        goal: 1.2,
        rounds: 9,
        baseline: "std",
        per: "line",
        units: |s| s.lines as f64,
        instructions_goal: Some(0.8),
    },
    Bench {
        name: "recv_64k",
        run: plain::recv_64k,
        unit: "MiB/s",
        decimals: 0,
        goal: 0.95,
        rounds: 9,
        baseline: "std",
        per: "MiB",
        units: |s| s.bulk as f64 / MIB,
        instructions_goal: Some(1.0),
    },
    Bench {
        name: "udp_ping_pong",
        run: plain::udp_ping_pong,
        unit: "k round trips/s",
        decimals: 1,
        goal: 0.95,
        rounds: 5,
        baseline: "std",
        per: "round trip",
        units: |s| s.round_trips as f64,
        instructions_goal: Some(1.0),
    },
    Bench {
        name: "connect_accept",
        run: plain::connect_accept,
        unit: "k conn/s",
        decimals: 2,
        goal: 0.95,
        rounds: 9,
        baseline: "std",
        per: "connection",
        units: |s| s.connections as f64,
        instructions_goal: None,
    },
    #[cfg(feature = "rustls")]
    tls_bulk("tls_bulk_rustls", tls::bulk::<tls::Rustls>, "rustls"),
    #[cfg(feature = "rustls")]
    tls_handshake("tls_handshake_rustls", tls::handshakes::<tls::Rustls>, "rustls"),
    #[cfg(feature = "rustls")]
    tls_handshake("tls_handshake_resumed_rustls", tls::resumed_handshakes::<tls::Rustls>, "rustls"),
    #[cfg(feature = "rustls")]
    tls_handshake("tls_handshake_rustls_tls12", tls::handshakes_tls12::<tls::Rustls>, "rustls"),
    #[cfg(feature = "rustls")]
    tls_handshake("tls_handshake_resumed_rustls_tls12", tls::resumed_handshakes_tls12::<tls::Rustls>, "rustls"),
    #[cfg(feature = "openssl")]
    tls_bulk("tls_bulk_openssl", tls::bulk::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "openssl")]
    tls_handshake("tls_handshake_openssl", tls::handshakes::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "openssl")]
    tls_handshake("tls_handshake_resumed_openssl", tls::resumed_handshakes::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "openssl")]
    tls_handshake("tls_handshake_openssl_tls12", tls::handshakes_tls12::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "openssl")]
    tls_handshake("tls_handshake_resumed_openssl_tls12", tls::resumed_handshakes_tls12::<tls::OpenSsl>, "openssl"),
    #[cfg(feature = "native-tls")]
    tls_bulk("tls_bulk_native-tls", tls::bulk::<tls::NativeTls>, "native-tls"),
    #[cfg(feature = "native-tls")]
    tls_handshake("tls_handshake_native-tls", tls::handshakes::<tls::NativeTls>, "native-tls"),
];

/// A `tls_bulk_*` entry; `baseline` names the crate. Both directions are read, so the
/// instructions are per MiB read, `2 * tls_bulk` in all.
#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
const fn tls_bulk(name: &'static str, run: fn(Variant, &Ctx) -> f64, baseline: &'static str) -> Bench {
    Bench {
        name,
        run,
        unit: "MiB/s",
        decimals: 0,
        goal: 0.95,
        rounds: 9,
        baseline,
        per: "MiB",
        units: |s| 2.0 * s.tls_bulk as f64 / MIB,
        instructions_goal: Some(1.02),
    }
}

/// A `tls_handshake_*` entry; `baseline` names the crate.
#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
const fn tls_handshake(name: &'static str, run: fn(Variant, &Ctx) -> f64, baseline: &'static str) -> Bench {
    Bench {
        name,
        run,
        unit: "handshakes/s",
        decimals: 0,
        goal: 0.95,
        rounds: 7,
        baseline,
        per: "handshake",
        units: |s| s.handshakes as f64,
        instructions_goal: None,
    }
}

/// The name that selects the memory table.
const MEMORY: &str = "memory";

/// What the command line asks for.
#[derive(Debug)]
enum Mode {
    Wall,
    Instructions,
    Memory,
    Load,
}

const HELP: &str = "\
usage: net-bench [--quick] [--instructions | --memory | --load] [NAME]
  (no mode)       wall clock: net and its baseline alternate, the median of each is kept;
                  then the memory table
  --instructions  user-space instructions of the reading side under callgrind, and its system
                  calls under strace, per unit (needs valgrind and strace)
  --memory        only the memory table: resident memory of 10000 idle sockets, net and std
  --load          the load test's traffic (200 clients x 1000 lines, echoed), std and net over
                  plain TCP and each TLS backend, each in its own process: time and peak memory
  --quick         sizes about 20 times smaller (10 times under --instructions)
  NAME            run only the benchmarks whose name contains it:";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The processes `--instructions` and `--memory` start.
    match args.first().map(String::as_str) {
        Some(instructions::CHILD) => return instructions::child(&args[1..]),
        Some(memory::CHILD) => return memory::child(&args[1..]),
        Some(memory::PEER) => return memory::peer(&args[1..]),
        Some(load::CHILD) => return load::child(&args[1..]),
        _ => {}
    }
    let (mut quick, mut mode, mut filter) = (false, Mode::Wall, None);
    for arg in &args {
        match arg.as_str() {
            "--quick" => quick = true,
            "--instructions" => mode = Mode::Instructions,
            "--memory" => mode = Mode::Memory,
            "--load" => mode = Mode::Load,
            "-h" | "--help" => {
                println!("{HELP}");
                for b in BENCHES {
                    println!("                  {}", b.name);
                }
                println!("                  {MEMORY}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') || filter.is_some() => {
                eprintln!("net-bench: unexpected argument {s:?} (see --help)");
                return ExitCode::from(2);
            }
            s => filter = Some(s.to_owned()),
        }
    }
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let benches: Vec<&Bench> = BENCHES.iter().filter(|b| wanted(b.name)).collect();
    let with_memory = wanted(MEMORY);
    let nothing = match mode {
        Mode::Wall => benches.is_empty() && !with_memory,
        Mode::Instructions => benches.is_empty(),
        Mode::Memory | Mode::Load => false,
    };
    if nothing {
        eprintln!("net-bench: no benchmark name contains {:?} (see --help)", filter.unwrap_or_default());
        return ExitCode::from(2);
    }

    let started = Instant::now();
    let status = match mode {
        Mode::Wall => {
            let sizes = if quick { Sizes::full().smaller(20) } else { Sizes::full() };
            println!(
                "net-bench{}: over {} only; net and its baseline alternate, the median of each is kept",
                quick_note(quick),
                setup::LOOPBACK
            );
            if !benches.is_empty() {
                println!("sizes: {}", sizes.describe());
                wall::run(&benches, &Ctx::new(sizes));
            }
            if with_memory {
                println!();
                memory::run(quick)
            } else {
                ExitCode::SUCCESS
            }
        }
        Mode::Instructions => instructions::run(&benches, quick),
        Mode::Memory => memory::run(quick),
        Mode::Load => load::run(quick),
    };
    println!("\ntotal time {:.1} s", started.elapsed().as_secs_f64());
    status
}

fn quick_note(quick: bool) -> &'static str {
    if quick {
        " --quick"
    } else {
        ""
    }
}
