//! `OpenSslContext`: the options turned into an `SslContext`, and the handshakes.

use std::any::Any;
use std::ffi::{c_char, c_int, CString};
use std::fmt;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Mutex, OnceLock};

use net_core::SocketIo;
use net_tls::{
    pinned_certificate, revocation_lists, BackendContext, BackendKind, Certificate, ClientAuth, ContextOptions,
    Identity, ProtocolVersion, PskClientCallback, PskServerCallback, ServerIdentity, TlsError, TlsSession, VerifyMode,
};
use openssl::ex_data::Index;
use openssl::ssl::{
    AlpnError, Ssl, SslContext, SslContextBuilder, SslMethod, SslMode, SslRef, SslStream, SslVerifyMode, SslVersion,
};
use openssl::stack::Stack;
use openssl::x509::store::X509StoreBuilder;
use openssl::x509::verify::{X509CheckFlags, X509VerifyFlags};
use openssl::x509::X509Name;

use crate::backend_error;
use crate::resume::{self, ClientSessions};
use crate::roots::{self, Roots};
use crate::session::{describe, psk_identity_index, OpenSslError, Session};
use crate::verify;

/// A configured OpenSSL context: one `SslContext` for both sides, plus what each handshake
/// sets on its own `Ssl` (verification mode, SNI, the name to check). `as_any` gives the
/// `SslContext`.
pub(crate) struct OpenSslContext {
    ctx: SslContext,
    verify: VerifyMode,
    client_auth: ClientAuth,
    /// A certificate or a PSK server callback: what a server needs.
    can_serve: bool,
    /// `ContextOptions::pinned_certificate`: the one server certificate trusted.
    pinned: Option<Certificate>,
    /// `ContextOptions::crl_file` gave revocation lists: clients check the server's
    /// certificate against them.
    crl_check: bool,
    /// The client sessions remembered, when resumption is on.
    sessions: Option<ClientSessions>,
}

impl fmt::Debug for OpenSslContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenSslContext")
            .field("verify", &self.verify)
            .field("client_auth", &self.client_auth)
            .field("can_serve", &self.can_serve)
            .finish_non_exhaustive()
    }
}

fn config(what: String) -> TlsError {
    TlsError::Config { what }
}

/// The openssl crate panics on strings with a NUL byte where OpenSSL takes a C string.
fn no_nul<'a>(what: &str, s: &'a str) -> Result<&'a str, TlsError> {
    if s.contains('\0') {
        Err(config(format!("{what} {s:?} contains a NUL byte")))
    } else {
        Ok(s)
    }
}

#[allow(unsafe_code)]
mod ffi {
    use super::{c_char, c_int};
    // SAFETY (of the declaration): OpenSSL's prototype is
    // `int SSL_CTX_use_psk_identity_hint(SSL_CTX *ctx, const char *hint)`; libssl is linked
    // by openssl-sys.
    extern "C" {
        /// Not bound by openssl-sys; in libssl since 1.0.0 (unless built without PSK).
        pub(super) fn SSL_CTX_use_psk_identity_hint(ctx: *mut openssl_sys::SSL_CTX, hint: *const c_char) -> c_int;
    }
}

/// Sets the PSK identity hint a server sends (TLS 1.2 and below).
fn set_psk_identity_hint(builder: &mut SslContextBuilder, hint: &str) -> Result<(), TlsError> {
    let hint = CString::new(hint).map_err(|_| config("the PSK identity hint contains a NUL byte".into()))?;
    #[allow(unsafe_code)]
    // SAFETY: `builder.as_ptr()` is a live SSL_CTX owned by `builder`; `hint` is a NUL-terminated
    // string that OpenSSL copies (it keeps no pointer to it) before the call returns.
    let ok = unsafe { ffi::SSL_CTX_use_psk_identity_hint(builder.as_ptr(), hint.as_ptr()) };
    if ok == 1 {
        Ok(())
    } else {
        Err(backend_error(openssl::error::ErrorStack::get()))
    }
}

/// Where a panic of a user callback waits, on its `Ssl`, to be resumed after the handshake.
type PanicSlot = Mutex<Option<Box<dyn Any + Send>>>;

