//! The TLS layer of net: the traits a TLS library implements to be a backend, the
//! backend-neutral options, and Nim's TLS operations (`wrap_socket`, `wrap_connected_socket`,
//! `peer_certificates`, `ssl_handle`...) over net-core sockets, the same for every backend.
//!
//! This crate depends on no TLS library. The backends are `net-tls-rustls`,
//! `net-tls-openssl` and `net-tls-native`; the facade `net` picks one by cargo feature and at
//! run time (`net::tls::new_context`).
//!
//! Once a socket is wrapped, every read and write API of [`net_core::Socket`] works over TLS
//! as over plain TCP: the session plugs into net-core's seam
//! ([`net_core::SecureSession`]).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod backend;
mod capability;
mod context;
mod der;
mod error;
mod options;
mod roots;

#[doc(hidden)]
pub use backend::__private;
pub use backend::{BackendContext, TlsBackend, TlsSession};
pub use capability::{backend_with, capability_matrix_markdown, known_capabilities, Capabilities, Capability};
pub use context::{
    closed_cleanly, got_handshake, peer_certificates, psk_identity, session_info, ssl_handle, ssl_handle_mut, Context,
    ExtraData, SessionInfo,
};
pub use error::{TlsError, TlsErrorExt};
pub use options::{
    AcceptResult, BackendKind, Certificate, ClientAuth, ContextOptions, HandshakeSide, ProtocolVersion,
    PskClientCallback, PskServerCallback, VerifyMode, DEFAULT_HANDSHAKE_TIMEOUT,
};
pub use roots::{ca_dir_files, read_file, RootSources, CERT_DIR_ENV, CERT_FILE_ENV};
