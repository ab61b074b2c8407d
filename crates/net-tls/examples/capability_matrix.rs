//! Prints `docs/tls-backends.md`, the capability matrix of every backend
//! (`cargo xtask tls-doc` writes it to the file).

fn main() {
    print!("{}", net_tls::capability_matrix_markdown());
}
