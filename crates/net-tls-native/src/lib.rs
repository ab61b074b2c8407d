//! The native-tls backend of net's TLS layer: the platform's TLS library through the
//! `native-tls` crate: the system OpenSSL on Linux, the platform built and tested (on macOS
//! the Security framework, compile-checked only). net does not support Windows, so SChannel is
//! never used (`docs/design.md`, "Platforms").
//!
//! ```
//! use net::tls::{Context, ContextOptions, VerifyMode};
//! use net::tls::native::NativeTlsBackend;
//! let ctx = Context::with_backend(&NativeTlsBackend, &ContextOptions::new().verify_mode(VerifyMode::None))?;
//! assert_eq!(ctx.backend(), net::tls::BackendKind::NativeTls);
//! # Ok::<(), net::tls::TlsError>(())
//! ```
//!
//! # What it can do, and what it refuses
//! native-tls offers a small common API, so this backend refuses, when the context is made,
//! with [`TlsError::Unsupported`]: `cipher_list`, `cipher_suites`, `session_id_context`, PSK
//! (hint and callbacks), `client_auth` (a server cannot ask for client certificates),
//! `bundled_roots` and `crl_file` (it takes neither), and
//! pinned versions other than TLS 1.2: TLS 1.0/1.1 (OpenSSL 3 allows them only at security
//! level 0, which native-tls cannot set) and TLS 1.3 (native-tls builds OpenSSL servers from
//! Mozilla's "intermediate" profile, which turns TLS 1.3 off). With `ProtocolVersion::Any` a
//! client negotiates TLS 1.3 where the server can; a server on Linux speaks TLS 1.2. It does
//! CA files and directories, `PeerUseEnvVars`, client certificates, ALPN on both sides.
//!
//! Session resumption is native-tls's own: its clients never resume, its OpenSSL servers resume
//! what clients offer, and `SessionInfo::resumed` is `None` (it cannot tell). Asking for
//! resumption (`session_resumption(true)`) is refused, and so is turning it off on a context
//! with a certificate (its server would resume anyway).
//!
//! # Behaviour
//! - **Trust**: `ca_file`, every file of `ca_dir` that holds PEM certificates, and under
//!   `VerifyMode::PeerUseEnvVars` the files named by `SSL_CERT_FILE` / `SSL_CERT_DIR`
//!   (`:`-separated directories), chosen as for every backend (`net_tls::RootSources`); when one
//!   of them is given, only those roots are trusted (the built-in ones are disabled). Otherwise
//!   the system's roots as every backend finds them (`RootSources::system`, given to native-tls
//!   explicitly so that `SSL_CERT_*` count under `PeerUseEnvVars` only); on macOS the Security
//!   framework's store.
//! - **Pinning and the CA rule**: with `pinned_certificate`, native-tls's own checks are off
//!   and the server's leaf must be that certificate; otherwise a CA certificate used as a
//!   server's own is refused (as on rustls). Both are checked right after the handshake,
//!   before the session is handed out.
//! - **Reasons**: a refused certificate is a `net_tls::CertificateReason` read back from
//!   OpenSSL's verify text. native-tls gives no certificate of a failed handshake, so for the
//!   dates of `Expired` / `NotYetValid` and the names of `NameMismatch` the client takes a
//!   second look: one more connection to the same peer address, a handshake that verifies
//!   nothing under the same server name, the leaf read and the connection closed, with no
//!   application data, within the failed call's deadline (5 s without one). When the look
//!   fails (the peer serves one connection only), those details are `None`. A peer's alert is
//!   a `net_tls::PeerAlert`.
//! - **Names**: a DNS name is sent as SNI and checked, an IP address is checked against the
//!   certificate's IP names, `""` sends no SNI and checks no name (the chain still is).
//! - **Keys**: every format net-tls reads (PEM PKCS#1, SEC1 and PKCS#8, DER, PKCS#12), given
//!   to native-tls as PKCS#8 PEM.
//! - **Session details**: native-tls reports neither the negotiated version nor the cipher
//!   suite; both are read from the ServerHello as it crosses the wire (it is plaintext in every
//!   TLS version), the suite by its IANA name. `peer_certificates` is the peer's leaf alone.
//! - **End of stream**: a close_notify and a bare end of the TCP stream both read as the end;
//!   `closed_cleanly` tells them apart ([`NativeIo`] watches the TCP stream).
//! - **Escape hatches**: `net_tls::ssl_handle::<Stream>(&socket)` gives the
//!   `native_tls::TlsStream<NativeIo>` ([`Stream`]); `Context::backend_context` downcasts to
//!   [`NativeTlsContext`] (its `TlsConnector` and `TlsAcceptor`).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod context;
mod hello;
mod second_look;
mod session;
mod verify;

use std::sync::Arc;

use net_tls::{BackendContext, BackendKind, Capabilities, ContextOptions, TlsBackend, TlsError};

pub use context::NativeTlsContext;
/// The `native-tls` crate this backend is built with, to name its types without depending on it.
pub use native_tls;
pub use session::NativeIo;

/// The session type behind a native-tls socket, for `net_tls::ssl_handle::<Stream>(&socket)`
/// (Nim's `sslHandle`).
pub type Stream = native_tls::TlsStream<NativeIo>;

/// The native-tls backend.
///
/// ```
/// use net::tls::{known_capabilities, BackendKind, TlsBackend};
/// let b = net::tls::native::NativeTlsBackend;
/// assert_eq!(b.capabilities(), known_capabilities(BackendKind::NativeTls));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeTlsBackend;

impl net_tls::__private::Sealed for NativeTlsBackend {}

impl TlsBackend for NativeTlsBackend {
    fn kind(&self) -> BackendKind {
        BackendKind::NativeTls
    }

    fn capabilities(&self) -> Capabilities {
        net_tls::known_capabilities(BackendKind::NativeTls)
    }

    fn new_context(&self, options: &ContextOptions) -> Result<Arc<dyn BackendContext>, TlsError> {
        Ok(Arc::new(NativeTlsContext::new(options)?))
    }
}
