//! Backend-neutral TLS configuration (Nim's `newContext` parameters and context setters).

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which TLS library a context uses.
///
/// ```
/// use net::tls::BackendKind;
/// assert_eq!(BackendKind::Rustls.name(), "rustls");
/// assert_eq!("openssl".parse::<BackendKind>().unwrap(), BackendKind::OpenSsl);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum BackendKind {
    /// rustls with the ring provider (crate `net-tls-rustls`).
    Rustls,
    /// The system OpenSSL (crate `net-tls-openssl`).
    OpenSsl,
    /// native-tls, the platform's TLS library: the system OpenSSL on Linux, the platform
    /// built and tested (crate `net-tls-native`).
    NativeTls,
}

impl BackendKind {
    /// Every backend, in the fixed order of the default choice. A slice, so that adding a
    /// backend is not a breaking change.
    ///
    /// ```
    /// use net::tls::BackendKind;
    /// assert_eq!(BackendKind::ALL.first(), Some(&BackendKind::Rustls));
    /// ```
    pub const ALL: &'static [BackendKind] = &[BackendKind::Rustls, BackendKind::OpenSsl, BackendKind::NativeTls];

    /// The backend's name, as in `NET_TLS_BACKEND` and the cargo feature.
    ///
    /// ```
    /// assert_eq!(net::tls::BackendKind::NativeTls.name(), "native-tls");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            BackendKind::Rustls => "rustls",
            BackendKind::OpenSsl => "openssl",
            BackendKind::NativeTls => "native-tls",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for BackendKind {
    type Err = crate::TlsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        BackendKind::ALL.iter().copied().find(|k| k.name().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            crate::TlsError::Config {
                what: format!("unknown TLS backend {s:?} (expected rustls, openssl or native-tls)"),
            }
        })
    }
}

/// The protocol versions a context allows (Nim's `SslProtVersion`).
///
/// ```
/// use net::tls::ProtocolVersion;
/// assert_eq!(ProtocolVersion::default(), ProtocolVersion::Any);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[doc(alias = "SslProtVersion")]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// SSL 2: broken; refused with a clear error.
    #[doc(alias = "protSSLv2")]
    SslV2,
    /// SSL 3: broken; refused with a clear error.
    #[doc(alias = "protSSLv3")]
    SslV3,
    /// TLS 1.0 only.
    #[doc(alias = "protTLSv1")]
    TlsV1,
    /// TLS 1.1 only.
    TlsV1_1,
    /// TLS 1.2 only.
    TlsV1_2,
    /// TLS 1.3 only.
    TlsV1_3,
    /// Whatever both sides support, from the backend's secure default (Nim's `protSSLv23`).
    #[default]
    #[doc(alias = "protSSLv23")]
    Any,
}

/// How the peer's certificate is checked (Nim's `SslCVerifyMode`).
///
/// ```
/// assert_eq!(net::tls::VerifyMode::default(), net::tls::VerifyMode::Peer);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[doc(alias = "SslCVerifyMode")]
#[non_exhaustive]
pub enum VerifyMode {
    /// Nothing is checked: neither the chain nor the name.
    #[doc(alias = "CVerifyNone")]
    None,
    /// The chain must lead to a trusted root and the certificate must match the host name or
    /// IP address.
    #[default]
    #[doc(alias = "CVerifyPeer")]
    Peer,
    /// As `Peer`, with the roots of `SSL_CERT_FILE` / `SSL_CERT_DIR` when they are set.
    #[doc(alias = "CVerifyPeerUseEnvVars")]
    PeerUseEnvVars,
}

/// Whether a server asks clients for a certificate (mutual TLS).
///
/// Nim asks whenever a server context has `CVerifyPeer`; here it is explicit, so a server made
/// with the default options works on every backend.
///
/// ```
/// assert_eq!(net::tls::ClientAuth::default(), net::tls::ClientAuth::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ClientAuth {
    /// Do not ask.
    #[default]
    None,
    /// Ask, and verify a certificate if one is sent.
    Optional,
    /// Ask, and fail the handshake without a valid certificate.
    Required,
}

