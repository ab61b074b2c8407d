//! `cargo xtask test-matrix [FILTER]`: runs every test cell — one `cargo test` invocation per
//! crate and feature set — and prints a table of tests run, passed, failed and time per cell,
//! then a last line `N passed, N failed` with the totals.
//!
//! Each cell's output streams through to the terminal (so CI logs show it) and is kept to read
//! its `test result:` lines (one per test binary and one for the doctests). A cell fails when
//! a test fails or when cargo exits non-zero (a build error, say); the task then exits 1.
//!
//! The cells are the [`CELLS`] table: to add one (a TLS backend, say), add a line there.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::process::{ExitCode, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// One `cargo test` invocation of the matrix.
#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Shown in the table; the filter argument matches against it.
    name: &'static str,
    /// What follows `cargo test --no-fail-fast`: packages, features... Unused by the
    /// facade-docs cell.
    args: &'static [&'static str],
    /// The doctests of the generated crate of `cargo xtask facade-docs` instead of a
    /// workspace `cargo test`.
    facade_docs: bool,
}

/// Every cell, in the order they run: net-core alone, the TLS traits alone, the facade with
/// no TLS, each backend alone, all three together, the load and network-fault tests (slow: their own cell), the doc
/// examples against `net` alone, xtask. The backend cells run the plain suites
/// again (features must not change them) plus the TLS conformance, interop, leak and
/// `openssl` command-line suites, and the backend's own tests.
const CELLS: &[Cell] = &[
    Cell { name: "net-core alone", args: &["-p", "net-core"], facade_docs: false },
    Cell { name: "net-tls (traits, no backend)", args: &["-p", "net-tls"], facade_docs: false },
    Cell {
        name: "net + suites, no TLS",
        args: &["-p", "net", "-p", "net-tests", "--no-default-features"],
        facade_docs: false,
    },
    Cell {
        name: "rustls alone",
        args: &[
            "-p",
            "net-tls-rustls",
            "-p",
            "net",
            "-p",
            "net-tests",
            "--no-default-features",
            "--features",
            "net/rustls,net-tests/rustls",
        ],
        facade_docs: false,
    },
    Cell {
        name: "openssl alone",
        args: &[
            "-p",
            "net-tls-openssl",
            "-p",
            "net",
            "-p",
            "net-tests",
            "--no-default-features",
            "--features",
            "net/openssl,net-tests/openssl",
        ],
        facade_docs: false,
    },
    Cell {
        name: "native-tls alone",
        args: &[
            "-p",
            "net-tls-native",
            "-p",
            "net",
            "-p",
            "net-tests",
            "--no-default-features",
            "--features",
            "net/native-tls,net-tests/native-tls",
        ],
        facade_docs: false,
    },
    Cell {
        name: "all three backends",
        args: &[
            "-p",
            "net",
            "-p",
            "net-tests",
            "--no-default-features",
            "--features",
            "net/rustls,net/openssl,net/native-tls,net-tests/rustls,net-tests/openssl,net-tests/native-tls",
        ],
        facade_docs: false,
    },
    Cell {
        name: "load and network faults: plain and every backend",
        args: &[
            "-p",
            "net-tests",
            "--no-default-features",
            "--features",
            "load,faults,rustls,openssl,native-tls",
            "--test",
            "load",
            "--test",
            "faults",
        ],
        facade_docs: false,
    },
    Cell { name: "doc examples, net as the only dependency", args: &[], facade_docs: true },
    Cell { name: "xtask", args: &["-p", "xtask"], facade_docs: false },
];

/// Test counts, from one `test result:` line or summed over many.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.ignored += other.ignored;
    }
}

/// What one cell did.
#[derive(Debug)]
struct Outcome {
    cell: Cell,
    counts: Counts,
    /// cargo's exit code; `None` when it was killed by a signal or could not start.
    exit: Option<i32>,
    elapsed: Duration,
}

impl Outcome {
    fn failed(&self) -> bool {
        self.counts.failed > 0 || self.exit != Some(0)
    }
}

