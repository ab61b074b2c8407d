//! Quick recipe "HTTPS client": wrap a socket before `connect`, send a request, read the
//! status line. The server is a local TLS server on 127.0.0.1 with a certificate made on the
//! spot, so nothing leaves the machine. Run: `cargo run -p net --example https_client`.

#[path = "support/pki.rs"]
mod pki;

use std::thread;

use net::tls::{new_context, ContextOptions};
use net::Socket;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let pki = pki::localhost()?;

    // A tiny HTTPS server to talk to.
    let (mut listener, port) = pki.tls_listener()?;
    let server = thread::spawn(move || -> Result<(), net::Error> {
        let mut conn = listener.accept()?;
        // Read the request up to its blank line (or the end of the stream).
        loop {
            let line = conn.recv_line()?;
            if line.is_empty() || line == "\r\n" {
                break;
            }
        }
        conn.send(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello over TLS\r\n")?;
        conn.close();
        Ok(())
    });

    // The recipe itself: the client verifies the server against the CA.
    let ctx = new_context(ContextOptions::new().ca_file(&pki.ca_file))?;
    let mut socket = Socket::tcp()?;
    ctx.wrap_socket(&mut socket)?;
    socket.connect("localhost", port)?;
    socket.send(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    println!("status: {}", socket.recv_line()?);
    loop {
        let line = socket.recv_line()?;
        if line.is_empty() {
            break;
        }
        println!("  {}", if line == "\r\n" { "" } else { &line });
    }
    socket.close();
    server.join().expect("server thread")?;
    Ok(())
}
