//! The main job: a TCP line server and client, a UDP exchange and a Unix socket, all over
//! loopback, printing what happened. Run with `cargo run -p net --example tour`.

use std::thread;
use std::time::Duration;

use net::{Domain, ReadOptions, SockOpt, Socket};

fn main() -> Result<(), net::Error> {
    tcp_line_echo()?;
    udp_exchange()?;
    unix_socket()?;
    println!("all done");
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