/// Runs the cells (those whose name contains the filter, if one is given) and prints the table.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let filter = match args {
        [] => None,
        [f] if !f.starts_with('-') => Some(f.as_str()),
        _ => {
            eprintln!("usage: cargo xtask test-matrix [FILTER]");
            return ExitCode::from(2);
        }
    };
    let cells: Vec<Cell> = CELLS.iter().copied().filter(|c| filter.is_none_or(|f| c.name.contains(f))).collect();
    if cells.is_empty() {
        eprintln!("xtask test-matrix: no cell name contains {:?}; the cells are:", filter.unwrap_or_default());
        for c in CELLS {
            eprintln!("  {}", c.name);
        }
        return ExitCode::from(2);
    }
    let mut outcomes = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        let what = if cell.facade_docs {
            "cargo xtask facade-docs".to_owned()
        } else {
            format!("cargo test --no-fail-fast {}", cell.args.join(" "))
        };
        println!("==> [{}/{}] {}: {what}", i + 1, cells.len(), cell.name);
        outcomes.push(run_cell(*cell));
    }
    print!("\n{}", table(&outcomes));
    let mut total = Counts::default();
    for o in &outcomes {
        total += o.counts;
        if o.exit != Some(0) && o.counts.failed == 0 {
            let how = o.exit.map_or_else(|| "was killed or did not start".to_owned(), |c| format!("exited with {c}"));
            println!("cell {:?} failed: cargo {how} with no failed test (a build error?)", o.cell.name);
        }
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    if outcomes.iter().any(Outcome::failed) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs one cell, streaming its output through and counting its tests.
fn run_cell(cell: Cell) -> Outcome {
    let start = Instant::now();
    let mut cmd = if cell.facade_docs {
        match crate::facade_docs::command() {
            Ok(cmd) => cmd,
            Err(e) => {
                eprintln!("xtask test-matrix: could not write the facade-docs crate: {e}");
                return Outcome { cell, counts: Counts::default(), exit: None, elapsed: start.elapsed() };
            }
        }
    } else {
        let mut cmd = crate::cargo();
        cmd.args(["test", "--no-fail-fast"]).args(cell.args);
        cmd
    };
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("xtask test-matrix: could not run cargo: {e}");
            return Outcome { cell, counts: Counts::default(), exit: None, elapsed: start.elapsed() };
        }
    };
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().map(|s| forward(s, io::stdout, tx.clone()));
    let err = child.stderr.take().map(|s| forward(s, io::stderr, tx));
    // The readers hold the only senders: this ends when both pipes are closed.
    let counts = parse_output(rx.iter());
    for reader in [out, err].into_iter().flatten() {
        reader.join().expect("output reader panicked");
    }
    let exit = child.wait().ok().and_then(|s| s.code());
    Outcome { cell, counts, exit, elapsed: start.elapsed() }
}

/// Copies `pipe` line by line to `sink` (as bytes, as they come) and sends each line, as text,
/// to `lines`.
fn forward<R, W>(pipe: R, sink: fn() -> W, lines: mpsc::Sender<String>) -> thread::JoinHandle<()>
where
    R: Read + Send + 'static,
    W: Write + 'static,
{
    thread::spawn(move || {
        let mut pipe = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match pipe.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let mut sink = sink();
                    // A closed terminal must not stop the run: keep reading so the child never blocks.
                    let _ = sink.write_all(&line).and_then(|()| sink.flush());
                    let _ = lines.send(String::from_utf8_lossy(&line).into_owned());
                }
            }
        }
    })
}

/// Sums the counts of every `test result:` line.
fn parse_output<I, S>(lines: I) -> Counts
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut total = Counts::default();
    for line in lines {
        if let Some(counts) = parse_result_line(line.as_ref()) {
            total += counts;
        }
    }
    total
}

/// Reads a libtest summary such as
/// `test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s`
/// (colour codes allowed). Other lines give `None`.
fn parse_result_line(line: &str) -> Option<Counts> {
    let line = strip_ansi(line);
    let rest = line.trim_end().strip_prefix("test result: ")?;
    let mut counts = Counts::default();
    let mut found = false;
    for part in rest.split(';') {
        let mut words = part.split_whitespace().rev();
        let (Some(label), Some(number)) = (words.next(), words.next()) else { continue };
        let Ok(n) = number.parse::<u64>() else { continue };
        let slot = match label {
            "passed" => &mut counts.passed,
            "failed" => &mut counts.failed,
            "ignored" => &mut counts.ignored,
            _ => continue,
        };
        *slot = n;
        found = true;
    }
    found.then_some(counts)
}

