//! `parse_ip_address`: never panics; what it accepts std accepts too, as the same address; an
//! accepted address prints (RFC 5952) as text that parses back to it; a refusal points inside
//! the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use net::{is_ip_address, parse_ip_address, IpAddress};

fuzz_target!(|input: &str| {
    let ours = parse_ip_address(input);
    let std = input.parse::<IpAddress>();
    assert_eq!(ours.as_ref().ok(), std.as_ref().ok(), "{input:?}: we and std disagree");
    assert_eq!(is_ip_address(input), ours.is_ok());
    match ours {
        Ok(ip) => {
            let text = ip.to_string();
            assert_eq!(parse_ip_address(&text).ok(), Some(ip), "{input:?} printed as {text:?}");
        }
        Err(e) => {
            assert!(e.position() <= input.len(), "{input:?}: position {} past the end", e.position());
            let message = e.to_string();
            // The input is quoted, cut to 64 bytes and escaped: bounded whatever its length.
            assert!(message.len() < 1024, "{input:?}: a {}-byte message", message.len());
        }
    }
});