fn panic_index() -> Option<Index<Ssl, PanicSlot>> {
    static INDEX: OnceLock<Option<Index<Ssl, PanicSlot>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

/// Runs a user callback inside an OpenSSL callback: a panic must not unwind through C (it
/// would abort the process), so it is kept on the `Ssl` and resumed when the handshake returns;
/// meanwhile OpenSSL gets `refused`.
fn guarded<R>(ssl: &mut SslRef, refused: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            if let Some(index) = panic_index() {
                ssl.set_ex_data(index, Mutex::new(Some(payload)));
            }
            refused
        }
    }
}

/// Resumes a panic a user callback raised during this handshake.
fn resume_callback_panic(ssl: &SslRef) {
    let Some(slot) = panic_index().and_then(|index| ssl.ex_data(index)) else { return };
    let payload = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(payload) = payload {
        resume_unwind(payload);
    }
}

fn install_psk_client(builder: &mut SslContextBuilder, cb: PskClientCallback) {
    builder.set_psk_client_callback(move |ssl, hint, identity_out, key_out| {
        let hint = hint.map(String::from_utf8_lossy).unwrap_or_default();
        let Some((identity, key)) = guarded(ssl, None, || cb(&hint)) else { return Ok(0) };
        let id = identity.as_bytes();
        // The identity goes out as a C string: no NUL inside, room for the terminator.
        if id.contains(&0) || id.len() >= identity_out.len() || key.is_empty() || key.len() > key_out.len() {
            return Ok(0);
        }
        identity_out[..id.len()].copy_from_slice(id);
        identity_out[id.len()] = 0;
        key_out[..key.len()].copy_from_slice(&key);
        Ok(key.len())
    });
}

fn install_psk_server(builder: &mut SslContextBuilder, cb: PskServerCallback) {
    builder.set_psk_server_callback(move |ssl, identity, key_out| {
        let identity = identity.map(String::from_utf8_lossy).unwrap_or_default();
        match guarded(ssl, None, || cb(&identity)) {
            Some(key) if !key.is_empty() && key.len() <= key_out.len() => {
                // OpenSSL 3 does not keep the identity of a TLS 1.3 PSK: keep it here.
                if let Some(index) = psk_identity_index() {
                    ssl.set_ex_data(index, identity.into_owned());
                }
                key_out[..key.len()].copy_from_slice(&key);
                Ok(key.len())
            }
            _ => Ok(0),
        }
    });
}

