//! Load: BENCH_GAMES dishonest games (default 200) played at once to the end, credits claimed.
//! Prints the wall time, the agent's transactions and its peak memory.
//!
//! `cargo bench -p riposte-agent --bench load`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is the run failing

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, Bytes, U256, keccak256},
    providers::Provider,
    sol_types::SolValue,
};
use riposte_devnet::{
    Devnet, DevnetOptions, FaultGame,
    adversary::{Adversary, Tactic},
};
use riposte_game::GameStatus;

fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 =
        status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_GAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let acc = devnet.accounts();
    let agent = acc[2].address;
    let adversaries: Vec<Address> = acc[3..8].iter().map(|a| a.address).collect();
    let extra: Bytes = U256::from(devnet.anchor().1 + 16).abi_encode().into();
    let mut games: Vec<FaultGame<'_>> = Vec::new();
    for i in 0..n {
        let who = adversaries[i % adversaries.len()];
        games.push(devnet.create_game_as(who, 255, keccak256(format!("load {i}")), extra.clone()).await.unwrap());
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key"), acc[2].private_key.to_string()).unwrap();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_riposte"))
        .args(["run", "--l1-eth-rpc", devnet.l1_url().as_str(), "--l2-eth-rpc", devnet.l2_url().as_str()])
        .args(["--game-factory-address", &devnet.deployment().dispute_game_factory.to_string()])
        .arg("--private-key-file")
        .arg(dir.path().join("key"))
        .arg("--db")
        .arg(dir.path().join("r.db"))
        .args(["--http-poll-interval", "100ms", "--max-concurrency", "16", "--game-window", "1d"])
        .env("RIPOSTE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let groups: Vec<Vec<Adversary<'_>>> = (0..adversaries.len())
        .map(|k| {
            games
                .iter()
                .enumerate()
                .filter(|(i, _)| i % adversaries.len() == k)
                .map(|(_, g)| Adversary::new(g.clone(), adversaries[k], Tactic::Garbage))
                .collect()
        })
        .collect();
    let l1 = devnet.l1().provider();
    let mut last_nonce = 0;
    let mut quiet = Instant::now();
    loop {
        assert!(started.elapsed() < Duration::from_secs(1200), "games not finished");
        let moved: usize = futures::future::join_all(groups.iter().map(|group| async move {
            let mut m = 0;
            for a in group {
                m += a.round(agent).await.unwrap();
            }
            m
        }))
        .await
        .into_iter()
        .sum();
        let nonce = l1.get_transaction_count(agent).await.unwrap();
        if moved > 0 || nonce != last_nonce {
            last_nonce = nonce;
            quiet = Instant::now();
        }
        let mut open = 0;
        for g in &games {
            if g.status().await.unwrap() == GameStatus::InProgress || !g.credit(agent).await.unwrap().is_zero() {
                open += 1;
            }
        }
        if open == 0 {
            break;
        }
        if quiet.elapsed() > Duration::from_secs(2) {
            devnet.increase_time(151).await.unwrap();
            quiet = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let won = {
        let mut w = 0;
        for g in &games {
            if g.status().await.unwrap() == GameStatus::ChallengerWins {
                w += 1;
            }
        }
        w
    };
    println!(
        "load: {n} games played at once: {won} won (CHALLENGER_WINS), credits claimed, {} agent transactions, \
         {:.1} s, agent peak RSS {:.1} MiB",
        l1.get_transaction_count(agent).await.unwrap(),
        started.elapsed().as_secs_f64(),
        peak_rss_mib(pid)
    );
    let _ = child.kill();
    let _ = child.wait();
}
