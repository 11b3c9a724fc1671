//! What the benchmarks share: the devnet's games, the agent as a child process, its memory.
#![allow(dead_code, clippy::unwrap_used)] // each benchmark uses part of it; a failure is the run failing

use std::process::{Child, Command, Stdio};

use alloy::{
    primitives::{Address, Bytes, U256, keccak256},
    sol_types::SolValue,
};
use riposte_devnet::{
    Devnet, FaultGame,
    adversary::{Adversary, Tactic},
};

/// `n` games with wrong roots, created by `proposers` in turn.
pub(crate) async fn dishonest_games<'a>(
    devnet: &'a Devnet,
    proposers: &[Address],
    n: usize,
    tag: &str,
) -> Vec<FaultGame<'a>> {
    let extra: Bytes = U256::from(devnet.anchor().1 + 16).abi_encode().into();
    let mut games = Vec::with_capacity(n);
    for i in 0..n {
        let who = proposers[i % proposers.len()];
        games.push(devnet.create_game_as(who, 255, keccak256(format!("{tag} {i}")), extra.clone()).await.unwrap());
    }
    games
}

/// One group of garbage-playing adversaries per proposer, each playing the games it proposed.
pub(crate) fn adversary_groups<'a>(games: &[FaultGame<'a>], proposers: &[Address]) -> Vec<Vec<Adversary<'a>>> {
    (0..proposers.len())
        .map(|k| {
            games
                .iter()
                .enumerate()
                .filter(|(i, _)| i % proposers.len() == k)
                .map(|(_, g)| Adversary::new(g.clone(), proposers[k], Tactic::Garbage))
                .collect()
        })
        .collect()
}

/// Starts `riposte run` on the devnet with dev account 2's key and a fresh database in `dir`.
pub(crate) fn spawn_agent(devnet: &Devnet, dir: &std::path::Path, extra: &[&str]) -> Child {
    std::fs::write(dir.join("key"), devnet.accounts()[2].private_key.to_string()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_riposte"))
        .args(["run", "--l1-eth-rpc", devnet.l1_url().as_str(), "--l2-eth-rpc", devnet.l2_url().as_str()])
        .args(["--game-factory-address", &devnet.deployment().dispute_game_factory.to_string()])
        .arg("--private-key-file")
        .arg(dir.join("key"))
        .arg("--db")
        .arg(dir.join("r.db"))
        .args(extra)
        .env("RIPOSTE_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Peak resident memory of a process, in MiB.
pub(crate) fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 =
        status.lines().find(|l| l.starts_with("VmHWM:")).unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    kb / 1024.0
}
