//! Unix domain sockets: bind, listen, connect, accept, lines, errors that name the path.

use std::path::PathBuf;

use net::{Domain, Error, Socket};

fn temp_path(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("net-test-{}-{name}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn server_and_client_exchange_lines() {
    let path = temp_path("echo");
    let mut server = Socket::unix_stream().unwrap();
    server.bind_unix(&path).unwrap();
    server.listen().unwrap();
    assert!(server.local_sock_addr().unwrap().as_pathname().is_some());
    let mut client = Socket::unix_stream().unwrap();
    client.connect_unix(&path).unwrap();
    let (mut conn, address) = server.accept_addr().unwrap();
    assert_eq!(address, "", "an unnamed client has no path");
    assert_eq!(conn.domain(), Domain::Unix);
    client.send(b"over unix\r\n").unwrap();
    assert_eq!(conn.recv_line().unwrap(), "over unix");
    conn.send(b"back\n").unwrap();
    assert_eq!(client.recv_line().unwrap(), "back");
    assert!(matches!(client.local_addr(), Err(Error::Unsupported { op: "local_addr", .. })));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn errors_name_the_path() {
    let path = temp_path("missing");
    let mut client = Socket::unix_stream().unwrap();
    let err = client.connect_unix(&path).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains(&path.display().to_string()), "{err}");

    let taken = temp_path("taken");
    let mut first = Socket::unix_stream().unwrap();
    first.bind_unix(&taken).unwrap();
    let mut second = Socket::unix_stream().unwrap();
    let err = second.bind_unix(&taken).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse, "{err}");
    assert!(err.to_string().contains("taken"), "{err}");
    std::fs::remove_file(&taken).unwrap();

    let too_long = "x".repeat(200);
    assert!(Socket::unix_stream().unwrap().bind_unix(&too_long).is_err());
}