impl OpenSslContext {
    /// Builds the context, refusing what cannot be honoured.
    pub(crate) fn new(options: &ContextOptions) -> Result<Self, TlsError> {
        let mut b = SslContextBuilder::new(SslMethod::tls()).map_err(backend_error)?;
        // Partial writes (net-core loops) and retries from a moved buffer after a timeout.
        b.set_mode(SslMode::ENABLE_PARTIAL_WRITE | SslMode::ACCEPT_MOVING_WRITE_BUFFER);
        // One recv(2) for a whole record (and the next ones that have arrived), not one for
        // its header and one for its body.
        b.set_read_ahead(true);

        let (version, legacy) = match options.protocol {
            ProtocolVersion::Any => (None, false),
            ProtocolVersion::TlsV1 => (Some(SslVersion::TLS1), true),
            ProtocolVersion::TlsV1_1 => (Some(SslVersion::TLS1_1), true),
            ProtocolVersion::TlsV1_2 => (Some(SslVersion::TLS1_2), false),
            ProtocolVersion::TlsV1_3 => (Some(SslVersion::TLS1_3), false),
            other => return Err(config(format!("{other:?} is not supported"))),
        };
        let psk = options.psk_client.is_some() || options.psk_server.is_some() || options.psk_identity_hint.is_some();
        let max = match options.protocol {
            // Nim's PSK API is TLS 1.2's: the client sees the server's identity hint, which
            // TLS 1.3 does not carry. Pin TLS 1.3 to use these callbacks with TLS 1.3.
            ProtocolVersion::Any if psk => Some(SslVersion::TLS1_2),
            ProtocolVersion::TlsV1_3 if options.psk_identity_hint.is_some() => {
                return Err(config("a PSK identity hint exists only up to TLS 1.2, not with TLS 1.3".into()))
            }
            _ => version,
        };
        b.set_min_proto_version(version).map_err(backend_error)?;
        b.set_max_proto_version(max).map_err(backend_error)?;

        match &options.cipher_list {
            Some(list) => b
                .set_cipher_list(no_nul("cipher list", list)?)
                .map_err(|e| config(format!("cipher list {list:?}: {e}")))?,
            None if psk => b.set_cipher_list("DEFAULT:PSK:!eNULL").map_err(backend_error)?,
            None => {}
        }
        if let Some(suites) = &options.cipher_suites {
            b.set_ciphersuites(no_nul("TLS 1.3 cipher suites", suites)?)
                .map_err(|e| config(format!("TLS 1.3 cipher suites {suites:?}: {e}")))?;
        }
        if legacy {
            // OpenSSL 3 allows TLS 1.0/1.1 only at security level 0 (set after the cipher
            // list, which may carry its own @SECLEVEL).
            b.set_security_level(0);
        }
        if let Some(sid) = &options.session_id_context {
            b.set_session_id_context(sid).map_err(backend_error)?;
        }

        let mut has_cert = false;
        if let Some(identity) = Identity::from_options(options)? {
            roots::use_identity(&mut b, &identity)?;
            has_cert = true;
        }

        // Roots check servers (unless VerifyMode::None, or a pinned certificate replaces them)
        // and the clients a server asks for.
        let checks_servers = options.verify_mode != VerifyMode::None && options.pinned_certificate.is_none();
        if checks_servers || options.client_auth != ClientAuth::None {
            match roots::roots(options)? {
                Roots::Explicit(certs) => {
                    let mut store = X509StoreBuilder::new().map_err(backend_error)?;
                    let mut names = Stack::<X509Name>::new().map_err(backend_error)?;
                    for cert in certs {
                        names.push(cert.subject_name().to_owned().map_err(backend_error)?).map_err(backend_error)?;
                        store.add_cert(cert).map_err(backend_error)?;
                    }
                    b.set_cert_store(store.build());
                    if options.client_auth != ClientAuth::None {
                        b.set_client_ca_list(names);
                    }
                }
                Roots::System { file, dir } => {
                    b.load_verify_locations(file.as_deref(), dir.as_deref()).map_err(|e| {
                        TlsError::backend(BackendKind::OpenSsl, format!("loading the system roots: {e}"))
                    })?;
                }
            }
        }

        let crls = revocation_lists(options)?;
        if !crls.is_empty() {
            verify::add_crls(&mut b, &crls).map_err(|e| {
                let path = options.crl_file.as_deref().unwrap_or_else(|| std::path::Path::new(""));
                TlsError::invalid_file("CRL file", path, format!("a list OpenSSL refuses: {e}"))
            })?;
        }

        if let Some(hint) = &options.psk_identity_hint {
            set_psk_identity_hint(&mut b, hint)?;
        }
        if let Some(cb) = &options.psk_client {
            install_psk_client(&mut b, cb.clone());
        }
        if let Some(cb) = &options.psk_server {
            install_psk_server(&mut b, cb.clone());
        }

        if !options.alpn.is_empty() {
            let wire = net_tls::alpn::wire(&options.alpn)?;
            b.set_alpn_protos(&wire).map_err(backend_error)?;
            b.set_alpn_select_callback(move |_ssl, client| {
                net_tls::alpn::select(&wire, client).ok_or(AlpnError::ALERT_FATAL)
            });
        }

        server_verify_mode(options.client_auth)?;
        let sessions = resume::configure(&mut b, options, options.verify_mode != VerifyMode::None)?;
        Ok(OpenSslContext {
            ctx: b.build(),
            verify: options.verify_mode,
            client_auth: options.client_auth,
            can_serve: has_cert || options.psk_server.is_some(),
            pinned: pinned_certificate(options)?,
            crl_check: !crls.is_empty(),
            sessions,
        })
    }

