//! From backend-neutral [`ContextOptions`] to rustls configurations, refusing what rustls
//! cannot do.

use std::collections::HashSet;
use std::sync::Arc;

use net_tls::{
    pinned_certificate, revocation_lists, ClientAuth, ContextOptions, Identity, ProtocolVersion, RootSources, TlsError,
    VerifyMode,
};
use rustls::client::danger::ServerCertVerifier;
use rustls::client::Resumption;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::danger::ClientCertVerifier;
use rustls::server::WebPkiClientVerifier;
use rustls::{CipherSuite, ClientConfig, RootCertStore, ServerConfig, SupportedCipherSuite, SupportedProtocolVersion};

use crate::verify::{AcceptAnyServerCert, ChainOnly, Explained, ExplainedClient, Pinned};

use crate::RUSTLS;

/// Everything a context needs, built once when it is made.
#[derive(Debug)]
pub(crate) struct Configs {
    /// For a host name (SNI sent, name checked) or an IP address (IP names checked).
    pub(crate) client: Arc<ClientConfig>,
    /// For an empty host name: no SNI, no name check (the chain is still checked under `Peer`).
    pub(crate) client_unnamed: Arc<ClientConfig>,
    /// When the options have a certificate and key.
    pub(crate) server: Option<Arc<ServerConfig>>,
    /// Clients remember and resume sessions (`ContextOptions::session_resumption`).
    pub(crate) resumption: bool,
}

pub(crate) fn build(options: &ContextOptions) -> Result<Configs, TlsError> {
    refuse_unsupported(options)?;
    let (provider, versions) = provider_and_versions(options)?;
    // Load the roots whenever files are named, even under VerifyMode::None: a missing file is
    // an error whatever the mode (as in Nim).
    let configured = configured_roots(options)?;
    let identity = Identity::from_options(options)?.map(|id| OwnCertificate::new(&id)).transpose()?;

    let resumption = options.session_resumption != Some(false);
    let (named, unnamed) = server_verifiers(options, configured.as_ref(), &provider)?;
    let client_config = |verifier: Arc<dyn ServerCertVerifier>, sni: bool| -> Result<Arc<ClientConfig>, TlsError> {
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&versions)
            .map_err(config_error)?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let mut config = match &identity {
            Some(id) => {
                builder.with_client_auth_cert(id.chain.clone(), id.key.clone_key()).map_err(|e| id.key_error(e))?
            }
            None => builder.with_no_client_auth(),
        };
        config.alpn_protocols.clone_from(&options.alpn);
        config.enable_sni = sni;
        if !resumption {
            config.resumption = Resumption::disabled();
        }
        Ok(Arc::new(config))
    };
    let client = client_config(named, true)?;
    let client_unnamed = client_config(unnamed, false)?;

    let client_verifier = client_verifier(options, configured.as_ref(), &provider)?;
    let server = match identity {
        Some(id) => {
            let builder = ServerConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(&versions)
                .map_err(config_error)?;
            let builder = match client_verifier {
                Some(verifier) => builder.with_client_cert_verifier(verifier),
                None => builder.with_no_client_auth(),
            };
            let mut config =
                builder.with_single_cert(id.chain.clone(), id.key.clone_key()).map_err(|e| id.key_error(e))?;
            config.alpn_protocols.clone_from(&options.alpn);
            server_resumption(&mut config, resumption)?;
            Some(Arc::new(config))
        }
        None => None,
    };
    Ok(Configs { client, client_unnamed, server, resumption })
}