/// Which side of the handshake a socket plays (Nim's `SslHandshakeType`).
///
/// ```
/// let side = net::tls::HandshakeSide::Client;
/// assert_ne!(side, net::tls::HandshakeSide::Server);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[doc(alias = "SslHandshakeType")]
#[non_exhaustive]
pub enum HandshakeSide {
    /// Connect as a client.
    #[doc(alias = "handshakeAsClient")]
    Client,
    /// Accept as a server.
    #[doc(alias = "handshakeAsServer")]
    Server,
}

/// What a non-blocking TLS accept found (Nim's `SslAcceptResult`).
///
/// ```
/// assert_ne!(net::tls::AcceptResult::NoClient, net::tls::AcceptResult::Success);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[doc(alias = "SslAcceptResult")]
#[non_exhaustive]
pub enum AcceptResult {
    /// No client was waiting.
    #[doc(alias = "AcceptNoClient")]
    NoClient,
    /// A client connected but the handshake failed.
    #[doc(alias = "AcceptNoHandshake")]
    NoHandshake,
    /// A client connected and the handshake succeeded.
    #[doc(alias = "AcceptSuccess")]
    Success,
}

/// A certificate in DER form (Nim's `Certificate`).
///
/// ```
/// let c = net::tls::Certificate::from(vec![0x30, 0x00]);
/// assert_eq!(c.as_der(), &[0x30, 0x00]);
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Certificate(pub Vec<u8>);

impl Certificate {
    /// The DER bytes.
    ///
    /// ```
    /// assert!(net::tls::Certificate(vec![1]).as_der().len() == 1);
    /// ```
    pub fn as_der(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Certificate {
    fn from(der: Vec<u8>) -> Self {
        Certificate(der)
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Certificate({} bytes DER)", self.0.len())
    }
}

/// A PKCS#12 file and its password ([`ContextOptions::pkcs12`]). `Debug` does not show the
/// password.
///
/// ```
/// let o = net::tls::ContextOptions::new().pkcs12("id.p12", "hunter2");
/// assert!(!format!("{o:?}").contains("hunter2"));
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pkcs12File {
    /// The file.
    pub path: PathBuf,
    /// Its password (empty for none).
    pub password: String,
}

impl fmt::Debug for Pkcs12File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12File").field("path", &self.path).finish_non_exhaustive()
    }
}

/// Client side of PSK: given the server's identity hint, the identity and key to use, or
/// `None` to give up (Nim's `SslClientGetPskFunc`).
///
/// ```
/// let f: net::tls::PskClientCallback = std::sync::Arc::new(|_hint| Some(("user".into(), b"key".to_vec())));
/// assert_eq!(f("hint").unwrap().0, "user");
/// ```
#[doc(alias = "SslClientGetPskFunc")]
pub type PskClientCallback = Arc<dyn Fn(&str) -> Option<(String, Vec<u8>)> + Send + Sync>;

/// Server side of PSK: given the client's identity, its key, or `None` to refuse (Nim's
/// `SslServerGetPskFunc`).
///
/// ```
/// let f: net::tls::PskServerCallback = std::sync::Arc::new(|id| (id == "user").then(|| b"key".to_vec()));
/// assert!(f("someone else").is_none());
/// ```
#[doc(alias = "SslServerGetPskFunc")]
pub type PskServerCallback = Arc<dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync>;

