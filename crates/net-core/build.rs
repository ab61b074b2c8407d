//! Names the target for the `compile_error!` that lib.rs raises on a target that is not Unix.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-env=NET_CORE_TARGET={}", std::env::var("TARGET").unwrap_or_default());
}
