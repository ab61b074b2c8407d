//! Session resumption on OpenSSL: the client sessions a context remembers, by server name
//! and port (OpenSSL's client cache does no lookup of its own), and what its servers need.

use std::sync::{Arc, OnceLock};

use net_core::SocketIo;
use net_tls::{Certificate, ContextOptions, SessionCache, SessionKey, TlsError, SESSION_CACHE_SIZE};
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslContextBuilder, SslOptions, SslRef, SslSession, SslSessionCacheMode};
use openssl::stack::Stack;
use openssl::x509::{X509StoreContext, X509};

use crate::backend_error;
use crate::session::peer_chain;

/// The session id context of a server whose options give none. OpenSSL refuses to resume a
/// session on a server that verifies clients without one; sessions never leave the context
/// that made them (its ticket keys and cache are its own), so one value serves every context.
const DEFAULT_SESSION_ID_CONTEXT: &[u8] = b"net-tls";

/// A client session and the certificates `peer_certificates` gave on its full handshake: a
/// resumed handshake exchanges none, and OpenSSL keeps no verified chain in a session.
#[derive(Clone)]
pub(crate) struct Remembered {
    session: SslSession,
    chain: Vec<Certificate>,
}

/// The client sessions of one context.
pub(crate) type ClientSessions = Arc<SessionCache<SessionKey, Remembered>>;

/// What a client handshake offered, kept on its `Ssl` for the new-session callback and the
/// session's `peer_certificates`.
struct Offer {
    key: SessionKey,
    /// The certificates of the session offered, if one was.
    chain: Option<Vec<Certificate>>,
}

fn offer_index() -> Option<Index<Ssl, Offer>> {
    static INDEX: OnceLock<Option<Index<Ssl, Offer>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

/// Sets up resumption on the context being built: the client cache (returned) and servers'
/// tickets when it is on, nothing remembered or issued when it is off. `verify` is whether
/// clients verify servers (what `peer_certificates` gives depends on it).
pub(crate) fn configure(
    b: &mut SslContextBuilder,
    options: &ContextOptions,
    verify: bool,
) -> Result<Option<ClientSessions>, TlsError> {
    if options.session_resumption == Some(false) {
        b.set_session_cache_mode(SslSessionCacheMode::OFF);
        b.set_options(SslOptions::NO_TICKET);
        b.set_num_tickets(0).map_err(backend_error)?;
        return Ok(None);
    }
    // One SSL_CTX serves both sides, and OpenSSL's internal store would keep every client
    // session too (two per TLS 1.3 connection) until it times out: the store stays off, client
    // sessions are ours, and servers resume through tickets (TLS 1.2 and 1.3), which OpenSSL
    // issues by default and which keep nothing per client on the server.
    b.set_session_cache_mode(
        SslSessionCacheMode::CLIENT | SslSessionCacheMode::SERVER | SslSessionCacheMode::NO_INTERNAL_STORE,
    );
    // A server that verifies clients resumes only with a session id context: contexts with a
    // certificate get ours. Client-only contexts get none: OpenSSL would refuse the session it
    // makes for a TLS 1.3 external PSK ("attempt to reuse session in different context").
    let serves = options.cert_file.is_some() || options.pkcs12.is_some();
    if options.session_id_context.is_none() && serves {
        b.set_session_id_context(DEFAULT_SESSION_ID_CONTEXT).map_err(backend_error)?;
    }
    let sessions: ClientSessions = Arc::new(SessionCache::new(SESSION_CACHE_SIZE));
    let store = sessions.clone();
    b.set_new_session_callback(move |ssl, session| {
        let Some(offer) = offer_index().and_then(|index| ssl.ex_data(index)) else { return };
        let chain = match (&offer.chain, ssl.session_reused()) {
            (Some(chain), true) => chain.clone(),
            _ => peer_chain(ssl, verified(ssl, verify)),
        };
        store.insert(offer.key.clone(), Remembered { session, chain });
    });
    Ok(Some(sessions))
}

/// Whether the handshake of `ssl` verified its peer's certificate.
pub(crate) fn verified(ssl: &SslRef, verify_enabled: bool) -> bool {
    verify_enabled && ssl.verify_result() == openssl::x509::X509VerifyResult::OK && ssl.peer_certificate().is_some()
}

/// Offers the session remembered for this handshake's server name and port, and records the
/// key so that the sessions the server issues are remembered under it.
pub(crate) fn offer(sessions: &ClientSessions, ssl: &mut Ssl, io: &SocketIo, hostname: &str) -> SessionKey {
    let key = SessionKey::of(io, hostname);
    let remembered = sessions.get(&key);
    let mut chain = None;
    if let Some(r) = remembered {
        #[allow(unsafe_code)]
        // SAFETY: `set_session` requires a session made by this `Ssl`'s own context: the cache
        // belongs to one context and is filled only by that context's new-session callback.
        let set = unsafe { ssl.set_session(&r.session) };
        if set.is_ok() {
            chain = Some(r.chain);
        }
    }
    if let Some(index) = offer_index() {
        ssl.set_ex_data(index, Offer { key: key.clone(), chain });
    }
    key
}

/// The verified chain of a resumed server session's client, built again from the context's
/// roots (a ticket carries the client's certificates, not the chain verified when it was
/// issued): what `peer_certificates` gave on the full handshake, as long as the client's
/// certificate still verifies now; `None` when it does not.
pub(crate) fn verified_again(ssl: &SslRef) -> Option<Vec<Certificate>> {
    let leaf = ssl.peer_certificate()?;
    let mut sent = Stack::<X509>::new().ok()?;
    for cert in ssl.peer_cert_chain().into_iter().flatten() {
        sent.push(cert.to_owned()).ok()?;
    }
    let mut store_ctx = X509StoreContext::new().ok()?;
    let store = ssl.ssl_context().cert_store();
    let chain = store_ctx.init(store, &leaf, &sent, |c| {
        Ok(match c.verify_cert()? {
            true => c.chain().map(|chain| chain.iter().filter_map(|x| x.to_der().ok().map(Certificate)).collect()),
            false => None,
        })
    });
    chain.ok().flatten()
}

/// The certificates of the session a resumed client handshake took up (`None` when the
/// handshake was full, or is a server's).
pub(crate) fn resumed_chain(ssl: &SslRef) -> Option<Vec<Certificate>> {
    if !ssl.session_reused() {
        return None;
    }
    offer_index().and_then(|index| ssl.ex_data(index)).and_then(|offer| offer.chain.clone())
}
