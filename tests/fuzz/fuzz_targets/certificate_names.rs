//! Certificate subject and issuer rendering (net-tls's DER reader): never panics on any bytes,
//! and a name, when there is one, is text a reader can trust to be bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_tls::Certificate;

fuzz_target!(|der: &[u8]| {
    let cert = Certificate(der.to_vec());
    for name in [cert.subject(), cert.issuer()].into_iter().flatten() {
        assert!(name.len() <= 8 * der.len() + 16, "a {}-byte name from {} bytes", name.len(), der.len());
    }
});
