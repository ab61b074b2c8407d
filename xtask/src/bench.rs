//! `cargo xtask bench [ARGS]`: builds the `net-bench` crate (`crates/net-bench`) in release
//! with every TLS backend and runs it, passing `ARGS` through (`--quick`, `--instructions`,
//! `--memory`, a benchmark name, `--help`).
//!
//! The same as `cargo run --release -p net-bench --features rustls,openssl,native-tls --
//! ARGS`, except that `--instructions` first makes sure valgrind and strace are there: when
//! one is missing and we run as root, `apt-get update` then `apt-get install -y valgrind
//! strace`; otherwise it says how to install them and stops. `docs/benchmarks.md` says what
//! each mode measures.

use std::process::{Command, ExitCode, Stdio};

/// The tools `--instructions` runs, each with an argument that makes it print its version.
const TOOLS: [(&str, &str); 2] = [("valgrind", "--version"), ("strace", "-V")];
/// The Debian packages that bring them.
const PACKAGES: [&str; 2] = ["valgrind", "strace"];

/// Runs the benchmark binary and exits with its status.
pub(crate) fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--instructions") {
        if let Err(message) = ensure_tools() {
            eprintln!("xtask bench: {message}");
            return ExitCode::FAILURE;
        }
    }
    let mut cmd = crate::cargo();
    cmd.args(["run", "--release", "-p", "net-bench", "--features", "rustls,openssl,native-tls", "--"]).args(args);
    match cmd.status() {
        Ok(status) => crate::exit_code(status),
        Err(e) => {
            eprintln!("xtask bench: could not run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `tool` runs.
fn present(tool: &str, version_arg: &str) -> bool {
    Command::new(tool).arg(version_arg).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The tools `--instructions` needs that do not run here.
fn missing() -> Vec<&'static str> {
    TOOLS.iter().filter(|(tool, arg)| !present(tool, arg)).map(|(tool, _)| *tool).collect()
}

/// Installs valgrind and strace when one is missing (as root), or says how.
fn ensure_tools() -> Result<(), String> {
    let missing = missing();
    if missing.is_empty() {
        return Ok(());
    }
    let how = format!("apt-get update && apt-get install -y {}", PACKAGES.join(" "));
    if !is_root(&std::fs::read_to_string("/proc/self/status").unwrap_or_default()) {
        return Err(format!(
            "--instructions needs {}; install {} as root (`sudo sh -c '{how}'` on Debian), then run again",
            missing.join(" and "),
            PACKAGES.join(" and ")
        ));
    }
    eprintln!("xtask bench: {} missing; running `{how}`", missing.join(" and "));
    apt(&["update", "-q"])?;
    apt(&[&["install", "-y", "-q"][..], &PACKAGES[..]].concat())?;
    match self::missing()[..] {
        [] => Ok(()),
        ref still => Err(format!("{} still missing after apt-get install", still.join(" and "))),
    }
}

fn apt(args: &[&str]) -> Result<(), String> {
    let status = Command::new("apt-get")
        .args(args)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| format!("could not run apt-get: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("apt-get {} failed: {status}", args.join(" ")))
    }
}

/// Whether the effective user id in a `/proc/self/status` text is 0.
fn is_root(status: &str) -> bool {
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .is_some_and(|euid| euid == "0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_effective_uid_of_proc_status() {
        assert!(is_root("Name:\tx\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"));
        assert!(is_root("Uid:\t1000\t0\t0\t0\n"));
        assert!(!is_root("Uid:\t0\t1000\t1000\t1000\n"));
        assert!(!is_root("Name:\tx\n"));
    }
}