/// Everything a TLS context can be asked for (Nim's `newContext` parameters and setters).
///
/// A backend that cannot honour an option refuses it when the context is made, with
/// [`TlsError::Unsupported`](crate::TlsError::Unsupported): nothing is silently ignored.
///
/// ```
/// use net::tls::{ContextOptions, VerifyMode};
/// let opts = ContextOptions::new().verify_mode(VerifyMode::None).alpn(["http/1.1"]);
/// assert_eq!(opts.verify_mode, VerifyMode::None);
/// ```
#[derive(Clone)]
#[must_use]
#[non_exhaustive]
pub struct ContextOptions {
    /// The backend to use; `None` lets the facade choose (see `net::tls`).
    pub backend: Option<BackendKind>,
    /// Allowed protocol versions.
    pub protocol: ProtocolVersion,
    /// How the peer's certificate is checked.
    pub verify_mode: VerifyMode,
    /// Our certificate chain, leaf first (PEM, or DER); needed by servers (unless `pkcs12`
    /// gives it), optional for clients.
    pub cert_file: Option<PathBuf>,
    /// Our private key (PEM or DER; PKCS#8, PKCS#1 or SEC1).
    pub key_file: Option<PathBuf>,
    /// Our certificate chain and key as one PKCS#12 file, instead of `cert_file` and
    /// `key_file`.
    pub pkcs12: Option<Pkcs12File>,
    /// OpenSSL cipher string for TLS 1.2 and below; `None` keeps the backend's default.
    pub cipher_list: Option<String>,
    /// TLS 1.3 suites, `:`-separated IANA names; `None` keeps the backend's default.
    pub cipher_suites: Option<String>,
    /// A PEM file of trusted roots.
    pub ca_file: Option<PathBuf>,
    /// A directory of PEM files of trusted roots.
    pub ca_dir: Option<PathBuf>,
    /// Trust exactly this certificate (PEM or DER file): a server is accepted when it presents
    /// it as its own, whatever its chain, dates, names or CA flag, and refused otherwise.
    /// Replaces the roots when verifying servers; `VerifyMode::None` still checks nothing.
    pub pinned_certificate: Option<PathBuf>,
    /// Trust the Mozilla roots bundled with webpki-roots instead of the system's, when no
    /// other root is named (rustls only: see `Capability::BundledRoots`).
    pub bundled_roots: bool,
    /// Certificate revocation lists (a PEM or DER file): a server certificate they revoke is
    /// refused (`CertificateReason::Revoked`), and so is one whose issuer has no list in the
    /// file (its status is unknown). Checks the server's own certificate (`Capability::Crl`).
    pub crl_file: Option<PathBuf>,
    /// Whether servers ask for client certificates.
    pub client_auth: ClientAuth,
    /// The session id context (at most 32 bytes), for session resumption on servers.
    pub session_id_context: Option<Vec<u8>>,
    /// The PSK identity hint a server sends.
    pub psk_identity_hint: Option<String>,
    /// Client PSK callback.
    pub psk_client: Option<PskClientCallback>,
    /// Server PSK callback.
    pub psk_server: Option<PskServerCallback>,
    /// ALPN protocols, most preferred first.
    pub alpn: Vec<Vec<u8>>,
    /// Bound for the whole of every handshake of the context (in `accept`,
    /// `wrap_connected_socket` and `connect`); [`DEFAULT_HANDSHAKE_TIMEOUT`] unless changed,
    /// `None` for no bound.
    pub handshake_timeout: Option<Duration>,
    /// Session resumption: `None` (the default) resumes where the backend can, `Some(true)`
    /// insists (a backend that cannot refuses the context), `Some(false)` turns it off. See
    /// [`ContextOptions::session_resumption`].
    pub session_resumption: Option<bool>,
}

/// How long a handshake may take unless the context says otherwise: a TLS listener's
/// `accept` then cannot hang on a client that connects and sends nothing, or stalls (or
/// drips bytes) mid-handshake. [`ContextOptions::handshake_timeout`] changes it and
/// [`ContextOptions::no_handshake_timeout`] turns it off.
///
/// ```
/// use net::tls::{ContextOptions, DEFAULT_HANDSHAKE_TIMEOUT};
/// assert_eq!(DEFAULT_HANDSHAKE_TIMEOUT, std::time::Duration::from_secs(10));
/// assert_eq!(ContextOptions::new().handshake_timeout, Some(DEFAULT_HANDSHAKE_TIMEOUT));
/// ```
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

