//! ALPN protocol lists, checked and encoded once for every backend: each name is 1 to 255
//! bytes; on the wire a list is each name preceded by its length (RFC 7301).

use crate::error::TlsError;

/// Checks each protocol name: 1 to 255 bytes. Every context runs this before its backend
/// sees the options.
///
/// ```
/// use net::tls::alpn;
/// assert!(alpn::check(&[b"h2".to_vec(), b"http/1.1".to_vec()]).is_ok());
/// assert!(alpn::check(&[Vec::new()]).is_err());
/// assert!(alpn::check(&[vec![b'a'; 256]]).is_err());
/// ```
pub fn check(protocols: &[Vec<u8>]) -> Result<(), TlsError> {
    match protocols.iter().find(|p| p.is_empty() || p.len() > 255) {
        Some(p) => Err(TlsError::Config {
            what: format!("ALPN protocol names are 1 to 255 bytes; got one of {} bytes", p.len()),
        }),
        None => Ok(()),
    }
}

/// The list in wire format, after [`check`].
///
/// ```
/// assert_eq!(net::tls::alpn::wire(&[b"h2".to_vec()])?, b"\x02h2");
/// # Ok::<(), net::tls::TlsError>(())
/// ```
pub fn wire(protocols: &[Vec<u8>]) -> Result<Vec<u8>, TlsError> {
    check(protocols)?;
    let mut out = Vec::with_capacity(protocols.iter().map(|p| p.len() + 1).sum());
    for p in protocols {
        out.push(p.len() as u8); // 1..=255, checked above
        out.extend_from_slice(p);
    }
    Ok(out)
}

/// The names of a wire-format list, as far as it is well formed: a name whose length runs
/// past the end stops the list (a peer's hostile list gives what it holds, no more).
///
/// ```
/// let names: Vec<&[u8]> = net::tls::alpn::entries(b"\x02h2\x08http/1.1\x05cut").collect();
/// assert_eq!(names, [&b"h2"[..], &b"http/1.1"[..]]);
/// ```
pub fn entries(mut wire: &[u8]) -> impl Iterator<Item = &[u8]> {
    std::iter::from_fn(move || {
        let (&len, rest) = wire.split_first()?;
        let entry = rest.get(..usize::from(len)).filter(|e| !e.is_empty())?;
        wire = &rest[usize::from(len)..];
        Some(entry)
    })
}

/// A server's choice: the first of its own protocols (`ours`, wire format) that the client's
/// list offers, as a slice of the client's list; `None` when they share none.
///
/// ```
/// use net::tls::alpn::{select, wire};
/// let ours = wire(&[b"h2".to_vec(), b"http/1.1".to_vec()])?;
/// let theirs = wire(&[b"http/1.1".to_vec(), b"h2".to_vec()])?;
/// assert_eq!(select(&ours, &theirs), Some(&b"h2"[..]));
/// assert_eq!(select(&ours, b"\x01x"), None);
/// # Ok::<(), net::tls::TlsError>(())
/// ```
pub fn select<'a>(ours: &[u8], theirs: &'a [u8]) -> Option<&'a [u8]> {
    entries(ours).find_map(|want| entries(theirs).find(|offered| *offered == want))
}

#[cfg(test)]
mod tests {
    use super::{entries, select, wire};

    #[test]
    fn hostile_lists_give_what_they_hold() {
        assert_eq!(entries(&[]).count(), 0);
        assert_eq!(entries(&[0, 1, b'a']).count(), 0, "an empty name stops the list");
        assert_eq!(entries(&[5, b'a']).count(), 0, "a length past the end");
        assert_eq!(select(b"\x02h2", &[5, b'a']), None);
        let round: Vec<Vec<u8>> = entries(&wire(&[b"a".to_vec(), vec![7; 255]]).unwrap()).map(<[u8]>::to_vec).collect();
        assert_eq!(round, [b"a".to_vec(), vec![7; 255]]);
    }
}
