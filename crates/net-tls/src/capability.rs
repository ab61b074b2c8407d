//! What each backend can do, answered before a context is made.

use std::fmt;

use crate::error::TlsError;
use crate::options::{BackendKind, ClientAuth, ContextOptions, ProtocolVersion, VerifyMode};

/// One thing a context can be asked for that not every backend can do.
///
/// ```
/// use net::tls::Capability;
/// assert_eq!(Capability::Psk.to_string(), "PSK (pre-shared keys)");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Capability {
    /// `ProtocolVersion::TlsV1`.
    Tls10,
    /// `ProtocolVersion::TlsV1_1`.
    Tls11,
    /// `ProtocolVersion::TlsV1_2`.
    Tls12,
    /// `ProtocolVersion::TlsV1_3`.
    Tls13,
    /// `cipher_list`: OpenSSL cipher strings for TLS 1.2 and below.
    CipherList,
    /// `cipher_suites`: choosing the TLS 1.3 suites.
    Tls13CipherSuites,
    /// `ca_file`.
    CaFile,
    /// `ca_dir`.
    CaDir,
    /// `VerifyMode::PeerUseEnvVars`: roots from `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    EnvVarRoots,
    /// A client presenting its own certificate (`cert_file` on a client).
    ClientCertificate,
    /// A server asking for client certificates (`client_auth`).
    ClientAuth,
    /// `session_id_context`.
    SessionIdContext,
    /// PSK: identity hint, client and server callbacks, `psk_identity`.
    Psk,
    /// ALPN.
    Alpn,
    /// `peer_certificates` giving the verified chain up to the root (else: what the peer sent).
    VerifiedChain,
    /// `bundled_roots`: the Mozilla roots bundled with the program (webpki-roots) instead of
    /// the system's.
    BundledRoots,
    /// `crl_file`: servers' certificates checked against revocation lists.
    Crl,
    /// `session_resumption`: clients resume the sessions they remember (by server name and
    /// port), servers issue tickets, and both can be turned off; `SessionInfo::resumed` tells.
    SessionResumption,
}

impl Capability {
    /// Every capability, in a stable order (the rows of `docs/tls-backends.md`). A slice, so
    /// that adding a capability is not a breaking change.
    ///
    /// ```
    /// use net::tls::Capability;
    /// assert!(Capability::ALL.contains(&Capability::Alpn));
    /// ```
    pub const ALL: &'static [Capability] = &[
        Capability::Tls10,
        Capability::Tls11,
        Capability::Tls12,
        Capability::Tls13,
        Capability::CipherList,
        Capability::Tls13CipherSuites,
        Capability::CaFile,
        Capability::CaDir,
        Capability::EnvVarRoots,
        Capability::ClientCertificate,
        Capability::ClientAuth,
        Capability::SessionIdContext,
        Capability::Psk,
        Capability::Alpn,
        Capability::VerifiedChain,
        Capability::BundledRoots,
        Capability::Crl,
        Capability::SessionResumption,
    ];
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::Tls10 => "TLS 1.0",
            Capability::Tls11 => "TLS 1.1",
            Capability::Tls12 => "TLS 1.2",
            Capability::Tls13 => "TLS 1.3",
            Capability::CipherList => "cipher list (TLS 1.2 and below)",
            Capability::Tls13CipherSuites => "TLS 1.3 cipher suites",
            Capability::CaFile => "CA file",
            Capability::CaDir => "CA directory",
            Capability::EnvVarRoots => "SSL_CERT_FILE / SSL_CERT_DIR (PeerUseEnvVars)",
            Capability::ClientCertificate => "client certificate",
            Capability::ClientAuth => "server asks for client certificates",
            Capability::SessionIdContext => "session id context",
            Capability::Psk => "PSK (pre-shared keys)",
            Capability::Alpn => "ALPN",
            Capability::VerifiedChain => "peer_certificates: verified chain up to the root",
            Capability::BundledRoots => "bundled Mozilla roots (webpki-roots) instead of the system's",
            Capability::Crl => "certificate revocation lists (crl_file)",
            Capability::SessionResumption => "session resumption (chosen on or off, reported)",
        })
    }
}

