//! Quick recipe "Multithreaded TCP echo server": one thread per client, each reads a line and
//! answers `Echo: <line>`. Three clients connect over loopback, then the server stops (a real
//! server loops for ever: `for client in server.incoming()`). Run:
//! `cargo run -p net --example tcp_echo_server`.

use std::thread;

use net::{SockOpt, Socket};

fn handle_client(mut client: Socket) -> Result<(), net::Error> {
    let line = client.recv_line()?;
    client.send(format!("Echo: {line}\r\n").as_bytes())?;
    client.close();
    Ok(())
}

fn main() -> Result<(), net::Error> {
    let mut server = Socket::tcp()?;
    server.set_sock_opt(SockOpt::ReuseAddr, true)?;
    server.bind_addr(0, "127.0.0.1")?; // port 0: the OS picks a free one (Nim's recipe: 8080)
    server.listen()?;
    let port = server.local_addr()?.port();

    let clients = thread::spawn(move || -> Result<(), net::Error> {
        for i in 0..3 {
            let mut c = net::dial("127.0.0.1", port)?;
            c.send(format!("hello {i}\r\n").as_bytes())?;
            println!("client {i} got {:?}", c.recv_line()?);
        }
        Ok(())
    });

    let mut workers = Vec::new();
    for _ in 0..3 {
        let (client, address) = server.accept_addr()?;
        println!("accepted {address}");
        workers.push(thread::spawn(move || handle_client(client)));
    }
    for w in workers {
        w.join().expect("client thread")?;
    }
    clients.join().expect("clients")?;
    Ok(())
}
