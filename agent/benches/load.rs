//! Load: BENCH_GAMES dishonest games (default 200) played at once to the end, credits claimed.
//! Prints the wall time, the agent's transactions and gas (in all and per game won) and its
//! peak memory. `BENCH_MULTICALL=1` gives L1 a Multicall3 (our `Batcher` at its address), so
//! each round of resolution is one transaction; without it, one per claim.
//!
//! `cargo bench -p riposte-agent --bench load`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is the run failing

mod common;

use std::time::{Duration, Instant};

use alloy::{primitives::Address, providers::Provider};
use riposte_devnet::{Devnet, DevnetOptions};
use riposte_game::GameStatus;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_GAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(200);
    let multicall = std::env::var("BENCH_MULTICALL").is_ok_and(|v| v == "1");
    let devnet = Devnet::start(DevnetOptions { multicall, ..DevnetOptions::default() }).await.unwrap();
    let acc = devnet.accounts();
    let agent = acc[2].address;
    let adversaries: Vec<Address> = acc[3..8].iter().map(|a| a.address).collect();
    let games = common::dishonest_games(&devnet, &adversaries, n, "load").await;
    let dir = tempfile::tempdir().unwrap();
    let first_block = devnet.l1().latest().await.unwrap().0 + 1;
    let started = Instant::now();
    let mut child = common::spawn_agent(
        &devnet,
        dir.path(),
        &["--http-poll-interval", "100ms", "--max-concurrency", "16", "--game-window", "1d"],
    );
    let pid = child.id();
    let groups = common::adversary_groups(&games, &adversaries);
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
    let elapsed = started.elapsed().as_secs_f64();
    let rss = common::peak_rss_mib(pid);
    // Gas of every agent transaction, from the receipts of the blocks the run mined.
    let last_block = devnet.l1().latest().await.unwrap().0;
    let (mut txs, mut gas) = (0u64, 0u64);
    for b in first_block..=last_block {
        let receipts = l1.get_block_receipts(b.into()).await.unwrap().unwrap_or_default();
        for r in receipts.iter().filter(|r| r.from == agent) {
            txs += 1;
            gas += r.gas_used;
        }
    }
    let per = |x: u64| x as f64 / won.max(1) as f64;
    println!(
        "load: {n} games played at once ({}): {won} won (CHALLENGER_WINS), credits claimed, {txs} agent \
         transactions ({:.1} per game won), {:.2} Mgas ({:.0} gas per game won), {elapsed:.1} s, agent peak RSS \
         {rss:.1} MiB",
        if multicall {
            "Multicall3 on L1: a round of resolution per transaction"
        } else {
            "no Multicall3: one transaction per resolveClaim"
        },
        per(txs),
        gas as f64 / 1e6,
        per(gas),
    );
    let _ = child.kill();
    let _ = child.wait();
}