    fn handshake(&self, ssl: Ssl, io: SocketIo, server: bool, verified: bool) -> Result<Box<dyn TlsSession>, TlsError> {
        let mut stream = SslStream::new(ssl, io).map_err(backend_error)?;
        let result = if server { stream.accept() } else { stream.connect() };
        resume_callback_panic(stream.ssl());
        match result {
            Ok(()) => Ok(Box::new(Session::new(stream, verified))),
            Err(e) => {
                // A refused certificate as its reason, a peer's fatal alert by its RFC name,
                // anything else in OpenSSL's words.
                let refused = verify::refusal(stream.ssl()).filter(|_| verified);
                let source: Box<dyn std::error::Error + Send + Sync> = match (refused, verify::peer_alert(&e)) {
                    (Some(reason), _) => Box::new(reason),
                    (None, Some(alert)) => Box::new(alert),
                    (None, None) => Box::new(OpenSslError { message: describe(&e, true), source: e }),
                };
                Err(TlsError::Handshake { backend: BackendKind::OpenSsl, source })
            }
        }
    }
}

impl net_tls::__private::Sealed for OpenSslContext {}

impl BackendContext for OpenSslContext {
    fn connect(&self, io: SocketIo, hostname: &str) -> Result<Box<dyn TlsSession>, TlsError> {
        // First: it refuses what is no server name (a NUL byte would panic the openssl crate).
        let identity = net_tls::classify_server_name(hostname)?;
        let mut ssl = Ssl::new(&self.ctx).map_err(backend_error)?;
        ssl.set_connect_state();
        let verify = self.verify != VerifyMode::None;
        if verify {
            if self.crl_check && self.pinned.is_none() {
                ssl.param_mut().set_flags(X509VerifyFlags::CRL_CHECK).map_err(backend_error)?;
            }
            verify::install(&mut ssl, self.pinned.clone(), hostname);
        } else {
            ssl.set_verify(SslVerifyMode::NONE);
        }
        match identity {
            ServerIdentity::Ip(ip) if verify => ssl.param_mut().set_ip(ip).map_err(backend_error)?,
            ServerIdentity::Ip(_) | ServerIdentity::Unchecked => {}
            ServerIdentity::Dns(name) => {
                ssl.set_hostname(name).map_err(|e| config(format!("server name {name:?}: {e}")))?;
                if verify {
                    let param = ssl.param_mut();
                    param.set_hostflags(X509CheckFlags::NO_PARTIAL_WILDCARDS);
                    param.set_host(name).map_err(|e| config(format!("server name {name:?}: {e}")))?;
                }
            }
            other => return Err(config(format!("server name {other:?} is not supported by openssl"))),
        }
        let offered = self.sessions.as_ref().map(|sessions| resume::offer(sessions, &mut ssl, &io, hostname));
        let result = self.handshake(ssl, io, false, verify);
        if let (Err(_), Some(key), Some(sessions)) = (&result, &offered, &self.sessions) {
            // Whatever failed, the next handshake to this server starts afresh.
            sessions.remove(key);
        }
        result
    }

    fn accept(&self, io: SocketIo) -> Result<Box<dyn TlsSession>, TlsError> {
        if !self.can_serve {
            return Err(config("a server needs cert_file and key_file (or a PSK server callback)".into()));
        }
        let mut ssl = Ssl::new(&self.ctx).map_err(backend_error)?;
        ssl.set_accept_state();
        ssl.set_verify(server_verify_mode(self.client_auth)?);
        self.handshake(ssl, io, true, self.client_auth != ClientAuth::None)
    }

    fn as_any(&self) -> &dyn Any {
        &self.ctx
    }
}

/// How a server checks clients; a `ClientAuth` this backend does not know (the enum is
/// `#[non_exhaustive]`) is refused when the context is made.
fn server_verify_mode(auth: ClientAuth) -> Result<SslVerifyMode, TlsError> {
    Ok(match auth {
        ClientAuth::None => SslVerifyMode::NONE,
        ClientAuth::Optional => SslVerifyMode::PEER,
        ClientAuth::Required => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
        other => return Err(config(format!("client_auth {other:?} is not supported by openssl"))),
    })
}