/// The set of capabilities of one backend.
///
/// ```
/// use net::tls::{Capabilities, Capability};
/// let caps = Capabilities::from_iter([Capability::Tls12, Capability::Tls13]);
/// assert!(caps.contains(Capability::Tls13));
/// assert!(!caps.contains(Capability::Psk));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Capabilities(u32);

impl Capabilities {
    fn bit(c: Capability) -> u32 {
        1 << Capability::ALL.iter().position(|&x| x == c).unwrap_or(31)
    }

    /// Whether `c` is in the set.
    ///
    /// ```
    /// assert!(!net::tls::Capabilities::default().contains(net::tls::Capability::Alpn));
    /// ```
    pub fn contains(self, c: Capability) -> bool {
        self.0 & Self::bit(c) != 0
    }

    /// The set with `c` added.
    ///
    /// ```
    /// use net::tls::{Capabilities, Capability};
    /// assert!(Capabilities::default().with(Capability::Alpn).contains(Capability::Alpn));
    /// ```
    #[must_use]
    pub fn with(self, c: Capability) -> Self {
        Capabilities(self.0 | Self::bit(c))
    }

    /// The capabilities in the set, in [`Capability::ALL`] order.
    ///
    /// ```
    /// use net::tls::{Capabilities, Capability};
    /// let caps = Capabilities::from_iter([Capability::Alpn]);
    /// assert_eq!(caps.iter().collect::<Vec<_>>(), [Capability::Alpn]);
    /// ```
    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL.iter().copied().filter(move |&c| self.contains(c))
    }
}

impl FromIterator<Capability> for Capabilities {
    fn from_iter<I: IntoIterator<Item = Capability>>(iter: I) -> Self {
        iter.into_iter().fold(Capabilities::default(), Capabilities::with)
    }
}

impl fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// A backend that has `capability`, among those this crate knows of, for error hints.
///
/// ```
/// use net::tls::{backend_with, BackendKind, Capability};
/// assert_eq!(backend_with(Capability::Psk, BackendKind::Rustls), Some(BackendKind::OpenSsl));
/// ```
pub fn backend_with(capability: Capability, not: BackendKind) -> Option<BackendKind> {
    BackendKind::ALL.iter().copied().find(|&k| k != not && known_capabilities(k).contains(capability))
}

/// The published capabilities of each backend. Each backend's `capabilities()` must return
/// exactly this (a test checks it), so hints can name a backend that is not compiled in.
///
/// ```
/// use net::tls::{known_capabilities, BackendKind, Capability};
/// assert!(known_capabilities(BackendKind::OpenSsl).contains(Capability::Psk));
/// ```
pub fn known_capabilities(kind: BackendKind) -> Capabilities {
    use Capability as C;
    match kind {
        BackendKind::Rustls => Capabilities::from_iter([
            C::Tls12,
            C::Tls13,
            C::Tls13CipherSuites,
            C::CaFile,
            C::CaDir,
            C::EnvVarRoots,
            C::ClientCertificate,
            C::ClientAuth,
            C::Alpn,
            C::BundledRoots,
            C::Crl,
            C::SessionResumption,
        ]),
        // Everything but the bundled roots: webpki-roots holds trust anchors (names and
        // keys), not the certificates OpenSSL's store takes.
        BackendKind::OpenSsl => {
            Capabilities::from_iter(Capability::ALL.iter().copied().filter(|&c| c != C::BundledRoots))
        }
        // No TLS 1.0/1.1: OpenSSL 3 (native-tls on Linux) allows them only at security
        // level 0, which native-tls cannot set. No pinned TLS 1.3: native-tls servers on
        // OpenSSL turn it off (clients still negotiate it under `ProtocolVersion::Any`). No
        // session resumption: native-tls neither keeps client sessions nor says whether a
        // session was resumed, and its servers resume what clients offer (OpenSSL's cache and
        // tickets) with no way to turn that off.
        BackendKind::NativeTls => {
            Capabilities::from_iter([C::Tls12, C::CaFile, C::CaDir, C::EnvVarRoots, C::ClientCertificate, C::Alpn])
        }
    }
}

