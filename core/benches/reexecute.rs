//! Re-execution speed: each of kona-executor 0.4.0's eight real OP Sepolia blocks rebuilt in
//! process by riposte's builder from its fixture store. Prints, per block, the median wall time of BENCH_RUNS runs
//! (default 5), the gas it used and gas per second, and at the end the process's peak RSS.
//!
//! `cargo bench -p riposte-core --bench reexecute`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is the run failing

use std::time::{Duration, Instant};

use riposte_core::{
    exec::execute_block,
    fixture::{Fixture, executor_fixtures},
};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    let fixtures: Vec<Fixture> = executor_fixtures().unwrap().iter().map(|p| Fixture::load(p).unwrap()).collect();
    println!("re-executing {} OP Sepolia blocks, {runs} runs each (median)", fixtures.len());
    println!("{:<16} {:>4} {:>11} {:>10} {:>12} {:>8}", "block", "txs", "gas", "ms", "Mgas/s", "entries");
    let (mut total_gas, mut total_time) = (0u64, Duration::ZERO);
    for fx in &fixtures {
        let json = &fx.json;
        let mut times = Vec::with_capacity(runs);
        let mut gas = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let done =
                execute_block(&json.rollup_config, &json.parent_header, json.executing_payload.clone(), &fx.store)
                    .unwrap();
            times.push(start.elapsed());
            assert_eq!(done.block_hash, json.expected_block_hash, "{}", fx.name);
            gas = done.gas_used;
        }
        times.sort();
        let median = times[times.len() / 2];
        total_gas += gas;
        total_time += median;
        println!(
            "{:<16} {:>4} {:>11} {:>10.1} {:>12.1} {:>8}",
            fx.name,
            json.executing_payload.transactions.as_ref().map_or(0, Vec::len),
            gas,
            median.as_secs_f64() * 1e3,
            gas as f64 / median.as_secs_f64() / 1e6,
            fx.store.len()
        );
    }
    println!(
        "all: {total_gas} gas in {:.1} ms, {:.1} Mgas/s; peak RSS {:.1} MiB (fixtures loaded in memory included)",
        total_time.as_secs_f64() * 1e3,
        total_gas as f64 / total_time.as_secs_f64() / 1e6,
        peak_rss_mib()
    );
}
