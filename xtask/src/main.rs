//! Development tasks for the net workspace, run as `cargo xtask <task>` (an alias in
//! `.cargo/config.toml`).
//!
//! Each task lives in its own module; this file only dispatches. The crate has no
//! dependencies so that it builds in a moment.

mod bench;
mod facade_docs;
mod fuzz;
mod test_matrix;
mod tls_doc;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus};

const HELP: &str = "\
usage: cargo xtask <task> [args]

tasks:
  test-matrix [FILTER]   run every test cell (crate x feature set) and print a table;
                         FILTER runs only the cells whose name contains it
  bench [ARGS]           build crates/net-bench in release and run it: net against std (and
                         each TLS backend against its crate used directly) over loopback;
                         ARGS go to the binary (--quick, --instructions, --memory, a
                         benchmark name, --help); --instructions installs valgrind and
                         strace first when they are missing (as root)
  facade-docs            compile and run every doc example of the published crates in a
                         generated crate whose only dependency is `net`
  fuzz [--minutes N | --seconds N] [TARGET]
                         run the cargo-fuzz targets of tests/fuzz (nightly), 30 s each
                         by default; installs cargo-fuzz when it is missing
  tls-doc                write docs/tls-backends.md from the backends' capabilities
  help                   print this text
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    match task.as_deref() {
        Some("test-matrix") => test_matrix::run(&rest),
        Some("bench") => bench::run(&rest),
        Some("facade-docs") => facade_docs::run(&rest),
        Some("fuzz") => fuzz::run(&rest),
        Some("tls-doc") => tls_doc::run(&rest),
        Some("help" | "-h" | "--help") => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown task `{other}`\n");
            eprint!("{HELP}");
            ExitCode::from(2)
        }
        None => {
            eprint!("{HELP}");
            ExitCode::from(2)
        }
    }
}

/// The workspace root: the parent of this crate's directory. `cargo run` tells us where that
/// is now; the path compiled in is only the fallback (a binary built in another checkout
/// would otherwise point there).
fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    Path::new(&manifest_dir).parent().expect("xtask lives one level below the workspace root").to_owned()
}

/// A `cargo` command (the one that runs us, through `$CARGO`) started in the workspace root.
fn cargo() -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(program);
    cmd.current_dir(project_root());
    cmd
}

/// The exit code to pass on for a child's status: its own code, or 1 when it had none (killed
/// by a signal).
fn exit_code(status: ExitStatus) -> ExitCode {
    match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).ok().filter(|&c| c != 0).unwrap_or(1)),
        None => ExitCode::FAILURE,
    }
}
