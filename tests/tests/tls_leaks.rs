//! No descriptor leaks over TLS: successful and failed handshakes, on each enabled backend.
//! Alone in its binary so the descriptor count is this test's own.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use std::thread;

use net::tls::enabled_backends;
use net::{Domain, Socket};
use net_tests::certs::{Pki, Validity};
use net_tests::open_fds;
use net_tests::tls::{client_context, server_context, tls_listener};

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
    }
}
