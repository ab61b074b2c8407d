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

/// Classifies `hostname`: `""` is no name, an IP literal (in brackets or not, an IPv6 one with
/// a `%zone` or not) is an address, anything else a DNS name. A NUL byte is refused
/// ([`TlsError::Config`]): C libraries would read a shorter name.
///
/// ```
/// assert!(net::tls::classify_server_name("bad\0name").is_err());
/// ```
pub fn classify_server_name(hostname: &str) -> Result<ServerIdentity<'_>, TlsError> {
    if hostname.contains('\0') {
        return Err(TlsError::Config { what: format!("server name {hostname:?} contains a NUL byte") });
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
    Ok(ServerIdentity::Dns(hostname))
}

#[cfg(test)]
mod tests {
    use super::{classify_server_name as classify, ServerIdentity as S};

    #[test]
    fn every_form_of_host() {
        assert_eq!(classify("127.0.0.1").unwrap(), S::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(classify("[fe80::1%25eth0]").unwrap(), S::Ip("fe80::1".parse().unwrap()));
        assert_eq!(classify("1.2.3.4%eth0").unwrap(), S::Dns("1.2.3.4%eth0"), "zones are IPv6 only");
        assert_eq!(classify("localhost").unwrap(), S::Dns("localhost"));
        assert!(classify("\0").is_err());
    }
}
