//! Interop: a client on each enabled backend against a server on each enabled backend (3 × 3
//! with all three), over IPv4 and with verification on.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use net::tls::{enabled_backends, session_info};
use net::{Domain, Socket};
use net_tests::certs::{Pki, Validity};
use net_tests::tls::{client_context, echo_once, server_context, tls_listener};

#[test]
fn every_client_backend_talks_to_every_server_backend() {
    let pki = Pki::new("interop");
    let leaf = pki.server("localhost", &["localhost", "127.0.0.1"], Validity::Current);
    let mut pairs = 0;
    for server_kind in enabled_backends() {
        for client_kind in enabled_backends() {
            let server_ctx = server_context(server_kind, &leaf);
            let (listener, port) = tls_listener(Some(&server_ctx), Domain::Inet);
            let server = echo_once(listener);
            let mut c = Socket::tcp().unwrap();
            client_context(client_kind, &pki).wrap_socket(&mut c).unwrap();
            c.connect("localhost", port).unwrap_or_else(|e| panic!("{client_kind} → {server_kind}: {e}"));
            let payload = "x".repeat(100_000);
            c.send(format!("{client_kind} to {server_kind}\n{payload}\n").as_bytes()).unwrap();
            assert_eq!(c.recv_line().unwrap(), format!("echo: {client_kind} to {server_kind}"));
            assert_eq!(c.recv_line().unwrap(), format!("echo: {payload}"));
            assert_eq!(session_info(&c).unwrap().backend, client_kind);
            c.close();
            assert_eq!(server.join().unwrap().unwrap(), 2, "{client_kind} → {server_kind}");
            pairs += 1;
        }
    }
    assert_eq!(pairs, enabled_backends().len().pow(2));
}
