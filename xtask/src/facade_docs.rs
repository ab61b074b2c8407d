//! `cargo xtask facade-docs`: proves that every rustdoc example of the published crates
//! compiles — and runs — with `net` as its only dependency.
//!
//! It copies each Rust code block of the crates' doc comments into one generated crate,
//! `target/facade-docs`, whose only dependency is `net` (every backend on), and runs its
//! doctests. The crates themselves set `doctest = false`: this crate is where their examples
//! run, once. A test certificate for the TLS examples is made by the generated crate's build
//! script (rcgen, a build dependency the examples never name); the examples find it through
//! `env!("NET_DOC_PKI")`: `ca.pem`, `chain.pem` (leaf for `localhost` and `127.0.0.1`, then
//! the CA) and `key.pem`.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The crates whose doc examples are checked: every published crate.
const CRATES: &[&str] = &["net-core", "net-tls", "net-tls-rustls", "net-tls-openssl", "net-tls-native", "net"];

/// The rustdoc attributes a Rust code block's info string may carry; any other word makes the
/// block something else (`text`, `sh`, `toml`...), which rustdoc does not test either.
const RUST_ATTRS: &[&str] = &["rust", "no_run", "ignore", "should_panic", "compile_fail", "test_harness"];

/// One example: where it came from, its info string and its lines.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Example {
    pub(crate) file: String,
    pub(crate) line: usize,
    pub(crate) info: String,
    pub(crate) body: Vec<String>,
}

