//! The TLS bounds suite (`tls_cases/bounds.rs`): deadlines against slow peers, bounded
//! handshakes, lossless close, compiled once per enabled backend.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

#[cfg(feature = "rustls")]
mod rustls {
    const KIND: net::tls::BackendKind = net::tls::BackendKind::Rustls;
    include!("../tls_cases/bounds.rs");
}

#[cfg(feature = "openssl")]
mod openssl {
    const KIND: net::tls::BackendKind = net::tls::BackendKind::OpenSsl;
    include!("../tls_cases/bounds.rs");
}

#[cfg(feature = "native-tls")]
mod native_tls {
    const KIND: net::tls::BackendKind = net::tls::BackendKind::NativeTls;
    include!("../tls_cases/bounds.rs");
}
