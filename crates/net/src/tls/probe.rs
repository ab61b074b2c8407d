//! `probe`: one TLS server seen through every compiled backend, side by side — the answer to
//! "it works with openssl but fails with rustls".

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use net_core::{Domain, Endpoint, IntoEndpoint, Socket};

use super::{
    enabled_backends, new_context, BackendKind, Certificate, ContextOptions, HandshakeSide, TlsError, VerifyMode,
};

/// What to probe with: the CA file to verify against (the backend's default roots when
/// `None`), the server name to send (the host when `None`), the ALPN protocols to offer and
/// one time bound for each connection.
///
/// ```
/// let opts = net::tls::ProbeOptions::new().sni("example.com").alpn(["h2", "http/1.1"]);
/// assert_eq!(opts.sni.as_deref(), Some("example.com"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProbeOptions {
    /// A PEM file of trusted roots; `None` keeps the backend's default roots.
    pub ca_file: Option<PathBuf>,
    /// The server name to send and verify; `None` uses the host probed.
    pub sni: Option<String>,
    /// ALPN protocols to offer.
    pub alpn: Vec<String>,
    /// The bound on each connection, its handshake included.
    pub timeout: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions { ca_file: None, sni: None, alpn: Vec::new(), timeout: Duration::from_secs(10) }
    }
}

impl ProbeOptions {
    /// No CA file, the host as server name, no ALPN, 10 s per connection.
    ///
    /// ```
    /// assert!(net::tls::ProbeOptions::new().ca_file.is_none());
    /// ```
    pub fn new() -> Self {
        ProbeOptions::default()
    }

    /// Verifies against the roots in `path` (PEM).
    ///
    /// ```
    /// let o = net::tls::ProbeOptions::new().ca_file("ca.pem");
    /// assert!(o.ca_file.is_some());
    /// ```
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Sends `name` as the server name, and verifies the certificate against it.
    ///
    /// ```
    /// assert_eq!(net::tls::ProbeOptions::new().sni("a.test").sni.as_deref(), Some("a.test"));
    /// ```
    pub fn sni(mut self, name: impl Into<String>) -> Self {
        self.sni = Some(name.into());
        self
    }

    /// Offers these ALPN protocols.
    ///
    /// ```
    /// assert_eq!(net::tls::ProbeOptions::new().alpn(["h2"]).alpn, ["h2"]);
    /// ```
    pub fn alpn<I, S>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.alpn = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Bounds each connection, its handshake included.
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(net::tls::ProbeOptions::new().timeout(Duration::from_secs(2)).timeout, Duration::from_secs(2));
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// What one backend saw: whether the certificate verified (and why not), and what an
/// unverified handshake negotiated, so a refused server still shows its chain.
#[derive(Debug)]
#[non_exhaustive]
pub struct Probe {
    /// The backend.
    pub backend: BackendKind,
    /// The verified handshake: `Ok`, or why it failed.
    pub verified: Result<(), TlsError>,
    /// The handshake without verification (the verified one when that succeeded): `Ok`, or
    /// why it failed — then the server is unreachable or speaks no TLS this backend accepts.
    pub handshake: Result<(), TlsError>,
    /// The protocol version negotiated.
    pub protocol_version: Option<String>,
    /// The cipher suite negotiated.
    pub cipher: Option<String>,
    /// The ALPN protocol the server chose.
    pub alpn: Option<String>,
    /// The chain the server presented, leaf first.
    pub chain: Vec<Certificate>,
}

/// Probes `host:port` (or any [`IntoEndpoint`]) through every compiled backend, in the order
/// of [`enabled_backends`].
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let pki = std::path::Path::new(env!("NET_DOC_PKI"));
/// use net::tls::{new_context, probe, ContextOptions, ProbeOptions};
/// let server_ctx = new_context(ContextOptions::new().cert_and_key(pki.join("chain.pem"), pki.join("key.pem")))?;
/// let mut listener = net::Socket::tcp()?;
/// listener.bind_addr(0, "127.0.0.1")?;
/// listener.listen()?;
/// server_ctx.wrap_socket(&mut listener)?;
/// let port = listener.local_addr()?.port();
/// let probes = net::tls::enabled_backends().len() * 2; // a verified and an unverified try each at most
/// std::thread::spawn(move || for _ in 0..probes { let _ = listener.accept(); });
/// let report = probe(("localhost", port), &ProbeOptions::new().ca_file(pki.join("ca.pem")));
/// assert!(report.iter().all(|p| p.verified.is_ok()));
/// println!("{}", net::tls::probe_table(&report));
/// # Ok(()) }
/// ```
pub fn probe<'a>(to: impl IntoEndpoint<'a>, options: &ProbeOptions) -> Vec<Probe> {
    let to = to.into_endpoint();
    enabled_backends().into_iter().map(|kind| probe_one(kind, &to, options)).collect()
}

