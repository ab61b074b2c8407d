//! TLS over [`Socket`](crate::Socket)s, on the backends compiled in.
//!
//! ```
//! use net::tls::{new_context, ContextOptions};
//! let ctx = new_context(ContextOptions::new())?;
//! println!("TLS backend: {}", ctx.backend());
//! # Ok::<(), net::tls::TlsError>(())
//! ```
//!
//! # Which backend
//! [`new_context`] uses, in order: the backend named in the options
//! ([`ContextOptions::backend`]); else the process default set by [`set_default_backend`];
//! else the `NET_TLS_BACKEND` environment variable (`rustls`, `openssl`, `native-tls`); else
//! the first compiled in of rustls, openssl, native-tls. A context never changes backend by
//! itself: asking a backend for what it cannot do is a [`TlsError::Unsupported`] naming one
//! that can.

use std::sync::RwLock;

/// ALPN lists: checked, encoded and matched the same way on every backend.
pub use net_tls::alpn;
/// The TLS record framing of a byte stream (for telling a truncation from a bare end).
pub use net_tls::RecordFraming;
pub use net_tls::{
    backend_with, capability_matrix_markdown, closed_cleanly, got_handshake, known_capabilities, peer_certificates,
    psk_identity, session_info, ssl_handle, ssl_handle_mut, AcceptResult, BackendContext, BackendKind, Capabilities,
    Capability, Certificate, ClientAuth, Context, ContextOptions, ExtraData, HandshakeSide, ProtocolVersion,
    PskClientCallback, PskServerCallback, SessionInfo, TlsBackend, TlsError, TlsErrorExt, TlsSession, VerifyMode,
    DEFAULT_HANDSHAKE_TIMEOUT,
};
/// Where a context's trusted roots come from, and the files behind them.
pub use net_tls::{ca_dir_files, read_file, RootSources, CERT_DIR_ENV, CERT_FILE_ENV};
/// Why a certificate was refused, the same on every backend; the peer's alerts by their RFC
/// names; certificate pinning.
pub use net_tls::{check_pinned, pinned_certificate, revocation_lists, CertificateReason, PeerAlert};
/// The server name a client is given, classified the same way on every backend.
pub use net_tls::{classify_server_name, ServerIdentity, MAX_DNS_LABEL, MAX_DNS_NAME};
/// Our own certificate and key in every format (PEM, DER, PKCS#1, SEC1, PKCS#8, PKCS#12),
/// files read with a size cap, and certificate names.
pub use net_tls::{
    load_certificates, parse_certificates, DistinguishedName, Identity, NameAttribute, Pkcs12File, MAX_FILE_SIZE,
};
/// What options ask of a backend, checked against its capability table.
pub use net_tls::{refuse_missing, required_capabilities};
/// What session resumption shares between backends: the key sessions are remembered by, and
/// a bounded cache.
pub use net_tls::{SessionCache, SessionKey, SESSION_CACHE_SIZE};

mod probe;
pub use probe::{probe, probe_table, Probe, ProbeOptions};
/// The native-tls backend and the types `ssl_handle` gives on it (`Stream`).
#[cfg(feature = "native-tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "native-tls")))]
pub mod native {
    pub use net_tls_native::{native_tls, NativeIo, NativeTlsBackend, NativeTlsContext, Stream};
}
/// The OpenSSL backend and the types `ssl_handle` gives on it (`Stream`).
#[cfg(feature = "openssl")]
#[cfg_attr(docsrs, doc(cfg(feature = "openssl")))]
pub mod openssl {
    pub use net_tls_openssl::{openssl, OpenSslBackend, Stream};
}
/// The rustls backend and the types `ssl_handle` gives on it (`RustlsSession`).
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub mod rustls {
    pub use net_tls_rustls::{rustls, RustlsBackend, RustlsContext, RustlsSession};
}
#[cfg(feature = "native-tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "native-tls")))]
pub use net_tls_native::NativeTlsBackend;
#[cfg(feature = "openssl")]
#[cfg_attr(docsrs, doc(cfg(feature = "openssl")))]
pub use net_tls_openssl::OpenSslBackend;
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub use net_tls_rustls::RustlsBackend;

