//! Counting the system calls one thread makes, with `strace` attached to it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Runs `f` on this thread with `strace -c` attached to the thread alone; returns what `f`
/// gave and the number of calls per system call name. Panics when `strace` is missing
/// (`.ci/run` installs it) or cannot attach.
pub fn count_syscalls<T>(f: impl FnOnce() -> T) -> (T, BTreeMap<String, u64>) {
    #[allow(unsafe_code)]
    // SAFETY: gettid(2) has no arguments and cannot fail.
    let tid = unsafe { libc::gettid() };
    let out = std::env::temp_dir().join(format!("net-strace-{}-{tid}.txt", std::process::id()));
    let mut strace = Command::new("strace")
        .args(["-c", "-p", &tid.to_string(), "-o"])
        .arg(&out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("strace is needed for this test (Debian: apt-get install strace; .ci/run installs it)");
    let mut stderr = BufReader::new(strace.stderr.take().expect("strace stderr"));
    let mut line = String::new();
    while !line.contains("attached") {
        line.clear();
        let n = stderr.read_line(&mut line).expect("strace stderr");
        assert!(n > 0, "strace could not attach to thread {tid}");
    }
    let result = f();
    #[allow(unsafe_code)]
    // SAFETY: kill(2) with our own child's pid; SIGINT makes strace detach and write its table.
    unsafe {
        libc::kill(strace.id() as libc::pid_t, libc::SIGINT)
    };
    strace.wait().expect("strace exit");
    let table = std::fs::read_to_string(&out).expect("strace table");
    let _ = std::fs::remove_file(&out);
    (result, parse_table(&table))
}

/// `strace -c`'s table: `% time, seconds, usecs/call, calls, [errors,] syscall`.
fn parse_table(table: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for row in table.lines() {
        let cols: Vec<&str> = row.split_whitespace().collect();
        if cols.len() < 5 || cols[0].starts_with('%') || cols[0].starts_with('-') || cols.last() == Some(&"total") {
            continue;
        }
        if let (Ok(calls), Some(name)) = (cols[3].parse::<u64>(), cols.last()) {
            counts.insert((*name).to_owned(), calls);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_strace_c_tables() {
        let table = "% time     seconds  usecs/call     calls    errors syscall\n\
                     ------ ----------- ----------- --------- --------- ----------------\n\
                     \x20 60.00    0.000030          15         2           poll\n\
                     \x20 40.00    0.000020          10         2         1 recvfrom\n\
                     ------ ----------- ----------- --------- --------- ----------------\n\
                     100.00    0.000050          12         4         1 total\n";
        let counts = super::parse_table(table);
        assert_eq!(counts.get("poll"), Some(&2));
        assert_eq!(counts.get("recvfrom"), Some(&2));
        assert_eq!(counts.len(), 2);
    }
}
