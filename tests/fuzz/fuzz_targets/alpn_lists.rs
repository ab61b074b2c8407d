//! ALPN lists (net-tls's `alpn`, used by every backend): a peer's wire list never makes the
//! reader panic or read past its end; a server's choice is in both lists; encoding our names
//! and reading them back gives the same names, and only valid names encode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_tls::alpn;

fuzz_target!(|input: (Vec<u8>, Vec<u8>, Vec<Vec<u8>>)| {
    let (ours, theirs, names) = input;
    let offered: Vec<&[u8]> = alpn::entries(&theirs).collect();
    assert!(offered.iter().all(|e| !e.is_empty() && e.len() <= 255));
    assert!(offered.iter().map(|e| e.len() + 1).sum::<usize>() <= theirs.len(), "read past the list");
    if let Some(chosen) = alpn::select(&ours, &theirs) {
        assert!(offered.contains(&chosen) && alpn::entries(&ours).any(|e| e == chosen));
    }
    let valid = names.iter().all(|n| !n.is_empty() && n.len() <= 255);
    match alpn::wire(&names) {
        Ok(wire) => {
            assert!(valid);
            let back: Vec<&[u8]> = alpn::entries(&wire).collect();
            assert_eq!(back, names.iter().map(Vec::as_slice).collect::<Vec<_>>());
        }
        Err(_) => assert!(!valid),
    }
});
