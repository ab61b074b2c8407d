//! Addresses: the 501 cases of ip_cases.jsonl, error reasons and positions, hostile input,
//! special addresses, sockaddr conversions.

use net::{
    from_sock_addr, ipv4_any, ipv4_broadcast, ipv4_loopback, ipv6_any, ipv6_loopback, is_ip_address, parse_ip_address,
    primary_ip_addr_for, to_sock_addr, IpAddressFamily, ParseIpErrorKind as K, Port,
};

/// One line of ip_cases.jsonl: a flat object of strings, booleans and nulls.
struct Case {
    input: String,
    ok: bool,
    family: Option<String>,
    formatted: Option<String>,
}

fn parse_json_string(s: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &s[i + 1..]),
            '\\' => match chars.next().expect("escape").1 {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                '"' => out.push('"'),
                '\\' => out.push('\\'),
                '/' => out.push('/'),
                'u' => {
                    let hex: String = (0..4).map(|_| chars.next().expect("hex").1).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).expect("hex")).expect("bmp char"));
                }
                other => panic!("unknown escape {other}"),
            },
            c => out.push(c),
        }
    }
    panic!("unterminated string");
}

fn parse_case(line: &str) -> Case {
    let mut case = Case { input: String::new(), ok: false, family: None, formatted: None };
    let mut rest = line.trim().strip_prefix('{').expect("object");
    loop {
        rest = rest.trim_start_matches([',', ' ']);
        if rest.starts_with('}') {
            return case;
        }
        let (key, after) = parse_json_string(rest.strip_prefix('"').expect("key"));
        let after = after.strip_prefix(':').expect("colon");
        let (value, after) = if let Some(s) = after.strip_prefix('"') {
            let (v, a) = parse_json_string(s);
            (Some(v), a)
        } else {
            let end = after.find([',', '}']).expect("value end");
            let raw = &after[..end];
            (if raw == "null" { None } else { Some(raw.to_owned()) }, &after[end..])
        };
        match key.as_str() {
            "input" => case.input = value.expect("input"),
            "ok" => case.ok = value.as_deref() == Some("true"),
            "family" => case.family = value,
            "formatted" => case.formatted = value,
            _ => {}
        }
        rest = after;
    }
}

#[test]
fn every_listed_case_parses_as_expected() {
    let data = include_str!("../data/ip_cases.jsonl");
    let cases: Vec<Case> = data.lines().filter(|l| !l.trim().is_empty()).map(parse_case).collect();
    assert_eq!(cases.len(), 501);
    let mut valid = 0;
    for case in &cases {
        let parsed = parse_ip_address(&case.input);
        assert_eq!(parsed.is_ok(), case.ok, "{:?}: {:?}", case.input, parsed);
        assert_eq!(is_ip_address(&case.input), case.ok, "{:?}", case.input);
        match parsed {
            Ok(ip) => {
                valid += 1;
                let family = IpAddressFamily::of(&ip).to_string();
                assert_eq!(Some(family), case.family, "{:?}", case.input);
                assert_eq!(Some(ip.to_string()), case.formatted, "{:?}", case.input);
                // The text form parses back to the same address.
                assert_eq!(parse_ip_address(&ip.to_string()).unwrap(), ip);
            }
            Err(e) => {
                assert_eq!(e.input(), case.input);
                assert!(e.position() <= case.input.len(), "{:?}: position {}", case.input, e.position());
                // The message quotes the input, whole when short, its length when long.
                if case.input.len() <= 64 {
                    assert!(e.to_string().contains(&format!("{:?}", case.input)), "{e}");
                } else {
                    assert!(e.to_string().contains(&format!("({} bytes)", case.input.len())), "{e}");
                }
            }
        }
    }
    assert_eq!(valid, 275);
}

