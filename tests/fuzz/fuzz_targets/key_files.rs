//! Key files and PKCS#12 files, as read for our own identity (`private_key`, `pkcs12_parts`)
//! and checked against a certificate (`key_matches`): never panics on any bytes, an error is a
//! short message, and a key that is accepted reads back as itself (PKCS#8 in, the same out).
#![no_main]

use libfuzzer_sys::fuzz_target;
use net_tls::fuzzing::{key_matches, pkcs12_parts, private_key};

fn short(why: &str) {
    assert!(why.len() < 1024, "a {}-byte error message", why.len());
}

fuzz_target!(|bytes: &[u8]| {
    let Some((&mode, rest)) = bytes.split_first() else { return };
    match mode % 3 {
        // A key file: PEM or DER, PKCS#8, PKCS#1 or SEC1.
        0 => match private_key(rest) {
            Ok(pkcs8) => assert_eq!(private_key(&pkcs8).as_deref(), Ok(&pkcs8[..]), "PKCS#8 reads back as itself"),
            Err(why) => short(&why),
        },
        // A PKCS#12 file, password "net".
        1 => match pkcs12_parts(rest, "net") {
            Ok((chain, key)) => {
                assert!(!chain.is_empty());
                assert_eq!(private_key(&key).as_deref(), Ok(&key[..]));
            }
            Err(why) => short(&why),
        },
        // A certificate's length (two bytes, big-endian), the certificate, then a key (PKCS#8
        // DER). Any bytes are a certificate to `key_matches`, which refuses what it cannot read.
        _ => {
            let Some((len, rest)) = rest.split_first_chunk::<2>() else { return };
            let at = usize::from(u16::from_be_bytes(*len)).min(rest.len());
            let (cert, key) = rest.split_at(at);
            if let Err(why) = key_matches(&net_tls::Certificate(cert.to_vec()), key) {
                short(&why);
            }
        }
    }
});
