//! The server name a client is given, classified once for every backend.

use std::net::IpAddr;

use crate::error::TlsError;

/// What a client checks the server's certificate against, from the host given to `connect`.
///
/// ```
/// use net::tls::{classify_server_name, ServerIdentity};
/// assert_eq!(classify_server_name("example.com")?, ServerIdentity::Dns("example.com"));
/// assert_eq!(classify_server_name("[::1]")?, ServerIdentity::Ip("::1".parse().unwrap()));
/// assert_eq!(classify_server_name("fe80::1%eth0")?, ServerIdentity::Ip("fe80::1".parse().unwrap()));
/// assert_eq!(classify_server_name("")?, ServerIdentity::Unchecked);
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerIdentity<'a> {
    /// A DNS name: sent as SNI and checked against the certificate's DNS names.
    Dns(&'a str),
    /// An IP address (brackets and an IPv6 zone id dropped): no SNI; checked against the
    /// certificate's IP addresses.
    Ip(IpAddr),
    /// No name at all (`""`): no SNI and no name check (the chain still is).
    Unchecked,
}

/// The longest DNS name (RFC 1035: 255 bytes on the wire), without a trailing dot.
///
/// ```
/// let longest = ["a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61)].join(".");
/// assert_eq!(longest.len(), net::tls::MAX_DNS_NAME);
/// assert!(net::tls::classify_server_name(&longest).is_ok());
/// assert!(net::tls::classify_server_name(&format!("{longest}d")).is_err());
/// ```
pub const MAX_DNS_NAME: usize = 253;
/// The longest label of a DNS name (RFC 1035).
///
/// ```
/// let label = "a".repeat(net::tls::MAX_DNS_LABEL);
/// assert!(net::tls::classify_server_name(&format!("{label}.test")).is_ok());
/// assert!(net::tls::classify_server_name(&format!("{label}a.test")).is_err());
/// ```
pub const MAX_DNS_LABEL: usize = 63;

/// Classifies `hostname`: `""` is no name, an IP literal (in brackets or not, an IPv6 one with
/// a `%zone` or not) is an address, anything else a DNS name. What is not a valid DNS name is
/// refused the same way on every backend ([`TlsError::Config`], quoting at most 64 bytes of
/// it): a NUL byte (C libraries would read a shorter name), more than [`MAX_DNS_NAME`] bytes,
/// an empty label or one longer than [`MAX_DNS_LABEL`], a byte other than an ASCII letter,
/// digit, `-` or `_` (a name in another script goes in its `xn--` form), a label that starts
/// or ends with `-`, and a last label that is a number (decimal, or hex after `0x`), which
/// would read as an IPv4 address in another form (`10.1`, `0x7f000001`). A trailing dot is
/// allowed.
///
/// ```
/// assert!(net::tls::classify_server_name("bad\0name").is_err());
/// let err = net::tls::classify_server_name(&"a".repeat(64)).unwrap_err();
/// assert!(err.to_string().contains("label 1 is 64 bytes, past 63"), "{err}");
/// assert!(net::tls::classify_server_name("xn--bcher-kva.example.").is_ok());
/// ```
pub fn classify_server_name(hostname: &str) -> Result<ServerIdentity<'_>, TlsError> {
    if hostname.contains('\0') {
        return Err(not_dns(hostname, "it contains a NUL byte".into()));
    }
    if hostname.is_empty() {
        return Ok(ServerIdentity::Unchecked);
    }
    let bare = hostname.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(hostname);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ServerIdentity::Ip(ip));
    }
    if let Some((addr, _zone)) = bare.split_once('%') {
        if let Ok(ip @ IpAddr::V6(_)) = addr.parse::<IpAddr>() {
            return Ok(ServerIdentity::Ip(ip));
        }
    }
    check_dns_name(hostname)?;
    Ok(ServerIdentity::Dns(hostname))
}