/// `line` without ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The summary table.
fn table(outcomes: &[Outcome]) -> String {
    let header = ["cell", "tests run", "passed", "failed", "time (s)"];
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| {
            [
                o.cell.name.to_owned(),
                (o.counts.passed + o.counts.failed).to_string(),
                o.counts.passed.to_string(),
                o.counts.failed.to_string(),
                format!("{:.1}", o.elapsed.as_secs_f64()),
            ]
        })
        .collect();
    let mut width = header.map(str::len);
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.len());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut s = format!("{:<w$}", cells[0], w = width[0]);
        for (cell, w) in cells.iter().zip(width).skip(1) {
            s.push_str(&format!(" | {cell:>w$}"));
        }
        s.push('\n');
        s
    };
    let mut out = line(header);
    out.push_str(&width.iter().map(|&w| "-".repeat(w)).collect::<Vec<_>>().join("-+-"));
    out.push('\n');
    for row in &rows {
        out.push_str(&line([&row[0], &row[1], &row[2], &row[3], &row[4]]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{parse_output, parse_result_line, table, Cell, Counts, Outcome, CELLS};
    use std::time::Duration;

    fn counts(passed: u64, failed: u64, ignored: u64) -> Counts {
        Counts { passed, failed, ignored }
    }

    #[test]
    fn reads_a_test_binary_summary() {
        let line = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(parse_result_line(line), Some(counts(12, 0, 1)));
    }

    #[test]
    fn reads_a_failed_summary() {
        let line =
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 4 filtered out; finished in 1.50s\n";
        assert_eq!(parse_result_line(line), Some(counts(3, 2, 0)));
    }

    #[test]
    fn reads_doctest_summaries() {
        // Edition 2021 doctests, then the merged doctests of edition 2024.
        let old = "test result: ok. 57 passed; 0 failed; 2 ignored; 0 measured; 0 filtered out; finished in 4.21s";
        assert_eq!(parse_result_line(old), Some(counts(57, 0, 2)));
        let merged = "test result: ok. 5 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; \
                      all doctests ran in 0.52s; merged doctests compilation took 0.50s";
        assert_eq!(parse_result_line(merged), Some(counts(5, 1, 0)));
    }

    #[test]
    fn reads_coloured_summaries() {
        let line = "test result: \x1b[32mok\x1b[0m. 7 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out";
        assert_eq!(parse_result_line(line), Some(counts(7, 0, 0)));
    }

    #[test]
    fn ignores_other_lines() {
        for line in [
            "",
            "running 12 tests",
            "test addr::parses ... ok",
            "   Doc-tests net_core",
            "  test result: ok. 1 passed; 0 failed",
            "test result: nothing to count",
            "error[E0425]: cannot find value `x` in this scope",
        ] {
            assert_eq!(parse_result_line(line), None, "{line:?}");
        }
    }

    #[test]
    fn sums_every_binary_and_the_doctests() {
        let output = "\
running 2 tests
test a ... ok
test b ... FAILED

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/lines.rs (target/debug/deps/lines-0123)

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests net_core

running 40 tests
test result: ok. 39 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 2.10s
";
        assert_eq!(parse_output(output.lines()), counts(40, 1, 1));
    }

    #[test]
    fn cell_names_are_unique() {
        for (i, a) in CELLS.iter().enumerate() {
            assert!(CELLS[i + 1..].iter().all(|b| b.name != a.name), "{} twice", a.name);
        }
    }

    #[test]
    fn the_table_lines_up() {
        let cell = Cell { name: "net-core alone", args: &[], facade_docs: false };
        let o = Outcome { cell, counts: counts(120, 3, 0), exit: Some(101), elapsed: Duration::from_millis(12_340) };
        let t = table(&[o]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "cell           | tests run | passed | failed | time (s)");
        assert_eq!(lines[2], "net-core alone |       123 |    120 |      3 |     12.3");
        assert!(lines.iter().all(|l| l.len() == lines[0].len()));
    }
}