fn probe_one(kind: BackendKind, to: &Endpoint<'_>, options: &ProbeOptions) -> Probe {
    let mut report = Probe {
        backend: kind,
        verified: Err(TlsError::Config { what: "not tried".into() }),
        handshake: Err(TlsError::Config { what: "not tried".into() }),
        protocol_version: None,
        cipher: None,
        alpn: None,
        chain: Vec::new(),
    };
    let verified = connect(kind, to, options, true);
    let session = match verified {
        Ok(socket) => {
            report.verified = Ok(());
            Ok(socket)
        }
        Err(e) => {
            report.verified = Err(e);
            connect(kind, to, options, false)
        }
    };
    match session {
        Ok(mut socket) => {
            report.handshake = Ok(());
            if let Some(info) = super::session_info(&socket) {
                report.protocol_version = info.protocol_version;
                report.cipher = info.cipher;
                report.alpn = info.alpn_protocol.map(|p| String::from_utf8_lossy(&p).into_owned());
            }
            report.chain = super::peer_certificates(&socket);
            socket.close();
        }
        Err(e) => report.handshake = Err(e),
    }
    report
}

fn connect(kind: BackendKind, to: &Endpoint<'_>, options: &ProbeOptions, verify: bool) -> Result<Socket, TlsError> {
    let mut ctx_options = ContextOptions::new()
        .backend(kind)
        .handshake_timeout(options.timeout)
        .verify_mode(if verify { VerifyMode::Peer } else { VerifyMode::None });
    if let Some(ca) = &options.ca_file {
        ctx_options = ctx_options.ca_file(ca);
    }
    if !options.alpn.is_empty() {
        ctx_options = ctx_options.alpn(options.alpn.iter().map(String::as_str));
    }
    let ctx = new_context(ctx_options)?;
    let mut socket = dial(to, options.timeout)?;
    let name = options.sni.clone().unwrap_or_else(|| to.host().into_owned());
    ctx.wrap_connected_socket(&mut socket, HandshakeSide::Client, &name)?;
    Ok(socket)
}

/// A TCP connection to `to` over IPv4 or IPv6, whichever its addresses allow, within
/// `timeout` per family tried.
fn dial(to: &Endpoint<'_>, timeout: Duration) -> Result<Socket, TlsError> {
    let mut last = None;
    for domain in [Domain::Inet, Domain::Inet6] {
        let mut socket = Socket::builder().domain(domain).build().map_err(TlsError::Socket)?;
        match socket.connect_to_timeout(to, timeout) {
            Ok(()) => return Ok(socket),
            // The other family may have addresses: try it; report the first real failure.
            Err(e) if last.is_none() || matches!(last, Some(net_core::Error::AddressFamily { .. })) => last = Some(e),
            Err(_) => {}
        }
    }
    Err(TlsError::Socket(last.expect("two families tried")))
}

/// The probes as a table: one column per backend, one row per fact.
///
/// ```
/// let table = net::tls::probe_table(&[]);
/// assert!(table.starts_with("|"));
/// ```
pub fn probe_table(probes: &[Probe]) -> String {
    let mut rows: Vec<(String, Vec<String>)> = vec![
        ("backend".into(), probes.iter().map(|p| p.backend.to_string()).collect()),
        ("handshake".into(), probes.iter().map(|p| outcome(&p.handshake)).collect()),
        ("verification".into(), probes.iter().map(|p| outcome(&p.verified)).collect()),
        ("version".into(), probes.iter().map(|p| p.protocol_version.clone().unwrap_or_else(|| "-".into())).collect()),
        ("cipher".into(), probes.iter().map(|p| p.cipher.clone().unwrap_or_else(|| "-".into())).collect()),
        ("ALPN".into(), probes.iter().map(|p| p.alpn.clone().unwrap_or_else(|| "-".into())).collect()),
    ];
    let depth = probes.iter().map(|p| p.chain.len()).max().unwrap_or(0);
    for i in 0..depth {
        let cell = |p: &Probe| {
            p.chain.get(i).map_or_else(|| "-".into(), |c| c.subject().unwrap_or_else(|| "(unreadable)".into()))
        };
        rows.push((format!("chain[{i}] subject"), probes.iter().map(cell).collect()));
    }
    let mut out = String::new();
    for (n, (label, cells)) in rows.iter().enumerate() {
        out.push_str(&format!("| {label} | {} |\n", cells.join(" | ")));
        if n == 0 {
            out.push_str(&format!("|---|{}\n", "---|".repeat(cells.len())));
        }
    }
    out
}

/// `ok`, or the error and each of its causes, on one line.
fn outcome(result: &Result<(), TlsError>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(e) => {
            let mut text = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                text.push_str(": ");
                text.push_str(&c.to_string());
                cause = c.source();
            }
            text.replace('|', "/")
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: handshake {}, verification {}", self.backend, outcome(&self.handshake), outcome(&self.verified))
    }
}
