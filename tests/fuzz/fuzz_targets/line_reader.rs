//! The read engine (`read_line_bytes`, `recv_into`, peeks, `skip`) over a transport the fuzzer
//! scripts: chunks of any size, stalls (the transport has nothing yet), a reset or an end.
//!
//! The transport is a session plugged into the socket's seam, so the engine is driven without
//! the kernel deciding the chunking. Invariant: every byte the calls give out is the next byte
//! of the stream, lines split as the docs say (`\r\n`, `\n` or a lone `\r`; pieces of
//! `max_length`), and draining at the end yields exactly what was left: nothing lost,
//! duplicated or reordered.
#![no_main]

use std::any::Any;
use std::collections::VecDeque;
use std::io;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use net::{ReadLineResult, ReadOptions, SecureSession, Socket, SocketFlag, SocketFlags};

#[derive(Debug, Arbitrary)]
enum Step {
    Data(Vec<u8>),
    Stall,
    Reset,
}

#[derive(Debug, Arbitrary)]
enum Op {
    Line { max_length: u8 },
    Recv { size: u8 },
    Peek { size: u8 },
    Skip { size: u8 },
    Read { size: u8 },
}

#[derive(Debug, Arbitrary)]
struct Input {
    buffered: bool,
    safe_disconn: bool,
    script: Vec<Step>,
    ops: Vec<Op>,
}

/// Plays the script: data in its chunks, `WouldBlock` for a stall, then a reset or the end.
#[derive(Debug)]
struct Scripted {
    steps: VecDeque<Step>,
}

impl net::__private::Sealed for Scripted {}

impl SecureSession for Scripted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.steps.front_mut() {
                None => return Ok(0),
                Some(Step::Data(d)) if d.is_empty() => {
                    self.steps.pop_front();
                }
                Some(Step::Data(d)) => {
                    let n = buf.len().min(d.len());
                    buf[..n].copy_from_slice(&d[..n]);
                    d.drain(..n);
                    return Ok(n);
                }
                Some(Step::Stall) => {
                    self.steps.pop_front();
                    return Err(io::ErrorKind::WouldBlock.into());
                }
                Some(Step::Reset) => return Err(io::ErrorKind::ConnectionReset.into()),
            }
        }
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn close_notify(&mut self) -> io::Result<()> {
        Ok(())
    }
    fn pending_plaintext(&self) -> usize {
        match self.steps.front() {
            Some(Step::Data(d)) => d.len(),
            _ => 0,
        }
    }
    fn handshake_complete(&self) -> bool {
        true
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// What the reader has given out so far, checked against the stream.
struct Model<'a> {
    stream: &'a [u8],
    at: usize,
}

impl Model<'_> {
    fn take(&mut self, got: &[u8], what: &str) {
        let want = &self.stream[self.at..(self.at + got.len()).min(self.stream.len())];
        assert_eq!(got, want, "{what} at {}: not the next bytes of the stream", self.at);
        self.at += got.len();
    }

    fn peek(&self, got: &[u8]) {
        assert!(self.stream[self.at..].starts_with(got), "peek at {}: not the next bytes", self.at);
    }

    /// A full line: its bytes, then one terminator.
    fn line(&mut self, line: &[u8]) {
        self.take(line, "line");
        let rest = &self.stream[self.at..];
        let end = if rest.starts_with(b"\r\n") {
            2
        } else if rest.starts_with(b"\n") || rest.starts_with(b"\r") {
            1
        } else {
            panic!("a full line at {} is not followed by a terminator", self.at)
        };
        self.at += end;
    }
}

fuzz_target!(|input: Input| {
    let mut stream = Vec::new();
    let mut reset = false;
    for step in &input.script {
        match step {
            Step::Data(d) if !reset => stream.extend_from_slice(d),
            Step::Reset => reset = true,
            _ => {}
        }
    }
    let (a, _peer) = std::os::unix::net::UnixStream::pair().expect("socketpair");
    let mut socket = Socket::builder().domain(net::Domain::Unix).buffered(input.buffered).from_fd(a.into());
    socket.secure(Box::new(Scripted { steps: input.script.into_iter().collect() })).expect("secure");
    let flags = if input.safe_disconn { SocketFlags::default() } else { SocketFlags::empty() };
    let opts = |max: usize| ReadOptions::new().flags(flags).max_length(max);
    let mut model = Model { stream: &stream, at: 0 };
    let mut ended = false;
    for op in input.ops.iter().take(64) {
        match *op {
            Op::Line { max_length } => {
                let max = usize::from(max_length).max(1);
                let mut line = Vec::new();
                match socket.read_line_bytes(&mut line, &opts(max)) {
                    Ok(ReadLineResult::FullLine) => model.line(&line),
                    Ok(ReadLineResult::PartialLine) => {
                        assert!(line.len() <= max, "a piece longer than max_length");
                        model.take(&line, "partial line");
                    }
                    Ok(ReadLineResult::Disconnected) => {
                        assert!(line.is_empty());
                        ended = true;
                    }
                    Ok(ReadLineResult::None) => assert!(line.is_empty()),
                    Ok(other) => panic!("unknown result {other:?}"),
                    Err(_) => assert!(line.is_empty() || !input.safe_disconn),
                }
            }
            Op::Recv { size } => {
                let mut buf = vec![0u8; usize::from(size)];
                if let Ok(n) = socket.recv_into_with(&mut buf, &opts(net::MAX_LINE_LENGTH)) {
                    model.take(&buf[..n], "recv");
                    ended |= n == 0 && !buf.is_empty();
                }
            }
            Op::Peek { size } => {
                let mut buf = vec![0u8; usize::from(size)];
                let peek = opts(net::MAX_LINE_LENGTH).flags(flags | SocketFlag::Peek);
                if let Ok(n) = socket.recv_into_with(&mut buf, &peek) {
                    model.peek(&buf[..n]);
                }
            }
            Op::Skip { size } => {
                if let Ok(n) = socket.skip(usize::from(size)) {
                    assert!(n <= usize::from(size));
                    assert!(model.at + n <= stream.len(), "skipped past the end of the stream");
                    model.at += n;
                }
            }
            Op::Read { size } => {
                let mut buf = vec![0u8; usize::from(size)];
                if let Ok(n) = io::Read::read(&mut socket, &mut buf) {
                    model.take(&buf[..n], "read");
                }
            }
        }
    }
    if ended && !reset {
        assert_eq!(model.at, stream.len(), "end of stream reported with bytes left");
    }
    // Drain: whatever is left comes out whole (stalls are finite; a reset ends the stream).
    let mut buf = [0u8; 512];
    for _ in 0..10_000 {
        match socket.recv_into_with(&mut buf, &opts(net::MAX_LINE_LENGTH)) {
            Ok(0) => break,
            Ok(n) => model.take(&buf[..n], "drain"),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(_) => break,
        }
    }
    assert_eq!(model.at, stream.len(), "bytes lost: {} of {} given out", model.at, stream.len());
});
