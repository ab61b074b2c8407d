//! The OpenSSL backend of net's TLS layer: the system OpenSSL (1.1.1 or 3.x) through the
//! `openssl` crate. It can do everything net's TLS options describe: TLS 1.0 to 1.3 (pinned
//! versions), cipher strings and TLS 1.3 suites, CA files and directories, client
//! certificates and mutual TLS, session id contexts, PSK (hint, client and server callbacks,
//! identity), ALPN, and the verified chain in `peer_certificates`.
//!
//! Most users reach it through the facade: `net::tls::new_context(options.backend(BackendKind::OpenSsl))`.
//!
//! ```
//! use net::tls::{Context, ContextOptions, VerifyMode};
//! use net::tls::openssl::OpenSslBackend;
//! let ctx = Context::with_backend(&OpenSslBackend, &ContextOptions::new().verify_mode(VerifyMode::None))?;
//! assert_eq!(ctx.backend(), net::tls::BackendKind::OpenSsl);
//! # Ok::<(), net::tls::TlsError>(())
//! ```
//!
//! # Behaviour
//! - **Versions**: `ProtocolVersion::TlsV1`..`TlsV1_3` pin the minimum and the maximum to that
//!   version. TLS 1.0 and 1.1 also lower the context's security level to 0 (OpenSSL 3 refuses
//!   them at level 1 and above, Debian's default is 2).
//! - **Trust** (clients, and servers that ask for client certificates): `ca_file`, every file of
//!   `ca_dir` that holds PEM certificates (not OpenSSL's hashed-name lookup), and under
//!   `VerifyMode::PeerUseEnvVars` the files named by `SSL_CERT_FILE` / `SSL_CERT_DIR`
//!   (`:`-separated directories), chosen as for every backend (`net_tls::RootSources`); when
//!   none is given, the system's bundle or directory as every backend finds it
//!   (`RootSources::system`, never the environment under `VerifyMode::Peer`). A
//!   `pinned_certificate` replaces the roots: a verify callback accepts exactly that leaf. A
//!   CA certificate used as a server's own is refused (as on rustls), and refusals say why as
//!   `net_tls::CertificateReason`, from OpenSSL's verify code and the certificate it is about.
//! - **Names**: a DNS name is sent as SNI and checked (no partial wildcards); an IP address is
//!   checked against the certificate's IP names and not sent; `""` means neither.
//! - **Client certificates**: a server with `client_auth` checks them against the same roots
//!   (whatever its `verify_mode`, which is about checking servers) and names those roots in its
//!   certificate request.
//! - **PSK**: Nim's PSK is TLS 1.2's (the client's callback gets the server's identity hint),
//!   so a context with a PSK callback or hint and `ProtocolVersion::Any` negotiates at most
//!   TLS 1.2, and without a `cipher_list` its cipher list becomes `DEFAULT:PSK:!eNULL`.
//!   Pinning `ProtocolVersion::TlsV1_3` runs TLS 1.3 PSK through the same callbacks (the
//!   client's hint is then `""`, and a server hint is refused). A server with a PSK server
//!   callback needs no certificate. A callback that panics makes the handshake fail, and the
//!   panic resumes in the thread that ran the handshake.
//! - **ALPN**: the server picks in its own order of preference and refuses the handshake
//!   (`no_application_protocol`) when the client offers none of its protocols.
//! - **Session resumption** (unless `session_resumption(false)`, which turns the cache and
//!   tickets off): clients remember the sessions their servers issue, by server name and port,
//!   and offer one to the next handshake (`set_session`), with the certificates the full
//!   handshake gave, which `peer_certificates` gives again; servers resume through tickets
//!   (OpenSSL's internal session store is off) and, without a `session_id_context`, use
//!   `net-tls`. `SessionInfo::resumed` is `SSL_session_reused`.
//! - **Escape hatches**: [`Context::backend_context`](net_tls::Context::backend_context)
//!   downcasts to [`openssl::ssl::SslContext`], and `net_tls::ssl_handle` to
//!   `openssl::ssl::SslStream<net_core::SocketIo>` ([`Stream`]):
//!
//! ```
//! use net::tls::{Context, ContextOptions, VerifyMode};
//! use net::tls::openssl::openssl::ssl::SslContext;
//! let ctx = Context::with_backend(&net::tls::openssl::OpenSslBackend, &ContextOptions::new().verify_mode(VerifyMode::None))?;
//! let ossl = ctx.backend_context().downcast_ref::<SslContext>().expect("an SslContext");
//! assert!(ossl.certificate().is_none(), "no cert_file given");
//! # Ok::<(), net::tls::TlsError>(())
//! ```
#![deny(missing_docs)]
#![deny(unsafe_code)]

mod config;
mod resume;
mod roots;
mod session;
mod verify;

use std::sync::Arc;

use net_tls::{BackendContext, BackendKind, Capabilities, ContextOptions, TlsBackend, TlsError};

use config::OpenSslContext;
/// The `openssl` crate this backend is built with, to name its types without depending on it.
pub use openssl;

/// The session type behind an OpenSSL socket, for `net_tls::ssl_handle::<Stream>(&socket)`
/// (Nim's `sslHandle`).
pub type Stream = openssl::ssl::SslStream<net_core::SocketIo>;

/// The OpenSSL backend.
///
/// ```
/// use net::tls::{known_capabilities, BackendKind, TlsBackend};
/// let b = net::tls::openssl::OpenSslBackend;
/// assert_eq!(b.capabilities(), known_capabilities(BackendKind::OpenSsl));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenSslBackend;

impl net_tls::__private::Sealed for OpenSslBackend {}

impl TlsBackend for OpenSslBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::OpenSsl
    }

    fn capabilities(&self) -> Capabilities {
        net_tls::known_capabilities(BackendKind::OpenSsl)
    }

    fn new_context(&self, options: &ContextOptions) -> Result<Arc<dyn BackendContext>, TlsError> {
        // What the capability table lacks (bundled roots) is refused there.
        net_tls::refuse_missing(BackendKind::OpenSsl, options)?;
        Ok(Arc::new(OpenSslContext::new(options)?))
    }
}

/// A backend error with OpenSSL's message.
pub(crate) fn backend_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TlsError {
    TlsError::backend(BackendKind::OpenSsl, e)
}
