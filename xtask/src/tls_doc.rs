//! `cargo xtask tls-doc`: writes `docs/tls-backends.md`, the capability matrix of the TLS
//! backends, from the code (`net_tls::capability_matrix_markdown`, printed by the
//! `capability_matrix` example of `net-tls`). A test in `net-tls` fails when the file is stale.

use std::process::ExitCode;

/// Regenerates the document.
pub(crate) fn run(args: &[String]) -> ExitCode {
    if !args.is_empty() {
        eprintln!("usage: cargo xtask tls-doc");
        return ExitCode::from(2);
    }
    let output = crate::cargo().args(["run", "--quiet", "-p", "net-tls", "--example", "capability_matrix"]).output();
    let output = match output {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            eprintln!("xtask tls-doc: the example failed:\n{}", String::from_utf8_lossy(&o.stderr));
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("xtask tls-doc: could not run cargo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let path = crate::project_root().join("docs").join("tls-backends.md");
    match std::fs::write(&path, &output.stdout) {
        Ok(()) => {
            println!("wrote {}", path.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask tls-doc: write {}: {e}", path.display());
            ExitCode::FAILURE
        }
    }
}
