//! `riposte demo`: a local devnet (two anvils, the real OP dispute contracts), two games with
//! a scripted adversary, and riposte playing both to resolution and claiming its bonds.
//!
//! Game A: the adversary proposes a wrong output root and defends it with garbage down to the
//! last instruction. Game B: an honest proposal that the adversary attacks with garbage.

use std::time::{Duration, Instant};

use alloy::{
    primitives::{Address, B256, Bytes, U256, keccak256},
    sol_types::SolValue,
};
use anyhow::{Context, Result};
use riposte_devnet::{
    Devnet, DevnetOptions, FaultGame,
    adversary::{Adversary, Tactic, garbage},
};
use riposte_game::{ClaimTree, GameStatus};
use riposte_solver::trace::{GameView, SplitTrace, TraceAccessor, alphabet::AlphabetTrace};

use crate::{
    chain::{self, RpcOptions, l2::L2Outputs},
    config::{Config, MetricsConfig, Secret, Span, TraceType},
    format,
    metrics::Metrics,
    run::Agent,
};

const ALPHABET: u32 = 255;

/// Who an address is, for the printed trees.
fn namer(agent: Address, adversary: Address, proposer: Address) -> impl Fn(Address) -> String {
    move |a| {
        if a == agent {
            "riposte".into()
        } else if a == adversary {
            "adversary".into()
        } else if a == proposer {
            "proposer".into()
        } else if a == Address::ZERO {
            "nobody".into()
        } else {
            format!("{a}")
        }
    }
}

