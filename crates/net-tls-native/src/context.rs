//! `NativeTlsContext`: the options turned into a `TlsConnector` and a `TlsAcceptor`.

use std::any::Any;
use std::fmt;
use std::io;
use std::sync::Mutex;

use native_tls::{Certificate, HandshakeError, Identity, Protocol, TlsAcceptor, TlsConnector};
use net_core::SocketIo;
use net_tls::{
    pinned_certificate, BackendContext, BackendKind, Capability, ContextOptions, Identity as OwnIdentity,
    ProtocolVersion, RootSources, ServerIdentity, TlsError, TlsSession, VerifyMode,
};

use crate::second_look;
use crate::session::{printed_once, NativeIo, Session};
use crate::verify::{self, LeafCheck};

const KIND: BackendKind = BackendKind::NativeTls;

fn unsupported(capability: Capability) -> TlsError {
    TlsError::unsupported(KIND, capability)
}

fn backend_error(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TlsError {
    TlsError::backend(KIND, printed_once(e.into()))
}

/// The roots to trust: those the options name, else the system's as every backend finds them
/// (`RootSources::system`; native-tls's own search would read `SSL_CERT_FILE` and
/// `SSL_CERT_DIR` under `VerifyMode::Peer` too). `None` on macOS without named roots: the
/// system store is the Security framework's, which native-tls uses itself.
fn roots(options: &ContextOptions) -> Result<Option<Vec<Certificate>>, TlsError> {
    // PEM or DER, read by net-tls (which words its errors).
    let parse = |bytes: &[u8]| -> Result<Vec<Certificate>, String> {
        let certs = net_tls::parse_certificates(bytes)?;
        certs
            .iter()
            .map(|c| Certificate::from_der(c.as_der()).map_err(|e| without_source_paths(&e.to_string())))
            .collect()
    };
    let named = RootSources::from_options(options).load(parse)?;
    if cfg!(target_os = "macos") && named.is_none() {
        return Ok(None);
    }
    let certs = match named {
        Some(certs) => certs,
        None => RootSources::system().load(parse)?.unwrap_or_default(),
    };
    if certs.is_empty() {
        return Err(TlsError::NoCaCertificates);
    }
    Ok(Some(certs))
}

/// Our certificate chain and key (read by net-tls in whatever format, checked to match) as a
/// native-tls identity: native-tls takes PKCS#8 PEM, which net-tls gives for every format.
/// OpenSSL's own checks (a key too small, a mismatch net-tls cannot see, such as an Ed25519 key
/// written without its public half) run when a connector takes the identity, so one is made
/// here with nothing else: its refusal is about the key files alone.
fn identity(own: &OwnIdentity) -> Result<Identity, TlsError> {
    let refused = |e: native_tls::Error| own.key_error(without_source_paths(&e.to_string()));
    let id = Identity::from_pkcs8(own.chain_pem().as_bytes(), own.key_pem().as_bytes()).map_err(refused)?;
    TlsConnector::builder().identity(id.clone()).build().map_err(refused)?;
    Ok(id)
}

/// OpenSSL's error text (`error:0A00018F:SSL routines:SSL_CTX_use_PrivateKey:ee key too
/// small:../ssl/ssl_rsa.c:101:`, several joined by `, `) as its reasons alone, each once;
/// text of another shape is kept as it is.
fn without_source_paths(text: &str) -> String {
    let mut reasons: Vec<String> = Vec::new();
    for entry in text.split(", ") {
        // error : code : library : function : reason : file : line [: data]
        let fields: Vec<&str> = entry.splitn(8, ':').collect();
        if fields.len() < 7 || fields[0] != "error" {
            return text.to_owned();
        }
        let mut reason = fields[4].to_owned();
        if let Some(data) = fields.get(7).filter(|d| !d.is_empty()) {
            reason.push_str(&format!(" ({data})"));
        }
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    reasons.join("; ")
}

/// The ALPN protocols as strings (native-tls takes `&str`).
fn alpn(protocols: &[Vec<u8>]) -> Result<Vec<String>, TlsError> {
    protocols
        .iter()
        .map(|p| match String::from_utf8(p.clone()) {
            Ok(s) if !s.is_empty() && s.len() <= 255 => Ok(s),
            _ => {
                Err(TlsError::Config { what: format!("ALPN protocol {p:?}: native-tls needs 1 to 255 bytes of UTF-8") })
            }
        })
        .collect()
}

/// What a connector is made of, kept to make the one without SNI and name check on demand.
#[derive(Clone)]
struct ConnectorSpec {
    version: Option<Protocol>,
    verify: bool,
    roots: Option<Vec<Certificate>>,
    identity: Option<Identity>,
    alpn: Vec<String>,
}

impl ConnectorSpec {
    /// The connector; `named` false: no SNI and no name check (for an empty host name).
    fn build(&self, named: bool) -> Result<TlsConnector, TlsError> {
        let mut b = TlsConnector::builder();
        if let Some(v) = self.version {
            b.min_protocol_version(Some(v)).max_protocol_version(Some(v));
        }
        if !self.verify {
            b.danger_accept_invalid_certs(true).danger_accept_invalid_hostnames(true);
        }
        if !named {
            b.use_sni(false).danger_accept_invalid_hostnames(true);
        }
        if let Some(roots) = &self.roots {
            b.disable_built_in_roots(true);
            for root in roots {
                b.add_root_certificate(root.clone());
            }
        }
        if let Some(id) = &self.identity {
            b.identity(id.clone());
        }
        if !self.alpn.is_empty() {
            let protocols: Vec<&str> = self.alpn.iter().map(String::as_str).collect();
            b.request_alpns(&protocols);
        }
        b.build().map_err(backend_error)
    }

    /// The connector of a second look at a refused certificate: the same, verifying nothing.
    fn look(&self, named: bool) -> Result<TlsConnector, TlsError> {
        ConnectorSpec { verify: false, roots: Some(Vec::new()), ..self.clone() }.build(named)
    }
}

/// Who a client's handshake is with: the name it checks and its socket (for a second look).
#[derive(Clone, Copy)]
struct Peer<'a> {
    name: &'a str,
    io: &'a SocketIo,
}

/// A configured native-tls context: a connector for clients, an acceptor for servers (when
/// the options give a certificate).
pub struct NativeTlsContext {
    spec: ConnectorSpec,
    connector: TlsConnector,
    /// The connector for an empty host name, made when first needed.
    unnamed: Mutex<Option<TlsConnector>>,
    acceptor: Option<TlsAcceptor>,
    /// The version, when the options pin one (native-tls does not report it).
    pinned: Option<&'static str>,
    /// What a client checks on the server's leaf after native-tls accepted it.
    leaf_check: LeafCheck,
}

impl fmt::Debug for NativeTlsContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NativeTlsContext")
            .field("verify", &self.spec.verify)
            .field("server", &self.acceptor.is_some())
            .field("pinned", &self.pinned)
            .finish_non_exhaustive()
    }
}

