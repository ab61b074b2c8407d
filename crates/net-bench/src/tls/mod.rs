//! The TLS benchmarks: net's TLS on each backend against the backend's crate used directly
//! ([`mod@direct`]), with the settings the backend uses. The reading side of a `tls_bulk_*` run is
//! every [`recv_bulk`] (the server's, then the client's); of a `tls_handshake_*` run, the
//! server's loop (accept with its handshake, read one byte, close).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use net::tls::{BackendKind, ContextOptions, HandshakeSide, ProtocolVersion};
use net::SockOpt;
use net_tests::certs::{Leaf, Pki, Validity};
use net_tests::tls::{context, server_context_with};

use crate::probe;
use crate::setup::{last_cpu, net_listener, per_second, std_listener, Ctx, Pinned, Variant, CHUNK, LOOPBACK, MIB};

mod direct;

#[cfg(feature = "native-tls")]
pub(crate) use direct::NativeTls;
#[cfg(feature = "openssl")]
pub(crate) use direct::OpenSsl;
#[cfg(feature = "rustls")]
pub(crate) use direct::Rustls;

/// The name the server's certificate carries and the clients check.
const SERVER_NAME: &str = "localhost";

/// The test CA and the server's certificate (chain and key), made once per run.
#[derive(Debug)]
pub(crate) struct Files {
    pki: Pki,
    leaf: Leaf,
}

impl Ctx {
    fn tls_files(&self) -> &Files {
        self.tls.get_or_init(|| {
            let pki = Pki::new("bench");
            let leaf = pki.server("localhost", &[SERVER_NAME], Validity::Current);
            Files { pki, leaf }
        })
    }
}

/// One end of a TLS connection, handshake done: net's socket or a crate's own stream.
pub(crate) trait End: Send {
    fn send_all(&mut self, data: &[u8]);
    /// One read; 0 at the end of the stream.
    fn recv_some(&mut self, buf: &mut [u8]) -> usize;
    /// Sends close_notify (errors ignored: the peer may be gone); the descriptor closes
    /// when the end is dropped.
    fn close(&mut self);
    /// Whether its handshake resumed a session; `None` when the crate cannot tell.
    fn resumed(&self) -> Option<bool>;
}

impl End for net::Socket {
    fn send_all(&mut self, data: &[u8]) {
        self.send(data).expect("net send");
    }
    fn recv_some(&mut self, buf: &mut [u8]) -> usize {
        self.recv_into(buf).expect("net recv_into")
    }
    fn close(&mut self) {
        net::Socket::close(self);
    }
    fn resumed(&self) -> Option<bool> {
        net::tls::session_info(self).and_then(|info| info.resumed)
    }
}

/// A TLS crate's stream over a `TcpStream`, with that crate's way to send close_notify and
/// to tell a resumed handshake.
struct Direct<S> {
    stream: S,
    close_notify: fn(&mut S),
    resumed: fn(&S) -> Option<bool>,
}

impl<S: Read + Write + Send> End for Direct<S> {
    fn send_all(&mut self, data: &[u8]) {
        self.stream.write_all(data).and_then(|()| self.stream.flush()).expect("direct write");
    }
    fn recv_some(&mut self, buf: &mut [u8]) -> usize {
        self.stream.read(buf).expect("direct read")
    }
    fn close(&mut self) {
        (self.close_notify)(&mut self.stream);
    }
    fn resumed(&self) -> Option<bool> {
        (self.resumed)(&self.stream)
    }
}

fn direct<S: Read + Write + Send + 'static>(
    stream: S,
    close_notify: fn(&mut S),
    resumed: fn(&S) -> Option<bool>,
) -> Box<dyn End> {
    Box::new(Direct { stream, close_notify, resumed })
}

/// What a run asks of both sides, net's and the crate's alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Setup {
    /// Both sides pinned to TLS 1.2; else any version (TLS 1.3 is what they agree on).
    pub(crate) tls12: bool,
    /// Whether clients keep and offer sessions. A TLS 1.3 client that never reads gets no
    /// ticket, so full TLS 1.3 runs keep the defaults; TLS 1.2 sessions come with the
    /// handshake itself, so full TLS 1.2 runs turn resumption off on the client.
    pub(crate) resume: bool,
    /// `TCP_NODELAY` on every socket before its handshake (accepted ones inherit it from the
    /// listener).
    pub(crate) nodelay: bool,
}

impl Setup {
    /// Each side's defaults.
    pub(crate) const DEFAULT: Setup = Setup { tls12: false, resume: true, nodelay: false };
}

