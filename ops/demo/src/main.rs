//! `riposte-demo` (`scripts/demo`): a local devnet (two anvils, the real OP dispute contracts), games with a
//! scripted adversary, and riposte playing them to resolution and claiming its bonds.
//!
//! Game A: the adversary proposes a wrong output root and defends it with garbage down to the
//! last instruction (alphabet VM). Game B: an honest proposal that the adversary attacks with
//! garbage. Game C: a wrong root in a Cannon game, where riposte's MIPS VM runs the devnet's
//! stand-in program (`ops/devnet/build/mips/verdict.elf`) and the last word is `MIPS.step`.

use std::time::{Duration, Instant};

use alloy::{
    primitives::{Address, Bytes, U256, keccak256},
    sol_types::SolValue,
};
use anyhow::{Context, Result};
use riposte_devnet::{
    Devnet, DevnetOptions,
    adversary::{Adversary, Tactic, garbage},
};
use riposte_game::{GameStatus, VmStatus};

use riposte_agent::{
    config::{Config, MetricsConfig, Secret, Span, TraceType},
    format,
    metrics::Metrics,
    run::Agent,
};

const ALPHABET: u32 = 255;
const CANNON: u32 = 0;

/// The Cannon game of the demo: deep enough for the stand-in program's 1,150 instructions.
const CANNON_PARAMS: riposte_devnet::GameParams =
    riposte_devnet::GameParams { max_depth: 16, split_depth: 4, clock_extension: 30, max_clock_duration: 300 };

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

fn main() -> std::process::ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RIPOSTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let run = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
        .and_then(|rt| rt.block_on(demo()));
    match run {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Runs the demo and prints what happened. Fails if riposte does not win every game.
async fn demo() -> Result<()> {
    let started = Instant::now();
    let elf = riposte_devnet::devnet_dir().join("build/mips/verdict.elf");
    let program =
        std::fs::read(&elf).with_context(|| format!("reading {} (ops/devnet/setup.sh builds it)", elf.display()))?;
    let prestate = VmStatus::Unfinished.state_hash(&riposte_vm::load_elf(&program)?.encode());
    // The L2 is the Rust rollup: every output root in the demo is derived from L1 batches.
    let options = DevnetOptions {
        cannon: CANNON_PARAMS,
        cannon_absolute_prestate: prestate,
        rollup: true,
        ..DevnetOptions::default()
    };
    let devnet = Devnet::start(options).await.context("starting the devnet")?;
    let accounts = devnet.accounts();
    let (proposer, agent_acct, adversary) = (accounts[1].address, &accounts[2], accounts[3].address);
    let factory = devnet.deployment().dispute_game_factory;
    println!(
        "devnet up in {:.2} s: L1 {} L2 {} (the Rust rollup, blocks derived from L1 batches)",
        devnet.startup_time().as_secs_f64(),
        devnet.l1_url(),
        devnet.l2_url()
    );
    println!(
        "  DisputeGameFactory {factory}, FaultDisputeGame 1.2.0: alphabet (max depth 8, split 4) and Cannon on MIPS.sol (max depth 16, split 4, prestate {})",
        format::short(prestate)
    );

    let (_, anchor_block) = devnet.anchor();
    let l2_block = anchor_block + 16;
    let (honest_root, _) = devnet.output_root(l2_block).await?;
    let wrong_root = keccak256(b"an output root that never was");
    let extra: Bytes = U256::from(l2_block).abi_encode().into();
    let game_a = devnet.create_game_as(adversary, ALPHABET, wrong_root, extra.clone()).await?;
    let game_b = devnet.create_game_as(proposer, ALPHABET, honest_root, extra.clone()).await?;
    let game_c = devnet.create_game_as(adversary, CANNON, keccak256(b"another root that never was"), extra).await?;
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
    println!(
        "game C {}: a wrong root in a Cannon game; riposte's MIPS VM runs {}",
        game_c.address(),
        elf.file_name().and_then(|n| n.to_str()).unwrap_or("the program")
    );

    let dir = tempfile::tempdir().context("creating a temp dir for the database")?;
    let cfg = Config {
        l1_eth_rpc: devnet.l1_url().to_string(),
        l2_eth_rpc: devnet.l2_url().to_string(),
        rollup_rpc: None,
        verify_outputs: Some(riposte_agent::config::VerifyOutputs::None),
        superroot_rpc: None,
        rollup_config: None,
        cannon_elf: Some(elf.clone()),
        prestates_dir: None,
        prestates_url: None,
        cannon_snapshot_freq: riposte_vm::trace::DEFAULT_SNAPSHOT_EVERY,
        game_factory_address: factory,
        trace_type: vec![TraceType::Alphabet, TraceType::Cannon],
        game_allowlist: Vec::new(),
        game_window: Span(Duration::from_secs(86_400)),
        max_concurrency: 2,
        selective_claim_resolution: false,
        additional_bond_claimants: Vec::new(),
        honest_actors: Vec::new(),
        monitor_rollup_rpcs: Vec::new(),
        monitor_superroot_rpcs: Vec::new(),
        monitor_interval: riposte_agent::config::Span(std::time::Duration::from_secs(30)),
        private_key: Some(Secret::new(agent_acct.private_key.to_string())),
        private_key_file: None,
        monitor_only: false,
        db: dir.path().join("riposte.db"),
        http_poll_interval: Span(Duration::from_millis(200)),
        rpc_timeout: Span(Duration::from_secs(5)),
        rpc_retries: 3,
        resubmission_timeout: Span(Duration::from_secs(24)),
        metrics: MetricsConfig::default(),
        web: riposte_agent::config::WebConfig::default(),
    };
    let agent = Agent::start(cfg, Metrics::new()).await?;
    let me = agent_acct.address;
    let games = [&game_a, &game_b, &game_c];
    let adversaries: Vec<Adversary<'_>> =
        games.iter().map(|g| Adversary::new((*g).clone(), adversary, Tactic::Garbage)).collect();
    let mut idle_rounds = 0;
    for _ in 0..300 {
        let report = agent.tick().await?;
        let mut moves = 0;
        for a in &adversaries {
            moves += a.round(me).await?;
        }
        let mut done = true;
        for g in games {
            done &= g.status().await? != GameStatus::InProgress && g.credit(me).await?.is_zero();
        }
        if done {
            break;
        }
        if report.confirmed == 0 && moves == 0 {
            idle_rounds += 1;
            // Nobody has anything to do: let the clocks (300 s) and the WETH delay (60 s) run.
            devnet.increase_time(if idle_rounds < 3 { 61 } else { 151 }).await?;
        } else {
            idle_rounds = 0;
        }
    }

    let name = namer(me, adversary, proposer);
    let (_, now) = devnet.l1().latest().await?;
    let mut won = true;
    for (label, game, expected) in [
        ("A", &game_a, GameStatus::ChallengerWins),
        ("B", &game_b, GameStatus::DefenderWins),
        ("C", &game_c, GameStatus::ChallengerWins),
    ] {
        let live = agent.live_game(game.address(), None, riposte_agent::tools::Purpose::Inspect).await?;
        let honest = agent.honesty(&live.record, &live.view).await;
        let status = game.status().await?;
        println!("\ngame {label} {} — {status:?} (riposte expected {expected:?})", game.address());
        print!("{}", format::render_tree(&live.view, now, &honest, &name));
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
    anyhow::ensure!(won, "riposte did not win every game");
    Ok(())
}
