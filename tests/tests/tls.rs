//! The TLS conformance suite: one set of test bodies (`tls_cases/cases.rs`), compiled once
//! per enabled backend, as rustls runs its tests per crypto provider.
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

#[cfg(feature = "rustls")]
mod rustls {
    const KIND: net::tls::BackendKind = net::tls::BackendKind::Rustls;
    include!("../tls_cases/cases.rs");
}

#[cfg(feature = "openssl")]
mod openssl {
    const KIND: net::tls::BackendKind = net::tls::BackendKind::OpenSsl;
    include!("../tls_cases/cases.rs");
}

#[cfg(feature = "native-tls")]
mod native_tls {
    const KIND: net::tls::BackendKind = net::tls::BackendKind::NativeTls;
    include!("../tls_cases/cases.rs");
}
