//! `tls_probe`: one TLS server seen through every compiled backend, side by side: handshake,
//! verification (and why it failed), version, cipher, ALPN and the chain's subjects. The
//! answer to "it works with openssl but fails with rustls".
//!
//! ```text
//! cargo run -p net --features openssl,native-tls --example tls_probe -- HOST PORT [--ca FILE] [--sni NAME] [--alpn h2,http/1.1]
//! ```
//!
//! Without arguments it probes a demo server on 127.0.0.1 with a throw-away certificate.

#[path = "support/pki.rs"]
mod pki;

use std::process::ExitCode;

use net::tls::{probe, probe_table, ProbeOptions};

const USAGE: &str = "usage: tls_probe [HOST PORT [--ca FILE] [--sni NAME] [--alpn P1,P2...]]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if args.is_empty() { demo() } else { run(&args) };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tls_probe: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let [host, port, rest @ ..] = args else { return Err("HOST and PORT are needed".into()) };
    let port: net::Port = port.parse()?;
    let mut options = ProbeOptions::new();
    let mut rest = rest.iter();
    while let Some(flag) = rest.next() {
        let mut value = || rest.next().ok_or_else(|| format!("{flag} needs a value"));
        options = match flag.as_str() {
            "--ca" => options.ca_file(value()?),
            "--sni" => options.sni(value()?.as_str()),
            "--alpn" => options.alpn(value()?.split(',')),
            other => return Err(format!("unknown option {other:?}").into()),
        };
    }
    println!("{}", probe_table(&probe((host.as_str(), port), &options)));
    Ok(())
}

/// Probes a local server, trusted through the demo CA and then not.
fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let pki = pki::localhost()?;
    let (mut listener, port) = pki.tls_listener()?;
    std::thread::spawn(move || loop {
        if let Err(e) = listener.accept() {
            if !matches!(e, net::Error::Tls(_)) {
                break; // the listener is gone; handshake failures are the probe's business
            }
        }
    });
    println!("localhost:{port}, verified against the demo CA:\n");
    println!("{}", probe_table(&probe(("localhost", port), &ProbeOptions::new().ca_file(&pki.ca_file))));
    println!("localhost:{port}, against the default roots (the demo CA is not among them):\n");
    println!("{}", probe_table(&probe(("localhost", port), &ProbeOptions::new())));
    Ok(())
}
