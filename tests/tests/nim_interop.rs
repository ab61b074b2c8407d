//! Real Nim as a peer: Debian's `nim` (std/net, and `-d:ssl` for TLS) builds
//! `tests/nim/peer.nim`, and each test talks to it over loopback. `.ci/run` installs `nim`;
//! without it these tests fail, saying so (they never pass without Nim).
//!
//! The line tests compare our `recv_line` with Nim's `recvLine` on random streams made only of
//! what docs/divergences.md does not list as deliberately different: whole lines (no partial
//! line at the end), each ended by `\n`, `\r\n` or a lone `\r` that is not the stream's last
//! byte, shorter than any `max_length`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread;

use net::{Domain, Socket};

/// The peer built once per test process: plain, or with `-d:ssl`.
fn peer(ssl: bool) -> &'static Path {
    static PLAIN: OnceLock<PathBuf> = OnceLock::new();
    static SSL: OnceLock<PathBuf> = OnceLock::new();
    let cell = if ssl { &SSL } else { &PLAIN };
    cell.get_or_init(|| build(ssl))
}

fn build(ssl: bool) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = manifest.parent().unwrap().join("target").join("nim");
    let name = if ssl { "peer_ssl" } else { "peer" };
    let exe = out.join(name);
    let mut cmd = Command::new("nim");
    cmd.args(["c", "--hints:off", "--verbosity:0"]);
    if ssl {
        cmd.arg("-d:ssl");
    }
    cmd.arg(format!("--nimcache:{}", out.join(format!("cache-{name}")).display()))
        .arg(format!("-o:{}", exe.display()))
        .arg(manifest.join("nim").join("peer.nim"));
    let done = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run `nim` ({e}): install Debian's nim (apt-get install nim); .ci/run does"));
    assert!(done.status.success(), "nim c failed:\n{}", String::from_utf8_lossy(&done.stderr));
    exe
}

/// Starts the peer with `args`; stdout is piped.
fn spawn(ssl: bool, args: &[&str]) -> Child {
    Command::new(peer(ssl))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the Nim peer")
}

/// A Nim server's port, from its first line of output.
fn port_of(child: &mut Child) -> u16 {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    line.trim().parse().unwrap_or_else(|_| panic!("the Nim server printed {line:?}, not a port"))
}

fn output_lines(child: Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "the Nim peer failed: {:?}", out.status);
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect()
}

/// Serves one connection: echoes each line as `echo: <line>` until the end of the stream.
fn echo_server(mut listener: Socket) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut conn = listener.accept().expect("accept");
        let mut n = 0;
        loop {
            let line = conn.recv_line().expect("recv_line");
            if line.is_empty() {
                break n;
            }
            let line = if line == "\r\n" { "" } else { &line };
            conn.send(format!("echo: {line}\r\n").as_bytes()).expect("send");
            n += 1;
        }
    })
}

fn listener() -> (Socket, u16) {
    let s = net_tests::listener(Domain::Inet);
    let port = s.local_addr().unwrap().port();
    (s, port)
}

#[test]
fn a_nim_client_talks_to_our_server() {
    let (l, port) = listener();
    let server = echo_server(l);
    let got = output_lines(spawn(false, &["client", &port.to_string(), "5"]));
    assert_eq!(got, (0..5).map(|i| format!("echo: line {i}")).collect::<Vec<_>>());
    assert_eq!(server.join().unwrap(), 5);
}

#[test]
fn our_client_talks_to_a_nim_server() {
    let mut nim = spawn(false, &["server"]);
    let port = port_of(&mut nim);
    let mut c = net::dial("127.0.0.1", port).unwrap();
    for line in ["one", "", "three"] {
        c.send(format!("{line}\r\n").as_bytes()).unwrap();
        assert_eq!(c.recv_line().unwrap(), format!("echo: {line}"));
    }
    c.close();
    nim.wait().unwrap();
}

/// A small deterministic generator: the streams are the same on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

