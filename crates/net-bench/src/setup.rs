//! What every benchmark shares: the variants, the sizes, the payloads made once per process,
//! listeners and senders on loopback, and CPU pinning.

use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Barrier, OnceLock};
use std::thread;
use std::time::Duration;

/// The only address used.
pub(crate) const LOOPBACK: &str = "127.0.0.1";
/// Length of a line, `\n` included.
pub(crate) const LINE_LEN: usize = 64;
/// The receiver's read size in `recv_64k`, and the read and write size of `tls_bulk_*`.
pub(crate) const CHUNK: usize = 64 * 1024;
/// The sender's write size in `recv_64k`.
pub(crate) const SEND_BLOCK: usize = 256 * 1024;
/// The byte `recv_64k` sends.
pub(crate) const FILL: u8 = 0x5a;
/// The datagram size in `udp_ping_pong`.
pub(crate) const DATAGRAM: usize = 32;
/// How long a UDP socket waits before calling a datagram lost (loopback does not lose any).
pub(crate) const UDP_PATIENCE: Duration = Duration::from_secs(5);
pub(crate) const MIB: f64 = 1024.0 * 1024.0;

/// The variant a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Variant {
    Net,
    /// The baseline: std, or for TLS the backend's crate used directly over std's `TcpStream`.
    Std,
}

impl Variant {
    /// The name a child process is given on its command line.
    pub(crate) fn arg(self) -> &'static str {
        match self {
            Variant::Net => "net",
            Variant::Std => "std",
        }
    }

    pub(crate) fn from_arg(arg: &str) -> Option<Variant> {
        match arg {
            "net" => Some(Variant::Net),
            "std" => Some(Variant::Std),
            _ => None,
        }
    }
}

/// How much each benchmark moves per run.
#[derive(Debug)]
pub(crate) struct Sizes {
    pub(crate) lines: usize,
    pub(crate) bulk: usize,
    pub(crate) round_trips: usize,
    pub(crate) connections: usize,
    /// Bytes each way in `tls_bulk_*`.
    pub(crate) tls_bulk: usize,
    /// Connections per run of `tls_handshake_*`.
    pub(crate) handshakes: usize,
}

impl Sizes {
    /// The wall-clock sizes.
    pub(crate) fn full() -> Sizes {
        Sizes {
            lines: 2_000_000,
            bulk: 1 << 30,
            round_trips: 100_000,
            connections: 10_000,
            tls_bulk: 64 << 20,
            handshakes: 500,
        }
    }

    /// Sizes small enough to run under valgrind (`--instructions`).
    pub(crate) fn instructions() -> Sizes {
        Sizes {
            lines: 200_000,
            bulk: 32 << 20,
            round_trips: 20_000,
            connections: 300,
            tls_bulk: 8 << 20,
            handshakes: 50,
        }
    }

    /// `self` about `by` times smaller (`--quick`): at least one of everything, whole chunks.
    pub(crate) fn smaller(self, by: usize) -> Sizes {
        let chunks = |bytes: usize| (bytes / by / CHUNK).max(1) * CHUNK;
        Sizes {
            lines: (self.lines / by).max(1),
            bulk: chunks(self.bulk),
            round_trips: (self.round_trips / by).max(1),
            connections: (self.connections / by).max(1),
            tls_bulk: chunks(self.tls_bulk),
            handshakes: (self.handshakes / by).max(1),
        }
    }

    /// One line that says what a run of each benchmark moves.
    pub(crate) fn describe(&self) -> String {
        format!(
            "read_line {} lines of {LINE_LEN} B ({:.1} MiB); recv_64k {:.1} MiB in {} KiB reads; \
             udp_ping_pong {} round trips of {DATAGRAM} B; connect_accept {} connections per run; \
             tls_bulk {:.1} MiB each way; tls_handshake {} connections per run",
            self.lines,
            (self.lines * LINE_LEN) as f64 / MIB,
            self.bulk as f64 / MIB,
            CHUNK / 1024,
            self.round_trips,
            self.connections,
            self.tls_bulk as f64 / MIB,
            self.handshakes,
        )
    }
}

/// What every run of a benchmark shares: the sizes, the `read_line` payload and the TLS
/// certificates, each made once.
#[derive(Debug)]
pub(crate) struct Ctx {
    pub(crate) sizes: Sizes,
    lines: OnceLock<Arc<Vec<u8>>>,
    #[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
    pub(crate) tls: OnceLock<crate::tls::Files>,
}

impl Ctx {
    pub(crate) fn new(sizes: Sizes) -> Ctx {
        Ctx {
            sizes,
            lines: OnceLock::new(),
            #[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
            tls: OnceLock::new(),
        }
    }

    /// Every line of `read_line`, `\n` included, in one buffer.
    pub(crate) fn line_payload(&self) -> Arc<Vec<u8>> {
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
pub(crate) fn line_text(i: usize) -> String {
    const FILLER: &str = " the quick brown fox jumps over the lazy dog 0123456789ABCDEFGHIJ";
    let mut line = format!("{i:010}");
    line.push_str(&FILLER[..LINE_LEN - 1 - line.len()]);
    line
}

/// A net listener on loopback, port chosen by the OS.
pub(crate) fn net_listener() -> (net::Socket, u16) {
    let mut listener = net::Socket::tcp().expect("socket");
    listener.bind_addr(0, LOOPBACK).expect("bind");
    listener.listen().expect("listen");
    let port = listener.local_addr().expect("local_addr").port();
    (listener, port)
}

/// A std listener on loopback, port chosen by the OS.
pub(crate) fn std_listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind((LOOPBACK, 0)).expect("bind");
    let port = listener.local_addr().expect("local_addr").port();
    (listener, port)
}

/// Connects to `port` with std, waits for `go`, then runs `send`.
pub(crate) fn sender(
    port: u16,
    go: Arc<Barrier>,
    send: impl FnOnce(&mut TcpStream) + Send + 'static,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut stream = TcpStream::connect((LOOPBACK, port)).expect("connect");
        go.wait();
        send(&mut stream);
    })
}

pub(crate) fn per_second(count: f64, elapsed: Duration) -> f64 {
    count / elapsed.as_secs_f64()
}

/// The last CPU this thread may run on, if the affinity mask can be read.
pub(crate) fn last_cpu() -> Option<usize> {
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
pub(crate) struct Pinned(libc::cpu_set_t);

impl Pinned {
    pub(crate) fn to(cpu: usize) -> Pinned {
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
