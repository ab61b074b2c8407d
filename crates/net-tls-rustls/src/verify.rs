//! Certificate verifiers for what rustls's own WebPKI verifiers do not cover: `VerifyMode::None`
//! (accept any certificate, still check the handshake signatures) and an empty host name under
//! `VerifyMode::Peer` (check the chain, not the name); pinning (exactly one certificate); and
//! a wrapper that says why a certificate was refused, in `CertificateReason`'s words.

use std::cell::RefCell;
use std::sync::Arc;

use net_tls::{check_pinned, Certificate, CertificateReason};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

/// `VerifyMode::None` on a client: any certificate, any name. The peer must still prove it
/// holds the key of the certificate it sent (the handshake signatures are checked with the
/// provider's algorithms), so the session keys are not open to a passive attacker.
#[derive(Debug)]
pub(crate) struct AcceptAnyServerCert {
    provider: Arc<CryptoProvider>,
}

impl AcceptAnyServerCert {
    pub(crate) fn new(provider: Arc<CryptoProvider>) -> Self {
        AcceptAnyServerCert { provider }
    }
}

impl ServerCertVerifier for AcceptAnyServerCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// `VerifyMode::Peer` with an empty host name: the chain must lead to a trusted root (dates,
/// usage and signatures included), but the certificate may be for any name. WebPKI checks the
/// name only after the chain passed, so accepting exactly the "not valid for name" errors
/// accepts nothing else.
#[derive(Debug)]
pub(crate) struct ChainOnly {
    inner: Arc<WebPkiServerVerifier>,
}

impl ChainOnly {
    pub(crate) fn new(inner: Arc<WebPkiServerVerifier>) -> Self {
        ChainOnly { inner }
    }
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        match self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

thread_local! {
    /// Why the last certificate this thread's verifiers refused was refused. rustls calls a
    /// verifier inside `process_new_packets`, on the thread that runs the handshake, and the
    /// session reads this right after that call fails: the verifier sees the certificates
    /// (times, names, the chain) and the session gets the typed reason, while rustls keeps
    /// its own error and so sends the peer the alert it always sends.
    static REFUSED: RefCell<Option<CertificateReason>> = const { RefCell::new(None) };
}

/// The reason recorded by the last refusal on this thread, cleared.
pub(crate) fn take_refusal() -> Option<CertificateReason> {
    REFUSED.with(|r| r.borrow_mut().take())
}

fn record(reason: CertificateReason) {
    REFUSED.with(|r| *r.borrow_mut() = Some(reason));
}

/// The reason for rustls's `error` about the chain `end_entity` + `intermediates`, from the
/// certificates themselves (as every backend words it); `expected` is the name asked for.
fn reason_for(
    error: &Error,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    expected: Option<&ServerName<'_>>,
    now: UnixTime,
) -> CertificateReason {
    let chain: Vec<Certificate> =
        std::iter::once(end_entity).chain(intermediates).map(|c| Certificate(c.as_ref().to_vec())).collect();
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    // rustls does not say which certificate is out of date: the first one that is.
    let dated =
        |bad: &dyn Fn((i64, i64)) -> bool| chain.iter().find(|c| c.validity().is_some_and(bad)).or(chain.first());
    let Error::InvalidCertificate(e) = error else { return CertificateReason::Other(error.to_string()) };
    match e {
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            CertificateReason::expired(dated(&|(_, to)| to < now))
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            CertificateReason::not_yet_valid(dated(&|(from, _)| from > now))
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            let expected = match expected {
                Some(ServerName::DnsName(name)) => name.as_ref().to_owned(),
                Some(ServerName::IpAddress(ip)) => std::net::IpAddr::from(*ip).to_string(),
                _ => String::new(),
            };
            CertificateReason::name_mismatch(&expected, chain.first())
        }
        CertificateError::UnknownIssuer => CertificateReason::untrusted(&chain),
        CertificateError::BadSignature => CertificateReason::BadSignature,
        CertificateError::Revoked => CertificateReason::Revoked,
        // webpki's CaUsedAsEndEntity reaches rustls as an `Other` error.
        CertificateError::Other(_) if chain.first().is_some_and(Certificate::is_ca) => CertificateReason::CaUsedAsLeaf,
        other => CertificateReason::Other(Error::InvalidCertificate(other.clone()).to_string()),
    }
}

/// A server verifier that records why it refused a certificate (see [`take_refusal`]) and
/// otherwise does exactly what `inner` does.
#[derive(Debug)]
pub(crate) struct Explained {
    inner: Arc<dyn ServerCertVerifier>,
}

impl Explained {
    pub(crate) fn new(inner: Arc<dyn ServerCertVerifier>) -> Self {
        Explained { inner }
    }
}

impl ServerCertVerifier for Explained {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let result = self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        if let Err(e) = &result {
            record(reason_for(e, end_entity, intermediates, Some(server_name), now));
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

/// A client verifier for servers asking for certificates: records why it refused one, as
/// [`Explained`] does for servers.
#[derive(Debug)]
pub(crate) struct ExplainedClient {
    inner: Arc<dyn ClientCertVerifier>,
}

impl ExplainedClient {
    pub(crate) fn new(inner: Arc<dyn ClientCertVerifier>) -> Self {
        ExplainedClient { inner }
    }
}

impl ClientCertVerifier for ExplainedClient {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> bool {
        self.inner.client_auth_mandatory()
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let result = self.inner.verify_client_cert(end_entity, intermediates, now);
        if let Err(e) = &result {
            record(reason_for(e, end_entity, intermediates, None, now));
        }
        result
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// `ContextOptions::pinned_certificate`: the server must present exactly this certificate as
/// its own; nothing else about it is checked. The handshake signatures still are, so the
/// server holds the pinned certificate's key.
#[derive(Debug)]
pub(crate) struct Pinned {
    pinned: Certificate,
    provider: Arc<CryptoProvider>,
}

impl Pinned {
    pub(crate) fn new(pinned: Certificate, provider: Arc<CryptoProvider>) -> Self {
        Pinned { pinned, provider }
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let leaf = Certificate(end_entity.as_ref().to_vec());
        match check_pinned(&self.pinned, Some(&leaf)) {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(reason) => {
                record(reason);
                Err(Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
