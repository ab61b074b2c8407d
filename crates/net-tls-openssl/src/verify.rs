//! Why OpenSSL refused a certificate, in `CertificateReason`'s words; pinning; and the rule
//! every backend keeps that a CA certificate is not a peer's own.
//!
//! A client handshake that verifies gets a verify callback. It records the first failure
//! with the certificate it is about (for its dates and names), refuses a CA certificate as
//! the leaf (rustls's rule: OpenSSL alone would accept it), and with a pinned certificate
//! accepts exactly that leaf and nothing else.

use std::sync::{Arc, Mutex, OnceLock};

use net_tls::{check_pinned, Certificate, CertificateReason, PeerAlert};
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslRef, SslVerifyMode};
use openssl::x509::{X509StoreContextRef, X509VerifyResult};

/// OpenSSL's reason codes for a received alert are `SSL_AD_REASON_OFFSET` (1000) plus the
/// alert's code.
const ALERT_REASON_OFFSET: i32 = 1000;

/// What the verify callback of one handshake found.
#[derive(Debug, Default)]
pub(crate) struct Verdict(Mutex<Option<CertificateReason>>);

impl Verdict {
    fn record(&self, reason: CertificateReason) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(reason);
    }

    fn get(&self) -> Option<CertificateReason> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

fn verdict_index() -> Option<Index<Ssl, Arc<Verdict>>> {
    static INDEX: OnceLock<Option<Index<Ssl, Arc<Verdict>>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

fn der_of(ctx: &X509StoreContextRef) -> Option<Certificate> {
    ctx.current_cert().and_then(|c| c.to_der().ok()).map(Certificate)
}

/// Verifies the server of `ssl` (a client handshake): `PEER`, with the callback described
/// above; `expected` is the host name or address asked for.
pub(crate) fn install(ssl: &mut SslRef, pinned: Option<Certificate>, expected: &str) {
    let verdict = Arc::new(Verdict::default());
    if let Some(index) = verdict_index() {
        ssl.set_ex_data(index, verdict.clone());
    }
    let expected = expected.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(expected).to_owned();
    ssl.set_verify_callback(SslVerifyMode::PEER, move |preverified, ctx| {
        let depth = ctx.error_depth();
        if let Some(pinned) = &pinned {
            // Only the leaf counts, and only whether it is the pinned one.
            if depth != 0 {
                return true;
            }
            return match check_pinned(pinned, der_of(ctx).as_ref()) {
                Ok(()) => true,
                Err(reason) => {
                    verdict.record(reason);
                    ctx.set_error(X509VerifyResult::APPLICATION_VERIFICATION);
                    false
                }
            };
        }
        if !preverified {
            let code = ctx.error().as_raw();
            let cert = der_of(ctx);
            let reason = CertificateReason::from_openssl(Some(code), "", cert.as_ref(), &expected)
                .unwrap_or_else(|| CertificateReason::Other(ctx.error().error_string().to_owned()));
            verdict.record(reason);
            return false;
        }
        if depth == 0 && der_of(ctx).is_some_and(|leaf| leaf.is_ca()) {
            verdict.record(CertificateReason::CaUsedAsLeaf);
            ctx.set_error(X509VerifyResult::APPLICATION_VERIFICATION);
            return false;
        }
        true
    });
}

/// Why verification failed in the handshake of `ssl`, when it did: what the callback
/// recorded, else (a server checking a client) the verify result.
pub(crate) fn refusal(ssl: &SslRef) -> Option<CertificateReason> {
    if let Some(reason) = verdict_index().and_then(|index| ssl.ex_data(index)).and_then(|v| v.get()) {
        return Some(reason);
    }
    let result = ssl.verify_result();
    if result == X509VerifyResult::OK {
        return None;
    }
    let cert = ssl.peer_certificate().and_then(|c| c.to_der().ok()).map(Certificate);
    Some(
        CertificateReason::from_openssl(Some(result.as_raw()), "", cert.as_ref(), "")
            .unwrap_or_else(|| CertificateReason::Other(result.error_string().to_owned())),
    )
}

/// The fatal alert the peer sent, if that is what `e` reports.
pub(crate) fn peer_alert(e: &openssl::ssl::Error) -> Option<PeerAlert> {
    e.ssl_error()?.errors().iter().find_map(|err| {
        let code = err.reason_code().checked_sub(ALERT_REASON_OFFSET)?;
        u8::try_from(code).ok().map(PeerAlert)
    })
}

#[allow(unsafe_code)]
mod ffi {
    use std::ffi::c_int;
    // SAFETY (of the declaration): OpenSSL's prototype is
    // `int X509_STORE_add_crl(X509_STORE *xs, X509_CRL *x)`; libcrypto is linked by openssl-sys.
    extern "C" {
        /// Not bound by openssl-sys.
        pub(super) fn X509_STORE_add_crl(store: *mut openssl_sys::X509_STORE, crl: *mut openssl_sys::X509_CRL)
            -> c_int;
    }
}

/// Adds revocation lists (DER) to the context's certificate store; clients then check the
/// server's certificate against them (`CRL_CHECK`, set on each client handshake).
pub(crate) fn add_crls(
    builder: &mut openssl::ssl::SslContextBuilder,
    crls: &[Vec<u8>],
) -> Result<(), openssl::error::ErrorStack> {
    for der in crls {
        let len = std::ffi::c_long::try_from(der.len()).unwrap_or(std::ffi::c_long::MAX);
        let mut input = der.as_ptr();
        #[allow(unsafe_code)]
        // SAFETY: `d2i_X509_CRL` reads at most `len` bytes of `der`, which outlives the call,
        // and returns a new CRL or null. The store of `builder`'s live SSL_CTX takes its own
        // reference to the CRL (`X509_STORE_add_crl`), so ours is freed once, here.
        let added = unsafe {
            let crl = openssl_sys::d2i_X509_CRL(std::ptr::null_mut(), &mut input, len);
            if crl.is_null() {
                0
            } else {
                let store = openssl_sys::SSL_CTX_get_cert_store(builder.as_ptr());
                let ok = ffi::X509_STORE_add_crl(store, crl);
                openssl_sys::X509_CRL_free(crl);
                ok
            }
        };
        if added != 1 {
            return Err(openssl::error::ErrorStack::get());
        }
    }
    Ok(())
}