impl NativeTlsContext {
    /// Builds the context, refusing what native-tls cannot do.
    pub(crate) fn new(options: &ContextOptions) -> Result<Self, TlsError> {
        // What the table lacks is refused there. Why it lacks it: OpenSSL 3 allows TLS 1.0/1.1
        // only at security level 0, which native-tls cannot set; native-tls servers on OpenSSL
        // are built from Mozilla's "intermediate" profile, which turns TLS 1.3 off, so a pinned
        // TLS 1.3 could never accept (clients still negotiate TLS 1.3 under `Any`); it takes no
        // cipher strings, session id context, PSK, client authentication, bundled roots or CRL.
        net_tls::refuse_missing(KIND, options)?;
        let (version, pinned) = match options.protocol {
            ProtocolVersion::Any => (None, None),
            ProtocolVersion::TlsV1_2 => (Some(Protocol::Tlsv12), Some("TLSv1.2")),
            other => return Err(TlsError::Config { what: format!("{other:?} is not supported") }),
        };
        // native-tls keeps no client session and cannot say whether one was resumed, so
        // resumption cannot be asked for; its servers (OpenSSL's session cache and tickets)
        // resume what clients offer and cannot be told not to, so a server cannot turn it off.
        // Its clients never resume: off is honoured there.
        let serves = options.cert_file.is_some() || options.pkcs12.is_some();
        if options.session_resumption == Some(false) && serves {
            return Err(unsupported(Capability::SessionResumption));
        }
        let own = OwnIdentity::from_options(options)?;
        let identity = own.as_ref().map(identity).transpose()?;
        let verify = options.verify_mode != VerifyMode::None;
        let pin = if verify { pinned_certificate(options)? } else { None };
        let leaf_check = match (&pin, verify) {
            (Some(pinned), _) => LeafCheck::Pinned(pinned.clone()),
            (None, true) => LeafCheck::NotCa,
            (None, false) => LeafCheck::Nothing,
        };
        let spec = ConnectorSpec {
            version,
            // A pinned certificate replaces the roots: native-tls checks nothing, `LeafCheck` does.
            verify: verify && pin.is_none(),
            roots: if verify && pin.is_none() { roots(options)? } else { None },
            identity: identity.clone(),
            alpn: alpn(&options.alpn)?,
        };
        // The acceptor first: OpenSSL checks our key there (its size, its use with the
        // certificate), and its refusal is about the key files, not a client setting.
        let acceptor = match (identity, &own) {
            (Some(id), Some(own)) => {
                let mut b = TlsAcceptor::builder(id);
                if let Some(v) = version {
                    b.min_protocol_version(Some(v)).max_protocol_version(Some(v));
                }
                if !spec.alpn.is_empty() {
                    b.accept_alpn(&spec.alpn);
                }
                Some(b.build().map_err(|e| own.key_error(without_source_paths(&e.to_string())))?)
            }
            _ => None,
        };
        let connector = spec.build(true)?;
        Ok(NativeTlsContext { spec, connector, unnamed: Mutex::new(None), acceptor, pinned, leaf_check })
    }