/// Servers issue stateless tickets (TLS 1.2 and 1.3: any number of clients resume, the
/// server keeps nothing per client) and keep rustls's session-id cache for TLS 1.2 clients
/// without tickets; off, they issue no ticket and remember no session.
fn server_resumption(config: &mut ServerConfig, on: bool) -> Result<(), TlsError> {
    if on {
        config.ticketer = rustls::crypto::ring::Ticketer::new().map_err(|e| TlsError::backend(RUSTLS, e))?;
    } else {
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    Ok(())
}

fn config_error(e: rustls::Error) -> TlsError {
    TlsError::Config { what: e.to_string() }
}

/// Options rustls cannot honour: refused, never ignored. What the capability table lacks is
/// refused there (`net_tls::refuse_missing`); here only what the table cannot say.
fn refuse_unsupported(options: &ContextOptions) -> Result<(), TlsError> {
    net_tls::refuse_missing(RUSTLS, options)?;
    match options.protocol {
        ProtocolVersion::TlsV1_2 | ProtocolVersion::TlsV1_3 | ProtocolVersion::Any => Ok(()),
        // The enums are `#[non_exhaustive]`: what this backend does not know, it refuses.
        other => Err(TlsError::Config { what: format!("{other:?} is not supported by rustls") }),
    }
}

/// The ring provider (with the TLS 1.3 suites asked for) and the protocol versions to enable.
fn provider_and_versions(
    options: &ContextOptions,
) -> Result<(Arc<CryptoProvider>, Vec<&'static SupportedProtocolVersion>), TlsError> {
    let mut versions: Vec<&'static SupportedProtocolVersion> = match options.protocol {
        ProtocolVersion::TlsV1_2 => vec![&rustls::version::TLS12],
        ProtocolVersion::TlsV1_3 => vec![&rustls::version::TLS13],
        _ => vec![&rustls::version::TLS13, &rustls::version::TLS12],
    };
    let mut provider = rustls::crypto::ring::default_provider();
    if let Some(list) = &options.cipher_suites {
        let mut suites = tls13_suites(list, &provider.cipher_suites)?;
        suites.extend(provider.cipher_suites.iter().copied().filter(|s| !is_tls13(s)));
        provider.cipher_suites = suites;
    }
    // As with OpenSSL, an empty TLS 1.3 list disables TLS 1.3.
    versions.retain(|v| provider.cipher_suites.iter().any(|s| s.version() == *v));
    if versions.is_empty() {
        return Err(TlsError::Config {
            what: "cipher_suites leaves no usable cipher suite for the allowed protocol versions".into(),
        });
    }
    Ok((Arc::new(provider), versions))
}

fn is_tls13(suite: &SupportedCipherSuite) -> bool {
    suite.version().version == rustls::ProtocolVersion::TLSv1_3
}

/// A suite's IANA name, as OpenSSL's `ciphersuites` takes it: `TLS_AES_128_GCM_SHA256`.
pub(crate) fn iana_name(suite: CipherSuite) -> String {
    let name = suite.as_str().map_or_else(|| format!("{suite:?}"), str::to_owned);
    match name.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => name,
    }
}

/// The TLS 1.3 suites named in `list` (`:`-separated IANA names), in that order.
fn tls13_suites(list: &str, known: &[SupportedCipherSuite]) -> Result<Vec<SupportedCipherSuite>, TlsError> {
    let mut chosen: Vec<SupportedCipherSuite> = Vec::new();
    for name in list.split(':').map(str::trim).filter(|n| !n.is_empty()) {
        let found = known.iter().find(|s| {
            let iana = iana_name(s.suite());
            iana.eq_ignore_ascii_case(name) || format!("{:?}", s.suite()).eq_ignore_ascii_case(name)
        });
        match found {
            Some(s) if is_tls13(s) => {
                if !chosen.iter().any(|c| c.suite() == s.suite()) {
                    chosen.push(*s);
                }
            }
            Some(_) => {
                return Err(TlsError::Config {
                    what: format!(
                        "cipher suite {name:?} is a TLS 1.2 suite; cipher_suites chooses TLS 1.3 suites \
                         (and rustls cannot take a TLS 1.2 cipher_list)"
                    ),
                })
            }
            None => {
                let names: Vec<String> = known.iter().filter(|s| is_tls13(s)).map(|s| iana_name(s.suite())).collect();
                return Err(TlsError::Config {
                    what: format!("unknown TLS 1.3 cipher suite {name:?} (rustls knows {})", names.join(", ")),
                });
            }
        }
    }
    Ok(chosen)
}

