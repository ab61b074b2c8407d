//! Shared helpers for the integration tests: connected pairs over every transport, peer
//! resets, descriptor counts, and a test-only secured layer that proves the TLS seam.

use std::os::fd::AsFd;
use std::time::Duration;

pub use xor::{XorSession, XorUpgrade};

use net::{Domain, Socket};

pub mod certs;
pub mod drip;
pub mod impair;
pub mod syscalls;
#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
pub mod tls;
mod xor;

/// `err` and its causes as an error reporter prints them: each link's message, joined by
/// `": "` (each error prints its cause once, so nothing repeats).
pub fn report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The transports every stream test runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TCP over 127.0.0.1.
    Tcp4,
    /// TCP over ::1.
    Tcp6,
    /// A Unix stream socket pair.
    Unix,
}

/// Every transport, for loops in tests.
pub const TRANSPORTS: [Transport; 3] = [Transport::Tcp4, Transport::Tcp6, Transport::Unix];

/// A listener on loopback for `domain` (IPv4 or IPv6), port chosen by the OS.
pub fn listener(domain: Domain) -> Socket {
    let mut server = Socket::builder().domain(domain).build().expect("socket");
    let host = if domain == Domain::Inet6 { "::1" } else { "127.0.0.1" };
    server.bind_addr(0, host).expect("bind");
    server.listen().expect("listen");
    server
}

/// A connected pair `(writer, reader)`; the reader is buffered or not as asked. The writer is a
/// plain unbuffered socket.
pub fn pair(transport: Transport, buffered: bool) -> (Socket, Socket) {
    match transport {
        Transport::Unix => {
            let (a, b) = std::os::unix::net::UnixStream::pair().expect("socketpair");
            let reader = Socket::builder().domain(Domain::Unix).buffered(buffered).from_fd(b.into());
            (Socket::from(a), reader)
        }
        Transport::Tcp4 | Transport::Tcp6 => {
            let domain = if transport == Transport::Tcp4 { Domain::Inet } else { Domain::Inet6 };
            let mut server = Socket::builder().domain(domain).buffered(buffered).build().expect("socket");
            let host = if domain == Domain::Inet6 { "::1" } else { "127.0.0.1" };
            server.bind_addr(0, host).expect("bind");
            server.listen().expect("listen");
            let port = server.local_addr().expect("local_addr").port();
            let mut writer = Socket::builder().domain(domain).buffered(false).build().expect("socket");
            writer.connect(host, port).expect("connect");
            let reader = server.accept().expect("accept");
            (writer, reader)
        }
    }
}

/// Runs `f` for every transport, buffered and unbuffered.
pub fn each(f: impl Fn(Transport, bool)) {
    for t in TRANSPORTS {
        for buffered in [true, false] {
            f(t, buffered);
        }
    }
}

/// A reader (buffered or not) whose TCP peer sent `data` and then reset the connection; the
/// bytes and the reset have both arrived when this returns.
pub fn reset_after(transport: Transport, buffered: bool, data: &[u8]) -> Socket {
    assert_ne!(transport, Transport::Unix, "Unix sockets have no reset");
    let (mut w, r) = pair(transport, buffered);
    w.send(data).expect("send");
    wait_kernel(&r, data.len());
    reset(w);
    std::thread::sleep(Duration::from_millis(20));
    r
}

/// Makes the peer see a reset (RST) instead of a clean close.
pub fn reset(mut socket: Socket) {
    socket2::SockRef::from(&socket.as_fd()).set_linger(Some(Duration::ZERO)).expect("SO_LINGER");
    socket.close();
}

/// How many descriptors this process has open.
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").expect("/proc/self/fd").count()
}

/// Whether `fd` is in non-blocking mode.
pub fn is_nonblocking(socket: &Socket) -> bool {
    let fd = std::os::fd::AsRawFd::as_raw_fd(socket);
    #[allow(unsafe_code)]
    // SAFETY: F_GETFL on an open descriptor reads its flags and touches no memory.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    flags & libc::O_NONBLOCK != 0
}

/// Bytes the kernel still holds for `socket`, peeked without blocking.
pub fn kernel_pending(socket: &Socket) -> Vec<u8> {
    let fd = std::os::fd::AsRawFd::as_raw_fd(socket);
    let mut buf = vec![0u8; 1 << 16];
    #[allow(unsafe_code)]
    // SAFETY: `buf` is valid for writes of `buf.len()` bytes during the call.
    let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_PEEK | libc::MSG_DONTWAIT) };
    buf.truncate(n.max(0) as usize);
    buf
}

/// Waits until `socket`'s kernel buffer holds at least `n` bytes (bounded: 5 s).
pub fn wait_kernel(socket: &Socket, n: usize) {
    for _ in 0..500 {
        if kernel_pending(socket).len() >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the kernel never held {n} bytes");
}

/// Reads `conn` to its end in 64 KiB reads; returns the byte count and whether byte `i` was
/// `i % modulus` throughout.
pub fn read_to_end_checked(conn: &mut Socket, modulus: usize) -> (usize, bool) {
    let mut buf = vec![0u8; 64 * 1024];
    let (mut got, mut ok) = (0, true);
    loop {
        match conn.recv_into(&mut buf) {
            Ok(0) => return (got, ok),
            Ok(n) => {
                ok &= buf[..n].iter().enumerate().all(|(i, &b)| b == ((got + i) % modulus) as u8);
                got += n;
            }
            Err(e) => panic!("read after {got} bytes: {e}"),
        }
    }
}

/// Longest line of the load traffic (the load test and `cargo xtask bench --load`).
pub const LOAD_MAX_LEN: usize = 8 * 1024;
/// Lines a load client sends before reading their echoes: well under the socket buffers, so
/// neither side can block the other for good.
pub const LOAD_WINDOW: usize = 8;

/// Line `seq` of load client `client`: a header, then printable bytes (never `\r` or `\n`)
/// that depend on both, 0 to [`LOAD_MAX_LEN`] in all. The same bytes on every call, so an
/// echo can be checked without keeping what was sent.
pub fn load_line(client: usize, seq: usize) -> Vec<u8> {
    let mut x =
        (client as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (seq as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03);
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let len = (next() % (LOAD_MAX_LEN as u64 + 1)) as usize;
    let mut out = format!("{client}:{seq}:").into_bytes();
    out.truncate(len);
    while out.len() < len {
        out.push(b' ' + (next() % 95) as u8);
    }
    out
}
