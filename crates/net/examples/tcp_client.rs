//! Quick recipe "Simple TCP client": connect, send a request, read the whole response until
//! the server closes. The "remote" web server is a thread on 127.0.0.1, so nothing leaves the
//! machine. Run: `cargo run -p net --example tcp_client`.

use std::thread;

use net::Socket;

fn main() -> Result<(), net::Error> {
    let (port, server) = tiny_http_server()?;

    // The recipe itself.
    let mut socket = Socket::tcp()?;
    socket.connect("localhost", port)?;
    socket.send(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = Vec::new();
    loop {
        let chunk = socket.recv(4096)?;
        if chunk.is_empty() {
            break; // the server closed: the response is whole
        }
        response.extend_from_slice(&chunk);
    }
    socket.close();
    print!("{}", String::from_utf8_lossy(&response));

    server.join().expect("server thread")?;
    Ok(())
}

/// Answers one HTTP/1.0 request, then closes; returns its port.
fn tiny_http_server() -> Result<(u16, thread::JoinHandle<Result<(), net::Error>>), net::Error> {
    let mut listener = Socket::tcp()?;
    listener.bind_addr(0, "127.0.0.1")?;
    listener.listen()?;
    let port = listener.local_addr()?.port();
    let server = thread::spawn(move || {
        let mut conn = listener.accept()?;
        // The request ends with a blank line (`"\r\n"` here) or the end of the stream.
        while !matches!(conn.recv_line()?.as_str(), "" | "\r\n") {}
        conn.send(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from a tiny server\r\n")?;
        conn.close();
        Ok(())
    });
    Ok((port, server))
}
