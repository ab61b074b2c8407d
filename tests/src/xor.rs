//! A test-only "secured" layer shaped like TLS: a handshake, framed records (2-byte length +
//! payload XORed with a key), plaintext buffered inside the session, close_notify. It proves
//! that every socket API works through net-core's seam without net-core knowing the layer.

use std::any::Any;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use net::{Error, SecureSession, SecureUpgrade, SocketIo};

const HELLO: &[u8] = b"XOR-HELLO";

/// The upgrade recorded on a socket before connect/accept.
#[derive(Debug, Clone)]
pub struct XorUpgrade {
    /// The XOR key.
    pub key: u8,
    /// How many close_notify calls the sessions made, all together.
    pub close_notifies: Arc<AtomicUsize>,
}

impl XorUpgrade {
    /// A layer with `key`.
    pub fn new(key: u8) -> Self {
        XorUpgrade { key, close_notifies: Arc::new(AtomicUsize::new(0)) }
    }

    /// A session over `io` without a handshake (for `Socket::secure`).
    pub fn session(&self, io: SocketIo) -> XorSession {
        XorSession {
            io,
            key: self.key,
            raw: Vec::new(),
            plain: Vec::new(),
            plain_pos: 0,
            handshaken: true,
            close_notifies: self.close_notifies.clone(),
        }
    }
}

fn tls_err(msg: impl Into<String>) -> Error {
    Error::Tls(msg.into().into())
}

impl net::__private::Sealed for XorUpgrade {}

impl SecureUpgrade for XorUpgrade {
    fn client(&self, io: SocketIo, _server_name: &str) -> Result<Box<dyn SecureSession>, Error> {
        let mut s = self.session(io);
        s.handshaken = false;
        s.write_record(HELLO).map_err(|e| Error::io("handshake", None, e))?;
        let reply = s.read_record().map_err(|e| Error::io("handshake", None, e))?;
        if reply.as_deref() != Some(HELLO) {
            return Err(tls_err("xor handshake: bad server hello"));
        }
        s.handshaken = true;
        Ok(Box::new(s))
    }

    fn server(&self, io: SocketIo) -> Result<Box<dyn SecureSession>, Error> {
        let mut s = self.session(io);
        s.handshaken = false;
        let hello = s.read_record().map_err(|e| Error::io("handshake", None, e))?;
        if hello.as_deref() != Some(HELLO) {
            return Err(tls_err("xor handshake: bad client hello"));
        }
        s.write_record(HELLO).map_err(|e| Error::io("handshake", None, e))?;
        s.handshaken = true;
        Ok(Box::new(s))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// One secured connection.
#[derive(Debug)]
pub struct XorSession {
    io: SocketIo,
    key: u8,
    /// Ciphertext received and not yet a whole record (kept across WouldBlock, as TLS does).
    raw: Vec<u8>,
    plain: Vec<u8>,
    plain_pos: usize,
    handshaken: bool,
    close_notifies: Arc<AtomicUsize>,
}

impl XorSession {
    /// The key, to show that `ssl_handle`-style downcasts reach the session's own type.
    pub fn key(&self) -> u8 {
        self.key
    }

    fn write_record(&mut self, data: &[u8]) -> io::Result<()> {
        let mut frame = Vec::with_capacity(data.len() + 2);
        frame.extend_from_slice(&(data.len() as u16).to_be_bytes());
        frame.extend(data.iter().map(|b| b ^ self.key));
        self.io.write_all(&frame)
    }

    /// Reads one whole record; `None` at a clean end of stream between records.
    fn read_record(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if self.raw.len() >= 2 {
                let len = usize::from(u16::from_be_bytes([self.raw[0], self.raw[1]]));
                if self.raw.len() >= 2 + len {
                    let body: Vec<u8> = self.raw[2..2 + len].iter().map(|b| b ^ self.key).collect();
                    self.raw.drain(..2 + len);
                    return Ok(Some(body));
                }
            }
            let mut chunk = [0u8; 4096];
            match self.io.read(&mut chunk)? {
                0 if self.raw.is_empty() => return Ok(None),
                0 => return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "xor: stream ended inside a record")),
                n => self.raw.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

impl net::__private::Sealed for XorSession {}

impl SecureSession for XorSession {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.plain_pos == self.plain.len() {
            match self.read_record()? {
                None => return Ok(0),
                Some(body) => {
                    self.plain = body;
                    self.plain_pos = 0;
                }
            }
        }
        let n = buf.len().min(self.plain.len() - self.plain_pos);
        buf[..n].copy_from_slice(&self.plain[self.plain_pos..self.plain_pos + n]);
        self.plain_pos += n;
        Ok(n)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(usize::from(u16::MAX));
        self.write_record(&buf[..n])?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn close_notify(&mut self) -> io::Result<()> {
        self.close_notifies.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    fn pending_plaintext(&self) -> usize {
        self.plain.len() - self.plain_pos
    }

    fn handshake_complete(&self) -> bool {
        self.handshaken
    }

    fn peer_certificates(&self) -> Vec<Vec<u8>> {
        vec![vec![self.key]]
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
