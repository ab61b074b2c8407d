//! The rustls backend of net's TLS layer: [rustls] with its *ring* crypto provider (pure Rust,
//! no system library), trusting the system's roots (read with `rustls-native-certs`) or, when
//! asked, the Mozilla roots of [webpki_roots].
//!
//! Use it through the facade (`net::tls::new_context`, feature `rustls`, the default backend)
//! or directly with [`net_tls::Context::with_backend`]`(&`[`RustlsBackend`]`, &options)`.
//!
//! ```
//! use net::tls::{Context, ContextOptions, VerifyMode};
//! use net::tls::rustls::RustlsBackend;
//! let ctx = Context::with_backend(&RustlsBackend, &ContextOptions::new().verify_mode(VerifyMode::None))?;
//! assert_eq!(ctx.backend(), net::tls::BackendKind::Rustls);
//! # Ok::<(), net::tls::TlsError>(())
//! ```
//!
//! # What it does
//! - TLS 1.2 and TLS 1.3 (`ProtocolVersion::TlsV1_2` / `TlsV1_3` pin one; `Any` allows both).
//! - `cipher_suites`: `:`-separated IANA names of TLS 1.3 suites (`TLS_AES_256_GCM_SHA384`,
//!   `TLS_AES_128_GCM_SHA256`, `TLS_CHACHA20_POLY1305_SHA256`), in order of preference; the
//!   TLS 1.2 suites stay rustls's defaults. An unknown name is a `TlsError::Config`; an empty
//!   list turns TLS 1.3 off, as with OpenSSL.
//! - Roots: `ca_file`, `ca_dir` (every regular file of the directory that parses as PEM
//!   certificates; the others are skipped) and, under `VerifyMode::PeerUseEnvVars`,
//!   `SSL_CERT_FILE` and `SSL_CERT_DIR` (`:`-separated directories), chosen as for every
//!   backend (`net_tls::RootSources`). When none is given, the system's roots, found as every
//!   backend finds them (`RootSources::system`), or the webpki-roots under
//!   `ContextOptions::bundled_roots`. No root at all is `TlsError::NoCaCertificates`.
//! - `pinned_certificate`: the server must present exactly that certificate; nothing else
//!   about it is checked. A CA certificate used as a server's own is refused otherwise.
//! - Refusals say why as `net_tls::CertificateReason` (from the certificates: RFC 3339 times,
//!   the names presented, self-signed, unknown issuer and incomplete chain told apart by the
//!   chain sent, where rustls says `UnknownIssuer` for all three); the peer's alerts as
//!   `net_tls::PeerAlert`, by their RFC names.
//! - Host names: a DNS name is sent as SNI and checked; an IP address is checked against the
//!   certificate's IP names and not sent; `""` sends nothing and checks no name, but the chain
//!   is still verified under `VerifyMode::Peer`. `VerifyMode::None` accepts any certificate for
//!   any name; the handshake signatures are still checked (the peer holds the certificate's key).
//! - Client certificates (`cert_file` + `key_file` on a client) and servers asking for them
//!   (`client_auth`, checked against `ca_file`/`ca_dir`; under `VerifyMode::None` any
//!   certificate is accepted).
//! - ALPN.
//! - Session resumption (unless `session_resumption(false)`): each client configuration has a
//!   session store per server port (rustls keys its own by name only), so a session is
//!   resumed for the same name and port only; servers issue stateless tickets (ring's
//!   `Ticketer`) and keep rustls's session-id cache. `SessionInfo::resumed` reads
//!   `handshake_kind`.
//! - End of stream without close_notify reads as end of stream, and
//!   `net_tls::closed_cleanly` says `Some(false)`.
//!
//! # What it refuses
//! With `TlsError::Unsupported` when the context is made, naming a backend that can:
//! TLS 1.0 and 1.1, `cipher_list` (OpenSSL cipher strings), `session_id_context`, PSK (hint,
//! client and server callbacks). `peer_certificates` gives what the peer sent, leaf first, not
//! the verified chain up to the root (rustls does not expose it).
//!
//! # Own types
//! [`RustlsContext`] (`net_tls::Context::backend_context`) holds the rustls configurations;
//! [`RustlsSession`] (`net_tls::ssl_handle`) the [`rustls::Connection`]. The [`rustls`] crate
//! is re-exported so their types can be named without a second dependency.
//!
//! rustls's process-wide default crypto provider is never used (it panics when two providers
//! are compiled in): the *ring* provider is passed explicitly everywhere.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use std::sync::Arc;

use net_tls::{BackendContext, BackendKind, Capabilities, ContextOptions, TlsBackend, TlsError};

mod config;
mod context;
mod session;
mod verify;

pub use context::RustlsContext;
pub use session::RustlsSession;

/// The rustls crate this backend is built on, for naming the types behind
/// [`RustlsSession::connection`] and [`RustlsContext::client_config`].
pub use rustls;

pub(crate) const RUSTLS: BackendKind = BackendKind::Rustls;

/// The rustls backend: makes [`RustlsContext`]s from backend-neutral options.
///
/// ```
/// use net::tls::{BackendKind, Capability, Context, ContextOptions, TlsBackend, TlsError};
/// use net::tls::rustls::RustlsBackend;
///
/// assert_eq!(RustlsBackend.kind(), BackendKind::Rustls);
/// assert!(RustlsBackend.capabilities().contains(Capability::Tls13));
/// let ctx = Context::with_backend(&RustlsBackend, &ContextOptions::new())?;
/// assert_eq!(ctx.backend(), BackendKind::Rustls);
///
/// // What rustls cannot do is refused when the context is made, naming a backend that can.
/// let err = Context::with_backend(&RustlsBackend, &ContextOptions::new().cipher_list("HIGH")).unwrap_err();
/// assert!(matches!(err, TlsError::Unsupported { capability: Capability::CipherList, .. }));
/// # Ok::<(), TlsError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct RustlsBackend;

impl net_tls::__private::Sealed for RustlsBackend {}

impl TlsBackend for RustlsBackend {
    fn kind(&self) -> BackendKind {
        RUSTLS
    }

    fn capabilities(&self) -> Capabilities {
        net_tls::known_capabilities(RUSTLS)
    }

    fn new_context(&self, options: &ContextOptions) -> Result<Arc<dyn BackendContext>, TlsError> {
        Ok(Arc::new(RustlsContext::new(options)?))
    }
}
