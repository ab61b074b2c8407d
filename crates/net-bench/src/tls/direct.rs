//! Each backend's crate used directly over std's `TcpStream`, with the settings net's backend
//! uses: the baselines of the TLS benchmarks.

use std::net::TcpStream;
#[cfg(feature = "rustls")]
use std::{io::Write, sync::Arc};

use net::tls::BackendKind;

use super::{direct, Backend, End, Files, Setup, SERVER_NAME};

/// rustls with the ring provider: TLS 1.3 and 1.2 (or 1.2 alone), the CA as the only root.
#[cfg(feature = "rustls")]
pub(crate) enum Rustls {}

#[cfg(feature = "rustls")]
impl Backend for Rustls {
    const KIND: BackendKind = BackendKind::Rustls;
    type Config = (Arc<rustls::ClientConfig>, Arc<rustls::ServerConfig>);

    fn config(files: &Files, setup: Setup) -> Self::Config {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&rustls::SupportedProtocolVersion] =
            if setup.tls12 { &[&rustls::version::TLS12] } else { &[&rustls::version::TLS13, &rustls::version::TLS12] };
        let certs = |path| CertificateDer::pem_file_iter(path).expect("PEM").map(|c| c.expect("certificate"));
        let mut roots = rustls::RootCertStore::empty();
        for ca in certs(&files.pki.ca_file) {
            roots.add(ca).expect("CA");
        }
        let mut client = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        if !setup.resume {
            client.resumption = rustls::client::Resumption::disabled();
        }
        let key = PrivateKeyDer::from_pem_file(&files.leaf.key).expect("key");
        let server = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(certs(&files.leaf.chain).collect(), key)
            .expect("server certificate");
        (Arc::new(client), Arc::new(server))
    }

    fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
        let name = SERVER_NAME.try_into().expect("server name");
        let conn = rustls::ClientConnection::new(config.0.clone(), name).expect("client connection");
        direct(handshake(conn, tcp), close_rustls, resumed_rustls)
    }

    fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
        let conn = rustls::ServerConnection::new(config.1.clone()).expect("server connection");
        direct(handshake(conn, tcp), close_rustls, resumed_rustls)
    }
}

#[cfg(feature = "rustls")]
use net::tls::rustls::rustls;

/// Runs the handshake now, as net does in `connect`/`accept` (a `StreamOwned` would run it
/// on the first read or write).
#[cfg(feature = "rustls")]
fn handshake<C, S>(mut conn: C, mut tcp: TcpStream) -> rustls::StreamOwned<C, TcpStream>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp).expect("rustls handshake");
    }
    rustls::StreamOwned::new(conn, tcp)
}

#[cfg(feature = "rustls")]
fn close_rustls<C, S>(stream: &mut rustls::StreamOwned<C, TcpStream>)
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    stream.conn.send_close_notify();
    let _ = stream.flush();
}

#[cfg(feature = "rustls")]
fn resumed_rustls<C, S>(stream: &rustls::StreamOwned<C, TcpStream>) -> Option<bool>
where
    C: std::ops::DerefMut<Target = rustls::ConnectionCommon<S>>,
    S: rustls::SideData,
{
    Some(stream.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed))
}

/// OpenSSL with the settings of net's OpenSSL backend: any version (or TLS 1.2 alone),
/// partial writes, the CA as the only root, SNI and the host name checked (no partial wildcards). OpenSSL clients
/// resume nothing by themselves: the client keeps the last session its server issued (the
/// least an application does to resume) and offers it to the next connection; the server
/// keeps OpenSSL's defaults (a session cache, and tickets).
#[cfg(feature = "openssl")]
pub(crate) enum OpenSsl {}

#[cfg(feature = "openssl")]
impl Backend for OpenSsl {
    const KIND: BackendKind = BackendKind::OpenSsl;
    type Config = (openssl::ssl::SslContext, openssl::ssl::SslContext, LastSession);

