//! Steady state: RPC requests and CPU per new L1 head while riposte tracks many games in which
//! nothing happens. Prints one line per game count; requests per head must not grow with it.
//!
//! `cargo bench -p riposte-agent --bench steady_state` (game counts: BENCH_GAMES,
//! default "10,1000"; heads measured: BENCH_HEADS, default 40).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is the run failing

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Bytes, U256, keccak256},
    providers::Provider,
    sol_types::SolValue,
};
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

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 =
        status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

async fn measure(games: u64, heads: u64) {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let a = devnet.accounts();
    let (agent_key, adversary) = (a[2].private_key, a[3].address);
    let block = devnet.anchor().1 + 16;
    let extra: Bytes = U256::from(block).abi_encode().into();
    for n in 0..games {
        devnet.create_game_as(adversary, 255, keccak256(format!("root {n}")), extra.clone()).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key"), agent_key.to_string()).unwrap();
    let port = free_port();
    let mut child: Child = Command::new(env!("CARGO_BIN_EXE_riposte"))
        .args(["run", "--l1-eth-rpc", devnet.l1_url().as_str(), "--l2-eth-rpc", devnet.l2_url().as_str()])
        .args(["--game-factory-address", &devnet.deployment().dispute_game_factory.to_string()])
        .arg("--private-key-file")
        .arg(dir.path().join("key"))
        .arg("--db")
        .arg(dir.path().join("r.db"))
        .args(["--http-poll-interval", "50ms", "--max-concurrency", "16", "--metrics.enabled"])
        .args(["--metrics.port", &port.to_string()])
        .env("RIPOSTE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
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
        rss_mib(pid),
        setup.as_secs_f64()
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