/// `cargo xtask facade-docs`: generate the crate and run its doctests.
pub(crate) fn run(args: &[String]) -> ExitCode {
    if !args.is_empty() {
        eprintln!("usage: cargo xtask facade-docs");
        return ExitCode::from(2);
    }
    match command() {
        Ok(mut cmd) => match cmd.status() {
            Ok(status) => crate::exit_code(status),
            Err(e) => {
                eprintln!("xtask facade-docs: could not run cargo: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("xtask facade-docs: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the generated crate and returns the `cargo test --doc` command that runs it.
pub(crate) fn command() -> io::Result<Command> {
    let root = crate::project_root();
    let dir = generate(&root)?;
    let mut cmd = crate::cargo();
    cmd.args(["test", "--doc", "--no-fail-fast", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target"));
    Ok(cmd)
}

/// Writes `target/facade-docs` from the crates' sources; returns its directory.
fn generate(root: &Path) -> io::Result<PathBuf> {
    let mut examples = Vec::new();
    for krate in CRATES {
        let src = root.join("crates").join(krate).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files)?;
        files.sort();
        for file in files {
            let text = fs::read_to_string(&file)?;
            let shown = file.strip_prefix(root).unwrap_or(&file).display().to_string();
            examples.extend(extract(&shown, &text));
        }
    }
    let dir = root.join("target").join("facade-docs");
    fs::create_dir_all(dir.join("src"))?;
    fs::write(dir.join("Cargo.toml"), manifest(root))?;
    fs::write(dir.join("build.rs"), BUILD_RS)?;
    fs::write(dir.join("src").join("lib.rs"), library(&examples))?;
    // The workspace's versions, so the check builds what the workspace tests.
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    println!("xtask facade-docs: {} examples from {} crates in {}", examples.len(), CRATES.len(), dir.display());
    Ok(dir)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The Rust code blocks of `text`'s doc comments (`///` and `//!`), as rustdoc sees them.
pub(crate) fn extract(file: &str, text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut open: Option<Example> = None;
    for (n, line) in text.lines().enumerate() {
        let Some(doc) = doc_text(line) else {
            // A block never spans two doc comments; an unclosed one is dropped, as rustdoc does.
            open = None;
            continue;
        };
        let fence = doc.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(info)) => {
                open =
                    Some(Example { file: file.to_owned(), line: n + 1, info: info.trim().to_owned(), body: Vec::new() })
            }
            (Some(_), Some(_)) => {
                let example = open.take().expect("a block is open");
                if is_rust(&example.info) {
                    out.push(example);
                }
            }
            (Some(example), None) => example.body.push(doc.to_owned()),
            (None, None) => {}
        }
    }
    out
}

/// The text of a doc comment line (`///` or `//!`, one space after it dropped), or `None`.
fn doc_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix("///").filter(|r| !r.starts_with('/')).or_else(|| t.strip_prefix("//!"))?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

fn is_rust(info: &str) -> bool {
    info.split([',', ' ']).filter(|w| !w.is_empty()).all(|w| RUST_ATTRS.contains(&w) || w.starts_with("edition"))
}

fn manifest(root: &Path) -> String {
    let net = root.join("crates").join("net");
    format!(
        "# Generated by `cargo xtask facade-docs`; do not edit.\n\
         [package]\nname = \"net-facade-docs\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [features]\ndefault = [\"rustls\", \"openssl\", \"native-tls\"]\n\
         rustls = [\"net/rustls\"]\nopenssl = [\"net/openssl\"]\nnative-tls = [\"net/native-tls\"]\n\n\
         [dependencies]\nnet = {{ path = {net:?}, default-features = false }}\n\n\
         [build-dependencies]\n\
         rcgen = {{ version = \"0.14\", default-features = false, features = [\"ring\", \"pem\"] }}\n\n\
         [workspace]\n",
        net = net.display().to_string()
    )
}

fn library(examples: &[Example]) -> String {
    let mut out = String::from(
        "//! Every example of the net crates' docs, with `net` as the only dependency.\n\
         //! Generated by `cargo xtask facade-docs`; do not edit.\n\
         #![doc(test(attr(deny(warnings))))]\n\
         #![allow(missing_docs, non_camel_case_types, missing_debug_implementations)]\n\n",
    );
    for e in examples {
        let name: String =
            format!("{}_{}", e.file, e.line).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
        let _ = writeln!(out, "/// From `{}`, line {}.\n///\n/// ```{}", e.file, e.line, e.info);
        for line in &e.body {
            let _ = writeln!(out, "/// {line}");
        }
        let _ = writeln!(out, "/// ```\npub struct {name};\n");
    }
    out
}

/// The generated crate's build script: a throw-away CA and a `localhost` certificate.
const BUILD_RS: &str = r#"// Generated by `cargo xtask facade-docs`: the test certificate of the TLS examples.
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("pki");
    std::fs::create_dir_all(&dir)?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name.push(DnType::CommonName, "net doc CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate()?)?;
    let mut leaf = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    leaf.distinguished_name.push(DnType::CommonName, "localhost");
    let key = KeyPair::generate()?;
    let leaf = leaf.signed_by(&key, &ca)?;
    std::fs::write(dir.join("ca.pem"), ca.pem())?;
    std::fs::write(dir.join("chain.pem"), leaf.pem() + &ca.pem())?;
    std::fs::write(dir.join("key.pem"), key.serialize_pem())?;
    println!("cargo:rustc-env=NET_DOC_PKI={}", dir.display());
    Ok(())
}
"#;

#[cfg(test)]
mod tests {
    use super::{extract, is_rust, Example};

    #[test]
    fn takes_rust_blocks_of_both_doc_comment_kinds() {
        let src =
            "//! ```\n//! let a = 1;\n//! ```\n/// Text\n///\n/// ```no_run\n///     indented();\n/// ```\nfn f() {}\n";
        let got = extract("f.rs", src);
        assert_eq!(
            got,
            vec![
                Example { file: "f.rs".into(), line: 1, info: String::new(), body: vec!["let a = 1;".into()] },
                Example { file: "f.rs".into(), line: 6, info: "no_run".into(), body: vec!["    indented();".into()] },
            ]
        );
    }

    #[test]
    fn skips_other_languages_plain_comments_and_unclosed_blocks() {
        let src = "/// ```text\n/// not rust\n/// ```\n// ```\n// plain comment\n// ```\n/// ```\n/// never closed\nfn f() {}\n";
        assert!(extract("f.rs", src).is_empty());
        assert!(!is_rust("sh"));
        assert!(is_rust("rust,no_run"));
        assert!(is_rust("edition2021"));
    }

    #[test]
    fn a_four_slash_line_is_not_doc() {
        assert!(extract("f.rs", "//// ```\n//// x\n//// ```\n").is_empty());
    }
}
