//! `TlsError`: what went wrong in the TLS layer.

use std::error::Error as StdError;
use std::io;
use std::path::{Path, PathBuf};

use crate::capability::Capability;
use crate::options::BackendKind;

/// An error of the TLS layer (Nim's `SslError`, and its `IOError`s about certificate files).
///
/// ```
/// use net::tls::{BackendKind, Capability, TlsError};
/// let e = TlsError::Unsupported { backend: BackendKind::Rustls, capability: Capability::Psk, hint: Some(BackendKind::OpenSsl) };
/// assert_eq!(e.to_string(), "the rustls backend does not support PSK (pre-shared keys); openssl does");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[doc(alias = "SslError")]
pub enum TlsError {
    /// The backend cannot do what the options ask; decided when the context is made.
    #[error("the {backend} backend does not support {capability}{}", hint.map(|h| format!("; {h} does")).unwrap_or_default())]
    Unsupported {
        /// The backend that refused.
        backend: BackendKind,
        /// What it cannot do.
        capability: Capability,
        /// A backend that can, if any.
        hint: Option<BackendKind>,
    },
    /// An option has a value no backend accepts (SSLv2, a session id context over 32 bytes...).
    #[error("invalid TLS configuration: {what}")]
    Config {
        /// What is wrong.
        what: String,
    },
    /// A certificate, key or CA file or directory could not be read or parsed.
    #[error("{what} {path:?}: {source}")]
    File {
        /// Which file: "certificate file", "key file", "CA file", "CA directory".
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// Verification was asked for, but no trusted root was found (Nim's
    /// `"No SSL/TLS CA certificates found."`).
    #[error("no CA certificates found to verify peers with")]
    NoCaCertificates,
    /// The backend was not compiled in.
    #[error("the {0} backend is not compiled in (enable the `{0}` feature of `net`)")]
    NotCompiled(BackendKind),
    /// The socket is not a TLS socket (Nim's `"Socket is not an SSL socket."`).
    #[error("'{op}' needs a TLS socket")]
    NotTls {
        /// The operation.
        op: &'static str,
    },
    /// The handshake failed.
    #[error("{backend} handshake failed: {source}")]
    Handshake {
        /// The backend.
        backend: BackendKind,
        /// The backend's error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The backend failed outside the handshake (making the context, reading, writing).
    #[error("{backend}: {source}")]
    Backend {
        /// The backend.
        backend: BackendKind,
        /// The backend's error.
        #[source]
        source: Box<dyn StdError + Send + Sync>,
    },
    /// A socket error (connect, accept, a timeout...).
    #[error(transparent)]
    Socket(#[from] net_core::Error),
}

impl TlsError {
    /// `Unsupported` for `backend`, with a hint naming a backend that can.
    ///
    /// ```
    /// use net::tls::{BackendKind, Capability, TlsError};
    /// let e = TlsError::unsupported(BackendKind::NativeTls, Capability::CipherList);
    /// assert!(e.to_string().contains("openssl does"));
    /// ```
    pub fn unsupported(backend: BackendKind, capability: Capability) -> Self {
        TlsError::Unsupported { backend, capability, hint: crate::capability::backend_with(capability, backend) }
    }

    /// A backend error.
    ///
    /// ```
    /// let e = net::tls::TlsError::backend(net::tls::BackendKind::Rustls, "bad record");
    /// assert_eq!(e.to_string(), "rustls: bad record");
    /// ```
    pub fn backend(backend: BackendKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        TlsError::Backend { backend, source: source.into() }
    }

    /// A file that was read but does not hold what it should (for backends: their PEM parse
    /// failures): `File` with an [`io::ErrorKind::InvalidData`] source saying why.
    ///
    /// ```
    /// let e = net::tls::TlsError::invalid_file("key file", "k.pem".as_ref(), "not a PEM private key");
    /// assert_eq!(e.to_string(), "key file \"k.pem\": not a PEM private key");
    /// ```
    pub fn invalid_file(what: &'static str, path: &Path, reason: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        TlsError::File { what, path: path.to_owned(), source: io::Error::new(io::ErrorKind::InvalidData, reason) }
    }
}

/// The TLS failure inside a socket error, as a typed value: no downcast needed.
///
/// ```
/// use net::tls::{TlsError, TlsErrorExt};
/// let err: net::Error = TlsError::NotTls { op: "got_handshake" }.into();
/// assert!(matches!(err.tls_error(), Some(TlsError::NotTls { .. })));
/// let plain = net::Error::Closed { op: "recv" };
/// assert!(plain.tls_error().is_none());
/// ```
pub trait TlsErrorExt {
    /// The [`TlsError`] this error carries, if it is a TLS failure.
    fn tls_error(&self) -> Option<&TlsError>;
}

impl TlsErrorExt for net_core::Error {
    fn tls_error(&self) -> Option<&TlsError> {
        match self {
            net_core::Error::Tls(inner) => inner.downcast_ref::<TlsError>(),
            _ => None,
        }
    }
}

impl From<TlsError> for net_core::Error {
    fn from(e: TlsError) -> net_core::Error {
        match e {
            TlsError::Socket(inner) => inner,
            other => net_core::Error::Tls(Box::new(other)),
        }
    }
}