/// Runs the demo and prints what happened. Fails if riposte does not win both games.
pub(crate) async fn demo() -> Result<()> {
    let started = Instant::now();
    let devnet = Devnet::start(DevnetOptions::default()).await.context("starting the devnet")?;
    let accounts = devnet.accounts();
    let (proposer, agent_acct, adversary) = (accounts[1].address, &accounts[2], accounts[3].address);
    let factory = devnet.deployment().dispute_game_factory;
    println!(
        "devnet up in {:.2} s: L1 {} L2 {}",
        devnet.startup_time().as_secs_f64(),
        devnet.l1_url(),
        devnet.l2_url()
    );
    println!("  DisputeGameFactory {factory}, FaultDisputeGame 1.2.0 (alphabet, max depth 8, split 4)");

    let (_, anchor_block) = devnet.anchor();
    let l2_block = anchor_block + 16;
    let (honest_root, _) = devnet.output_root(l2_block).await?;
    let wrong_root = keccak256(b"an output root that never was");
    let extra: Bytes = U256::from(l2_block).abi_encode().into();
    let game_a = devnet.create_game_as(adversary, ALPHABET, wrong_root, extra.clone()).await?;
    let game_b = devnet.create_game_as(proposer, ALPHABET, honest_root, extra).await?;
    game_b.attack(adversary, 0, garbage(game_b.address(), 0, false)).await?;
    println!(
        "game A {}: the adversary proposes {} for L2 block {l2_block}",
        game_a.address(),
        format::short(wrong_root)
    );
    println!(
        "game B {}: the proposer proposes the true {}; the adversary attacks it",
        game_b.address(),
        format::short(honest_root)
    );

    let dir = tempfile::tempdir().context("creating a temp dir for the database")?;
    let cfg = Config {
        l1_eth_rpc: devnet.l1_url().to_string(),
        l2_eth_rpc: devnet.l2_url().to_string(),
        rollup_rpc: None,
        verify_outputs: Some(crate::config::VerifyOutputs::None),
        rollup_config: None,
        cannon_elf: None,
        cannon_snapshot_freq: riposte_vm::trace::DEFAULT_SNAPSHOT_EVERY,
        game_factory_address: factory,
        trace_type: vec![TraceType::Alphabet],
        game_allowlist: Vec::new(),
        game_window: Span(Duration::from_secs(86_400)),
        max_concurrency: 2,
        selective_claim_resolution: false,
        additional_bond_claimants: Vec::new(),
        private_key: Some(Secret::new(agent_acct.private_key.to_string())),
        private_key_file: None,
        monitor_only: false,
        db: dir.path().join("riposte.db"),
        http_poll_interval: Span(Duration::from_millis(200)),
        rpc_timeout: Span(Duration::from_secs(5)),
        rpc_retries: 3,
        resubmission_timeout: Span(Duration::from_secs(24)),
        metrics: MetricsConfig::default(),
    };
    let agent = Agent::start(cfg, Metrics::new()).await?;
    let me = agent_acct.address;
    let (adv_a, adv_b) = (
        Adversary::new(game_a.clone(), adversary, Tactic::Garbage),
        Adversary::new(game_b.clone(), adversary, Tactic::Garbage),
    );
    let mut idle_rounds = 0;
    for _ in 0..200 {
        let report = agent.tick().await?;
        let a = adv_a.round(me).await?;
        let b = adv_b.round(me).await?;
        let done = game_a.status().await? != GameStatus::InProgress
            && game_b.status().await? != GameStatus::InProgress
            && game_a.credit(me).await?.is_zero()
            && game_b.credit(me).await?.is_zero();
        if done {
            break;
        }
        if report.confirmed == 0 && a + b == 0 {
            idle_rounds += 1;
            // Nobody has anything to do: let the clocks (300 s) and the WETH delay (60 s) run.
            devnet.increase_time(if idle_rounds < 3 { 61 } else { 151 }).await?;
        } else {
            idle_rounds = 0;
        }
    }

    let l2 = chain::connect(devnet.l2_url().as_str(), "l2", RpcOptions::default(), &Metrics::new()).await?;
    let outputs = L2Outputs::new(l2, crate::chain::l2::Check::None, Metrics::new());
    let name = namer(me, adversary, proposer);
    let (_, now) = devnet.l1().latest().await?;
    let mut won = true;
    for (label, game, expected) in
        [("A", &game_a, GameStatus::ChallengerWins), ("B", &game_b, GameStatus::DefenderWins)]
    {
        let tree = game.tree().await?;
        let honest = honesty(&tree, game, &outputs).await?;
        let status = game.status().await?;
        println!("\ngame {label} {} — {status:?} (riposte expected {expected:?})", game.address());
        print!("{}", format::render_tree(&tree, game.depth, game.clocks, now, &honest, &name));
        won &= status == expected;
    }
    let intents = agent.store().intents().await?;
    let claimed = agent.store().credits_claimed().await?;
    let total: U256 = claimed.iter().map(|(_, _, a)| *a).sum();
    println!(
        "\nriposte sent {} transactions and claimed {} ETH of credit in {} claimCredit calls; {:.1} s in all",
        intents.len(),
        format::eth(total),
        claimed.len(),
        started.elapsed().as_secs_f64()
    );
    anyhow::ensure!(won, "riposte did not win both games");
    Ok(())
}

/// Whether the honest trace agrees with each claim.
async fn honesty(tree: &ClaimTree, game: &FaultGame<'_>, outputs: &L2Outputs) -> Result<Vec<Option<bool>>> {
    let view = GameView {
        tree: tree.clone(),
        depth: game.depth,
        clocks: game.clocks,
        starting_block: game.starting_block,
        starting_root: game.starting_root,
        l2_block_number: game.l2_block,
        absolute_prestate: riposte_solver::trace::alphabet::absolute_prestate(),
        l1_head: B256::ZERO,
        l2_chain_id: 0,
    };
    let trace = SplitTrace::new(outputs.clone(), AlphabetTrace);
    let mut out = Vec::with_capacity(tree.len());
    for (i, c) in tree.claims().iter().enumerate() {
        out.push(trace.get(&view, i, c.position).await.ok().map(|v| v == c.value));
    }
    Ok(out)
}
