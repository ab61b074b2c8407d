//! The few system calls socket2 does not expose in the shape we need, behind safe functions.
//! The crate's only other `unsafe` is in `scan.rs` (SSE2 loads, ASCII bytes as `&str`).
//!
//! Portable Unix (POSIX `poll`, `getsockopt`, `setsockopt`, `recv`, `send`), except three
//! Linux-only paths, each gated by `cfg(target_os = "linux")` with a fallback for other Unix
//! (compile-checked for FreeBSD and macOS, not run there):
//! - `recv` and `send` are bare `syscall(2)`s on Linux; elsewhere libc's `recv` and `send`.
//! - [`all_acked`] asks `SIOCOUTQ` on Linux; elsewhere it is unknown, so `close` lingers as
//!   if bytes were unacknowledged (until the peer's end of stream or `CLOSE_LINGER`).
//! - [`recv_from`] learns a datagram's real size with `MSG_TRUNC` on Linux; elsewhere it
//!   receives into a 64 KiB scratch buffer when the caller's is smaller.
#![allow(unsafe_code)]

use std::io;
use std::ops::Range;
use std::os::fd::RawFd;
use std::time::Duration;

#[inline]
fn check(ret: isize) -> io::Result<usize> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret as usize)
    }
}

/// Retries `f` while it fails with `EINTR`.
#[inline]
fn retry(mut f: impl FnMut() -> isize) -> io::Result<usize> {
    loop {
        match check(f()) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// `recvfrom(2)` of at most `len` bytes at `ptr`, with no address, as a bare system call:
/// glibc's `recv` wrapper adds pthread-cancellation bookkeeping (about 30 instructions a
/// call) that a Rust program never uses. Linux only.
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes for the whole call.
#[cfg(target_os = "linux")]
#[inline]
unsafe fn raw_recv(fd: RawFd, ptr: *mut u8, len: usize, flags: i32) -> isize {
    let null = std::ptr::null_mut::<libc::c_void>();
    // SAFETY: the caller vouches for `ptr..ptr + len`; the address arguments are null, which
    // recvfrom(2) takes as "no address wanted".
    unsafe { libc::syscall(libc::SYS_recvfrom, fd, ptr, len, flags, null, null) as isize }
}

/// `recv(2)` of at most `len` bytes at `ptr`, through libc (Unix other than Linux).
///
/// # Safety
/// `ptr` must be valid for writes of `len` bytes for the whole call.
#[cfg(not(target_os = "linux"))]
#[inline]
unsafe fn raw_recv(fd: RawFd, ptr: *mut u8, len: usize, flags: i32) -> isize {
    // SAFETY: the caller vouches for `ptr..ptr + len`.
    unsafe { libc::recv(fd, ptr.cast(), len, flags) as isize }
}

/// `recv(2)` into an initialised buffer, retried on `EINTR`.
#[inline]
pub(crate) fn recv(fd: RawFd, buf: &mut [u8], flags: i32) -> io::Result<usize> {
    // SAFETY: `buf` is a valid, writable region of `buf.len()` bytes for the whole call.
    retry(|| unsafe { raw_recv(fd, buf.as_mut_ptr(), buf.len(), flags) })
}

/// `recv(2)` into `vec[span]` (`span.start` at most its length), without zeroing the memory
/// first: the vector grows as needed and its length becomes the end of what the call wrote,
/// if that is past the old length. Bytes before the span are left alone.
pub(crate) fn recv_into_vec(fd: RawFd, vec: &mut Vec<u8>, span: Range<usize>, flags: i32) -> io::Result<usize> {
    let (at, max) = (span.start, span.len());
    assert!(at <= vec.len(), "recv_into_vec past the initialised bytes");
    vec.reserve_exact((at + max).saturating_sub(vec.len()));
    // SAFETY: `at + max <= capacity` after the reserve, so the region is inside the
    // allocation and writable; recv(2) writes at most `max` bytes into it and never reads it.
    let n = retry(|| unsafe { raw_recv(fd, vec.as_mut_ptr().add(at), max, flags) })?;
    if at + n > vec.len() {
        // SAFETY: bytes `..at` were initialised before (at <= len) and recv(2) initialised
        // `at..at + n`; `at + n <= capacity`.
        unsafe { vec.set_len(at + n) };
    }
    Ok(n)
}

/// Receives and throws away up to 4 KiB of what is waiting (`MSG_DONTWAIT` and `flags`);
/// `Ok(0)` is the end of the stream. The bytes land in stack memory nobody reads, so it is
/// never zeroed.
pub(crate) fn discard(fd: RawFd, flags: i32) -> io::Result<usize> {
    let mut sink = std::mem::MaybeUninit::<[u8; 4096]>::uninit();
    // SAFETY: `sink` is 4096 writable bytes for the whole call; recv(2) only writes to it, and
    // nothing reads it afterwards.
    retry(|| unsafe { raw_recv(fd, sink.as_mut_ptr().cast(), 4096, flags | libc::MSG_DONTWAIT) })
}

/// `send(2)` with `MSG_NOSIGNAL` (a dead peer is an `EPIPE`, never a signal) and `flags`,
/// retried on `EINTR`.
/// A bare `sendto(2)` system call on Linux, libc's `send` on other Unix.
pub(crate) fn send(fd: RawFd, buf: &[u8], flags: i32) -> io::Result<usize> {
    let flags = flags | libc::MSG_NOSIGNAL;
    #[cfg(target_os = "linux")]
    {
        let null = std::ptr::null::<libc::c_void>();
        // SAFETY: `buf` is a valid, readable region of `buf.len()` bytes for the whole call; no
        // address is given (a bare `sendto(2)` is `send(2)`, without glibc's cancellation
        // bookkeeping).
        retry(|| unsafe { libc::syscall(libc::SYS_sendto, fd, buf.as_ptr(), buf.len(), flags, null, 0) as isize })
    }
    #[cfg(not(target_os = "linux"))]
    {
        // SAFETY: `buf` is a valid, readable region of `buf.len()` bytes for the whole call.
        retry(|| unsafe { libc::send(fd, buf.as_ptr().cast(), buf.len(), flags) as isize })
    }
}

/// Waits until `fd` is ready for `events` (`POLLIN`, `POLLOUT`; an error or hang-up counts as
/// ready) for at most `timeout`. Returns `false` when the time ran out. `Duration::ZERO` only
/// looks.
pub(crate) fn wait(fd: RawFd, events: i16, timeout: Duration) -> io::Result<bool> {
    let mut pollfd = libc::pollfd { fd, events, revents: 0 };
    // Round up so that a sub-millisecond budget still waits instead of spinning.
    let millis = timeout.as_nanos().div_ceil(1_000_000).min(i32::MAX as u128) as i32;
    // SAFETY: `pollfd` is one valid pollfd structure, and we pass a count of 1.
    retry(|| unsafe { libc::poll(&mut pollfd, 1, millis) } as isize).map(|n| n > 0)
}

/// Waits until `fd` is readable; see [`wait`].
pub(crate) fn wait_readable(fd: RawFd, timeout: Duration) -> io::Result<bool> {
    wait(fd, libc::POLLIN, timeout)
}

/// Whether the peer has acknowledged every byte sent on a TCP socket: `SIOCOUTQ` is zero. A
/// failed query (a listener, a socket never connected) counts as yes: nothing is in flight.
#[cfg(target_os = "linux")]
pub(crate) fn all_acked(fd: RawFd) -> bool {
    let mut value: libc::c_int = 0;
    // SAFETY: TIOCOUTQ (SIOCOUTQ) writes one `int` through the pointer, which is valid.
    let ret = unsafe { libc::ioctl(fd, libc::TIOCOUTQ, &mut value as *mut libc::c_int) };
    check(ret as isize).map_or(true, |_| value <= 0)
}

/// Unknown on Unix other than Linux (`SIOCOUTQ` is Linux's), so never: `close` then lingers as
/// if bytes were in flight, until the peer's end of stream or `CLOSE_LINGER`.
#[cfg(not(target_os = "linux"))]
pub(crate) fn all_acked(_fd: RawFd) -> bool {
    false
}

/// Reads an `int` socket option.
pub(crate) fn get_int_opt(fd: RawFd, level: i32, name: i32) -> io::Result<i32> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` and `len` are valid for writes and `len` holds the size of `value`.
    let ret = unsafe { libc::getsockopt(fd, level, name, (&mut value as *mut libc::c_int).cast(), &mut len) };
    check(ret as isize)?;
    Ok(value)
}

/// Writes an `int` socket option.
pub(crate) fn set_int_opt(fd: RawFd, level: i32, name: i32, value: i32) -> io::Result<()> {
    let len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `value` is a valid `c_int` for reads and `len` holds its size.
    let ret = unsafe { libc::setsockopt(fd, level, name, (&value as *const libc::c_int).cast(), len) };
    check(ret as isize).map(drop)
}

/// `recvfrom(2)` of one datagram into an initialised buffer, through socket2 for the address
/// handling. Returns the datagram's real size, which is more than `buf.len()` when it did not
/// fit (the rest is lost): Linux says so with `MSG_TRUNC`.
#[cfg(target_os = "linux")]
pub(crate) fn recv_from(sock: &socket2::Socket, buf: &mut [u8], flags: i32) -> io::Result<(usize, socket2::SockAddr)> {
    recv_from_os(sock, buf, flags | libc::MSG_TRUNC)
}

/// As on Linux, for Unix without `MSG_TRUNC` as a request flag: a buffer smaller than the
/// largest IP datagram receives through a 64 KiB scratch buffer, so the real size is known.
#[cfg(not(target_os = "linux"))]
pub(crate) fn recv_from(sock: &socket2::Socket, buf: &mut [u8], flags: i32) -> io::Result<(usize, socket2::SockAddr)> {
    const LARGEST: usize = 1 << 16;
    if buf.len() >= LARGEST {
        return recv_from_os(sock, buf, flags);
    }
    let mut scratch = vec![0u8; LARGEST];
    let (size, from) = recv_from_os(sock, &mut scratch, flags)?;
    let n = size.min(buf.len());
    buf[..n].copy_from_slice(&scratch[..n]);
    Ok((size, from))
}

/// `recvfrom(2)` into an initialised buffer, retried on `EINTR`.
fn recv_from_os(sock: &socket2::Socket, buf: &mut [u8], flags: i32) -> io::Result<(usize, socket2::SockAddr)> {
    // SAFETY: socket2 writes only initialised bytes into the slice and never reads it, so
    // viewing initialised bytes as `MaybeUninit<u8>` for the call is sound (std's `Read`
    // impls for sockets do the same).
    let uninit = unsafe { &mut *(buf as *mut [u8] as *mut [std::mem::MaybeUninit<u8>]) };
    loop {
        match sock.recv_from_with_flags(uninit, flags) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
