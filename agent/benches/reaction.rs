//! Reaction time: with one L1 block per second, how many blocks pass between the block that
//! carries an adversary's claim and the block that carries riposte's counter. Prints the median
//! and the 99th percentile over every adversary claim of BENCH_GAMES games (default 25 games,
//! four adversary claims each: 100 moves).
//!
//! `cargo bench -p riposte-agent --bench reaction` (BENCH_MAX_CONCURRENCY sets the agent's
//! `--max-concurrency`, default the agent's own, 16; BENCH_POLL its `--http-poll-interval`,
//! default 100ms, `default` for the agent's own, 1s).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failure is the run failing

mod common;

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, keccak256},
    providers::Provider,
    rpc::types::Filter,
};
use riposte_devnet::{Devnet, DevnetOptions, FaultGame};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_GAMES").ok().and_then(|v| v.parse().ok()).unwrap_or(25);
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let acc = devnet.accounts();
    let agent = acc[2].address;
    let adversaries: Vec<Address> = acc[3..8].iter().map(|a| a.address).collect();
    let games = common::dishonest_games(&devnet, &adversaries, n, "reaction").await;
    // From now on one block per second.
    let _: serde_json::Value = devnet.l1().rpc("evm_setAutomine", (false,)).await.unwrap();
    let _: serde_json::Value = devnet.l1().rpc("evm_setIntervalMining", (1,)).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let concurrency = std::env::var("BENCH_MAX_CONCURRENCY").ok();
    let poll = std::env::var("BENCH_POLL").unwrap_or_else(|_| "100ms".into());
    let mut args = if poll == "default" { vec![] } else { vec!["--http-poll-interval", poll.as_str()] };
    if let Some(c) = &concurrency {
        args.extend(["--max-concurrency", c.as_str()]);
    }
    let mut child = common::spawn_agent(&devnet, dir.path(), &args);

    // Each adversary plays its own games, all adversaries at once, until every game is at
    // max depth.
    let started = Instant::now();
    let groups = common::adversary_groups(&games, &adversaries);
    loop {
        let mut deep = 0;
        for g in &games {
            if g.claim_count().await.unwrap() >= 9 {
                deep += 1;
            }
        }
        if deep == games.len() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(600), "games did not reach max depth");
        let rounds = groups.iter().map(|group| async move {
            for a in group {
                a.round(agent).await.unwrap();
            }
        });
        futures::future::join_all(rounds).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = child.kill();
    let _ = child.wait();

    // Blocks of every Move, then for each adversary claim the block of the agent's answer.
    let filter = Filter::new()
        .address(games.iter().map(FaultGame::address).collect::<Vec<_>>())
        .event_signature(keccak256("Move(uint256,bytes32,address)"))
        .from_block(0u64);
    let logs = devnet.l1().provider().get_logs(&filter).await.unwrap();
    let mut block_of: HashMap<(Address, usize), u64> = HashMap::new();
    // claimData index = order of Move logs per game + 1 (the root has no Move).
    let mut next: HashMap<Address, usize> = HashMap::new();
    for l in &logs {
        let idx = next.entry(l.address()).or_insert(1);
        block_of.insert((l.address(), *idx), l.block_number.unwrap());
        *idx += 1;
    }
    let mut delays = Vec::new();
    for g in &games {
        let tree = g.tree().await.unwrap();
        for (i, c) in tree.claims().iter().enumerate() {
            if i == 0 || c.claimant == agent {
                continue;
            }
            let answer = tree.children(i).unwrap().iter().copied().find(|&k| tree.get(k).unwrap().claimant == agent);
            if let Some(k) = answer {
                delays.push(block_of[&(g.address(), k)] - block_of[&(g.address(), i)]);
            }
        }
    }
    delays.sort_unstable();
    let pct = |p: f64| delays[((delays.len() - 1) as f64 * p).round() as usize];
    println!(
        "reaction: {} adversary claims in {} games, 1 s L1 blocks, agent --http-poll-interval {}, --max-concurrency {}: \
         median {} block(s), p99 {} block(s), max {} block(s) from the claim's block to the counter's block",
        delays.len(),
        games.len(),
        if poll == "default" { "1s (default)" } else { poll.as_str() },
        concurrency.as_deref().unwrap_or("16 (default)"),
        pct(0.5),
        pct(0.99),
        delays.last().unwrap()
    );
}
