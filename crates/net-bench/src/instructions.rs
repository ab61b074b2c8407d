//! `--instructions`: each variant of each benchmark runs once in a process of its own under
//! `valgrind --tool=callgrind`, which counts the user-space instructions of its reading side
//! (the [`probe`] section, callees included, in the thread that runs it). Then the same
//! variant runs once more under `strace -f`, without valgrind, and the system calls made
//! between the section's markers by the thread that made them are counted. Both are divided by
//! the units the section handled (lines, MiB, round trips, connections, handshakes).
//!
//! The callgrind files stay in [`out_dir`] for `callgrind_annotate`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};

use crate::probe::{self, Probe};
use crate::setup::{Ctx, Sizes, Variant};
use crate::table::{verdict, Table};
use crate::{wall, Bench, BENCHES};

/// The first argument of a process this mode starts: `CHILD PROBE NAME VARIANT SIZE`.
pub(crate) const CHILD: &str = "--instructions-child";

/// The sizes of a run under valgrind: the valgrind sizes, or 10 times smaller.
fn sizes(quick: bool) -> Sizes {
    if quick {
        Sizes::instructions().smaller(10)
    } else {
        Sizes::instructions()
    }
}

/// Runs one variant of one benchmark with `probe` set (in the process valgrind or strace
/// started).
pub(crate) fn child(args: &[String]) -> ExitCode {
    let parsed = match args {
        [probe, name, variant, size] => Probe::from_arg(probe)
            .zip(BENCHES.iter().find(|b| b.name == name))
            .zip(Variant::from_arg(variant))
            .zip(matches!(size.as_str(), "full" | "quick").then_some(size == "quick")),
        _ => None,
    };
    let Some((((probe, bench), variant), quick)) = parsed else {
        eprintln!("net-bench {CHILD}: expected PROBE NAME VARIANT full|quick, got {args:?}");
        return ExitCode::from(2);
    };
    probe::set(probe);
    (bench.run)(variant, &Ctx::new(sizes(quick)));
    ExitCode::SUCCESS
}

/// Where the callgrind and strace files go; left there after the run.
/// `target/release/net-bench-files/` for the usual build: beside the executable, inside the
/// workspace's target directory.
fn out_dir(exe: &Path) -> PathBuf {
    exe.parent().unwrap_or(Path::new(".")).join("net-bench-files")
}

/// What one variant of one benchmark did.
#[derive(Debug, Default)]
struct Counts {
    instructions: u64,
    syscalls: Syscalls,
}

/// The system calls of the reading side.
#[derive(Debug, Default, PartialEq, Eq)]
struct Syscalls {
    total: u64,
    by_name: BTreeMap<String, u64>,
}

impl Syscalls {
    /// `recvfrom 366, poll 2`: most frequent first.
    fn breakdown(&self) -> String {
        let mut names: Vec<(&String, &u64)> = self.by_name.iter().collect();
        names.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        names.iter().map(|(n, c)| format!("{n} {c}")).collect::<Vec<_>>().join(", ")
    }
}

