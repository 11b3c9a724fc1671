//! Steady state: RPC requests and CPU per new L1 head while riposte tracks many games in which
//! nothing happens. Prints one line per game count; requests per head must not grow with it.
//!
//! `cargo bench -p riposte-agent --bench steady_state` (game counts: BENCH_GAMES,
//! default "10,1000"; heads measured: BENCH_HEADS, default 40).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is the run failing

mod common;

use std::{
    process::Child,
    time::{Duration, Instant},
};

use alloy::providers::Provider;
use riposte_devnet::{Devnet, DevnetOptions};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn scrape(port: u16) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "GET /metrics HTTP/1.1\r\nhost: localhost\r\n\r\n").unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

/// Sum of `riposte_rpc_requests_total` for one endpoint.
fn requests(metrics: &str, endpoint: &str) -> u64 {
    let prefix = format!("riposte_rpc_requests_total{{endpoint=\"{endpoint}\"");
    metrics.lines().filter(|l| l.starts_with(&prefix)).filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok()).sum()
}

/// CPU seconds used by a process so far (user + system).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap().split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    ticks as f64 / 100.0
}

async fn measure(games: u64, heads: u64) {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let a = devnet.accounts();
    let adversary = a[3].address;
    let _games = common::dishonest_games(&devnet, &[adversary], games as usize, "root").await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let port_arg = port.to_string();
    let mut child: Child = common::spawn_agent(
        &devnet,
        dir.path(),
        &["--http-poll-interval", "50ms", "--max-concurrency", "16", "--metrics.enabled", "--metrics.port", &port_arg],
    );
    let pid = child.id();
    // Wait until the agent has answered every root and gone quiet.
    let agent = a[2].address;
    let l1 = devnet.l1().provider();
    let started = Instant::now();
    while l1.get_transaction_count(agent).await.unwrap() < games {
        assert!(started.elapsed() < Duration::from_secs(600), "the agent did not answer every root");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let setup = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = scrape(port);
    let cpu0 = cpu_seconds(pid);
    for _ in 0..heads {
        devnet.mine().await.unwrap();
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let after = scrape(port);
    let cpu1 = cpu_seconds(pid);
    let per = |e: &str| (requests(&after, e) - requests(&before, e)) as f64 / heads as f64;
    println!(
        "steady state: {games:>5} games tracked, {heads} heads: {:.2} L1 requests/head, {:.2} L2 requests/head, \
         {:.2} ms CPU/head, peak RSS {:.1} MiB (first answers to all roots took {:.1} s)",
        per("l1"),
        per("l2"),
        (cpu1 - cpu0) * 1000.0 / heads as f64,
        common::peak_rss_mib(pid),
        setup.as_secs_f64()
    );
    let _ = child.kill();
    let _ = child.wait();
    idle_cost(&devnet, dir.path(), games).await;
}

/// Requests per minute of an agent with the default polling (no `--http-poll-interval`) while
/// nothing happens in its games and L1 makes a block every 12 s, as mainnet does.
async fn idle_cost(devnet: &Devnet, dir: &std::path::Path, games: u64) {
    let secs: u64 = std::env::var("BENCH_IDLE_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(60);
    let port = free_port();
    let port_arg = port.to_string();
    // The same database: every root is answered already, nothing is left to send.
    let mut child = common::spawn_agent(
        devnet,
        dir,
        &["--max-concurrency", "16", "--metrics.enabled", "--metrics.port", &port_arg],
    );
    // After a restart every game is looked at once: wait until that is over (no eth_call for
    // 5 s while no block comes), so what is measured is the idle cost alone.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let warm = Instant::now();
    let calls = |m: &str| {
        m.lines()
            .filter(|l| l.contains("method=\"eth_call\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum::<u64>()
    };
    let mut last = calls(&scrape(port));
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let now = calls(&scrape(port));
        if now == last || warm.elapsed() > Duration::from_secs(600) {
            break;
        }
        last = now;
    }
    let before = scrape(port);
    let started = Instant::now();
    let mut next_block = Duration::from_secs(12);
    while started.elapsed() < Duration::from_secs(secs) {
        if started.elapsed() >= next_block {
            devnet.mine().await.unwrap();
            next_block += Duration::from_secs(12);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let after = scrape(port);
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let per_min = |e: &str| (requests(&after, e) - requests(&before, e)) as f64 / minutes;
    let by_method = |e: &str| {
        let prefix = format!("riposte_rpc_requests_total{{endpoint=\"{e}\",method=\"");
        let count = |m: &str| -> std::collections::BTreeMap<String, u64> {
            m.lines()
                .filter_map(|l| l.strip_prefix(&prefix))
                .filter_map(|l| {
                    let (method, rest) = l.split_once('"')?;
                    Some((method.to_owned(), rest.rsplit(' ').next()?.parse().ok()?))
                })
                .collect()
        };
        let (b, a) = (count(&before), count(&after));
        a.iter()
            .map(|(m, n)| (m.clone(), (n - b.get(m).copied().unwrap_or(0)) as f64 / minutes))
            .filter(|(_, n)| *n > 0.0)
            .map(|(m, n)| format!("{m} {n:.0}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "idle cost, default polling: {games:>5} games tracked, a block every 12 s for {secs} s: {:.0} L1 requests/min ({}), \
         {:.0} L2 requests/min",
        per_min("l1"),
        by_method("l1"),
        per_min("l2"),
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sizes = std::env::var("BENCH_GAMES").unwrap_or_else(|_| "10,1000".into());
    let heads: u64 = std::env::var("BENCH_HEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(40);
    println!(
        "machine: {} cores; devnet: anvil automine, a head every ~250 ms; agent polls every 50 ms",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for n in sizes.split(',').filter_map(|s| s.trim().parse().ok()) {
        measure(n, heads).await;
    }
}