impl Default for ContextOptions {
    fn default() -> Self {
        ContextOptions {
            backend: None,
            protocol: ProtocolVersion::default(),
            verify_mode: VerifyMode::default(),
            cert_file: None,
            key_file: None,
            pkcs12: None,
            cipher_list: None,
            cipher_suites: None,
            ca_file: None,
            ca_dir: None,
            pinned_certificate: None,
            bundled_roots: false,
            crl_file: None,
            client_auth: ClientAuth::default(),
            session_id_context: None,
            psk_identity_hint: None,
            psk_client: None,
            psk_server: None,
            alpn: Vec::new(),
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            session_resumption: None,
        }
    }
}

impl fmt::Debug for ContextOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContextOptions")
            .field("backend", &self.backend)
            .field("protocol", &self.protocol)
            .field("verify_mode", &self.verify_mode)
            .field("cert_file", &self.cert_file)
            .field("key_file", &self.key_file)
            .field("pkcs12", &self.pkcs12)
            .field("cipher_list", &self.cipher_list)
            .field("cipher_suites", &self.cipher_suites)
            .field("ca_file", &self.ca_file)
            .field("ca_dir", &self.ca_dir)
            .field("pinned_certificate", &self.pinned_certificate)
            .field("bundled_roots", &self.bundled_roots)
            .field("crl_file", &self.crl_file)
            .field("client_auth", &self.client_auth)
            .field("session_id_context", &self.session_id_context)
            .field("psk_identity_hint", &self.psk_identity_hint)
            .field("psk_client", &self.psk_client.is_some())
            .field("psk_server", &self.psk_server.is_some())
            .field("alpn", &self.alpn)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("session_resumption", &self.session_resumption)
            .finish()
    }
}

impl ContextOptions {
    /// Nim's defaults: any modern version, `VerifyMode::Peer`, the system roots.
    ///
    /// ```
    /// let opts = net::tls::ContextOptions::new();
    /// assert!(opts.cert_file.is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses this backend.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().backend(net::tls::BackendKind::Rustls);
    /// assert_eq!(o.backend, Some(net::tls::BackendKind::Rustls));
    /// ```
    pub fn backend(mut self, backend: BackendKind) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Sets the allowed protocol versions.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().protocol(net::tls::ProtocolVersion::TlsV1_3);
    /// assert_eq!(o.protocol, net::tls::ProtocolVersion::TlsV1_3);
    /// ```
    pub fn protocol(mut self, protocol: ProtocolVersion) -> Self {
        self.protocol = protocol;
        self
    }

    /// Sets how the peer is verified.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().verify_mode(net::tls::VerifyMode::PeerUseEnvVars);
    /// assert_eq!(o.verify_mode, net::tls::VerifyMode::PeerUseEnvVars);
    /// ```
    pub fn verify_mode(mut self, mode: VerifyMode) -> Self {
        self.verify_mode = mode;
        self
    }

    /// Sets our certificate chain and key. Each file may be PEM or DER (told apart by
    /// content); the key may be PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
    /// (`EC PRIVATE KEY`). Every backend takes every form; a key that is not the
    /// certificate's is refused when the context is made, naming both files.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().cert_and_key("cert.pem", "key.der");
    /// assert!(o.cert_file.is_some() && o.key_file.is_some());
    /// ```
    pub fn cert_and_key(mut self, cert_file: impl Into<PathBuf>, key_file: impl Into<PathBuf>) -> Self {
        self.cert_file = Some(cert_file.into());
        self.key_file = Some(key_file.into());
        self
    }

    /// Sets our certificate chain and key from a PKCS#12 (`.p12`, `.pfx`) file and its
    /// password, on every backend (instead of [`ContextOptions::cert_and_key`]).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().pkcs12("server.p12", "secret");
    /// assert_eq!(o.pkcs12.unwrap().path, std::path::PathBuf::from("server.p12"));
    /// ```
    #[doc(alias = "pfx")]
    pub fn pkcs12(mut self, path: impl Into<PathBuf>, password: impl Into<String>) -> Self {
        self.pkcs12 = Some(Pkcs12File { path: path.into(), password: password.into() });
        self
    }

