//! The TLS layer of net: the traits a TLS library implements to be a backend, the
//! backend-neutral options, and Nim's TLS operations (`wrap_socket`, `wrap_connected_socket`,
//! `peer_certificates`, `ssl_handle`...) over net-core sockets, the same for every backend.
//! Users reach all of it as `net::tls`; the examples use those paths.
//!
//! # Where to start
//! - [`ContextOptions`]: what a context needs (certificate and key, CA file or directory,
//!   verify mode, protocol versions, ciphers, ALPN, PSK, handshake timeout...).
//! - [`Context`]: made by `net::tls::new_context` (which picks the backend) or
//!   [`Context::with_backend`]; `wrap_socket` before `connect`/`accept`, or
//!   `wrap_connected_socket` after.
//! - Once a socket is wrapped, every read and write API of `net::Socket` works over TLS as
//!   over plain TCP. [`peer_certificates`], [`session_info`], [`got_handshake`],
//!   [`closed_cleanly`] tell what happened; [`ssl_handle`] gives the backend's own session.
//! - [`TlsError`]: a TLS failure as a typed value; on a socket call, reach it with
//!   [`TlsErrorExt::tls_error`]. [`Capabilities`]: what each backend can do; a context asked
//!   for something its backend cannot do is refused when it is made, naming one that can.
//!
//! # Backends
//! This crate depends on no TLS library. The backends are `net-tls-rustls`,
//! `net-tls-openssl` and `net-tls-native`; the facade `net` picks them by cargo feature. The
//! traits they implement ([`TlsBackend`], [`BackendContext`], [`TlsSession`]) are sealed.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod alert;
pub mod alpn;
mod backend;
mod capability;
mod cert_facts;
mod context;
mod der;
mod error;
mod framing;
mod host;
mod identity;
mod names;
mod options;
mod pin;
mod reason;
mod resumption;
mod roots;
mod x509;

/// The readers of key and PKCS#12 files, for the fuzz targets (`cargo xtask fuzz` builds with
/// `--cfg fuzzing`); not part of the API.
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing {
    use crate::options::Certificate;

    /// A key file's contents as PKCS#8 DER.
    pub fn private_key(bytes: &[u8]) -> Result<Vec<u8>, String> {
        crate::identity::private_key(bytes)
    }

    /// A PKCS#12 file's chain and PKCS#8 key.
    pub fn pkcs12_parts(bytes: &[u8], password: &str) -> Result<(Vec<Certificate>, Vec<u8>), String> {
        crate::identity::pkcs12_parts(bytes, password)
    }

    /// Whether the PKCS#8 `key` is `cert`'s.
    pub fn key_matches(cert: &Certificate, key: &[u8]) -> Result<(), String> {
        crate::identity::key_matches(cert, key)
    }
}

pub use alert::PeerAlert;
#[doc(hidden)]
pub use backend::__private;
pub use backend::{BackendContext, TlsBackend, TlsSession};
pub use capability::{
    backend_with, capability_matrix_markdown, known_capabilities, refuse_missing, required_capabilities, Capabilities,
    Capability,
};
pub use context::{
    closed_cleanly, got_handshake, peer_certificates, psk_identity, session_info, ssl_handle, ssl_handle_mut, Context,
    ExtraData, SessionInfo,
};
pub use error::{TlsError, TlsErrorExt};
pub use framing::RecordFraming;
pub use host::{classify_server_name, ServerIdentity, MAX_DNS_LABEL, MAX_DNS_NAME};
pub use identity::{load_certificates, parse_certificates, Identity};
pub use names::{DistinguishedName, NameAttribute};
pub use options::{
    AcceptResult, BackendKind, Certificate, ClientAuth, ContextOptions, HandshakeSide, Pkcs12File, ProtocolVersion,
    PskClientCallback, PskServerCallback, VerifyMode, DEFAULT_HANDSHAKE_TIMEOUT,
};
pub use pin::{check_pinned, pinned_certificate, revocation_lists};
pub use reason::CertificateReason;
pub use resumption::{SessionCache, SessionKey, SESSION_CACHE_SIZE};
pub use roots::{ca_dir_files, read_file, RootSources, CERT_DIR_ENV, CERT_FILE_ENV, MAX_FILE_SIZE};