/// Whole lines of printable ASCII, with every terminator Nim and we agree on.
fn random_stream(rng: &mut XorShift) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..rng.below(60) + 1 {
        for _ in 0..rng.below(5) * rng.below(40) {
            out.push(b' ' + rng.below(95) as u8);
        }
        match rng.below(3) {
            0 => out.extend_from_slice(b"\n"),
            1 => out.extend_from_slice(b"\r\n"),
            // A lone `\r`: the next line must not start with `\n`, and it is not the end.
            _ => out.extend_from_slice(b"\rx\n"),
        }
    }
    out
}

/// What our `recv_line` makes of `stream`, sent in random chunks, in the peer's notation.
fn our_lines(stream: &[u8], rng: &mut XorShift) -> Vec<String> {
    let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
    let (mut w, mut r) = (Socket::from(a), Socket::from(b));
    let chunks = chunked(stream, rng);
    let writer = thread::spawn(move || {
        for c in chunks {
            w.send(&c).unwrap();
        }
    });
    let mut lines = Vec::new();
    loop {
        let line = r.recv_line().unwrap();
        match line.as_str() {
            "" => break,
            "\r\n" => lines.push("-".to_owned()),
            text => lines.push(hex(text.as_bytes())),
        }
    }
    writer.join().unwrap();
    lines
}

fn chunked(stream: &[u8], rng: &mut XorShift) -> Vec<Vec<u8>> {
    let mut chunks = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = (rng.below(64) + 1).min(rest.len());
        chunks.push(rest[..n].to_vec());
        rest = &rest[n..];
    }
    chunks
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn read_line_agrees_with_nims_on_random_streams() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..25 {
        let stream = random_stream(&mut rng);
        let (mut l, port) = listener();
        let nim = spawn(false, &["readlines", &port.to_string()]);
        let mut conn = l.accept().unwrap();
        for c in chunked(&stream, &mut rng) {
            conn.send(&c).unwrap();
        }
        conn.close();
        let theirs = output_lines(nim);
        let ours = our_lines(&stream, &mut rng);
        assert_eq!(ours, theirs, "round {round}: stream {:?}", String::from_utf8_lossy(&stream));
    }
}

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
mod tls {
    use super::*;
    use net::tls::{enabled_backends, ContextOptions};
    use net_tests::certs::{Pki, Validity};
    use net_tests::tls::{server_context, tls_listener};

    #[test]
    fn our_tls_client_verifies_and_talks_to_a_nim_server_on_every_backend() {
        let pki = Pki::new("nim-server");
        let leaf = pki.server("localhost", &["localhost"], Validity::Current);
        for kind in enabled_backends() {
            let mut nim = spawn(true, &["server", "ssl", leaf.chain.to_str().unwrap(), leaf.key.to_str().unwrap()]);
            let port = port_of(&mut nim);
            let ctx = net::tls::new_context(ContextOptions::new().backend(kind).ca_file(&pki.ca_file)).unwrap();
            let mut c = Socket::tcp().unwrap();
            ctx.wrap_socket(&mut c).unwrap();
            c.connect("localhost", port).unwrap_or_else(|e| panic!("{kind}: {e}"));
            c.send(b"over TLS\r\n").unwrap();
            assert_eq!(c.recv_line().unwrap(), "echo: over TLS", "{kind}");
            c.close();
            nim.wait().unwrap();
        }
    }

    #[test]
    fn a_nim_tls_client_verifies_and_talks_to_our_server_on_every_backend() {
        let pki = Pki::new("nim-client");
        let leaf = pki.server("localhost", &["localhost"], Validity::Current);
        for kind in enabled_backends() {
            let (l, port) = tls_listener(Some(&server_context(kind, &leaf)), Domain::Inet);
            let server = echo_server(l);
            let args = ["client", &port.to_string(), "3", "ssl", pki.ca_file.to_str().unwrap()];
            let got = output_lines(spawn(true, &args.map(String::from).iter().map(String::as_str).collect::<Vec<_>>()));
            assert_eq!(got, (0..3).map(|i| format!("echo: line {i}")).collect::<Vec<_>>(), "{kind}");
            assert_eq!(server.join().unwrap(), 3, "{kind}");
        }
    }
}
