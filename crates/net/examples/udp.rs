//! Quick recipe "UDP exchange": a receiver bound to a port, a sender that sends it one
//! datagram, over loopback. Run: `cargo run -p net --example udp`.

use net::Socket;

fn main() -> Result<(), net::Error> {
    // Receiver (Nim's recipe binds 9999; port 0 lets the OS pick a free one).
    let mut receiver = Socket::udp()?;
    receiver.bind_addr(0, "127.0.0.1")?;
    let port = receiver.local_addr()?.port();

    // Sender.
    let mut sender = Socket::udp()?;
    sender.send_to("127.0.0.1", port, b"Hello UDP!")?;

    let mut data = [0u8; 1024];
    let (size, from_addr, from_port) = receiver.recv_from(&mut data)?;
    println!("Received from {from_addr}:{}: {}", from_port.0, String::from_utf8_lossy(&data[..size]));
    Ok(())
}
