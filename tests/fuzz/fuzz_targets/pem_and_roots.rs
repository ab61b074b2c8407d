//! PEM and DER certificate files, as read for trusted roots and our own chain
//! (`parse_certificates`): never panics on any bytes, an error is a short message, and what it
//! accepts is a certificate list whose names can be read or are refused, never garbage text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match net_tls::parse_certificates(bytes) {
        Ok(certs) => {
            for c in &certs {
                let _ = c.subject_name();
                if let Some(text) = c.subject() {
                    assert!(text.len() <= 8 * c.as_der().len() + 16);
                }
            }
        }
        Err(why) => assert!(why.len() < 1024, "a {}-byte error message", why.len()),
    }
});