/// A backend, and its crate used directly with the settings the backend uses.
pub(crate) trait Backend {
    const KIND: BackendKind;
    /// The client and server configurations, made once per run, shared with the server
    /// thread.
    type Config: Send + Sync + 'static;
    fn config(files: &Files, setup: Setup) -> Self::Config;
    /// A client on `tcp`, handshake done.
    fn connect(config: &Self::Config, tcp: TcpStream) -> Box<dyn End>;
    /// A server on `tcp`, handshake done.
    fn accept(config: &Self::Config, tcp: TcpStream) -> Box<dyn End>;
}

/// Gives the server's end of the next connection (in the server thread).
type Acceptor = Box<dyn FnMut() -> Box<dyn End> + Send>;
/// Opens the next connection and gives the client's end.
type Connector = Box<dyn FnMut() -> Box<dyn End>>;

/// Both sides of `variant` on a new listener, as `setup` asks: net (a wrapped listener; `dial`
/// then `wrap_connected_socket`) or the crate directly over std.
fn endpoints<B: Backend>(variant: Variant, ctx: &Ctx, setup: Setup) -> (Acceptor, Connector) {
    let files = ctx.tls_files();
    let nodelay = setup.nodelay;
    match variant {
        Variant::Net => {
            let version = |o: ContextOptions| if setup.tls12 { o.protocol(ProtocolVersion::TlsV1_2) } else { o };
            let server = server_context_with(B::KIND, &files.leaf, version(ContextOptions::new()));
            let mut client_options = version(ContextOptions::new().ca_file(&files.pki.ca_file));
            if !setup.resume {
                client_options = client_options.session_resumption(false);
            }
            let client = context(B::KIND, client_options);
            let (mut listener, port) = net_listener();
            listener.set_sock_opt(SockOpt::NoDelay, nodelay).expect("TCP_NODELAY");
            server.wrap_socket(&mut listener).expect("wrap the listener");
            let accept = move || -> Box<dyn End> {
                let conn = listener.accept().expect("net TLS accept");
                assert!(conn.is_buffered() && conn.get_sock_opt(SockOpt::NoDelay).expect("TCP_NODELAY") == nodelay);
                Box::new(conn)
            };
            let connect = move || -> Box<dyn End> {
                let mut conn = net::dial(LOOPBACK, port).expect("dial");
                conn.set_sock_opt(SockOpt::NoDelay, nodelay).expect("TCP_NODELAY");
                client.wrap_connected_socket(&mut conn, HandshakeSide::Client, SERVER_NAME).expect("net TLS connect");
                Box::new(conn)
            };
            (Box::new(accept), Box::new(connect))
        }
        Variant::Std => {
            let config = Arc::new(B::config(files, setup));
            let (listener, port) = std_listener();
            socket2::SockRef::from(&listener).set_tcp_nodelay(nodelay).expect("TCP_NODELAY");
            let server_config = config.clone();
            let accept = move || B::accept(&server_config, listener.accept().expect("accept").0);
            let connect = move || {
                let tcp = TcpStream::connect((LOOPBACK, port)).expect("connect");
                tcp.set_nodelay(nodelay).expect("TCP_NODELAY");
                B::connect(&config, tcp)
            };
            (Box::new(accept), Box::new(connect))
        }
    }
}

/// The byte at offset `i` of a `tls_bulk` direction: each 64 KiB write is the same block.
fn pattern(i: usize) -> u8 {
    (i % CHUNK % 251) as u8
}

fn send_bulk(end: &mut dyn End, total: usize) {
    let block: Vec<u8> = (0..CHUNK).map(pattern).collect();
    let mut left = total;
    while left > 0 {
        let n = left.min(CHUNK);
        end.send_all(&block[..n]);
        left -= n;
    }
}

/// Reads `total` bytes (less at an early end of stream); returns how many came, after
/// checking the first and last byte of every read.
fn recv_bulk(end: &mut dyn End, total: usize) -> usize {
    let mut buf = vec![0u8; CHUNK];
    probe::reading(|| {
        let mut got = 0;
        while got < total {
            let n = end.recv_some(&mut buf[..CHUNK.min(total - got)]);
            if n == 0 {
                break;
            }
            assert!(buf[0] == pattern(got) && buf[n - 1] == pattern(got + n - 1), "bytes out of place at {got}");
            got += n;
        }
        got
    })
}

pub(crate) fn bulk<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
    let total = ctx.sizes.tls_bulk;
    let (mut accept, mut connect) = endpoints::<B>(variant, ctx, Setup { nodelay: true, ..Setup::DEFAULT });
    let go = Arc::new(Barrier::new(2));
    let server_go = go.clone();
    let cpu = last_cpu();
    let _pinned = cpu.map(Pinned::to);
    let server = thread::spawn(move || {
        let _pinned = cpu.map(Pinned::to);
        let mut end = accept();
        server_go.wait();
        let got = recv_bulk(&mut *end, total);
        send_bulk(&mut *end, total);
        end.close();
        got
    });
    let mut end = connect();
    go.wait();
    let start = Instant::now();
    send_bulk(&mut *end, total);
    let back = recv_bulk(&mut *end, total);
    let elapsed = start.elapsed();
    end.close();
    let there = server.join().expect("server");
    assert_eq!((there, back), (total, total), "{variant:?} {}: bytes received (server, client)", B::KIND);
    per_second(2.0 * total as f64 / MIB, elapsed)
}