/// Runs every benchmark of `benches` under callgrind and strace and prints the table, then the
/// wall-clock goal of `read_line`.
pub(crate) fn run(benches: &[&Bench], quick: bool) -> ExitCode {
    let missing: Vec<&str> = [("valgrind", "--version"), ("strace", "-V")]
        .into_iter()
        .filter(|(tool, arg)| Command::new(tool).arg(arg).output().map_or(true, |o| !o.status.success()))
        .map(|(tool, _)| tool)
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "net-bench --instructions needs {}: install with `apt-get install -y valgrind strace` (as root; \
             `cargo xtask bench --instructions` does it when run as root)",
            missing.join(" and ")
        );
        return ExitCode::FAILURE;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("net-bench: cannot find its own executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let dir = out_dir(&exe);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("net-bench: cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let sizes = sizes(quick);
    println!(
        "net-bench --instructions{}: user-space instructions of the reading side under callgrind, \
         system calls of the reading side under strace (a separate run), each variant in its own process",
        if quick { " --quick" } else { "" }
    );
    println!("sizes: {}", sizes.describe());

    let mut table = Table::new(&[
        ("benchmark", false),
        ("per", false),
        ("net instr", true),
        ("baseline", false),
        ("baseline instr", true),
        ("ratio", true),
        ("net syscalls", true),
        ("baseline syscalls", true),
        ("goal", false),
    ]);
    let mut breakdowns = Vec::new();
    let mut failed = false;
    for &bench in benches {
        let units = (bench.units)(&sizes);
        let mut measured = Vec::new();
        for variant in [Variant::Net, Variant::Std] {
            match measure(&exe, &dir, bench, variant, quick) {
                Ok(counts) => {
                    println!(
                        "{:<24} {} {:>14} instructions, {:>8} system calls ({})",
                        bench.name,
                        variant.arg(),
                        counts.instructions,
                        counts.syscalls.total,
                        counts.syscalls.breakdown()
                    );
                    measured.push(counts);
                }
                Err(e) => {
                    eprintln!("{} {}: {e}", bench.name, variant.arg());
                    failed = true;
                }
            }
        }
        let [net, std] = &measured[..] else { continue };
        let per = |n: u64| n as f64 / units;
        let ratio = per(net.instructions) / per(std.instructions);
        let goal = bench.instructions_goal.map_or("-".to_owned(), |g| format!("<= {g:.2} {}", verdict(ratio <= g)));
        table.row(vec![
            bench.name.to_owned(),
            bench.per.to_owned(),
            significant(per(net.instructions)),
            bench.baseline.to_owned(),
            significant(per(std.instructions)),
            format!("{ratio:.3}"),
            significant(per(net.syscalls.total)),
            significant(per(std.syscalls.total)),
            goal,
        ]);
        breakdowns.push(format!(
            "{:<24} net: {}; {}: {}",
            bench.name,
            net.syscalls.breakdown(),
            bench.baseline,
            std.syscalls.breakdown()
        ));
    }
    println!("\ninstructions and system calls per unit, reading side only");
    print!("{}", table.render());
    println!("\nsystem calls of the reading side per run:");
    for line in &breakdowns {
        println!("{line}");
    }
    println!("\ncallgrind files: {}/*.callgrind (callgrind_annotate --inclusive=yes FILE)", dir.display());

    if let Some(bench) = benches.iter().find(|b| b.name == "read_line") {
        let wall_sizes = if quick { Sizes::full().smaller(20) } else { Sizes::full() };
        println!("\nwall clock, {} lines per run:", wall_sizes.lines);
        let medians = wall::measure(bench, &Ctx::new(wall_sizes));
        println!(
            "read_line on the wall clock: net {:.2}, std {:.2} {}; ratio {:.3}; goal {}",
            medians.net,
            medians.std,
            bench.unit,
            medians.ratio(),
            wall::goal_cell(bench, medians)
        );
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The callgrind run, then the strace run, of one variant.
fn measure(exe: &Path, dir: &Path, bench: &Bench, variant: Variant, quick: bool) -> Result<Counts, String> {
    let file = |kind: &str| dir.join(format!("{}.{}.{kind}", bench.name, variant.arg()));
    let child_args = |probe: Probe| {
        [CHILD, probe.arg(), bench.name, variant.arg(), if quick { "quick" } else { "full" }].map(str::to_owned)
    };
    let callgrind_file = file("callgrind");
    let toggle = format!("--toggle-collect={}", probe::CALLGRIND_TOGGLE);
    let out_file = format!("--callgrind-out-file={}", callgrind_file.display());
    let mut valgrind = Command::new("valgrind");
    valgrind
        .args(["--tool=callgrind", "-q", "--collect-atstart=no", &toggle, &out_file, "--separate-threads=no"])
        .arg(exe)
        .args(child_args(Probe::Callgrind));
    checked(valgrind.output(), "valgrind")?;
    let text = std::fs::read_to_string(&callgrind_file)
        .map_err(|e| format!("cannot read {}: {e}", callgrind_file.display()))?;
    let instructions = callgrind_total(&text).ok_or_else(|| format!("no total in {}", callgrind_file.display()))?;

    let strace_file = file("strace");
    let mut strace = Command::new("strace");
    strace.args(["-f", "-qq", "-o"]).arg(&strace_file).arg(exe).args(child_args(Probe::Strace));
    checked(strace.output(), "strace")?;
    let text =
        std::fs::read_to_string(&strace_file).map_err(|e| format!("cannot read {}: {e}", strace_file.display()))?;
    let syscalls = reading_syscalls(&text);
    if syscalls.total == 0 {
        return Err(format!("no system call between the markers in {}", strace_file.display()));
    }
    Ok(Counts { instructions, syscalls })
}

/// `Ok` when the tool ran and exited 0; else what it said.
fn checked(output: std::io::Result<Output>, tool: &str) -> Result<(), String> {
    let output = output.map_err(|e| format!("cannot run {tool}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{tool} exited with {}:\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// The instruction count (`Ir`, the first event) of a callgrind file: its `totals:` line, or
/// its `summary:` line.
fn callgrind_total(text: &str) -> Option<u64> {
    let field = |key: &str| {
        text.lines().find_map(|l| l.strip_prefix(key)).and_then(|rest| rest.split_whitespace().next()?.parse().ok())
    };
    field("totals:").or_else(|| field("summary:"))
}

/// The system calls in `strace -f -o` output that a thread made between its [`probe::START`]
/// and [`probe::END`] markers (the markers not counted). A call strace split in two (`<unfinished
/// ...>`, then `<... resumed>`) counts once; signals and exits are not calls.
fn reading_syscalls(text: &str) -> Syscalls {
    let mut inside = BTreeMap::<u32, bool>::new();
    let mut calls = Syscalls::default();
    for line in text.lines() {
        let Some((tid, rest)) = line.split_once(' ') else { continue };
        let Ok(tid) = tid.parse::<u32>() else { continue };
        let rest = rest.trim_start();
        if rest.contains(probe::START) {
            inside.insert(tid, true);
        } else if rest.contains(probe::END) {
            inside.insert(tid, false);
        } else if inside.get(&tid) == Some(&true) {
            let name = rest.split('(').next().unwrap_or_default();
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                calls.total += 1;
                *calls.by_name.entry(name.to_owned()).or_default() += 1;
            }
        }
    }
    calls
}

/// `x` with three significant digits (at least), without an exponent.
fn significant(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    format!("{x:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callgrind_totals_and_summary() {
        assert_eq!(callgrind_total("events: Ir\nfn=x\n1 5\ntotals: 1234\n"), Some(1234));
        assert_eq!(callgrind_total("events: Ir Dr\nsummary: 77 3\n"), Some(77));
        assert_eq!(callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn only_the_marked_thread_between_its_markers_counts() {
        let text = format!(
            "10 read(3, \"x\", 1) = 1\n\
             10 write(-1, \"{start}\", 25) = -1 EBADF (Bad file descriptor)\n\
             11 write(4, \"y\", 1) = 1\n\
             10 recvfrom(3,  <unfinished ...>\n\
             11 futex(0x1, FUTEX_WAKE, 1) = 0\n\
             10 <... recvfrom resumed>\"z\", 4000, 0, NULL, NULL) = 1\n\
             10 --- SIGPIPE {{si_signo=SIGPIPE}} ---\n\
             10 recvfrom(3, \"z\", 4000, 0, NULL, NULL) = 1\n\
             10 poll([{{fd=3, events=POLLIN}}], 1, 10) = 1\n\
             10 write(-1, \"{end}\", 23) = -1 EBADF (Bad file descriptor)\n\
             10 read(3, \"x\", 1) = 1\n",
            start = probe::START,
            end = probe::END
        );
        let calls = reading_syscalls(&text);
        assert_eq!(calls.total, 3);
        assert_eq!(calls.breakdown(), "recvfrom 2, poll 1");
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(significant(0.001_834), "0.00183");
        assert_eq!(significant(354.2), "354");
        assert_eq!(significant(12.345), "12.3");
        assert_eq!(significant(276_543.2), "276543");
        assert_eq!(significant(0.0), "0");
    }
}
