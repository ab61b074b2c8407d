//! Quick recipe "Unix socket": a line server on a Unix stream socket in a temporary directory,
//! and a client. Run: `cargo run -p net --example unix`.

use std::thread;

use net::Socket;

fn main() -> Result<(), net::Error> {
    let dir = std::env::temp_dir().join(format!("net-unix-example-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("echo.sock");

    let mut server = Socket::unix_stream()?;
    server.bind_unix(&path)?;
    server.listen()?;
    let serving = thread::spawn(move || -> Result<(), net::Error> {
        let mut conn = server.accept()?;
        let line = conn.recv_line()?;
        conn.send(format!("Echo: {line}\n").as_bytes())?;
        Ok(())
    });

    let mut client = Socket::unix_stream()?;
    client.connect_unix(&path)?;
    client.send(b"over a Unix socket\n")?;
    println!("{}", client.recv_line()?);

    serving.join().expect("server thread")?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
