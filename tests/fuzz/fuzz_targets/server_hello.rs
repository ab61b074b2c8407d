//! The native-tls backend's ServerHello sniffer (it reads the negotiated version and suite off
//! the wire): never panics on any server flight, and what it finds does not depend on how the
//! bytes were cut into reads.
#![no_main]

#[allow(dead_code)]
#[path = "../../../crates/net-tls-native/src/hello.rs"]
mod hello;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Vec<u8>, Vec<u8>)| {
    let (wire, cuts) = input;
    let mut whole = hello::HelloWatch::default();
    whole.feed(&wire);
    let mut pieces = hello::HelloWatch::default();
    let mut rest = &wire[..];
    for &cut in &cuts {
        let n = usize::from(cut).min(rest.len());
        pieces.feed(&rest[..n]);
        rest = &rest[n..];
    }
    pieces.feed(rest);
    assert_eq!(whole.negotiated(), pieces.negotiated(), "the chunking changed what was found");
    if let Some(n) = whole.negotiated() {
        // Names are total: a known code has its name, any other prints as a number.
        let _ = hello::version_name(n.version);
        assert!(!hello::suite_name(n.suite).is_empty());
    }
});
