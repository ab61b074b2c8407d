//! Quick recipe "SSL server", done right: the listener is wrapped ONCE, outside the accept
//! loop (Nim's recipe wraps it inside and fails on the second client). Each `accept` runs the
//! handshake. Three clients connect over loopback. Run: `cargo run -p net --example tls_server`.

#[path = "support/pki.rs"]
mod pki;

use std::thread;

use net::tls::{new_context, ContextOptions};
use net::{SockOpt, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pki = pki::localhost()?;
    let server_ctx = new_context(ContextOptions::new().cert_and_key(&pki.cert_chain, &pki.key))?;

    let mut server = Socket::tcp()?;
    server.set_sock_opt(SockOpt::ReuseAddr, true)?;
    server.bind_addr(0, "127.0.0.1")?;
    server.listen()?;
    server_ctx.wrap_socket(&mut server)?; // once, before the loop
    let port = server.local_addr()?.port();

    let clients = thread::spawn(move || -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let ctx = new_context(ContextOptions::new().ca_file(&pki.ca_file))?;
        for i in 0..3 {
            let mut c = Socket::tcp()?;
            ctx.wrap_socket(&mut c)?;
            c.connect("localhost", port)?;
            c.send(format!("client {i}\r\n").as_bytes())?;
            println!("client {i} got {:?}", c.recv_line()?);
        }
        Ok(())
    });

    for _ in 0..3 {
        let (mut client, address) = server.accept_addr()?; // the handshake happens here
        let line = client.recv_line()?;
        client.send(format!("Echo: {line}\r\n").as_bytes())?;
        println!("served {address}: {line:?}");
        client.close();
    }
    clients.join().expect("client thread").map_err(|e| e.to_string())?;
    Ok(())
}