    /// Sets the OpenSSL cipher string for TLS 1.2 and below.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().cipher_list("ECDHE+AESGCM");
    /// assert_eq!(o.cipher_list.as_deref(), Some("ECDHE+AESGCM"));
    /// ```
    pub fn cipher_list(mut self, list: impl Into<String>) -> Self {
        self.cipher_list = Some(list.into());
        self
    }

    /// Sets the TLS 1.3 suites (`:`-separated IANA names).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().cipher_suites("TLS_AES_128_GCM_SHA256");
    /// assert!(o.cipher_suites.is_some());
    /// ```
    pub fn cipher_suites(mut self, suites: impl Into<String>) -> Self {
        self.cipher_suites = Some(suites.into());
        self
    }

    /// Trusts the roots in this PEM file.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().ca_file("ca.pem");
    /// assert!(o.ca_file.is_some());
    /// ```
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Trusts the roots in the PEM files of this directory.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().ca_dir("/etc/ssl/certs");
    /// assert!(o.ca_dir.is_some());
    /// ```
    pub fn ca_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_dir = Some(path.into());
        self
    }

    /// Trusts exactly this certificate (a PEM or DER file), on every backend: the server must
    /// present it as its own certificate, and nothing else about it is checked (not its
    /// chain, dates, names or CA flag: you chose it). A self-signed certificate from
    /// `openssl req -x509`, which is a CA certificate, works this way on every backend.
    /// Another certificate is refused with `CertificateReason::NotPinned`.
    ///
    /// ```
    /// use net::tls::{new_context, ContextOptions};
    /// let pin = concat!(env!("NET_DOC_PKI"), "/chain.pem"); // the leaf comes first
    /// let ctx = new_context(ContextOptions::new().pinned_certificate(pin))?;
    /// # let _ = ctx;
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn pinned_certificate(mut self, path: impl Into<PathBuf>) -> Self {
        self.pinned_certificate = Some(path.into());
        self
    }

    /// Trusts the Mozilla roots bundled with the program (webpki-roots) instead of the
    /// system's, when no CA file, directory or variable names roots. rustls only; another
    /// backend refuses it with `TlsError::Unsupported` when the context is made.
    ///
    /// ```
    /// use net::tls::{new_context, BackendKind, ContextOptions};
    /// let ctx = new_context(ContextOptions::new().backend(BackendKind::Rustls).bundled_roots())?;
    /// assert_eq!(ctx.backend(), BackendKind::Rustls);
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn bundled_roots(mut self) -> Self {
        self.bundled_roots = true;
        self
    }

    /// Checks the server's certificate against these revocation lists (a PEM or DER file of
    /// CRLs from the CAs that issue servers' certificates): a revoked certificate is refused
    /// with `CertificateReason::Revoked`, and so is one whose issuer has no list here. rustls
    /// and openssl; native-tls refuses it when the context is made (`Capability::Crl`).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().crl_file("revoked.pem");
    /// assert!(o.crl_file.is_some());
    /// ```
    pub fn crl_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.crl_file = Some(path.into());
        self
    }

    /// Makes a server ask for client certificates.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().client_auth(net::tls::ClientAuth::Required);
    /// assert_eq!(o.client_auth, net::tls::ClientAuth::Required);
    /// ```
    pub fn client_auth(mut self, auth: ClientAuth) -> Self {
        self.client_auth = auth;
        self
    }

    /// Sets the session id context (Nim's `sessionIdContext=`); more than 32 bytes is an error
    /// when the context is made.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().session_id_context("myapp-v1");
    /// assert_eq!(o.session_id_context.as_deref(), Some(&b"myapp-v1"[..]));
    /// ```
    #[doc(alias = "sessionIdContext=")]
    pub fn session_id_context(mut self, context: impl Into<Vec<u8>>) -> Self {
        self.session_id_context = Some(context.into());
        self
    }

    /// Sets the PSK identity hint a server sends (Nim's `pskIdentityHint=`).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().psk_identity_hint("hint");
    /// assert!(o.psk_identity_hint.is_some());
    /// ```
    #[doc(alias = "pskIdentityHint=")]
    pub fn psk_identity_hint(mut self, hint: impl Into<String>) -> Self {
        self.psk_identity_hint = Some(hint.into());
        self
    }

    /// Sets the client PSK callback (Nim's `clientGetPskFunc=`).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().psk_client(|_hint| Some(("user".into(), b"key".to_vec())));
    /// assert!(o.psk_client.is_some());
    /// ```
    #[doc(alias = "clientGetPskFunc=")]
    pub fn psk_client(mut self, f: impl Fn(&str) -> Option<(String, Vec<u8>)> + Send + Sync + 'static) -> Self {
        self.psk_client = Some(Arc::new(f));
        self
    }

    /// Sets the server PSK callback (Nim's `serverGetPskFunc=`).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().psk_server(|id| (id == "user").then(|| b"key".to_vec()));
    /// assert!(o.psk_server.is_some());
    /// ```
    #[doc(alias = "serverGetPskFunc=")]
    pub fn psk_server(mut self, f: impl Fn(&str) -> Option<Vec<u8>> + Send + Sync + 'static) -> Self {
        self.psk_server = Some(Arc::new(f));
        self
    }

    /// Sets the ALPN protocols, most preferred first.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().alpn(["h2", "http/1.1"]);
    /// assert_eq!(o.alpn.len(), 2);
    /// ```
    pub fn alpn<I, P>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        self.alpn = protocols.into_iter().map(|p| p.as_ref().to_vec()).collect();
        self
    }

    /// Bounds the whole of each handshake (default [`DEFAULT_HANDSHAKE_TIMEOUT`]), against
    /// a peer that sends nothing as against one that drips bytes. A handshake that runs out
    /// fails with `net_core::Error::Timeout` (op `"handshake"`) and its connection is closed.
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().handshake_timeout(std::time::Duration::from_secs(5));
    /// assert_eq!(o.handshake_timeout, Some(std::time::Duration::from_secs(5)));
    /// ```
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = Some(timeout);
        self
    }

    /// Lets handshakes take as long as the peer likes (a `connect_timeout` still bounds its
    /// own).
    ///
    /// ```
    /// let o = net::tls::ContextOptions::new().no_handshake_timeout();
    /// assert_eq!(o.handshake_timeout, None);
    /// ```
    pub fn no_handshake_timeout(mut self) -> Self {
        self.handshake_timeout = None;
        self
    }

    /// Turns session resumption on or off; without this call it is on wherever the backend
    /// can do it (rustls, openssl), and native-tls does what its crate does.
    ///
    /// On, a client context remembers the sessions its servers offer, by server name and
    /// port, and the next connection to the same name and port resumes one (fewer round
    /// trips, no certificate exchange); a server context issues session tickets. A session
    /// is only ever resumed by the context that made it, for the name it was verified for.
    /// Off, clients offer no session and servers issue none. `SessionInfo::resumed` tells
    /// whether a socket's session was resumed.
    ///
    /// `true` is a requirement: a backend that cannot resume refuses the context with
    /// `TlsError::Unsupported` (`Capability::SessionResumption`).
    ///
    /// ```
    /// use net::tls::{ContextOptions, TlsError};
    /// let off = ContextOptions::new().session_resumption(false);
    /// assert_eq!(off.session_resumption, Some(false));
    /// assert_eq!(ContextOptions::new().session_resumption, None, "on where the backend can");
    /// assert!(net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &off).is_ok());
    /// # Ok::<(), TlsError>(())
    /// ```
    pub fn session_resumption(mut self, on: bool) -> Self {
        self.session_resumption = Some(on);
        self
    }
}
