//! `cargo xtask bench [ARGS]`: builds the `net-bench` binary of the `net-tests` crate in
//! release and runs it, passing `ARGS` through (`--quick`, a benchmark name, `--help`).
//!
//! The same as `cargo run --release -p net-tests --features rustls,openssl,native-tls --bin
//! net-bench -- ARGS`; the binary
//! (`tests/src/bin/net-bench.rs`) says what it measures.

use std::process::ExitCode;

/// Runs the benchmark binary and exits with its status.
pub(crate) fn run(args: &[String]) -> ExitCode {
    let mut cmd = crate::cargo();
    cmd.args(["run", "--release", "-p", "net-tests", "--features", "rustls,openssl,native-tls"])
        .args(["--bin", "net-bench", "--"])
        .args(args);
    match cmd.status() {
        Ok(status) => crate::exit_code(status),
        Err(e) => {
            eprintln!("xtask bench: could not run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