/// The capability matrix of every backend as a Markdown document: the text of
/// `docs/tls-backends.md`, which `cargo xtask tls-doc` writes and a test keeps in step.
///
/// ```
/// let doc = net::tls::capability_matrix_markdown();
/// assert!(doc.contains("| PSK (pre-shared keys) |"));
/// ```
pub fn capability_matrix_markdown() -> String {
    let mut out = String::from(
        "# TLS backends: what each can do\n\n\
         Generated from `net_tls::known_capabilities` by `cargo xtask tls-doc`; every backend's\n\
         `capabilities()` returns exactly this (tested). Asking a backend for something marked\n\
         \"no\" fails when the context is made, with `TlsError::Unsupported` naming a backend that\n\
         can. Do not edit by hand.\n\n| capability |",
    );
    for &kind in BackendKind::ALL {
        out.push_str(&format!(" {kind} |"));
    }
    out.push_str("\n| --- |");
    for _ in BackendKind::ALL {
        out.push_str(" --- |");
    }
    out.push('\n');
    for &capability in Capability::ALL {
        out.push_str(&format!("| {capability} |"));
        for &kind in BackendKind::ALL {
            out.push_str(if known_capabilities(kind).contains(capability) { " yes |" } else { " no |" });
        }
        out.push('\n');
    }
    out
}

/// The capabilities `options` ask for, in the order they are checked. Every context checks
/// them against its backend's table before the backend sees the options: what a backend
/// refuses is the table, written once.
///
/// ```
/// use net::tls::{required_capabilities, Capability, ContextOptions};
/// let opts = ContextOptions::new().cipher_list("HIGH").alpn(["h2"]);
/// assert_eq!(required_capabilities(&opts), [Capability::CipherList, Capability::Alpn]);
/// ```
pub fn required_capabilities(options: &ContextOptions) -> Vec<Capability> {
    use Capability as C;
    let mut need = Vec::new();
    match options.protocol {
        ProtocolVersion::TlsV1 => need.push(C::Tls10),
        ProtocolVersion::TlsV1_1 => need.push(C::Tls11),
        ProtocolVersion::TlsV1_2 => need.push(C::Tls12),
        ProtocolVersion::TlsV1_3 => need.push(C::Tls13),
        _ => {}
    }
    let asks = [
        (options.cipher_list.is_some(), C::CipherList),
        (options.cipher_suites.is_some(), C::Tls13CipherSuites),
        (options.ca_file.is_some(), C::CaFile),
        (options.ca_dir.is_some(), C::CaDir),
        (options.verify_mode == VerifyMode::PeerUseEnvVars, C::EnvVarRoots),
        (options.client_auth != ClientAuth::None, C::ClientAuth),
        (options.session_id_context.is_some(), C::SessionIdContext),
        (options.psk_identity_hint.is_some() || options.psk_client.is_some() || options.psk_server.is_some(), C::Psk),
        (!options.alpn.is_empty(), C::Alpn),
        (options.bundled_roots, C::BundledRoots),
        (options.crl_file.is_some(), C::Crl),
        (options.session_resumption == Some(true), C::SessionResumption),
    ];
    need.extend(asks.into_iter().filter(|(asked, _)| *asked).map(|(_, c)| c));
    need
}

/// For backends (and every context): refuses, with [`TlsError::Unsupported`], the first
/// capability `options` ask for that `kind`'s table lacks. Each backend's `new_context` calls
/// it first, so a backend refuses exactly what its table says, however it is reached.
///
/// ```
/// use net::tls::{refuse_missing, BackendKind, Capability, ContextOptions, TlsError};
/// let psk = ContextOptions::new().psk_identity_hint("hint");
/// let err = refuse_missing(BackendKind::Rustls, &psk).unwrap_err();
/// assert!(matches!(err, TlsError::Unsupported { capability: Capability::Psk, .. }));
/// assert!(refuse_missing(BackendKind::OpenSsl, &psk).is_ok());
/// ```
pub fn refuse_missing(kind: BackendKind, options: &ContextOptions) -> Result<(), TlsError> {
    let table = known_capabilities(kind);
    match required_capabilities(options).into_iter().find(|&c| !table.contains(c)) {
        Some(missing) => Err(TlsError::unsupported(kind, missing)),
        None => Ok(()),
    }
}
