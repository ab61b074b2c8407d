//! Slow peers over loopback: a relay that drips one direction byte by byte, a client that
//! drips bytes at a listener, and a server that drips bytes at a client.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// How long any drip goes on at most, so that no test thread outlives its test for long.
const DRIP_LIMIT: Duration = Duration::from_secs(30);

/// A TCP relay on 127.0.0.1 between one client and a server: both directions pass at once
/// until [`Relay::start_dripping`]; from then on, what the server sends reaches the client one
/// byte every `pause`.
#[derive(Debug)]
pub struct Relay {
    /// Where the client connects.
    pub port: u16,
    drip: Arc<AtomicBool>,
}

impl Relay {
    /// Relays the first client that connects to `127.0.0.1:server_port`.
    pub fn start(server_port: u16, pause: Duration) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("relay bind");
        let port = listener.local_addr().expect("relay addr").port();
        let drip = Arc::new(AtomicBool::new(false));
        let dripping = Arc::clone(&drip);
        thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else { return };
            let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else { return };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (c2, s2) = (client.try_clone().expect("clone"), server.try_clone().expect("clone"));
            thread::spawn(move || pump(c2, s2, None));
            pump(server, client, Some((dripping, pause)));
        });
        Relay { port, drip }
    }

    /// From now on the server's bytes reach the client one at a time.
    pub fn start_dripping(&self) {
        self.drip.store(true, Ordering::SeqCst);
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, drip: Option<(Arc<AtomicBool>, Duration)>) {
    let started = Instant::now();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        match &drip {
            Some((on, pause)) if on.load(Ordering::SeqCst) => {
                for byte in &buf[..n] {
                    if to.write_all(std::slice::from_ref(byte)).is_err() || started.elapsed() > DRIP_LIMIT {
                        return;
                    }
                    thread::sleep(*pause);
                }
            }
            _ => {
                if to.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// Connects to `127.0.0.1:port` and sends `bytes` one every `pause`, then waits (sending
/// nothing more) until the peer closes or the drip limit passes.
pub fn drip_client(port: u16, bytes: Vec<u8>, pause: Duration) -> thread::JoinHandle<()> {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("drip client connect");
    thread::spawn(move || drip_then_wait(stream, &bytes, pause))
}

/// A server on 127.0.0.1 that accepts one client and sends it `bytes` one every `pause`;
/// returns its port.
pub fn drip_server(bytes: Vec<u8>, pause: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("drip server bind");
    let port = listener.local_addr().expect("drip server addr").port();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            drip_then_wait(stream, &bytes, pause);
        }
    });
    port
}

fn drip_then_wait(mut stream: TcpStream, bytes: &[u8], pause: Duration) {
    let started = Instant::now();
    let _ = stream.set_nodelay(true);
    for byte in bytes {
        if stream.write_all(std::slice::from_ref(byte)).is_err() || started.elapsed() > DRIP_LIMIT {
            return;
        }
        thread::sleep(pause);
    }
    let _ = stream.set_read_timeout(Some(DRIP_LIMIT.saturating_sub(started.elapsed()).max(Duration::from_millis(1))));
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

/// The start of a TLS handshake record announcing a long body, then filler: a peer that
/// sends this slowly looks like a TLS peer still sending its hello.
pub fn slow_hello(len: usize) -> Vec<u8> {
    let mut bytes = vec![0x16, 0x03, 0x01, 0x3f, 0xff, 0x01, 0x00, 0x3f, 0xfb, 0x03, 0x03];
    bytes.resize(len, 0x42);
    bytes
}
