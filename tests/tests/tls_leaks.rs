//! No descriptor leaks over TLS: successful and failed handshakes, on each enabled backend.
//! Alone in its binary so the descriptor count is this test's own.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use std::thread;

use net::tls::enabled_backends;
use net::{Domain, Socket};
use net_tests::certs::{Pki, Validity};
use net_tests::open_fds;
use net_tests::tls::{client_context, server_context, server_context_with, tls_listener};

#[test]
fn handshakes_leave_no_descriptor_behind() {
    let pki = Pki::new("leaks");
    let stranger = Pki::new("leaks-stranger");
    let leaf = pki.server("localhost", &["localhost"], Validity::Current);
    for kind in enabled_backends() {
        let server_ctx = server_context(kind, &leaf);
        let trusting = client_context(kind, &pki);
        let distrusting = client_context(kind, &stranger);
        let before = open_fds();
        let (mut listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
        let server = thread::spawn(move || {
            let mut ok = 0;
            for _ in 0..100 {
                if let Ok(mut conn) = listener.accept() {
                    if conn.recv_line().is_ok() {
                        ok += 1;
                    }
                }
            }
            ok
        });
        for i in 0..100 {
            let mut c = Socket::tcp().unwrap();
            let ctx = if i % 2 == 0 { &trusting } else { &distrusting };
            ctx.wrap_socket(&mut c).unwrap();
            match c.connect("localhost", port) {
                Ok(()) => c.send(b"bye\n").unwrap(),
                Err(_) => assert_eq!(i % 2, 1, "{kind}: a trusted handshake failed"),
            }
        }
        assert!(server.join().unwrap() >= 50, "{kind}");
        assert_eq!(open_fds(), before, "{kind}: descriptors leaked");

        // Handshakes that time out (silent clients), in accept and in a lazy accept's first read.
        let quick = net::tls::ContextOptions::new().handshake_timeout(std::time::Duration::from_millis(100));
        let bounded = server_context_with(kind, &leaf, quick);
        let before = open_fds();
        let (mut listener, port) = tls_listener(Some(&bounded), Domain::Inet);
        for lazy in [false, true] {
            let silent: Vec<_> = (0..5).map(|_| std::net::TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
            for _ in &silent {
                let err = if lazy {
                    let mut conn = listener.accept_lazy().unwrap();
                    conn.recv_line().unwrap_err()
                } else {
                    listener.accept().unwrap_err()
                };
                assert!(matches!(err, net::Error::Timeout { op: "handshake", .. }), "{kind}: {err}");
            }
        }
        drop(listener);
        assert_eq!(open_fds(), before, "{kind}: a timed-out handshake leaked its descriptor");
    }
}
