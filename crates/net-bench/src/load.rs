//! `--load`: the load test's traffic, timed, with its peak memory. An echo server, one thread
//! per connection, and 200 concurrent clients that each send 1000 lines of 0 to 8 KiB (in
//! windows of 8) and check every echo: std (`TcpListener`, `BufReader::read_until`) against
//! net over plain TCP and over each compiled TLS backend (handshakes on the connection's
//! thread: `accept_lazy`). Each variant runs in a process of its own, so that its peak resident
//! memory (`VmHWM`) is its own.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::thread;
use std::time::Instant;

use net::{ReadLineResult, ReadOptions, Socket};

/// The argument that makes a process one variant's run.
pub(crate) const CHILD: &str = "--load-child";

use net_tests::{load_line as line, LOAD_MAX_LEN as MAX_LEN, LOAD_WINDOW as WINDOW};

fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")?.trim().strip_suffix("kB")?.trim().parse().ok()).unwrap_or(0)
}

fn std_run(clients: usize, lines: usize) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let server = thread::spawn(move || {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let (conn, _) = listener.accept().expect("accept");
                thread::spawn(move || {
                    let mut out = conn.try_clone().expect("clone");
                    let mut reader = BufReader::new(conn);
                    let mut buf = Vec::new();
                    while reader.read_until(b'\n', &mut buf).expect("read") > 0 {
                        out.write_all(&buf).expect("echo");
                        buf.clear();
                    }
                })
            })
            .collect();
        workers.into_iter().for_each(|w| w.join().expect("worker"));
    });
    let all: Vec<_> = (0..clients)
        .map(|id| {
            thread::spawn(move || {
                let conn = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                let mut out = conn.try_clone().expect("clone");
                let mut reader = BufReader::new(conn);
                let mut got = Vec::new();
                for start in (0..lines).step_by(WINDOW) {
                    let end = (start + WINDOW).min(lines);
                    for seq in start..end {
                        let mut l = line(id, seq);
                        l.push(b'\n');
                        out.write_all(&l).expect("send");
                    }
                    for seq in start..end {
                        got.clear();
                        reader.read_until(b'\n', &mut got).expect("read");
                        assert!(got.ends_with(b"\n") && got[..got.len() - 1] == line(id, seq)[..], "echo changed");
                    }
                }
            })
        })
        .collect();
    all.into_iter().for_each(|c| c.join().expect("client"));
    server.join().expect("server");
}

fn net_run(clients: usize, lines: usize, tls: Option<net::tls::BackendKind>) {
    let mut listener = Socket::tcp().expect("socket");
    listener.bind_addr(0, "127.0.0.1").expect("bind");
    listener.listen().expect("listen");
    let port = listener.local_addr().unwrap().port();
    type Wrap = Arc<dyn Fn(&mut Socket) + Send + Sync>;
    let mut wrap: Wrap = Arc::new(|_| {});
    let _pki;
    if let Some(kind) = tls {
        let pki = net_tests::certs::Pki::new("load-bench");
        let leaf = pki.server("localhost", &["localhost"], net_tests::certs::Validity::Current);
        net_tests::tls::server_context(kind, &leaf).wrap_socket(&mut listener).expect("wrap listener");
        let ctx = net_tests::tls::client_context(kind, &pki);
        wrap = Arc::new(move |s: &mut Socket| ctx.wrap_socket(s).expect("wrap"));
        _pki = Some(pki);
    }
    let opts = ReadOptions::new().max_length(MAX_LEN + 1);
    let server = thread::spawn(move || {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                let mut conn = listener.accept_lazy().expect("accept");
                thread::spawn(move || {
                    let mut buf = Vec::new();
                    while conn.read_line_bytes(&mut buf, &opts).expect("read") == ReadLineResult::FullLine {
                        buf.push(b'\n');
                        conn.send(&buf).expect("echo");
                    }
                    conn.close();
                })
            })
            .collect();
        workers.into_iter().for_each(|w| w.join().expect("worker"));
    });
    let all: Vec<_> = (0..clients)
        .map(|id| {
            let wrap = wrap.clone();
            thread::spawn(move || {
                let mut s = Socket::tcp().expect("socket");
                wrap(&mut s);
                s.connect("localhost", port).expect("connect");
                let mut got = Vec::new();
                for start in (0..lines).step_by(WINDOW) {
                    let end = (start + WINDOW).min(lines);
                    for seq in start..end {
                        let mut l = line(id, seq);
                        l.push(b'\n');
                        s.send(&l).expect("send");
                    }
                    for seq in start..end {
                        assert_eq!(s.read_line_bytes(&mut got, &opts).expect("read"), ReadLineResult::FullLine);
                        assert!(got == line(id, seq), "echo changed");
                    }
                }
                s.close();
            })
        })
        .collect();
    all.into_iter().for_each(|c| c.join().expect("client"));
    server.join().expect("server");
}

/// One variant's run, in this process: prints `seconds peak_kib`.
pub(crate) fn child(args: &[String]) -> ExitCode {
    let [variant, clients, lines] = args else { return ExitCode::from(2) };
    let (Ok(clients), Ok(lines)) = (clients.parse(), lines.parse()) else { return ExitCode::from(2) };
    let start = Instant::now();
    match variant.as_str() {
        "std" => std_run(clients, lines),
        "net" => net_run(clients, lines, None),
        other => match net::tls::enabled_backends().into_iter().find(|k| k.to_string() == other) {
            Some(kind) => net_run(clients, lines, Some(kind)),
            None => return ExitCode::from(2),
        },
    }
    println!("{} {}", start.elapsed().as_secs_f64(), peak_kib());
    ExitCode::SUCCESS
}

/// Runs every variant in its own process and prints the table.
pub(crate) fn run(quick: bool) -> ExitCode {
    let (clients, lines) = if quick { (20, 100) } else { (200, 1000) };
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("net-bench: own executable: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut variants = vec!["std".to_owned(), "net".to_owned()];
    variants.extend(net::tls::enabled_backends().into_iter().map(|k| k.to_string()));
    println!("load: {clients} clients x {lines} lines of 0-8 KiB, echoed (one process per variant)\n");
    println!("{:<12} | {:>8} | {:>12} | {:>14}", "variant", "time (s)", "lines/s", "peak RSS (MiB)");
    let mut ok = true;
    for v in &variants {
        let out = Command::new(&exe).args([CHILD, v, &clients.to_string(), &lines.to_string()]).output();
        let figures = out.ok().filter(|o| o.status.success()).and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            let mut it = text.split_whitespace();
            Some((it.next()?.parse::<f64>().ok()?, it.next()?.parse::<u64>().ok()?))
        });
        match figures {
            Some((secs, kib)) => {
                let rate = (clients * lines) as f64 / secs;
                println!("{v:<12} | {secs:>8.2} | {rate:>12.0} | {:>14.1}", kib as f64 / 1024.0);
            }
            None => {
                println!("{v:<12} | failed");
                ok = false;
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
