//! The main job: a TCP line server and client, a UDP exchange, a Unix socket and a TLS echo
//! (default backend, certificate made on the spot and verified), all over loopback, printing
//! what happened. Run with `cargo run -p net --example tour`.

#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
#[path = "support/pki.rs"]
mod pki;

use std::thread;
use std::time::Duration;

use net::{Domain, ReadOptions, SockOpt, Socket};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tcp_line_echo()?;
    udp_exchange()?;
    unix_socket()?;
    #[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
    tls_echo()?;
    println!("all done");
    Ok(())
}

/// A TLS echo on the default backend: the client verifies the server's certificate (made on
/// the spot by a throw-away CA) and its name.
#[cfg(any(feature = "rustls", feature = "openssl", feature = "native-tls"))]
fn tls_echo() -> Result<(), Box<dyn std::error::Error>> {
    use net::tls::{new_context, peer_certificates, session_info, ContextOptions, VerifyMode};

    let pki = pki::localhost()?;
    let (mut listener, port) = pki.tls_listener()?;
    let server = thread::spawn(move || -> Result<(), net::Error> {
        let mut conn = listener.accept()?;
        let line = conn.recv_line()?;
        conn.send(format!("echo: {line}\r\n").as_bytes())?;
        conn.close();
        Ok(())
    });

    let ctx = new_context(ContextOptions::new().verify_mode(VerifyMode::Peer).ca_file(&pki.ca_file))?;
    let mut client = Socket::tcp()?;
    ctx.wrap_socket(&mut client)?;
    client.connect("localhost", port)?;
    client.send(b"hello over TLS\r\n")?;
    let reply = client.recv_line()?;
    let info = session_info(&client).ok_or("no TLS session")?;
    let subject = peer_certificates(&client).first().and_then(|c| c.subject()).unwrap_or_default();
    println!(
        "tls: backend {}, {}, cipher {}",
        info.backend,
        info.protocol_version.unwrap_or_default(),
        info.cipher.unwrap_or_default()
    );
    println!("tls: verified peer certificate subject: {subject}");
    println!("tls: client sent \"hello over TLS\", got {reply:?}");
    client.close();
    server.join().expect("server thread")?;
    Ok(())
}

/// A line echo server on 127.0.0.1 and ::1, with a client that talks to it.
fn tcp_line_echo() -> Result<(), net::Error> {
    for (domain, host) in [(Domain::Inet, "127.0.0.1"), (Domain::Inet6, "::1")] {
        let mut server = Socket::builder().domain(domain).build()?;
        server.set_sock_opt(SockOpt::ReuseAddr, true)?;
        server.bind_addr(0, host)?;
        server.listen()?;
        let port = server.local_addr()?.port();
        println!("tcp: server listening on {}", server.local_addr()?);

        let handle = thread::spawn(move || -> Result<usize, net::Error> {
            let (mut client, address) = server.accept_addr()?;
            println!("tcp: server accepted a client from {address}");
            let mut served = 0;
            loop {
                let line = client.recv_line_with(&ReadOptions::new().timeout(Duration::from_secs(5)))?;
                if line.is_empty() {
                    return Ok(served);
                }
                client.send(format!("echo: {line}\r\n").as_bytes())?;
                served += 1;
            }
        });

        let mut client = net::dial(host, port)?;
        for word in ["hello", "from", "net"] {
            client.send(format!("{word}\r\n").as_bytes())?;
            println!("tcp: client sent {word:?}, got {:?}", client.recv_line()?);
        }
        client.close();
        let served = handle.join().expect("server thread")?;
        println!("tcp: server over {host} echoed {served} lines and saw the client leave");
    }
    Ok(())
}

/// One datagram each way between two UDP sockets.
fn udp_exchange() -> Result<(), net::Error> {
    let mut receiver = Socket::udp()?;
    receiver.bind_addr(0, "127.0.0.1")?;
    let port = receiver.local_addr()?.port();
    let mut sender = Socket::udp()?;
    sender.send_to("127.0.0.1", port, b"Hello UDP!")?;
    let mut buf = [0u8; 1024];
    let (n, from, from_port) = receiver.recv_from_host(&mut buf)?;
    println!("udp: received {:?} from {from}:{from_port}", String::from_utf8_lossy(&buf[..n]));
    receiver.send_to(&from, from_port, b"got it")?;
    let (n, _, _) = sender.recv_from(&mut buf)?;
    println!("udp: sender got the reply {:?}", String::from_utf8_lossy(&buf[..n]));
    Ok(())
}

/// A Unix stream socket server and client in a temporary path.
fn unix_socket() -> Result<(), net::Error> {
    let path = std::env::temp_dir().join(format!("net-tour-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let mut server = Socket::unix_stream()?;
    server.bind_unix(&path)?;
    server.listen()?;
    let mut client = Socket::unix_stream()?;
    client.connect_unix(&path)?;
    let mut conn = server.accept()?;
    client.send(b"over a unix socket\n")?;
    println!("unix: server read {:?} at {}", conn.recv_line()?, path.display());
    std::fs::remove_file(&path).map_err(|e| net::Error::io("remove_file", Some(path.display().to_string()), e))?;
    Ok(())
}
