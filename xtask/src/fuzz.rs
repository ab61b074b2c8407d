//! `cargo xtask fuzz [--minutes N | --seconds N] [TARGET]`: runs the cargo-fuzz targets of
//! `tests/fuzz` on the nightly toolchain (installing cargo-fuzz when it is missing), each for
//! the time given (30 s by default), and prints the executions of each.
//!
//! Every run starts from the seeds in `tests/fuzz/seeds/<target>` and grows its corpus in
//! `target/fuzz-corpus/<target>`. libFuzzer stops a target at its first crash, hang (10 s) or
//! allocation over 512 MiB, and leaves the input in `tests/fuzz/artifacts/<target>`; the task
//! then exits 1.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const FUZZ_DIR: &str = "tests/fuzz";

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
struct Plan {
    seconds: u64,
    target: Option<String>,
}

fn parse(args: &[String]) -> Result<Plan, String> {
    let mut plan = Plan { seconds: 30, target: None };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--minutes" | "--seconds" => {
                let value = args.next().ok_or_else(|| format!("{arg} needs a number"))?;
                let n: u64 = value.parse().map_err(|_| format!("{arg} {value:?}: not a whole number"))?;
                plan.seconds = if arg == "--minutes" { n * 60 } else { n };
            }
            other if other.starts_with('-') => return Err(format!("unknown option {other:?}")),
            target if plan.target.is_none() => plan.target = Some(target.to_owned()),
            extra => return Err(format!("one target at most ({extra:?} is a second)")),
        }
    }
    if plan.seconds == 0 {
        return Err("a run of 0 seconds fuzzes nothing".into());
    }
    Ok(plan)
}

/// The targets: the files of `tests/fuzz/fuzz_targets`, sorted.
fn targets(root: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(FUZZ_DIR).join("fuzz_targets"))?
        .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// A `cargo +nightly` command in the workspace root, free of what the stable cargo that runs
/// us put in the environment.
fn nightly_cargo(root: &Path) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg("+nightly").current_dir(root);
    for var in ["CARGO", "RUSTC", "RUSTDOC", "RUSTUP_TOOLCHAIN", "CARGO_TARGET_DIR", "RUSTFLAGS"] {
        cmd.env_remove(var);
    }
    cmd
}

fn ensure_cargo_fuzz(root: &Path) -> Result<(), String> {
    let have = nightly_cargo(root).args(["fuzz", "--version"]).stdout(Stdio::null()).stderr(Stdio::null()).status();
    if have.is_ok_and(|s| s.success()) {
        return Ok(());
    }
    println!("xtask fuzz: installing cargo-fuzz");
    let status = Command::new("cargo")
        .args(["install", "--locked", "cargo-fuzz"])
        .status()
        .map_err(|e| format!("could not run cargo install: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo install cargo-fuzz failed".into())
    }
}

/// What one target's run gave.
#[derive(Debug)]
struct Run {
    target: String,
    executions: Option<u64>,
    seconds: f64,
    ok: bool,
}

/// Reads libFuzzer's `stat::number_of_executed_units: N`.
fn executions(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|l| l.strip_prefix("stat::number_of_executed_units:")?.trim().parse().ok())
}

fn run_target(root: &Path, target: &str, seconds: u64) -> Run {
    let corpus = root.join("target").join("fuzz-corpus").join(target);
    let seeds: PathBuf = root.join(FUZZ_DIR).join("seeds").join(target);
    let _ = std::fs::create_dir_all(&corpus);
    let mut cmd = nightly_cargo(root);
    cmd.args(["fuzz", "run", "--fuzz-dir", FUZZ_DIR, target]).arg(&corpus);
    if seeds.is_dir() {
        cmd.arg(&seeds);
    }
    cmd.args([
        "--",
        &format!("-max_total_time={seconds}"),
        "-print_final_stats=1",
        "-timeout=10",
        "-rss_limit_mb=2048",
        "-malloc_limit_mb=512",
    ]);
    let start = Instant::now();
    println!("==> fuzz {target} for {seconds} s");
    let out = cmd.stdin(Stdio::null()).stdout(Stdio::inherit()).stderr(Stdio::piped()).output();
    let seconds = start.elapsed().as_secs_f64();
    match out {
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if !out.status.success() {
                eprint!("{stderr}");
            } else {
                // The summary only: libFuzzer's progress lines would flood CI logs.
                for line in stderr.lines().filter(|l| l.starts_with("stat::") || l.starts_with("Done ")) {
                    eprintln!("{line}");
                }
            }
            Run { target: target.to_owned(), executions: executions(&stderr), seconds, ok: out.status.success() }
        }
        Err(e) => {
            eprintln!("xtask fuzz: could not run cargo fuzz: {e}");
            Run { target: target.to_owned(), executions: None, seconds, ok: false }
        }
    }
}

/// The `cargo xtask fuzz` task.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let plan = match parse(args) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("xtask fuzz: {e}\nusage: cargo xtask fuzz [--minutes N | --seconds N] [TARGET]");
            return ExitCode::from(2);
        }
    };
    let root = crate::project_root();
    let all = match targets(&root) {
        Ok(all) => all,
        Err(e) => {
            eprintln!("xtask fuzz: cannot list {FUZZ_DIR}/fuzz_targets: {e}");
            return ExitCode::FAILURE;
        }
    };
    let chosen: Vec<&String> = all.iter().filter(|t| plan.target.as_ref().is_none_or(|want| *t == want)).collect();
    if chosen.is_empty() {
        eprintln!("xtask fuzz: no target {:?}; the targets are: {}", plan.target.unwrap_or_default(), all.join(", "));
        return ExitCode::from(2);
    }
    if let Err(e) = ensure_cargo_fuzz(&root) {
        eprintln!("xtask fuzz: {e}");
        return ExitCode::FAILURE;
    }
    let runs: Vec<Run> = chosen.iter().map(|t| run_target(&root, t, plan.seconds)).collect();
    println!("\n{:<20} | {:>14} | {:>8} | result", "target", "executions", "time (s)");
    for r in &runs {
        let execs = r.executions.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let result = if r.ok { "ok" } else { "FAILED (see above)" };
        println!("{:<20} | {:>14} | {:>8.0} | {result}", r.target, execs, r.seconds);
    }
    let total: u64 = runs.iter().filter_map(|r| r.executions).sum();
    println!("{total} executions in total, {} targets failed", runs.iter().filter(|r| !r.ok).count());
    if runs.iter().all(|r| r.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::{executions, parse, Plan};

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn reads_the_time_and_the_target() {
        assert_eq!(parse(&args(&[])), Ok(Plan { seconds: 30, target: None }));
        assert_eq!(
            parse(&args(&["--minutes", "2", "line_reader"])),
            Ok(Plan { seconds: 120, target: Some("line_reader".into()) })
        );
        assert_eq!(parse(&args(&["--seconds", "5"])), Ok(Plan { seconds: 5, target: None }));
    }

    #[test]
    fn refuses_bad_command_lines() {
        assert!(parse(&args(&["--minutes"])).is_err());
        assert!(parse(&args(&["--minutes", "x"])).is_err());
        assert!(parse(&args(&["--seconds", "0"])).is_err());
        assert!(parse(&args(&["a", "b"])).is_err());
        assert!(parse(&args(&["--fast"])).is_err());
    }

    #[test]
    fn reads_libfuzzers_execution_count() {
        let stderr = "Done 1234 runs in 2 second(s)\nstat::number_of_executed_units: 1234\nstat::peak_rss_mb: 40\n";
        assert_eq!(executions(stderr), Some(1234));
        assert_eq!(executions("nothing"), None);
    }
}
