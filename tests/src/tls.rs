//! Helpers for the TLS suites: contexts per backend, servers on loopback, options that need
//! one capability, and a lock for the process-wide `SSL_CERT_*` variables.

use std::sync::{Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use net::tls::{
    new_context, BackendKind, Capability, ClientAuth, Context, ContextOptions, HandshakeSide, ProtocolVersion,
    TlsError, VerifyMode,
};
use net::{Domain, Socket};

use crate::certs::{Leaf, Pki};

/// A server context on `kind` serving `leaf`'s chain.
pub fn server_context(kind: BackendKind, leaf: &Leaf) -> Context {
    server_context_with(kind, leaf, ContextOptions::new())
}

/// A server context on `kind` serving `leaf`'s chain, from `options`.
pub fn server_context_with(kind: BackendKind, leaf: &Leaf, options: ContextOptions) -> Context {
    new_context(options.backend(kind).verify_mode(VerifyMode::None).cert_and_key(&leaf.chain, &leaf.key))
        .unwrap_or_else(|e| panic!("{kind} server context: {e}"))
}

/// A verifying client context on `kind` that trusts `pki`'s CA.
pub fn client_context(kind: BackendKind, pki: &Pki) -> Context {
    new_context(ContextOptions::new().backend(kind).ca_file(&pki.ca_file))
        .unwrap_or_else(|e| panic!("{kind} client context: {e}"))
}

/// A context on `kind` from `options`.
pub fn context(kind: BackendKind, options: ContextOptions) -> Context {
    new_context(options.backend(kind)).unwrap_or_else(|e| panic!("{kind} context: {e}"))
}

/// A TCP pair over loopback, `(client, server)`, not wrapped.
pub fn tcp_pair(v6: bool) -> (Socket, Socket) {
    let (mut listener, port) = tls_listener(None, if v6 { Domain::Inet6 } else { Domain::Inet });
    let client = net::dial(if v6 { "::1" } else { "127.0.0.1" }, port).expect("dial");
    (client, listener.accept().expect("accept"))
}

/// What both sides of a handshake got: `(client, server)`.
pub type Outcome = (Result<Socket, TlsError>, Result<Socket, TlsError>);

/// Both handshakes of a fresh pair through `wrap_connected_socket`; the client checks `host`.
pub fn handshake(server: &Context, client: &Context, host: &str) -> Outcome {
    let (mut c, mut s) = tcp_pair(host.contains(':'));
    let server = server.clone();
    let t = thread::spawn(move || server.wrap_connected_socket(&mut s, HandshakeSide::Server, "").map(|()| s));
    let r = client.wrap_connected_socket(&mut c, HandshakeSide::Client, host);
    if r.is_err() {
        c.close(); // so a server still in its handshake sees the end
    }
    let s = t.join().expect("server thread");
    (r.map(|()| c), s)
}

/// Both sockets of a handshake that must have succeeded.
pub fn ok(outcome: Outcome) -> (Socket, Socket) {
    match outcome {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => panic!("handshake failed: client {:?}, server {:?}", c.err(), s.err()),
    }
}

/// The client's handshake error, which must come from `kind`.
pub fn client_error(kind: BackendKind, outcome: Outcome) -> String {
    match outcome.0 {
        Err(e @ TlsError::Handshake { backend, .. }) if backend == kind => e.to_string(),
        Err(other) => panic!("not a {kind} handshake error: {other}"),
        Ok(_) => panic!("the client handshake succeeded"),
    }
}

/// A listener on 127.0.0.1 (or ::1), wrapped with `ctx` when given.
pub fn tls_listener(ctx: Option<&Context>, domain: Domain) -> (Socket, u16) {
    let mut server = crate::listener(domain);
    if let Some(ctx) = ctx {
        ctx.wrap_socket(&mut server).expect("wrap the listener");
    }
    let port = server.local_addr().expect("local_addr").port();
    (server, port)
}

/// Serves one client in a thread: accepts (running the handshake), then echoes lines
/// prefixed with `echo: ` until the end of the stream. Returns what `accept` gave.
pub fn echo_once(mut listener: Socket) -> JoinHandle<Result<usize, net::Error>> {
    thread::spawn(move || {
        let mut conn = listener.accept()?;
        let mut lines = 0;
        loop {
            let line = conn.recv_line()?;
            if line.is_empty() {
                return Ok(lines);
            }
            conn.send(format!("echo: {line}\n").as_bytes())?;
            lines += 1;
        }
    })
}

/// Accepts one client and keeps it, so the handshake's outcome on the server side does not
/// matter to the test (used when the client is expected to fail).
pub fn accept_quietly(mut listener: Socket) -> JoinHandle<()> {
    thread::spawn(move || {
        if let Ok(mut conn) = listener.accept() {
            let _ = conn.recv_line_with(&net::ReadOptions::new().timeout(Duration::from_secs(2)));
        }
    })
}

/// Options asking for exactly one capability (a client or server context, as it needs).
pub fn options_requiring(capability: Capability, pki: &Pki, leaf: &Leaf) -> ContextOptions {
    let server = || ContextOptions::new().cert_and_key(&leaf.chain, &leaf.key).verify_mode(VerifyMode::None);
    match capability {
        Capability::Tls10 => ContextOptions::new().protocol(ProtocolVersion::TlsV1),
        Capability::Tls11 => ContextOptions::new().protocol(ProtocolVersion::TlsV1_1),
        Capability::Tls12 => ContextOptions::new().protocol(ProtocolVersion::TlsV1_2),
        Capability::Tls13 => ContextOptions::new().protocol(ProtocolVersion::TlsV1_3),
        Capability::CipherList => ContextOptions::new().cipher_list("ECDHE+AESGCM"),
        Capability::Tls13CipherSuites => ContextOptions::new().cipher_suites("TLS_AES_128_GCM_SHA256"),
        Capability::CaFile => ContextOptions::new().ca_file(&pki.ca_file),
        Capability::CaDir => ContextOptions::new().ca_dir(&pki.ca_dir),
        Capability::EnvVarRoots => ContextOptions::new().verify_mode(VerifyMode::PeerUseEnvVars),
        Capability::ClientCertificate => {
            ContextOptions::new().ca_file(&pki.ca_file).cert_and_key(&leaf.cert, &leaf.key)
        }
        Capability::ClientAuth => server().ca_file(&pki.ca_file).client_auth(ClientAuth::Required),
        Capability::SessionIdContext => server().session_id_context("net-tests"),
        Capability::Psk => ContextOptions::new()
            .verify_mode(VerifyMode::None)
            .psk_client(|_| Some(("id".to_owned(), b"0123456789abcdef".to_vec()))),
        Capability::Alpn => ContextOptions::new().alpn(["http/1.1"]),
        // Not an option: every backend makes the context, and `peer_certificates` says more
        // or less. Asking for nothing special is the honest request here.
        Capability::VerifiedChain => ContextOptions::new(),
        other => panic!("no options for {other:?}"),
    }
}

/// The environment variables the TLS tests change.
const CERT_VARS: [&str; 2] = ["SSL_CERT_FILE", "SSL_CERT_DIR"];

/// Held while a test changes `SSL_CERT_FILE` / `SSL_CERT_DIR` (process-wide state): other such
/// tests wait, and the variables get back the values they had (the machine may set them) when
/// the guard drops, however the test ends.
#[derive(Debug)]
pub struct EnvGuard {
    saved: Vec<(&'static str, Option<std::ffi::OsString>)>,
    _lock: MutexGuard<'static, ()>,
}

impl Drop for EnvGuard {
    fn drop(&mut self) {
        for (name, value) in &self.saved {
            match value {
                Some(v) => std::env::set_var(name, v),
                None => std::env::remove_var(name),
            }
        }
    }
}

/// Serialises tests that touch `SSL_CERT_FILE` / `SSL_CERT_DIR`, and restores them afterwards.
pub fn env_lock() -> EnvGuard {
    static LOCK: Mutex<()> = Mutex::new(());
    let lock = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    EnvGuard { saved: CERT_VARS.iter().map(|&n| (n, std::env::var_os(n))).collect(), _lock: lock }
}
