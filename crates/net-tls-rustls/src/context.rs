//! [`RustlsContext`]: the rustls configurations of one context, built once.

use std::any::Any;
use std::sync::Arc;

use net_core::SocketIo;
use net_tls::{
    BackendContext, ContextOptions, ServerIdentity, SessionCache, SessionKey, TlsError, TlsSession, SESSION_CACHE_SIZE,
};
use rustls::client::Resumption;
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, Connection, ServerConfig, ServerConnection};

use crate::config::{self, Configs};
use crate::session::RustlsSession;
use crate::RUSTLS;

/// The name given to rustls when the caller gave none (`""`): never sent (SNI is off in that
/// configuration) and never checked.
const UNNAMED: &str = "unnamed.invalid";

/// A context of the rustls backend: what
/// [`net_tls::Context::backend_context`] gives for a downcast.
///
/// It holds the rustls configurations made from the options when the context was made: one
/// client configuration for host names and IP addresses, one for an empty host name (no SNI,
/// no name check), and a server configuration when the options have a certificate and key.
///
/// ```
/// use net::tls::{Context, ContextOptions};
/// use net::tls::rustls::{RustlsBackend, RustlsContext};
/// let ctx = Context::with_backend(&RustlsBackend, &ContextOptions::new().alpn(["h2"]))?;
/// let own = ctx.backend_context().downcast_ref::<RustlsContext>().unwrap();
/// assert_eq!(own.client_config().alpn_protocols, [b"h2".to_vec()]);
/// assert!(own.server_config().is_none()); // no certificate: a client context
/// # Ok::<(), net::tls::TlsError>(())
/// ```
#[derive(Debug)]
pub struct RustlsContext {
    configs: Configs,
    /// The client configurations for each server port, each with its own session store:
    /// rustls keys its store by server name only, and a session belongs to one name and
    /// one port.
    by_port: SessionCache<u16, PortConfigs>,
}

/// Clones of the client configurations with a session store of their own.
#[derive(Debug, Clone)]
struct PortConfigs {
    named: Arc<ClientConfig>,
    unnamed: Arc<ClientConfig>,
}

impl RustlsContext {
    pub(crate) fn new(options: &ContextOptions) -> Result<RustlsContext, TlsError> {
        Ok(RustlsContext { configs: config::build(options)?, by_port: SessionCache::new(SESSION_CACHE_SIZE) })
    }

    /// The client configurations for a server at `port`: with resumption on, those of
    /// that port (made the first time, each with a store of `SESSION_CACHE_SIZE` sessions);
    /// else the context's own.
    fn client_configs(&self, port: Option<u16>) -> PortConfigs {
        let own = || PortConfigs { named: self.configs.client.clone(), unnamed: self.configs.client_unnamed.clone() };
        match port {
            Some(port) if self.configs.resumption => self.by_port.get_or_insert_with(port, || {
                let with_store = |base: &Arc<ClientConfig>| {
                    let mut config = ClientConfig::clone(base);
                    config.resumption = Resumption::in_memory_sessions(SESSION_CACHE_SIZE);
                    Arc::new(config)
                };
                PortConfigs {
                    named: with_store(&self.configs.client),
                    unnamed: with_store(&self.configs.client_unnamed),
                }
            }),
            _ => own(),
        }
    }

    /// The client configuration used when connecting to a host name or an IP address. With
    /// session resumption on, a connection to a TCP port uses a clone of it whose session
    /// store belongs to that port alone.
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// let own = ctx.backend_context().downcast_ref::<net::tls::rustls::RustlsContext>().unwrap();
    /// assert!(own.client_config().enable_sni);
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn client_config(&self) -> &Arc<ClientConfig> {
        &self.configs.client
    }

    /// The client configuration used for an empty host name: no SNI, and under
    /// `VerifyMode::Peer` the chain is checked but not the name (cloned per port, as
    /// [`client_config`](RustlsContext::client_config) is).
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// let own = ctx.backend_context().downcast_ref::<net::tls::rustls::RustlsContext>().unwrap();
    /// assert!(!own.unnamed_client_config().enable_sni);
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn unnamed_client_config(&self) -> &Arc<ClientConfig> {
        &self.configs.client_unnamed
    }

    /// The server configuration; `None` when the options had no certificate and key.
    ///
    /// ```
    /// # let ctx = net::tls::Context::with_backend(&net::tls::rustls::RustlsBackend, &net::tls::ContextOptions::new())?;
    /// let own = ctx.backend_context().downcast_ref::<net::tls::rustls::RustlsContext>().unwrap();
    /// assert!(own.server_config().is_none());
    /// # Ok::<(), net::tls::TlsError>(())
    /// ```
    pub fn server_config(&self) -> Option<&Arc<ServerConfig>> {
        self.configs.server.as_ref()
    }
}

/// The rustls server name for a DNS name (`net_tls::classify_server_name` said it is one).
fn dns_name(hostname: &str) -> Result<ServerName<'static>, TlsError> {
    ServerName::try_from(hostname.to_owned()).map_err(|e| {
        TlsError::Socket(net_core::Error::InvalidArgument {
            op: "handshake",
            reason: format!("{hostname:?} is not a valid server name: {e}"),
        })
    })
}

impl net_tls::__private::Sealed for RustlsContext {}

impl BackendContext for RustlsContext {
    fn connect(&self, io: SocketIo, hostname: &str) -> Result<Box<dyn TlsSession>, TlsError> {
        let configs = self.client_configs(SessionKey::of(&io, hostname).port);
        let (config, name) = match net_tls::classify_server_name(hostname)? {
            ServerIdentity::Unchecked => {
                (&configs.unnamed, ServerName::try_from(UNNAMED).map_err(|e| TlsError::backend(RUSTLS, e))?)
            }
            ServerIdentity::Ip(ip) => (&configs.named, ServerName::from(ip)),
            ServerIdentity::Dns(name) => (&configs.named, dns_name(name)?),
            other => {
                return Err(TlsError::Config { what: format!("server name {other:?} is not supported by rustls") })
            }
        };
        let conn = ClientConnection::new(config.clone(), name)
            .map_err(|e| TlsError::Handshake { backend: RUSTLS, source: Box::new(e) })?;
        Ok(Box::new(RustlsSession::handshake(Connection::Client(conn), io)?))
    }

    fn accept(&self, io: SocketIo) -> Result<Box<dyn TlsSession>, TlsError> {
        let config = self
            .configs
            .server
            .as_ref()
            .ok_or_else(|| TlsError::Config { what: "a server context needs cert_file and key_file".into() })?;
        let conn = ServerConnection::new(config.clone())
            .map_err(|e| TlsError::Handshake { backend: RUSTLS, source: Box::new(e) })?;
        Ok(Box::new(RustlsSession::handshake(Connection::Server(conn), io)?))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::dns_name;
    use rustls::pki_types::ServerName;

    #[test]
    fn dns_names_and_bad_ones() {
        assert!(matches!(dns_name("example.com").unwrap(), ServerName::DnsName(_)));
        assert!(matches!(dns_name("localhost").unwrap(), ServerName::DnsName(_)));
        assert!(dns_name("bad name!").is_err());
    }
}
