//! Real peers: Debian's `openssl s_server` and `openssl s_client` against our client and
//! server, on each enabled backend. Loopback only.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use net::tls::{enabled_backends, TlsErrorExt};
use net::{Domain, ReadOptions, Socket};
use net_tests::certs::{Leaf, Pki, Validity};
use net_tests::tls::{client_context, server_context, tls_listener};

/// Kills the child process when the test ends, however it ends.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads the child's stdout lines in a thread, so a test can wait for one with a deadline.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, want: &str) -> bool {
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(10)) {
        if line.contains(want) {
            return true;
        }
    }
    false
}

/// `openssl s_server` on 127.0.0.1:`port` for one connection, serving `leaf`, with `args`
/// besides; returned once it is listening, with its output lines.
fn s_server<'a>(port: u16, leaf: &Leaf, args: impl IntoIterator<Item = &'a OsStr>) -> (Reaper, mpsc::Receiver<String>) {
    let child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-naccept", "1"])
        .args(args)
        .arg("-cert")
        .arg(&leaf.cert)
        .arg("-key")
        .arg(&leaf.key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server (Debian package `openssl`)");
    let mut server = Reaper(child);
    let out = lines_of(&mut server.0);
    assert!(wait_for(&out, "ACCEPT"), "s_server did not start");
    (server, out)
}

fn free_port() -> u16 {
    let mut s = Socket::tcp().unwrap();
    s.bind_addr(0, "127.0.0.1").unwrap();
    s.local_addr().unwrap().port()
}

#[test]
fn our_client_against_openssl_s_server() {
    let pki = Pki::new("s-server");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    for kind in enabled_backends() {
        let port = free_port();
        let (mut server, out) = s_server(port, &leaf, ["-ign_eof".as_ref()]);
        let mut c = Socket::tcp().unwrap();
        client_context(kind, &pki).wrap_socket(&mut c).unwrap();
        c.connect("localhost", port).unwrap_or_else(|e| panic!("{kind} client → s_server: {e}"));
        c.send(format!("hello from {kind}\n").as_bytes()).unwrap();
        assert!(wait_for(&out, &format!("hello from {kind}")), "{kind}: s_server did not print our line");
        let stdin = server.0.stdin.as_mut().expect("stdin");
        stdin.write_all(b"hello from openssl\n").unwrap();
        stdin.flush().unwrap();
        let line = c.recv_line_with(&ReadOptions::new().timeout(Duration::from_secs(10))).unwrap();
        assert_eq!(line, "hello from openssl", "{kind}");
    }
}

#[test]
fn openssl_s_client_against_our_server() {
    let pki = Pki::new("s-client");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    for kind in enabled_backends() {
        let server_ctx = server_context(kind, &leaf);
        let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
        let server = thread::spawn(move || {
            let mut conn = listener.accept()?;
            let line = conn.recv_line()?;
            conn.send(format!("got {line}\n").as_bytes())?;
            Ok::<String, net::Error>(line)
        });
        let child = Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), "-servername", "localhost"])
            .args(["-verify_return_error", "-verify_hostname", "localhost", "-quiet", "-ign_eof"])
            .arg("-CAfile")
            .arg(&pki.ca_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl s_client (Debian package `openssl`)");
        let mut client = Reaper(child);
        let out = lines_of(&mut client.0);
        let stdin = client.0.stdin.as_mut().expect("stdin");
        stdin.write_all(b"from s_client\n").unwrap();
        stdin.flush().unwrap();
        assert!(wait_for(&out, "got from s_client"), "{kind}: s_client did not get our reply");
        assert_eq!(server.join().unwrap().unwrap(), "from s_client");
    }
}

#[test]
fn an_openssl_s_server_that_wants_our_certificate_sends_an_alert_every_backend_names() {
    let pki = Pki::new("s-server-alert");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    // TLS 1.3: the refusal comes after the client's handshake, at its first read; TLS 1.2: the
    // handshake itself fails.
    for (version, alert) in [("-tls1_3", "certificate_required"), ("-tls1_2", "handshake_failure")] {
        for kind in enabled_backends() {
            let port = free_port();
            let wants = [version.as_ref(), "-Verify".as_ref(), "1".as_ref(), "-verify_return_error".as_ref()];
            let (_server, _out) =
                s_server(port, &leaf, wants.into_iter().chain(["-CAfile".as_ref(), pki.ca_file.as_os_str()]));
            let mut c = Socket::tcp().unwrap();
            client_context(kind, &pki).wrap_socket(&mut c).unwrap();
            let read = ReadOptions::new().timeout(Duration::from_secs(10));
            let err = c.connect("localhost", port).and_then(|()| c.recv_line_with(&read)).unwrap_err();
            let tls = err.tls_error().unwrap_or_else(|| panic!("{kind} {version}: not a TLS error: {err}"));
            let got = tls.peer_alert().unwrap_or_else(|| panic!("{kind} {version}: no alert in {err}"));
            assert_eq!(got.name(), Some(alert), "{kind} {version}: {err}");
        }
    }
}
