//! The wall-clock mode: each benchmark runs net and its baseline alternately for a few rounds,
//! flipping the order every round, and keeps the median figure of each.

use crate::setup::{Ctx, Variant};
use crate::table::{median, verdict, Table};
use crate::Bench;

/// The medians of one benchmark's rounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Medians {
    pub(crate) net: f64,
    pub(crate) std: f64,
}

impl Medians {
    /// Net's throughput over the baseline's: above 1 means net is faster.
    pub(crate) fn ratio(self) -> f64 {
        self.net / self.std
    }
}

/// Runs `bench`'s rounds, prints every round's figures on one line, and returns the medians.
pub(crate) fn measure(bench: &Bench, ctx: &Ctx) -> Medians {
    let (mut net, mut std) = (Vec::new(), Vec::new());
    for round in 0..bench.rounds {
        let order = if round % 2 == 0 { [Variant::Net, Variant::Std] } else { [Variant::Std, Variant::Net] };
        for variant in order {
            let figure = (bench.run)(variant, ctx);
            if variant == Variant::Net { &mut net } else { &mut std }.push(figure);
        }
    }
    let show = |v: &[f64]| v.iter().map(|f| format!("{f:.*}", bench.decimals)).collect::<Vec<_>>().join(" ");
    println!("{:<24} net [{}]  {} [{}]  ({})", bench.name, show(&net), bench.baseline, show(&std), bench.unit);
    Medians { net: median(&net), std: median(&std) }
}

/// Measures every benchmark of `benches`, then prints the table.
pub(crate) fn run(benches: &[&Bench], ctx: &Ctx) {
    let rows: Vec<(&Bench, Medians)> = benches.iter().map(|&b| (b, measure(b, ctx))).collect();
    println!();
    print!("{}", table(&rows).render());
    let resumption = resumption_table(&rows);
    if !resumption.is_empty() {
        println!();
        print!("{resumption}");
        println!("{RESUMPTION_NOTE}");
    }
}

/// What the resumption table's figures come from.
const RESUMPTION_NOTE: &str = "\
A resumed TLS 1.3 handshake keeps its ECDHE exchange (psk_dhe_ke, for forward secrecy) and
skips the certificate's signature and checks, which are cheap with these ECDSA P-256
certificates; TLS 1.2's abbreviated handshake (the _tls12 rows) has no key exchange at all.
docs/benchmarks.md, \"Session resumption\", has the details.";

/// What a resumed handshake must gain over a full one, on net's side (issue 8).
const RESUMPTION_GOAL: f64 = 2.5;

/// For each backend whose full and resumed handshakes were both measured
/// (`tls_handshake_<backend>` and `tls_handshake_resumed_<backend>`), resumed over full
/// handshakes per second, for net and for the crate used directly; empty when none was.
fn resumption_table(rows: &[(&Bench, Medians)]) -> String {
    let mut table = Table::new(&[("resumed / full", false), ("net", true), ("baseline", true), ("goal", false)]);
    let mut any = false;
    for &(resumed, r) in rows {
        let Some(backend) = resumed.name.strip_prefix("tls_handshake_resumed_") else { continue };
        let full_name = format!("tls_handshake_{backend}");
        let Some(&(_, f)) = rows.iter().find(|(b, _)| b.name == full_name) else { continue };
        let ratio = r.net / f.net;
        table.row(vec![
            backend.to_owned(),
            format!("{ratio:.2}"),
            format!("{:.2}", r.std / f.std),
            format!(">= {RESUMPTION_GOAL:.1} {}", verdict(ratio >= RESUMPTION_GOAL)),
        ]);
        any = true;
    }
    if any {
        table.render()
    } else {
        String::new()
    }
}

/// Whether `medians` meets `bench`'s wall-clock goal, said as in the table.
pub(crate) fn goal_cell(bench: &Bench, medians: Medians) -> String {
    format!(">= {:.2} {}", bench.goal, verdict(medians.ratio() >= bench.goal))
}

fn table(rows: &[(&Bench, Medians)]) -> Table {
    let mut table = Table::new(&[
        ("benchmark", false),
        ("net", true),
        ("baseline", true),
        ("unit", false),
        ("ratio", true),
        ("goal", false),
    ]);
    for &(b, m) in rows {
        table.row(vec![
            b.name.to_owned(),
            format!("{:.*}", b.decimals, m.net),
            format!("{:.*}", b.decimals, m.std),
            b.unit.to_owned(),
            format!("{:.3}", m.ratio()),
            goal_cell(b, m),
        ]);
    }
    table
}
