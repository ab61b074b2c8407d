//! How `new_context` picks a backend: the options, else the process default, else
//! `NET_TLS_BACKEND`, else the fixed order rustls, openssl, native-tls. Alone in its binary:
//! it changes process-wide state (an environment variable, the process default).
#![cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]

use net::tls::{
    default_backend, enabled_backends, is_enabled, new_context, set_default_backend, BackendKind, ContextOptions,
    TlsError, VerifyMode, BACKEND_ENV,
};

fn context_backend(options: ContextOptions) -> Result<BackendKind, TlsError> {
    new_context(options.verify_mode(VerifyMode::None)).map(|c| c.backend())
}

#[test]
fn options_then_process_default_then_environment_then_fixed_order() {
    let enabled = enabled_backends();
    let first = enabled[0];
    let last = *enabled.last().unwrap();
    assert_eq!(enabled, BackendKind::ALL.iter().copied().filter(|&k| is_enabled(k)).collect::<Vec<_>>());

    // Nothing set: the fixed order.
    std::env::remove_var(BACKEND_ENV);
    assert_eq!(default_backend().unwrap(), first);
    assert_eq!(context_backend(ContextOptions::new()).unwrap(), first);

    // The environment variable, then a bad one.
    std::env::set_var(BACKEND_ENV, last.name());
    assert_eq!(context_backend(ContextOptions::new()).unwrap(), last);
    std::env::set_var(BACKEND_ENV, "gnutls");
    assert!(matches!(context_backend(ContextOptions::new()), Err(TlsError::Config { .. })));
    for kind in BackendKind::ALL.iter().copied().filter(|&k| !is_enabled(k)) {
        std::env::set_var(BACKEND_ENV, kind.name());
        assert!(matches!(context_backend(ContextOptions::new()), Err(TlsError::NotCompiled(k)) if k == kind));
    }

    // The process default wins over the environment.
    std::env::set_var(BACKEND_ENV, last.name());
    set_default_backend(first).unwrap();
    assert_eq!(context_backend(ContextOptions::new()).unwrap(), first);

    // The options win over everything.
    for kind in &enabled {
        assert_eq!(context_backend(ContextOptions::new().backend(*kind)).unwrap(), *kind);
    }
    for kind in BackendKind::ALL.iter().copied().filter(|&k| !is_enabled(k)) {
        assert!(matches!(set_default_backend(kind), Err(TlsError::NotCompiled(_))));
        let err = context_backend(ContextOptions::new().backend(kind)).unwrap_err();
        assert!(err.to_string().contains(&format!("`{}` feature", kind.name())), "{err}");
    }
    std::env::remove_var(BACKEND_ENV);
}