/// Full handshakes: the client never reads, so it never gets the server's TLS 1.3 tickets
/// and has no session to resume (checked on the server, where the crate can tell).
pub(crate) fn handshakes<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
    full::<B>(variant, ctx, Setup::DEFAULT)
}

/// Resumed handshakes: one connection first (not timed) leaves the client a session; then
/// every connection resumes the session the one before it left (its byte comes back, and
/// with it the server's new tickets). Checked on the server, where the crate can tell.
pub(crate) fn resumed_handshakes<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
    resumed::<B>(variant, ctx, Setup::DEFAULT)
}

/// [`handshakes`] with both sides pinned to TLS 1.2 and the client offering no session.
pub(crate) fn handshakes_tls12<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
    full::<B>(variant, ctx, Setup { tls12: true, resume: false, nodelay: true })
}

/// [`resumed_handshakes`] with both sides pinned to TLS 1.2: the abbreviated handshake.
pub(crate) fn resumed_handshakes_tls12<B: Backend>(variant: Variant, ctx: &Ctx) -> f64 {
    resumed::<B>(variant, ctx, Setup { tls12: true, resume: true, nodelay: true })
}

fn full<B: Backend>(variant: Variant, ctx: &Ctx, setup: Setup) -> f64 {
    let (rate, resumed) = connections::<B>(variant, ctx, false, setup);
    assert!(resumed.is_none_or(|r| r == 0), "{variant:?} {}: {resumed:?} full handshakes resumed", B::KIND);
    rate
}

fn resumed<B: Backend>(variant: Variant, ctx: &Ctx, setup: Setup) -> f64 {
    let n = ctx.sizes.handshakes;
    let (rate, resumed) = connections::<B>(variant, ctx, true, setup);
    assert_eq!(resumed, Some(n), "{variant:?} {}: resumed handshakes of {n}", B::KIND);
    rate
}

/// `handshakes` sequential connections, each a handshake, one byte from the client (checked
/// by the server) and a close; with `echo`, the server sends the byte back and the client
/// reads it, after one connection that is not timed. Handshakes per second, and how many of
/// the timed ones the server saw resumed (`None` when the crate cannot tell).
///
/// TLS 1.2 runs set `TCP_NODELAY` (`Setup::nodelay`): after an abbreviated handshake the
/// client's Finished and its byte leave as two small segments, and Nagle's algorithm would hold
/// the second for the server's delayed acknowledgement (40 ms). A TLS 1.3 server's tickets
/// acknowledge them.
fn connections<B: Backend>(variant: Variant, ctx: &Ctx, echo: bool, setup: Setup) -> (f64, Option<usize>) {
    let n = ctx.sizes.handshakes;
    let cpu = last_cpu();
    let _pinned = cpu.map(Pinned::to);
    let (mut accept, mut connect) = endpoints::<B>(variant, ctx, setup);
    let primer = usize::from(echo);
    let server = thread::spawn(move || {
        let _pinned = cpu.map(Pinned::to);
        probe::reading(|| {
            let (mut good, mut resumed) = (0usize, Some(0usize));
            for i in 0..primer + n {
                let mut end = accept();
                let mut byte = [0u8; 1];
                good += usize::from(end.recv_some(&mut byte) == 1 && byte[0] == i as u8);
                if echo {
                    end.send_all(&byte);
                }
                if i >= primer {
                    resumed = resumed.zip(end.resumed()).map(|(count, r)| count + usize::from(r));
                }
                end.close();
            }
            (good, resumed)
        })
    });
    let mut visit = |i: usize| {
        let mut end = connect();
        end.send_all(&[i as u8]);
        if echo {
            let mut byte = [0u8; 1];
            assert!(end.recv_some(&mut byte) == 1 && byte[0] == i as u8, "{variant:?} {}: echo", B::KIND);
        }
        end.close();
    };
    for i in 0..primer {
        visit(i);
    }
    let start = Instant::now();
    for i in primer..primer + n {
        visit(i);
    }
    let (good, resumed) = server.join().expect("server");
    let elapsed = start.elapsed();
    assert_eq!(good, primer + n, "{variant:?} {}: connections whose byte arrived", B::KIND);
    (per_second(n as f64, elapsed), resumed)
}
