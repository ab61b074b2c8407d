//! `docs/tls-backends.md` is generated from the code and must not drift from it.

#[test]
fn tls_backends_doc_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/tls-backends.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(on_disk == net_tls::capability_matrix_markdown(), "{} is stale: run `cargo xtask tls-doc`", path.display());
}