    /// The connector clients use (`native_tls::TlsConnector`).
    ///
    /// ```
    /// use net::tls::{Context, ContextOptions, VerifyMode};
    /// let ctx = Context::with_backend(&net::tls::native::NativeTlsBackend, &ContextOptions::new().verify_mode(VerifyMode::None))?;
    /// let native = ctx.backend_context().downcast_ref::<net::tls::native::NativeTlsContext>().unwrap();
    /// let _connector: &net::tls::native::native_tls::TlsConnector = native.connector();
    /// assert!(native.acceptor().is_none(), "no certificate: no server side");
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn connector(&self) -> &TlsConnector {
        &self.connector
    }

    /// The acceptor servers use, when the options gave a certificate.
    pub fn acceptor(&self) -> Option<&TlsAcceptor> {
        self.acceptor.as_ref()
    }

    fn unnamed(&self) -> Result<TlsConnector, TlsError> {
        let mut slot = self.unnamed.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = &*slot {
            return Ok(c.clone());
        }
        let made = self.spec.build(false)?;
        *slot = Some(made.clone());
        Ok(made)
    }

    /// The session of a handshake, or why it failed. A client (`peer`: the name it asked for)
    /// checks the server's leaf first (`LeafCheck`).
    fn established(
        &self,
        result: Result<native_tls::TlsStream<NativeIo>, HandshakeError<NativeIo>>,
        peer: Option<Peer<'_>>,
    ) -> Result<Box<dyn TlsSession>, TlsError> {
        match result {
            Ok(stream) => {
                if peer.is_some() {
                    if let Err(reason) = self.leaf_check.check(&stream) {
                        return Err(TlsError::Handshake { backend: KIND, source: Box::new(reason) });
                    }
                }
                Ok(Box::new(Session::new(stream, self.pinned)))
            }
            Err(HandshakeError::Failure(e)) => {
                let look = || {
                    let peer = peer?;
                    let connector = self.spec.look(!peer.name.is_empty()).ok()?;
                    second_look::peer_leaf(peer.io, &connector, peer.name)
                };
                let source = verify::handshake_failure(e, peer.map_or("", |p| p.name), look);
                Err(TlsError::Handshake { backend: KIND, source })
            }
            // Only when the call's deadline passed (the caller reports the timeout).
            Err(HandshakeError::WouldBlock(_)) => Err(TlsError::Handshake {
                backend: KIND,
                source: Box::new(io::Error::new(io::ErrorKind::TimedOut, "timed out")),
            }),
        }
    }
}

impl net_tls::__private::Sealed for NativeTlsContext {}

impl BackendContext for NativeTlsContext {
    fn connect(&self, io: SocketIo, hostname: &str) -> Result<Box<dyn TlsSession>, TlsError> {
        // A NUL byte is refused there: native-tls (through the openssl crate) would panic on it.
        let unnamed;
        let (connector, name) = match net_tls::classify_server_name(hostname)? {
            ServerIdentity::Unchecked => {
                unnamed = self.unnamed()?;
                (&unnamed, String::new())
            }
            // native-tls tells an address from a name by parsing it: give it the bare address.
            ServerIdentity::Ip(ip) => (&self.connector, ip.to_string()),
            ServerIdentity::Dns(name) => (&self.connector, name.to_owned()),
            other => return Err(TlsError::Config { what: format!("server name {other:?} is not supported") }),
        };
        let look_io = io.clone();
        let peer = Peer { name: &name, io: &look_io };
        self.established(connector.connect(&name, NativeIo::new(io, false)), Some(peer))
    }

    fn accept(&self, io: SocketIo) -> Result<Box<dyn TlsSession>, TlsError> {
        let Some(acceptor) = &self.acceptor else {
            return Err(TlsError::Config { what: "a server needs cert_file and key_file".into() });
        };
        self.established(acceptor.accept(NativeIo::new(io, true)), None)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod key_tests {
    use super::without_source_paths;

    #[test]
    fn openssl_errors_lose_their_source_paths() {
        let text = "error:0A00018F:SSL routines:SSL_CTX_use_PrivateKey:ee key too small:../ssl/ssl_rsa.c:101:, \
                    error:05800074:x509 certificate routines:X509_check_private_key:key values mismatch:crypto/x509/x509_cmp.c:405:";
        assert_eq!(without_source_paths(text), "ee key too small; key values mismatch");
        let data = "error:1E08010C:DECODER routines::unsupported:crypto/encode_decode/decoder_lib.c:102:No supported data to decode. Input type: DER";
        assert_eq!(without_source_paths(data), "unsupported (No supported data to decode. Input type: DER)");
        assert_eq!(without_source_paths("a plain message"), "a plain message");
    }
}
