//! `TlsError`: what went wrong in the TLS layer.

use std::error::Error as StdError;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::alert::PeerAlert;
use crate::capability::Capability;
use crate::options::BackendKind;
use crate::reason::CertificateReason;

/// An error of the TLS layer (Nim's `SslError`, and its `IOError`s about certificate files).
///
/// Each error prints its cause once, by the rule of `net::Error`: `File` and `Handshake` say
/// what was being done and give the cause as [`source()`](StdError::source); `Backend` has
/// nothing to say but the backend's name, so its message is the backend's error (and its
/// source, that error's source); `Socket` is transparent; the others hold no cause.
///
/// ```
/// use net::tls::{BackendKind, Capability, TlsError};
/// let e = TlsError::Unsupported { backend: BackendKind::Rustls, capability: Capability::Psk, hint: Some(BackendKind::OpenSsl) };
/// assert_eq!(e.to_string(), "the rustls backend does not support PSK (pre-shared keys); openssl does");
/// ```
#[derive(Debug)]
#[non_exhaustive]
#[doc(alias = "SslError")]
pub enum TlsError {
    /// The backend cannot do what the options ask; decided when the context is made.
    Unsupported {
        /// The backend that refused.
        backend: BackendKind,
        /// What it cannot do.
        capability: Capability,
        /// A backend that can, if any.
        hint: Option<BackendKind>,
    },
    /// An option has a value no backend accepts (SSLv2, a session id context over 32 bytes...).
    Config {
        /// What is wrong.
        what: String,
    },
    /// A certificate, key or CA file or directory could not be read or parsed.
    ///
    /// Message: `could not load {what} "{path}"`; why is the source.
    File {
        /// Which file: "certificate file", "key file", "PKCS#12 file", "CA file", "CA directory"...
        what: &'static str,
        /// Its path.
        path: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
    /// Verification was asked for, but no trusted root was found (Nim's
    /// `"No SSL/TLS CA certificates found."`).
    NoCaCertificates,
    /// The backend was not compiled in.
    NotCompiled(BackendKind),
    /// The socket is not a TLS socket (Nim's `"Socket is not an SSL socket."`).
    NotTls {
        /// The operation.
        op: &'static str,
    },
    /// The handshake failed.
    ///
    /// Message: `TLS handshake failed ({backend})`; the backend's error is the source.
    Handshake {
        /// The backend.
        backend: BackendKind,
        /// The backend's error.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// The backend failed outside the handshake (making the context, reading, writing).
    ///
    /// Message: `{backend}: {the backend's message}`. The backend's error is printed here, so
    /// [`source()`](StdError::source) skips it and gives that error's own source; the error
    /// itself is the `source` field.
    Backend {
        /// The backend.
        backend: BackendKind,
        /// The backend's error.
        source: Box<dyn StdError + Send + Sync>,
    },
    /// A socket error (connect, accept, a timeout...). Transparent: its message and source
    /// are the socket error's.
    Socket(net_core::Error),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Unsupported { backend, capability, hint } => {
                write!(f, "the {backend} backend does not support {capability}")?;
                match hint {
                    Some(h) => write!(f, "; {h} does"),
                    None => Ok(()),
                }
            }
            TlsError::Config { what } => write!(f, "invalid TLS configuration: {what}"),
            TlsError::File { what, path, .. } => write!(f, "could not load {what} {path:?}"),
            TlsError::NoCaCertificates => f.write_str("no CA certificates found to verify peers with"),
            TlsError::NotCompiled(kind) => {
                write!(f, "the {kind} backend is not compiled in (enable the `{kind}` feature of `net`)")
            }
            TlsError::NotTls { op } => write!(f, "'{op}' needs a TLS socket"),
            TlsError::Handshake { backend, .. } => write!(f, "TLS handshake failed ({backend})"),
            TlsError::Backend { backend, source } => write!(f, "{backend}: {source}"),
            TlsError::Socket(inner) => fmt::Display::fmt(inner, f),
        }
    }
}

impl StdError for TlsError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            TlsError::File { source, .. } => Some(source),
            TlsError::Handshake { source, .. } => Some(&**source),
            TlsError::Backend { source, .. } => source.source(),
            TlsError::Socket(inner) => inner.source(),
            TlsError::Unsupported { .. }
            | TlsError::Config { .. }
            | TlsError::NoCaCertificates
            | TlsError::NotCompiled(_)
            | TlsError::NotTls { .. } => None,
        }
    }
}

impl From<net_core::Error> for TlsError {
    fn from(e: net_core::Error) -> TlsError {
        TlsError::Socket(e)
    }
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
    /// assert!(std::error::Error::source(&e).is_none(), "printed above, so not a source");
    /// ```
    pub fn backend(backend: BackendKind, source: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        TlsError::Backend { backend, source: source.into() }
    }

    /// Why the peer's certificate was refused, when that is what failed: the same
    /// [`CertificateReason`] on every backend for the same certificate.
    ///
    /// ```
    /// use net::tls::{BackendKind, CertificateReason, TlsError};
    /// let e = TlsError::Handshake { backend: BackendKind::Rustls, source: Box::new(CertificateReason::SelfSigned) };
    /// assert_eq!(e.certificate_reason(), Some(&CertificateReason::SelfSigned));
    /// assert_eq!(format!("{e}: {}", std::error::Error::source(&e).unwrap()),
    ///            "TLS handshake failed (rustls): the certificate is self-signed and not trusted");
    /// assert_eq!(TlsError::NoCaCertificates.certificate_reason(), None);
    /// ```
    pub fn certificate_reason(&self) -> Option<&CertificateReason> {
        self.find_cause::<CertificateReason>()
    }

    /// The fatal alert the peer sent, when the failure is the peer's refusal (for example of
    /// our certificate: `certificate_required`, `unknown_ca`).
    ///
    /// ```
    /// use net::tls::{BackendKind, PeerAlert, TlsError};
    /// let e = TlsError::Handshake { backend: BackendKind::OpenSsl, source: Box::new(PeerAlert(116)) };
    /// assert_eq!(e.peer_alert().and_then(|a| a.name()), Some("certificate_required"));
    /// ```
    pub fn peer_alert(&self) -> Option<PeerAlert> {
        self.find_cause::<PeerAlert>().copied()
    }

    /// The first cause of type `T` along the source chain (looking inside `io::Error`s).
    fn find_cause<T: StdError + 'static>(&self) -> Option<&T> {
        let mut cause: Option<&(dyn StdError + 'static)> = match self {
            TlsError::Handshake { source, .. } | TlsError::Backend { source, .. } => Some(&**source),
            other => other.source(),
        };
        while let Some(e) = cause {
            if let Some(found) = e.downcast_ref::<T>() {
                return Some(found);
            }
            let inner =
                e.downcast_ref::<io::Error>().and_then(|io| io.get_ref()).map(|i| i as &(dyn StdError + 'static));
            cause = inner.or_else(|| e.source());
        }
        None
    }

    /// A file that was read but does not hold what it should (for backends: their PEM parse
    /// failures): `File` with an [`io::ErrorKind::InvalidData`] source saying why.
    ///
    /// ```
    /// let e = net::tls::TlsError::invalid_file("key file", "k.pem".as_ref(), "not a PEM private key");
    /// assert_eq!(e.to_string(), "could not load key file \"k.pem\"");
    /// assert_eq!(std::error::Error::source(&e).unwrap().to_string(), "not a PEM private key");
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
