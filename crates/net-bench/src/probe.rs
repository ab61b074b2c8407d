//! The reading section: the code of a run that `--instructions` counts.
//!
//! Every benchmark passes its reading side (the loop that reads lines, bytes, datagrams,
//! connections or handshakes, and nothing that sets it up) to [`reading`]. That calls it from
//! [`counted`], a function that is never inlined and whose name callgrind is told to toggle
//! collection on (`--collect-atstart=no --toggle-collect=*net_bench::probe::counted*`): the
//! instructions counted are those of `counted` and its callees, in the thread that runs it.
//! Under strace, [`reading`] marks the start and the end of the section with a `write` to
//! descriptor -1 that carries [`START`] or [`END`], so the system calls made in between by the
//! same thread can be found in `strace -f`'s output. Outside those two probes, a section costs
//! one atomic load and a call.

use std::sync::atomic::{AtomicU8, Ordering};

/// The pattern given to callgrind's `--toggle-collect`.
pub(crate) const CALLGRIND_TOGGLE: &str = "*net_bench::probe::counted*";
/// What the strace marker at the start of a section carries.
pub(crate) const START: &str = "net-bench: reading starts";
/// What the strace marker at the end of a section carries.
pub(crate) const END: &str = "net-bench: reading ends";

/// Which tool watches this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Probe {
    /// None: wall-clock runs.
    Off = 0,
    /// callgrind counts the instructions of [`counted`].
    Callgrind = 1,
    /// strace records the system calls; [`reading`] writes the markers.
    Strace = 2,
}

impl Probe {
    pub(crate) fn arg(self) -> &'static str {
        match self {
            Probe::Off => "off",
            Probe::Callgrind => "callgrind",
            Probe::Strace => "strace",
        }
    }

    pub(crate) fn from_arg(arg: &str) -> Option<Probe> {
        [Probe::Off, Probe::Callgrind, Probe::Strace].into_iter().find(|p| p.arg() == arg)
    }
}

static PROBE: AtomicU8 = AtomicU8::new(Probe::Off as u8);

/// Sets the tool that watches this process (once, before any benchmark runs).
pub(crate) fn set(probe: Probe) {
    PROBE.store(probe as u8, Ordering::Relaxed);
}

/// Runs `f`, the reading side of one run, as the section the instructions and system calls are
/// counted in.
pub(crate) fn reading<R>(f: impl FnOnce() -> R) -> R {
    let strace = PROBE.load(Ordering::Relaxed) == Probe::Strace as u8;
    if strace {
        mark(START);
    }
    let result = counted(f);
    if strace {
        mark(END);
    }
    result
}

/// The function callgrind toggles collection on. `black_box` keeps the call to `f` from
/// becoming a tail jump, which callgrind would take for a return out of this function.
#[inline(never)]
fn counted<R>(f: impl FnOnce() -> R) -> R {
    std::hint::black_box(f())
}

/// One `write(-1, text)`: it fails with `EBADF` and touches nothing, and strace prints `text`.
fn mark(text: &str) {
    // SAFETY: `text` is valid for reads of `text.len()` bytes; descriptor -1 is never open, so
    // the call only returns an error.
    unsafe { libc::write(-1, text.as_ptr().cast(), text.len()) };
}