/// Refuses what is not a DNS name: the rules of [`classify_server_name`].
fn check_dns_name(name: &str) -> Result<(), TlsError> {
    let bare = name.strip_suffix('.').unwrap_or(name);
    if bare.len() > MAX_DNS_NAME {
        return Err(not_dns(name, format!("it is {} bytes, past {MAX_DNS_NAME}", bare.len())));
    }
    for (i, label) in bare.split('.').enumerate() {
        if label.is_empty() {
            return Err(not_dns(name, format!("label {} is empty", i + 1)));
        }
        if label.len() > MAX_DNS_LABEL {
            return Err(not_dns(name, format!("label {} is {} bytes, past {MAX_DNS_LABEL}", i + 1, label.len())));
        }
        if let Some(c) = label.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
            return Err(not_dns(name, format!("label {} holds {c:?}", i + 1)));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(not_dns(name, format!("label {} starts or ends with '-'", i + 1)));
        }
    }
    let last = bare.rsplit('.').next().unwrap_or(bare);
    let hex = last.strip_prefix("0x").or_else(|| last.strip_prefix("0X"));
    if last.bytes().all(|b| b.is_ascii_digit()) || hex.is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(not_dns(name, format!("its last label {last:?} is a number, as in an IPv4 address")));
    }
    Ok(())
}

fn not_dns(name: &str, why: String) -> TlsError {
    TlsError::Config {
        what: format!("server name {} is not a valid DNS name: {why}", net_core::__private::quoted(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::{classify_server_name as classify, ServerIdentity as S};

    #[test]
    fn every_form_of_host() {
        assert_eq!(classify("127.0.0.1").unwrap(), S::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(classify("[fe80::1%25eth0]").unwrap(), S::Ip("fe80::1".parse().unwrap()));
        // Zones are IPv6 only: an IPv4 address with one is no address, and no DNS name either.
        assert!(classify("1.2.3.4%eth0").unwrap_err().to_string().ends_with("label 4 holds '%'"));
        assert_eq!(classify("localhost").unwrap(), S::Dns("localhost"));
        assert!(classify("\0").is_err());
    }

    #[test]
    fn what_is_not_a_dns_name_is_refused_in_words() {
        let why = |name: &str| classify(name).unwrap_err().to_string();
        let longest = format!("{}.{}.{}.{}", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
        assert_eq!(classify(&longest).unwrap(), S::Dns(&longest));
        assert!(classify(&format!("{longest}.")).is_ok(), "a trailing dot");
        assert!(why(&format!("{longest}e")).ends_with("it is 254 bytes, past 253"));
        assert!(why("a..b").ends_with("label 2 is empty"));
        assert!(why(".").ends_with("label 1 is empty"));
        assert!(why("bad name.test").ends_with("label 1 holds ' '"));
        assert!(why("bücher.test").ends_with("label 1 holds 'ü'"));
        assert!(why("a.b\0c").ends_with("it contains a NUL byte"));
        assert_eq!(classify("_srv.my-host.test").unwrap(), S::Dns("_srv.my-host.test"));
        assert!(why("-a.test").ends_with("label 1 starts or ends with '-'"));
        assert!(why("a.b-.test").ends_with("label 2 starts or ends with '-'"));
        // A last label that is a number would read as an IPv4 address in another form.
        for ipv4ish in ["10.1", "1.2.3.256", "127.0.0.1.", "0x7f000001", "a.0X1f"] {
            assert!(why(ipv4ish).contains("is a number, as in an IPv4 address"), "{ipv4ish}");
        }
        assert_eq!(classify("1.2.3.4a").unwrap(), S::Dns("1.2.3.4a"));
        assert_eq!(classify("0x.test").unwrap(), S::Dns("0x.test"));
        // Hostile sizes: the message quotes 64 bytes and the length.
        let huge = "x".repeat(1 << 20);
        let message = why(&huge);
        assert!(message.len() < 200 && message.contains("(1048576 bytes)"), "{message}");
    }
}