/// Our certificate chain and key, read by net-tls (every format, checked to match), in
/// rustls' types.
struct OwnCertificate {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    identity: Identity,
}

impl OwnCertificate {
    fn new(identity: &Identity) -> Result<OwnCertificate, TlsError> {
        let chain = identity.chain().iter().map(|c| CertificateDer::from(c.as_der().to_vec())).collect();
        let key = PrivatePkcs8KeyDer::from(identity.key_pkcs8_der().to_vec()).into();
        let own = OwnCertificate { chain, key, identity: identity.clone() };
        // A key rustls cannot sign with (an unsupported algorithm or curve) is refused now.
        rustls::crypto::ring::sign::any_supported_type(&own.key).map_err(|e| own.key_error(e))?;
        Ok(own)
    }

    /// rustls refusing the key: an unsupported kind, or a key that is not the certificate's.
    fn key_error(&self, e: rustls::Error) -> TlsError {
        self.identity.key_error(e)
    }
}

/// The roots the options name (see `net_tls::RootSources`), in a root store that skips
/// duplicates (a system directory holds each root twice: as a file and in the bundle); empty
/// when the sources hold nothing usable (an error only where roots are needed). `None` when
/// none is named.
fn configured_roots(options: &ContextOptions) -> Result<Option<RootCertStore>, TlsError> {
    // PEM or DER, read by net-tls (which words its errors).
    let parse = |bytes: &[u8]| -> Result<Vec<CertificateDer<'static>>, String> {
        Ok(net_tls::parse_certificates(bytes)?.into_iter().map(|c| CertificateDer::from(c.0)).collect())
    };
    let Some(certs) = RootSources::from_options(options).load(parse)? else { return Ok(None) };
    let mut store = RootCertStore::empty();
    let mut seen = HashSet::new();
    for cert in certs {
        if seen.insert(cert.as_ref().to_vec()) {
            // A certificate that cannot be a trust anchor is skipped, as OpenSSL does.
            let _ = store.add(cert);
        }
    }
    Ok(Some(store))
}

/// The roots of `Peer` when the options name none: the system's (`RootSources::system`, read
/// with rustls-native-certs), or the Mozilla roots of webpki-roots under `bundled_roots`.
fn default_roots(options: &ContextOptions) -> Result<RootCertStore, TlsError> {
    if options.bundled_roots {
        return Ok(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() });
    }
    let mut store = RootCertStore::empty();
    // A root rustls cannot use as a trust anchor is skipped, as OpenSSL does.
    store.add_parsable_certificates(system_root_certificates());
    Ok(store)
}

/// The system's roots. On macOS the Security framework's store (the system store is not a
/// file there); elsewhere the bundle or directory `RootSources::system` chose, never the
/// `SSL_CERT_*` variables, which count under `PeerUseEnvVars` only (on every backend).
fn system_root_certificates() -> Vec<CertificateDer<'static>> {
    #[cfg(target_os = "macos")]
    {
        rustls_native_certs::load_native_certs().certs
    }
    #[cfg(not(target_os = "macos"))]
    {
        let system = RootSources::system();
        rustls_native_certs::load_certs_from_paths(
            system.files.first().map(std::path::PathBuf::as_path),
            system.dirs.first().map(std::path::PathBuf::as_path),
        )
        .certs
    }
}

/// A client's verifiers: for a named peer, and for `""` (the chain only).
type ServerVerifiers = (Arc<dyn ServerCertVerifier>, Arc<dyn ServerCertVerifier>);