    fn config(files: &Files, setup: Setup) -> Self::Config {
        use openssl::ssl::{
            SslContextBuilder, SslFiletype, SslMethod, SslMode, SslSessionCacheMode, SslVerifyMode, SslVersion,
        };
        let builder = || {
            let mut b = SslContextBuilder::new(SslMethod::tls()).expect("SSL_CTX");
            b.set_mode(SslMode::ENABLE_PARTIAL_WRITE | SslMode::ACCEPT_MOVING_WRITE_BUFFER);
            if setup.tls12 {
                b.set_min_proto_version(Some(SslVersion::TLS1_2)).expect("TLS 1.2");
                b.set_max_proto_version(Some(SslVersion::TLS1_2)).expect("TLS 1.2");
            }
            b
        };
        let mut client = builder();
        client.set_ca_file(&files.pki.ca_file).expect("CA file");
        client.set_verify(SslVerifyMode::PEER);
        let last = LastSession::default();
        let keep = last.clone();
        if setup.resume {
            client.set_session_cache_mode(SslSessionCacheMode::CLIENT);
            client.set_new_session_callback(move |_ssl, session| *keep.lock().expect("session slot") = Some(session));
        }
        let mut server = builder();
        server.set_certificate_chain_file(&files.leaf.chain).expect("certificate chain");
        server.set_private_key_file(&files.leaf.key, SslFiletype::PEM).expect("key");
        (client.build(), server.build(), last)
    }

    fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
        let mut ssl = openssl::ssl::Ssl::new(&config.0).expect("SSL");
        if let Some(session) = config.2.lock().expect("session slot").as_ref() {
            // SAFETY: the session was issued to a connection of this same client context.
            unsafe { ssl.set_session(session) }.expect("set_session");
        }
        ssl.set_hostname(SERVER_NAME).expect("SNI");
        let param = ssl.param_mut();
        param.set_hostflags(openssl::x509::verify::X509CheckFlags::NO_PARTIAL_WILDCARDS);
        param.set_host(SERVER_NAME).expect("host name");
        direct(ssl.connect(tcp).expect("openssl connect"), close_openssl, resumed_openssl)
    }

    fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
        let ssl = openssl::ssl::Ssl::new(&config.1).expect("SSL");
        direct(ssl.accept(tcp).expect("openssl accept"), close_openssl, resumed_openssl)
    }
}

/// The last session an OpenSSL client was issued.
#[cfg(feature = "openssl")]
type LastSession = std::sync::Arc<std::sync::Mutex<Option<openssl::ssl::SslSession>>>;

#[cfg(feature = "openssl")]
use net::tls::openssl::openssl;

#[cfg(feature = "openssl")]
fn close_openssl(stream: &mut openssl::ssl::SslStream<TcpStream>) {
    let _ = stream.shutdown();
}

#[cfg(feature = "openssl")]
fn resumed_openssl(stream: &openssl::ssl::SslStream<TcpStream>) -> Option<bool> {
    Some(stream.ssl().session_reused())
}

/// native-tls with the settings of net's native-tls backend: the CA as the only root, the
/// server's chain and PKCS#8 key as its identity, any version (or TLS 1.2 alone). Its
/// clients never resume.
#[cfg(feature = "native-tls")]
pub(crate) enum NativeTls {}

#[cfg(feature = "native-tls")]
impl Backend for NativeTls {
    const KIND: BackendKind = BackendKind::NativeTls;
    type Config = (native_tls::TlsConnector, native_tls::TlsAcceptor);

    fn config(files: &Files, setup: Setup) -> Self::Config {
        let read = |path: &std::path::Path| std::fs::read(path).expect("read a PEM file");
        let version = setup.tls12.then_some(native_tls::Protocol::Tlsv12);
        let ca = native_tls::Certificate::from_pem(&read(&files.pki.ca_file)).expect("CA");
        let connector = native_tls::TlsConnector::builder()
            .disable_built_in_roots(true)
            .add_root_certificate(ca)
            .min_protocol_version(version)
            .max_protocol_version(version)
            .build()
            .expect("connector");
        let identity = native_tls::Identity::from_pkcs8(&read(&files.leaf.chain), &read(&files.leaf.key));
        let acceptor = native_tls::TlsAcceptor::builder(identity.expect("identity"))
            .min_protocol_version(version)
            .max_protocol_version(version)
            .build()
            .expect("acceptor");
        (connector, acceptor)
    }

    fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
        direct(config.0.connect(SERVER_NAME, tcp).expect("native-tls connect"), close_native, |_| None)
    }

    fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End> {
        direct(config.1.accept(tcp).expect("native-tls accept"), close_native, |_| None)
    }
}

#[cfg(feature = "native-tls")]
use net::tls::native::native_tls;

#[cfg(feature = "native-tls")]
fn close_native(stream: &mut native_tls::TlsStream<TcpStream>) {
    let _ = stream.shutdown();
}
