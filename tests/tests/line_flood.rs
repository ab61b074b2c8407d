//! 1 GiB without a newline at the default `max_length`: memory stays bounded and nothing is
//! lost. Alone in its binary so the peak-memory reading is this test's own.

use std::thread;

use net::{ReadLineResult, ReadOptions, MAX_LINE_LENGTH};
use net_tests::{pair, Transport};

fn peak_rss_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("VmHWM");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("VmHWM value")
}

#[test]
fn a_gigabyte_without_newline_is_read_in_bounded_memory() {
    const TOTAL: usize = 1 << 30;
    let (mut w, mut r) = pair(Transport::Tcp4, true);
    let writer = thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..TOTAL / chunk.len() {
            w.send(&chunk).unwrap();
        }
        w.send(b"\nend\n").unwrap();
    });
    let before = peak_rss_kib();
    let mut line = Vec::new();
    let mut total = 0;
    let opts = ReadOptions::new();
    loop {
        match r.read_line_bytes(&mut line, &opts).unwrap() {
            ReadLineResult::PartialLine => {
                assert_eq!(line.len(), MAX_LINE_LENGTH, "pieces are exactly max_length");
                assert!(line.iter().all(|&b| b == b'x'));
                total += line.len();
            }
            ReadLineResult::FullLine => {
                total += line.len();
                break;
            }
            other => panic!("unexpected {other:?} after {total} bytes"),
        }
    }
    assert_eq!(total, TOTAL, "every byte came back");
    assert_eq!(r.recv_line().unwrap(), "end");
    writer.join().unwrap();
    let grown_mib = (peak_rss_kib().saturating_sub(before)) / 1024;
    assert!(grown_mib < 64, "peak memory grew by {grown_mib} MiB for a 1 GiB line");
}