/// The verifiers of a client: for a named peer, and for `""` (the chain only). Every refusal
/// is explained (`verify::Explained`); a pinned certificate replaces the roots.
fn server_verifiers(
    options: &ContextOptions,
    configured: Option<&RootCertStore>,
    provider: &Arc<CryptoProvider>,
) -> Result<ServerVerifiers, TlsError> {
    match options.verify_mode {
        VerifyMode::None => {
            let any: Arc<dyn ServerCertVerifier> = Arc::new(AcceptAnyServerCert::new(provider.clone()));
            Ok((any.clone(), any))
        }
        VerifyMode::Peer | VerifyMode::PeerUseEnvVars => {
            if let Some(pinned) = pinned_certificate(options)? {
                let pin: Arc<dyn ServerCertVerifier> = Arc::new(Pinned::new(pinned, provider.clone()));
                return Ok((pin.clone(), pin));
            }
            let roots = match configured {
                Some(roots) => roots.clone(),
                None => default_roots(options)?,
            };
            if roots.is_empty() {
                return Err(TlsError::NoCaCertificates);
            }
            let mut builder = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone());
            let crls = revocation_lists(options)?;
            if !crls.is_empty() {
                // The server's own certificate, as OpenSSL's CRL_CHECK does; no list from its
                // issuer is an unknown status, refused on both.
                builder = builder
                    .with_crls(crls.into_iter().map(CertificateRevocationListDer::from))
                    .only_check_end_entity_revocation();
            }
            let webpki = builder.build().map_err(|e| TlsError::backend(RUSTLS, e))?;
            let unnamed = Arc::new(ChainOnly::new(webpki.clone()));
            Ok((Arc::new(Explained::new(webpki)), Arc::new(Explained::new(unnamed))))
        }
        other => Err(TlsError::Config { what: format!("{other:?} is not supported by rustls") }),
    }
}

/// How a server checks client certificates, when it asks for them.
fn client_verifier(
    options: &ContextOptions,
    configured: Option<&RootCertStore>,
    provider: &Arc<CryptoProvider>,
) -> Result<Option<Arc<dyn ClientCertVerifier>>, TlsError> {
    let mandatory = match options.client_auth {
        ClientAuth::None => return Ok(None),
        ClientAuth::Optional => false,
        ClientAuth::Required => true,
        other => return Err(TlsError::Config { what: format!("client_auth {other:?} is not supported by rustls") }),
    };
    // Client certificates are checked against the roots given (never the public web roots),
    // whatever `verify_mode` says: that governs how servers are checked, as on OpenSSL.
    let roots = configured.filter(|r| !r.is_empty()).cloned().ok_or(TlsError::NoCaCertificates)?;
    let mut builder = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    if !mandatory {
        builder = builder.allow_unauthenticated();
    }
    let verifier = builder.build().map_err(|e| TlsError::backend(RUSTLS, e))?;
    Ok(Some(Arc::new(ExplainedClient::new(verifier))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names() {
        assert_eq!(iana_name(CipherSuite::TLS13_AES_128_GCM_SHA256), "TLS_AES_128_GCM_SHA256");
        assert_eq!(
            iana_name(CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        );
    }

    #[test]
    fn suites_keep_the_order_asked() {
        let known = rustls::crypto::ring::default_provider().cipher_suites;
        let got = tls13_suites("TLS_CHACHA20_POLY1305_SHA256: TLS_AES_128_GCM_SHA256:", &known).unwrap();
        let names: Vec<String> = got.iter().map(|s| iana_name(s.suite())).collect();
        assert_eq!(names, ["TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"]);
        assert!(tls13_suites("", &known).unwrap().is_empty());
    }

    #[test]
    fn unknown_and_tls12_suites_are_errors() {
        let known = rustls::crypto::ring::default_provider().cipher_suites;
        let e = tls13_suites("TLS_AES_128_CCM_SHA256", &known).unwrap_err();
        assert!(e.to_string().contains("TLS_AES_128_CCM_SHA256"), "{e}");
        let e = tls13_suites("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", &known).unwrap_err();
        assert!(e.to_string().contains("TLS 1.2"), "{e}");
    }

    #[test]
    fn empty_tls13_list_disables_tls13() {
        let opts = ContextOptions::new().cipher_suites("");
        let (_, versions) = provider_and_versions(&opts).unwrap();
        assert_eq!(versions, [&rustls::version::TLS12]);
        let opts = ContextOptions::new().cipher_suites("").protocol(ProtocolVersion::TlsV1_3);
        assert!(matches!(provider_and_versions(&opts), Err(TlsError::Config { .. })));
    }
}
