//! A real network path for fault tests: two network namespaces, each with a TUN device, joined
//! by a forwarder of our own that can drop, delay, reorder and cut the packets crossing it
//! (this kernel has no `netem`). Side A is 10.77.0.1, side B 10.77.0.2; only those addresses,
//! inside namespaces this process made, carry traffic.
//!
//! A test makes a [`Path`] (root only: [`Path::new`] says why it cannot), creates sockets in
//! either namespace with [`Path::in_a`] / [`Path::in_b`], and changes the impairment at any time
//! with [`Path::set`]. Dropping the path stops the forwarder and deletes the namespaces.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Side A's address.
pub const ADDR_A: &str = "10.77.0.1";
/// Side B's address.
pub const ADDR_B: &str = "10.77.0.2";

/// What the forwarder does to each packet.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Impairment {
    /// The share of packets dropped, 0.0 to 1.0.
    pub loss: f64,
    /// How long each packet is held.
    pub delay: Duration,
    /// Up to this much more, at random per packet: later packets overtake earlier ones.
    pub jitter: Duration,
    /// Every packet dropped: the link is cut.
    pub cut: bool,
}

#[derive(Debug)]
struct Shared {
    impairment: Mutex<Impairment>,
    stop: AtomicBool,
    forwarded: AtomicU64,
    dropped: AtomicU64,
}

/// The two namespaces and the forwarder between them.
#[derive(Debug)]
pub struct Path {
    ns: [String; 2],
    shared: Arc<Shared>,
    forwarders: Vec<thread::JoinHandle<()>>,
}

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("cannot run `ip`: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim()))
    }
}

/// Runs `f` on a thread that has entered namespace `ns`: sockets it makes live there.
fn in_ns<T: Send + 'static>(ns: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let path = format!("/var/run/netns/{ns}");
    thread::spawn(move || {
        let file = File::open(&path).unwrap_or_else(|e| panic!("open {path}: {e}"));
        // SAFETY: `file` is an open namespace file; setns only changes this thread's namespace.
        let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns {path}: {}", std::io::Error::last_os_error());
        f()
    })
    .join()
    .expect("namespace thread")
}

/// Attaches to the TUN device `name` of the calling thread's namespace (no packet info).
fn open_tun(name: &str) -> std::io::Result<File> {
    let file = std::fs::OpenOptions::new().read(true).write(true).open("/dev/net/tun")?;
    // SAFETY: ifreq is plain data; zeroed is a valid value.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in req.ifr_name.iter_mut().zip(name.bytes()) {
        *dst = src as libc::c_char;
    }
    req.ifr_ifru.ifru_flags = (libc::IFF_TUN | libc::IFF_NO_PI) as libc::c_short;
    // SAFETY: TUNSETIFF takes a pointer to one ifreq, which lives across the call.
    let rc = unsafe { libc::ioctl(file.as_raw_fd(), libc::TUNSETIFF, &mut req) };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(file)
}

impl Path {
    /// Makes the namespaces and starts the forwarder, unimpaired. Fails (saying why) when not
    /// root or when namespaces or TUN devices cannot be made.
    pub fn new() -> Result<Path, String> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Err("not root: network namespaces need root".into());
        }
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let tag = format!("{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let ns = [format!("netf-a-{tag}"), format!("netf-b-{tag}")];
        let path = Path {
            ns: ns.clone(),
            shared: Arc::new(Shared {
                impairment: Mutex::new(Impairment::default()),
                stop: AtomicBool::new(false),
                forwarded: AtomicU64::new(0),
                dropped: AtomicU64::new(0),
            }),
            forwarders: Vec::new(),
        };
        for (name, addr) in ns.iter().zip([ADDR_A, ADDR_B]) {
            ip(&["netns", "add", name])?;
            ip(&["-n", name, "link", "set", "lo", "up"])?;
            ip(&["-n", name, "tuntap", "add", "dev", "tunf", "mode", "tun"])?;
            ip(&["-n", name, "addr", "add", &format!("{addr}/24"), "dev", "tunf"])?;
            ip(&["-n", name, "link", "set", "tunf", "up"])?;
        }
        let a = in_ns(&ns[0], || open_tun("tunf")).map_err(|e| format!("open the TUN device of A: {e}"))?;
        let b = in_ns(&ns[1], || open_tun("tunf")).map_err(|e| format!("open the TUN device of B: {e}"))?;
        let mut path = path;
        let (a2, b2) = (a.try_clone().map_err(|e| e.to_string())?, b.try_clone().map_err(|e| e.to_string())?);
        path.forwarders.push(forward(a, b2, path.shared.clone(), 1));
        path.forwarders.push(forward(b, a2, path.shared.clone(), 2));
        Ok(path)
    }

    /// Changes what happens to packets from now on.
    pub fn set(&self, impairment: Impairment) {
        *self.shared.impairment.lock().unwrap() = impairment;
    }

    /// Runs `f` in namespace A (address [`ADDR_A`]).
    pub fn in_a<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        in_ns(&self.ns[0], f)
    }

    /// Runs `f` in namespace B (address [`ADDR_B`]).
    pub fn in_b<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        in_ns(&self.ns[1], f)
    }

    /// Packets forwarded and dropped so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.shared.forwarded.load(Ordering::Relaxed), self.shared.dropped.load(Ordering::Relaxed))
    }
}

impl Drop for Path {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        for f in self.forwarders.drain(..) {
            let _ = f.join();
        }
        for ns in &self.ns {
            let _ = ip(&["netns", "del", ns]);
        }
    }
}

/// A packet waiting for its time.
struct Held {
    due: Instant,
    seq: u64,
    packet: Vec<u8>,
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Held {}
impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Held {
    // The earliest due first (BinaryHeap is a max-heap).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// Moves packets from `from` to `to` under the current impairment, until the path stops.
fn forward(mut from: File, mut to: File, shared: Arc<Shared>, seed: u64) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut random = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut held = BinaryHeap::new();
        let mut seq = 0u64;
        let mut buf = vec![0u8; 65536];
        let fd = from.as_raw_fd();
        while !shared.stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            while held.peek().is_some_and(|h: &Held| h.due <= now) {
                let h = held.pop().unwrap();
                let _ = to.write(&h.packet);
                shared.forwarded.fetch_add(1, Ordering::Relaxed);
            }
            let wait = held.peek().map_or(Duration::from_millis(20), |h| h.due.saturating_duration_since(now));
            let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
            let ms = wait.as_millis().clamp(1, 20) as i32;
            // SAFETY: one valid pollfd, count 1.
            if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
                continue;
            }
            let Ok(n) = from.read(&mut buf) else { continue };
            let imp = *shared.impairment.lock().unwrap();
            let roll = (random() % 1_000_000) as f64 / 1_000_000.0;
            if imp.cut || roll < imp.loss {
                shared.dropped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let extra = if imp.jitter.is_zero() { 0 } else { random() % (imp.jitter.as_micros() as u64 + 1) };
            let due = Instant::now() + imp.delay + Duration::from_micros(extra);
            seq += 1;
            held.push(Held { due, seq, packet: buf[..n].to_vec() });
        }
    })
}