#[test]
fn errors_say_why_and_where() {
    let cases: &[(&str, K, usize)] = &[
        ("", K::Empty, 0),
        ("1.2.3.x", K::InvalidCharacter('x'), 6),
        ("01.2.3.4", K::LeadingZero, 0),
        ("1.2.3.00", K::LeadingZero, 6),
        ("1.2.256.4", K::Ipv4PartTooLarge, 4),
        ("1.2.3.99999999999999999999", K::Ipv4PartTooLarge, 6),
        ("1..2.3", K::EmptyGroup, 2),
        ("1.2.3", K::TooFewGroups, 5),
        ("127.1", K::TooFewGroups, 5),
        ("1.2.3.4.5", K::TooManyGroups, 7),
        ("1.2.3.4:80", K::Port, 7),
        ("00001::1", K::Ipv6GroupTooLong, 0),
        ("1:2:3:4:5:6:7:00008", K::Ipv6GroupTooLong, 14),
        ("1::2::3", K::SecondDoubleColon, 4),
        (":::", K::SecondDoubleColon, 1),
        (":1::2", K::StartsWithColon, 0),
        ("1::2:", K::EndsWithColon, 4),
        ("fe80::1%eth0", K::ZoneId, 7),
        ("[::1]", K::Brackets, 0),
        ("::1/128", K::Prefix, 3),
        ("1:2:3:4:5:6:7", K::TooFewGroups, 13),
        ("1:2:3:4:5:6:7:8:9", K::TooManyGroups, 17),
        ("1:2:3:4::5:6:7:8", K::TooManyGroups, 16),
        ("1.2.3.4::", K::MisplacedIpv4, 0),
        ("::1.2.3.04", K::LeadingZero, 8),
        ("1:2:3:4:5:6:7:1.2.3.4", K::TooManyGroups, 21),
        ("::1 ", K::InvalidCharacter(' '), 3),
        ("1.2.3.４", K::InvalidCharacter('４'), 6),
    ];
    for (input, kind, position) in cases {
        let err = parse_ip_address(input).expect_err(input);
        assert_eq!((err.kind(), err.position()), (kind, *position), "{input:?}: {err}");
        assert!(err.to_string().contains(&format!("at byte {position}")) || input.is_empty(), "{err}");
    }
}

#[test]
fn hostile_strings_never_panic() {
    // A small deterministic generator over the characters addresses are made of, and others.
    let alphabet = b"0123456789abcdefABCDEF:.%[]/ \x00\xff";
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..50_000 {
        let len = (state % 48) as usize;
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        let text = String::from_utf8_lossy(&bytes);
        match parse_ip_address(&text) {
            Ok(ip) => assert_eq!(parse_ip_address(&ip.to_string()).unwrap(), ip),
            Err(e) => assert!(e.position() <= text.len()),
        }
    }
    let long = "1".repeat(1 << 20);
    assert!(parse_ip_address(&long).is_err());
    assert!(parse_ip_address(&":".repeat(10_000)).is_err());
}

#[test]
fn text_form_is_rfc_5952() {
    for (input, text) in [
        ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
        ("1:2:3:4:5:6:7:0", "1:2:3:4:5:6:7:0"),
        ("0:0:1:0:0:0:1:0", "0:0:1::1:0"),
    ] {
        assert_eq!(parse_ip_address(input).unwrap().to_string(), text, "{input}");
    }
}

#[test]
fn equality_is_per_family() {
    assert_eq!(parse_ip_address("127.0.0.1").unwrap(), ipv4_loopback());
    assert_ne!(parse_ip_address("::ffff:127.0.0.1").unwrap(), ipv4_loopback());
    assert_ne!(ipv6_loopback(), ipv4_loopback());
    assert_eq!(parse_ip_address("0::1").unwrap(), ipv6_loopback());
}

#[test]
fn special_addresses() {
    assert_eq!(ipv4_any().to_string(), "0.0.0.0");
    assert_eq!(ipv4_loopback().to_string(), "127.0.0.1");
    assert_eq!(ipv4_broadcast().to_string(), "255.255.255.255");
    assert_eq!(ipv6_any().to_string(), "::");
    assert_eq!(ipv6_loopback().to_string(), "::1");
}

#[test]
fn sockaddr_round_trips_and_refuses_other_families() {
    for ip in [ipv4_loopback(), ipv6_loopback(), ipv4_broadcast()] {
        let sa = to_sock_addr(ip, 8080);
        assert_eq!(from_sock_addr(&sa).unwrap(), (ip, Port(8080)));
    }
    assert_eq!(to_sock_addr(ipv4_any(), 1).len(), 16);
    assert_eq!(to_sock_addr(ipv6_any(), 1).len(), 28);
    let unix = socket2::SockAddr::unix("/tmp/x.sock").unwrap();
    let err = from_sock_addr(&unix).unwrap_err();
    assert!(err.to_string().contains("neither IPv4 nor IPv6"), "{err}");
}

#[test]
fn primary_address_for_loopback_destinations() {
    assert_eq!(primary_ip_addr_for(ipv4_loopback()).unwrap(), ipv4_loopback());
    assert_eq!(primary_ip_addr_for(ipv6_loopback()).unwrap(), ipv6_loopback());
}

#[test]
fn ports_convert() {
    let p: Port = 443.into();
    assert_eq!(u16::from(p), 443);
    assert_eq!(format!("{p}"), "443");
}
