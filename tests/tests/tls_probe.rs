//! `net::tls::probe` (and the `tls_probe` example over it): every compiled backend against
//! loopback servers with a good, an expired, a wrong-host and a self-signed certificate.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use net::tls::{enabled_backends, probe, probe_table, ProbeOptions};
use net::Domain;
use net_tests::certs::{Leaf, Pki, Validity};
use net_tests::tls::{server_context, tls_listener};

/// Probes a server presenting `leaf` (served by the first backend), verifying against `pki`.
/// The server accepts until the probe is over: each backend tries twice (verified, then not),
/// and native-tls connects once more for the details of a certificate it refused.
fn probe_server(pki: &Pki, leaf: &Leaf) -> Vec<net::tls::Probe> {
    let ctx = server_context(enabled_backends()[0], leaf);
    let (mut listener, port) = tls_listener(Some(&ctx), Domain::Inet);
    let over = Arc::new(AtomicBool::new(false));
    let serving = over.clone();
    let server = std::thread::spawn(move || {
        while !serving.load(Ordering::SeqCst) {
            let _ = listener.accept(); // a refused handshake is the probe's finding, not ours
        }
    });
    let report = probe(("localhost", port), &ProbeOptions::new().ca_file(&pki.ca_file));
    over.store(true, Ordering::SeqCst);
    let _ = net::dial("127.0.0.1", port); // wakes the last accept
    server.join().unwrap();
    report
}

#[test]
fn a_good_certificate_verifies_on_every_backend_and_shows_its_chain() {
    let pki = Pki::new("probe-good");
    let leaf = pki.server("good", &["localhost"], Validity::Current);
    let report = probe_server(&pki, &leaf);
    assert_eq!(report.len(), enabled_backends().len());
    for p in &report {
        assert!(p.verified.is_ok(), "{p}");
        assert!(p.handshake.is_ok(), "{p}");
        assert!(p.protocol_version.is_some() && p.cipher.is_some(), "{p:?}");
        assert_eq!(p.chain[0].as_der(), leaf.der.as_slice(), "{}: leaf first", p.backend);
    }
    let table = probe_table(&report);
    for kind in enabled_backends() {
        assert!(table.lines().next().unwrap().contains(&kind.to_string()), "{table}");
    }
    assert!(table.contains("| verification | ok"), "{table}");
    assert!(table.contains("CN=localhost"), "{table}");
}

#[test]
fn bad_certificates_fail_verification_yet_show_what_the_server_presented() {
    let pki = Pki::new("probe-bad");
    for (what, leaf) in [
        ("expired", pki.server("expired", &["localhost"], Validity::Expired)),
        ("wrong host", pki.server("wrong", &["other.test"], Validity::Current)),
        ("self-signed", pki.self_signed("self", &["localhost"])),
    ] {
        let report = probe_server(&pki, &leaf);
        for p in &report {
            assert!(p.verified.is_err(), "{what}: {p}");
            assert!(p.handshake.is_ok(), "{what}: the unverified retry must get through: {p}");
            assert_eq!(p.chain.first().map(|c| c.as_der()), Some(leaf.der.as_slice()), "{what}: {}", p.backend);
        }
        let table = probe_table(&report);
        let row = table.lines().find(|l| l.starts_with("| verification |")).unwrap();
        assert!(!row.contains("| ok"), "{what}: {row}");
    }
}

#[test]
fn an_unreachable_server_fails_both_tries_and_says_so() {
    let port = {
        let l = net_tests::listener(Domain::Inet);
        l.local_addr().unwrap().port()
    };
    for p in probe(("127.0.0.1", port), &ProbeOptions::new()) {
        let err = p.handshake.as_ref().unwrap_err();
        assert!(err.to_string().contains("connect"), "{}: {err}", p.backend);
        assert!(p.chain.is_empty());
    }
}
