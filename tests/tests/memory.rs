//! Memory a buffered socket keeps once it has drained: one `BUFFER_SIZE` buffer at most,
//! after every read API, judged by what stays allocated (a counting allocator), not by length.
//! One test in this binary, so that no other test allocates while it counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::thread;

use net::{Domain, Socket, BUFFER_SIZE};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is added.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::SeqCst);
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the caller's contract is passed on as it is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as isize - layout.size() as isize, Ordering::SeqCst);
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One read call: the socket and how many bytes are left; returns how many it consumed.
type ReadApi = dyn Fn(&mut Socket, usize) -> usize;

/// 10 000 lines of 100 bytes: about 1 MiB, in whole lines.
const BURST: usize = 1_000_000;

/// A buffered reader whose peer sends a burst of 100-byte lines from another thread.
fn burst() -> (Socket, thread::JoinHandle<UnixStream>) {
    let (mut w, r) = UnixStream::pair().unwrap();
    let reader = Socket::builder().domain(Domain::Unix).from_fd(r.into());
    let writer = thread::spawn(move || {
        let line = [&[b'x'; 99][..], b"\n"].concat();
        let data: Vec<u8> = line.iter().copied().cycle().take(BURST).collect();
        w.write_all(&data).unwrap();
        w
    });
    (reader, writer)
}

/// Drains the burst with `read`, one API; returns what the socket still holds afterwards,
/// and after one more short line.
fn kept_after(name: &str, read: impl Fn(&mut Socket, usize) -> usize) -> (isize, isize) {
    let (mut s, writer) = burst();
    let before = LIVE.load(Ordering::SeqCst);
    let mut total = 0;
    while total < BURST {
        let n = read(&mut s, BURST - total);
        assert!(n > 0, "{name}: end of stream after {total} bytes");
        total += n;
    }
    let mut w = writer.join().unwrap();
    let drained = LIVE.load(Ordering::SeqCst) - before;
    w.write_all(b"short\n").unwrap();
    assert_eq!(s.recv_line().unwrap(), "short", "{name}");
    let after_line = LIVE.load(Ordering::SeqCst) - before;
    (drained, after_line)
}

#[test]
fn a_drained_socket_keeps_one_buffer_after_every_read_api() {
    let limit = BUFFER_SIZE as isize;
    let apis: [(&str, &ReadApi); 7] = [
        ("recv_line", &|s, _| s.recv_line().unwrap().len() + 1),
        ("read_line", &|s, _| {
            let mut line = String::new();
            s.read_line(&mut line).unwrap();
            line.len() + 1
        }),
        ("recv_into 1000", &|s, left| s.recv_into(&mut [0u8; 1000][..left.min(1000)]).unwrap()),
        ("recv 1000", &|s, left| s.recv(left.min(1000)).unwrap().len()),
        ("Read 1000", &|s, left| s.read(&mut [0u8; 1000][..left.min(1000)]).unwrap()),
        ("skip 1000", &|s, left| s.skip(left.min(1000)).unwrap()),
        ("BufRead", &|s, left| {
            let n = s.fill_buf().unwrap().len().min(left);
            s.consume(n);
            n
        }),
    ];
    // Once first, uncounted: spawning the first writer thread makes std allocate a few things
    // for good (thread bookkeeping), which are not the socket's.
    kept_after("warm-up", apis[0].1);
    for (name, read) in apis {
        let (drained, after_line) = kept_after(name, read);
        assert!(drained <= limit, "{name}: {drained} bytes kept once drained (limit {limit})");
        assert!(after_line <= limit, "{name}: {after_line} bytes kept after one more line (limit {limit})");
    }

    // A steady stream of lines allocates nothing per line: only a refill may (the buffer
    // grows with the read-ahead and is given back each time it drains), and a refill brings
    // dozens of lines. The writer thread's few allocations count too.
    let (mut s, writer) = burst();
    let mut line = String::with_capacity(200);
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    for _ in 0..BURST / 100 {
        s.read_line(&mut line).unwrap();
        assert_eq!(line.len(), 99);
    }
    let allocations = ALLOCATIONS.load(Ordering::SeqCst) - before;
    drop(writer.join().unwrap());
    assert!(allocations * 20 <= (BURST / 100) as isize, "{allocations} allocations for {} lines", BURST / 100);
}