/// The environment variable naming the backend when neither the options nor the process
/// default do.
pub const BACKEND_ENV: &str = "NET_TLS_BACKEND";

static PROCESS_DEFAULT: RwLock<Option<BackendKind>> = RwLock::new(None);

/// Whether `kind` was compiled in.
///
/// ```
/// use net::tls::{is_enabled, BackendKind};
/// assert_eq!(is_enabled(BackendKind::Rustls), cfg!(feature = "rustls"));
/// ```
pub fn is_enabled(kind: BackendKind) -> bool {
    backend(kind).is_ok()
}

/// The backends compiled in, in the fixed order of the default choice.
///
/// ```
/// assert!(!net::tls::enabled_backends().is_empty());
/// ```
pub fn enabled_backends() -> Vec<BackendKind> {
    BackendKind::ALL.iter().copied().filter(|&k| is_enabled(k)).collect()
}

/// The backend object for `kind`, or [`TlsError::NotCompiled`].
///
/// ```
/// use net::tls::{backend, BackendKind};
/// if let Ok(b) = backend(BackendKind::Rustls) {
///     assert_eq!(b.kind(), BackendKind::Rustls);
/// }
/// ```
pub fn backend(kind: BackendKind) -> Result<&'static dyn TlsBackend, TlsError> {
    match kind {
        #[cfg(feature = "rustls")]
        BackendKind::Rustls => Ok(&RustlsBackend),
        #[cfg(feature = "openssl")]
        BackendKind::OpenSsl => Ok(&OpenSslBackend),
        #[cfg(feature = "native-tls")]
        BackendKind::NativeTls => Ok(&NativeTlsBackend),
        #[allow(unreachable_patterns)]
        other => Err(TlsError::NotCompiled(other)),
    }
}

/// What `kind` can do; the same answer its contexts give.
///
/// ```
/// use net::tls::{capabilities, BackendKind, Capability};
/// assert!(capabilities(BackendKind::OpenSsl).contains(Capability::Psk));
/// ```
pub fn capabilities(kind: BackendKind) -> Capabilities {
    known_capabilities(kind)
}

/// Sets the process default backend (before `NET_TLS_BACKEND` and the fixed order).
///
/// ```
/// let first = net::tls::enabled_backends()[0];
/// net::tls::set_default_backend(first)?;
/// assert_eq!(net::tls::default_backend()?, first);
/// # Ok::<(), net::tls::TlsError>(())
/// ```
pub fn set_default_backend(kind: BackendKind) -> Result<(), TlsError> {
    backend(kind)?;
    *PROCESS_DEFAULT.write().unwrap_or_else(|p| p.into_inner()) = Some(kind);
    Ok(())
}

/// The backend [`new_context`] uses when the options name none.
///
/// ```
/// let kind = net::tls::default_backend()?;
/// assert!(net::tls::is_enabled(kind));
/// # Ok::<(), net::tls::TlsError>(())
/// ```
pub fn default_backend() -> Result<BackendKind, TlsError> {
    if let Some(kind) = *PROCESS_DEFAULT.read().unwrap_or_else(|p| p.into_inner()) {
        return Ok(kind);
    }
    if let Ok(name) = std::env::var(BACKEND_ENV) {
        if !name.trim().is_empty() {
            let kind: BackendKind = name.parse()?;
            backend(kind)?;
            return Ok(kind);
        }
    }
    enabled_backends().first().copied().ok_or(TlsError::NotCompiled(BackendKind::Rustls))
}

/// Makes a TLS context (Nim's `newContext`) on the backend chosen as the module docs say.
///
/// ```
/// use net::tls::{new_context, ContextOptions, VerifyMode};
/// let ctx = new_context(ContextOptions::new().verify_mode(VerifyMode::None))?;
/// assert!(net::tls::is_enabled(ctx.backend()));
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[doc(alias = "newContext")]
pub fn new_context(options: ContextOptions) -> Result<Context, TlsError> {
    let kind = match options.backend {
        Some(kind) => kind,
        None => default_backend()?,
    };
    Context::with_backend(backend(kind)?, &options)
}
