//! Load: an echo server built on `net`, one thread per connection; 200 concurrent clients each
//! send 1000 lines of random lengths from 0 to 8 KiB and check every echo. Over plain TCP and
//! each TLS backend. Zero lines lost, corrupted or reordered; every descriptor closed at the
//! end. Slow: behind the `load` feature, in its own test-matrix cell. Time and memory are the
//! bench's business, not this test's.
#![cfg(feature = "load")]

use std::sync::Arc;
use std::thread;

use net::{Domain, Socket};
use net_tests::open_fds;

const CLIENTS: usize = 200;
const LINES: usize = 1000;
use net_tests::{load_line as line, LOAD_MAX_LEN as MAX_LEN, LOAD_WINDOW as WINDOW};

/// Accepts `CLIENTS` connections, each served by its own thread that echoes lines until the
/// end of its stream (a TLS handshake runs on that thread: `accept_lazy`, so 200 handshakes do
/// not queue behind one another). Returns the lines echoed, all together.
fn serve(mut listener: Socket) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let mut conn = listener.accept_lazy().expect("accept");
                thread::spawn(move || {
                    let mut n = 0;
                    let mut buf = Vec::new();
                    loop {
                        let opts = net::ReadOptions::new().max_length(MAX_LEN + 1);
                        match conn.read_line_bytes(&mut buf, &opts).expect("server read") {
                            net::ReadLineResult::FullLine => {}
                            net::ReadLineResult::Disconnected => break,
                            other => panic!("server: {other:?} after {n} lines"),
                        }
                        buf.push(b'\n');
                        conn.send(&buf).expect("server send");
                        n += 1;
                    }
                    conn.close();
                    n
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().expect("worker")).sum()
    })
}

/// One client: `LINES` lines in windows, each echo checked against what was sent.
fn client(id: usize, mut socket: Socket) {
    let opts = net::ReadOptions::new().max_length(MAX_LEN + 1);
    let mut got = Vec::new();
    for start in (0..LINES).step_by(WINDOW) {
        let end = (start + WINDOW).min(LINES);
        for seq in start..end {
            let mut l = line(id, seq);
            l.push(b'\n');
            socket.send(&l).expect("client send");
        }
        for seq in start..end {
            let r = socket.read_line_bytes(&mut got, &opts).expect("client read");
            assert_eq!(r, net::ReadLineResult::FullLine, "client {id}, line {seq}");
            assert!(got == line(id, seq), "client {id}: line {seq} came back changed ({} bytes)", got.len());
        }
    }
    socket.close();
}

/// Runs the whole load once; `wrap` secures each client socket before it connects.
fn run(name: &str, listener: Socket, wrap: Arc<dyn Fn(&mut Socket) + Send + Sync>) {
    let port = listener.local_addr().unwrap().port();
    let server = serve(listener);
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let wrap = wrap.clone();
            let name = name.to_owned();
            thread::spawn(move || {
                let mut s = Socket::tcp().expect("socket");
                wrap(&mut s);
                s.connect("localhost", port).unwrap_or_else(|e| panic!("{name}: client {id} connect: {e}"));
                client(id, s);
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap_or_else(|_| panic!("{name}: a client failed"));
    }
    assert_eq!(server.join().expect("server"), CLIENTS * LINES, "{name}: lines echoed");
}

#[test]
fn two_hundred_clients_a_thousand_lines_each_nothing_lost_every_descriptor_closed() {
    let before = open_fds();
    run("plain", net_tests::listener(Domain::Inet), Arc::new(|_| {}));
    #[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
    {
        use net_tests::certs::{Pki, Validity};
        let pki = Pki::new("load");
        let leaf = pki.server("localhost", &["localhost"], Validity::Current);
        for kind in net::tls::enabled_backends() {
            let (listener, _) =
                net_tests::tls::tls_listener(Some(&net_tests::tls::server_context(kind, &leaf)), Domain::Inet);
            let ctx = net_tests::tls::client_context(kind, &pki);
            run(&kind.to_string(), listener, Arc::new(move |s: &mut Socket| ctx.wrap_socket(s).expect("wrap")));
        }
    }
    assert_eq!(open_fds(), before, "descriptors left open");
}
