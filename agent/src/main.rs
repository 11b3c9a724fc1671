//! `riposte`: plays OP Stack fault-dispute games as the honest actor, and the tools its
//! operators use.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use riposte_game::{GameDepth, Position, required_bond};

use riposte_agent::{config, format, metrics, run, tools, web};

#[derive(Parser)]
#[command(name = "riposte", version, about = "Defends optimistic-rollup state by winning OP Stack dispute games")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Play every game in the window as the honest actor (the daemon).
    ///
    /// Example: riposte run --config configs/devnet.toml --private-key-file key.hex
    Run {
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// List the factory's games in the window: status, claims, whether the root is honest,
    /// and how long is left before the next honest answer is due.
    ///
    /// Example: riposte list-games --config configs/devnet.toml
    ListGames {
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Rehearse an attack on a testnet: propose garbage roots or attack a game with garbage
    /// claims, as the scenario says, until its games are resolved. Refuses to run unless
    /// --i-know-chain-id names the L1 chain it talks to.
    ///
    /// Example: riposte attack --scenario garbage-root --l2-block 20 --i-know-chain-id 900 --config configs/devnet.toml
    Attack {
        /// garbage-root, attack-honest or clock-drain.
        #[arg(long, value_enum)]
        scenario: riposte_agent::attack::Scenario,
        /// The game to attack (attack-honest; optional for clock-drain).
        #[arg(long)]
        game: Option<alloy_primitives::Address>,
        /// How many garbage roots to propose (garbage-root, clock-drain without --game).
        #[arg(long, default_value_t = 1)]
        games: u32,
        /// The L2 block the garbage proposals claim.
        #[arg(long)]
        l2_block: Option<u64>,
        /// The game type of the proposals.
        #[arg(long, default_value_t = 255)]
        game_type: u32,
        /// Seconds before a claim's deadline that clock-drain answers it.
        #[arg(long, default_value_t = 60)]
        margin: u64,
        /// Print one round's moves (and proposals); send nothing.
        #[arg(long)]
        dry_run: bool,
        /// The L1 chain id you mean to attack; nothing runs without it.
        #[arg(long)]
        i_know_chain_id: Option<u64>,
        /// Stop after this many seconds even if games are unresolved.
        #[arg(long, default_value_t = 3600)]
        limit_secs: u64,
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Watch every game in the window as op-dispute-mon does, read-only: root agreement,
    /// forecasts, resolution, claims, honest actors' claims and bonds, as metrics
    /// (`--metrics.enabled`) and logged alerts; `--once` runs one cycle and prints it.
    ///
    /// Example: riposte monitor --honest-actors 0xabc… --metrics.enabled --config configs/devnet.toml
    Monitor {
        /// One cycle, printed, then exit.
        #[arg(long)]
        once: bool,
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Serve the web view read-only (no moves): the games in the window and each claim tree,
    /// refreshed live, with a JSON API (`/api/games`). `riposte run --web.port N` serves the
    /// same beside the daemon.
    ///
    /// Example: riposte web --web.port 7301 --config configs/devnet.toml
    Web {
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Draw a game's claim tree: positions, trace indexes, claimants, bonds, clocks, honesty.
    ///
    /// Example: riposte show 0x9bd03768a7DCc129555dE410FF8E85528A4F88b5 --config configs/devnet.toml
    Show {
        /// The game's address.
        game: alloy_primitives::Address,
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Make one move by hand (for testnet operators); without --claim the honest value is posted.
    ///
    /// Example: riposte move attack 0x9bd0…88b5 --parent-index 0 --config configs/devnet.toml
    Move {
        /// attack, defend or step.
        #[arg(value_enum)]
        kind: tools::MoveKind,
        /// The game's address.
        game: alloy_primitives::Address,
        /// Index of the claim to counter (for step: the max-depth claim).
        #[arg(long)]
        parent_index: usize,
        /// The value to post instead of the honest one.
        #[arg(long)]
        claim: Option<alloy_primitives::B256>,
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Propose an output root: DisputeGameFactory.create with the init bond.
    ///
    /// Example: riposte create-game --game-type 255 --output-root 0x… --l2-block-num 20 --config configs/devnet.toml
    CreateGame {
        /// The game type.
        #[arg(long, default_value_t = 255)]
        game_type: u32,
        /// The output root proposed.
        #[arg(long)]
        output_root: alloy_primitives::B256,
        /// The L2 block it is the output of.
        #[arg(long)]
        l2_block_num: u64,
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Resolve every claim of a game whose clock ran out, then the game.
    ///
    /// Example: riposte resolve 0x9bd0…88b5 --config configs/devnet.toml
    Resolve {
        /// The game's address.
        game: alloy_primitives::Address,
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Claim every credit DelayedWETH lets go, in every resolved game in the window.
    ///
    /// Example: riposte claim-credits --config configs/devnet.toml
    ClaimCredits {
        #[command(flatten)]
        config: Box<config::ConfigFlags>,
    },
    /// Re-execute one L2 block in process (kona, OP EVM) from the node's execution witness and
    /// compare with the node's header: a check of the node by a second client. Exit status 1 when
    /// they differ.
    ///
    /// Example: riposte verify-block 26207960 --l2-eth-rpc http://op-reth:8545 --rollup-config rollup.json
    VerifyBlock {
        /// The L2 block number.
        block: u64,
        /// L2 node serving debug_getRawBlock, debug_getRawHeader and debug_executionWitness.
        #[arg(long)]
        l2_eth_rpc: String,
        /// The chain's rollup config (op-node's rollup.json, or `op-mainnet` / `op-sepolia`);
        /// without it, riposte's built-in config for the node's chain.
        #[arg(long, value_name = "FILE")]
        rollup_config: Option<std::path::PathBuf>,
    },
    /// The Cannon-compatible MIPS VM (the bottom half of Cannon games).
    ///
    /// Example: riposte vm run --elf program.elf --proof-at 10
    #[command(subcommand)]
    Vm(VmCommand),
    /// Print the bond required at every depth of a game (`getRequiredBond`), in wei and ETH.
    ///
    /// Example: riposte bonds --max-depth 73
    Bonds {
        /// The game's maximum depth.
        #[arg(long, default_value_t = 73)]
        max_depth: u8,
    },
    /// Explain a position (generalized index): depth, index, trace indexes, moves, bond.
    ///
    /// Example: riposte position 34 --max-depth 8 --split-depth 4
    Position {
        /// The generalized index, as stored in `claimData(i).position`.
        gindex: u128,
        /// The game's maximum depth.
        #[arg(long, default_value_t = 73)]
        max_depth: u8,
        /// The game's split depth.
        #[arg(long, default_value_t = 30)]
        split_depth: u8,
    },
}

#[derive(Subcommand)]
enum VmCommand {
    /// Run an ELF: final state hash, steps, exit code; the witness of one step as JSON.
    Run(riposte_vm::cli::RunArgs),
    /// Write a Cannon64 prestate (`.bin.gz`) from an ELF and print its absolute prestate hash.
    LoadElf(riposte_vm::cli::LoadElfArgs),
}

fn main() -> ExitCode {
    init_tracing();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RIPOSTE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// Completes on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

type BoxFuture<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = riposte_agent::error::Result<()>> + 'a>>;

/// Runs an operator command with an agent built from the configuration (read-only ones never
/// need a key).
fn with_agent(
    flags: &config::ConfigFlags,
    read_only: bool,
    f: impl for<'a> FnOnce(&'a run::Agent) -> BoxFuture<'a>,
) -> Result<ExitCode> {
    let mut cfg = flags.load()?;
    if read_only {
        cfg.monitor_only = true;
    }
    runtime()?.block_on(async move {
        let agent = run::Agent::start(cfg, metrics::Metrics::new()).await?;
        f(&agent).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Binds the web view's port (failing at start, by address, if it is taken) and serves it.
async fn spawn_web(web: &config::WebConfig, agent: std::sync::Arc<run::Agent>) -> Result<()> {
    let addr = web.socket();
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("web view on {addr}"))?;
    tracing::info!(%addr, "serving the web view");
    let data: std::sync::Arc<dyn web::WebData> = std::sync::Arc::new(web::AgentData::new(agent));
    tokio::spawn(async move {
        if let Err(e) = web::serve(listener, data).await {
            tracing::error!(%addr, error = %e, "web view stopped");
        }
    });
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run { config } => {
            let cfg = config.load()?;
            runtime()?.block_on(async move {
                let metrics = metrics::Metrics::new();
                if cfg.metrics.enabled {
                    let (addr, m) = (cfg.metrics.socket(), metrics.clone());
                    let max_age = (cfg.http_poll_interval.0.as_secs() * 5).max(60);
                    tokio::spawn(async move {
                        if let Err(e) = metrics::serve(addr, m, max_age).await {
                            tracing::error!(%addr, error = %e, "metrics server stopped");
                        }
                    });
                }
                let (web, monitor_only) = (cfg.web.clone(), cfg.monitor_only);
                let agent = std::sync::Arc::new(run::Agent::start(cfg, metrics).await?);
                if web.enabled {
                    spawn_web(&web, std::sync::Arc::clone(&agent)).await?;
                }
                if monitor_only {
                    // Beside logging what it would send, a read-only daemon monitors like
                    // `riposte monitor`.
                    let a = std::sync::Arc::clone(&agent);
                    tokio::spawn(async move { tools::monitor(&a, false, std::future::pending::<()>()).await });
                }
                agent.run(shutdown_signal()).await?;
                tracing::info!("stopped");
                Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
            })
        }
        Command::Attack {
            scenario,
            game,
            games,
            l2_block,
            game_type,
            margin,
            dry_run,
            i_know_chain_id,
            limit_secs,
            config,
        } => {
            let o = riposte_agent::attack::AttackOptions {
                scenario,
                game,
                games,
                l2_block,
                game_type,
                margin,
                dry_run,
                i_know_chain_id,
                limit: std::time::Duration::from_secs(limit_secs),
            };
            with_agent(&config, dry_run, move |a| Box::pin(async move { riposte_agent::attack::attack(a, &o).await }))
        }
        Command::Monitor { once, config } => {
            let mut cfg = config.load()?;
            cfg.monitor_only = true;
            let (web, metrics_cfg) = (cfg.web.clone(), cfg.metrics.clone());
            runtime()?.block_on(async move {
                let metrics = metrics::Metrics::new();
                if metrics_cfg.enabled && !once {
                    let (addr, m) = (metrics_cfg.socket(), metrics.clone());
                    tokio::spawn(async move {
                        if let Err(e) = metrics::serve(addr, m, u64::MAX).await {
                            tracing::error!(%addr, error = %e, "metrics server stopped");
                        }
                    });
                }
                let agent = std::sync::Arc::new(run::Agent::start(cfg, metrics).await?);
                if web.enabled && !once {
                    spawn_web(&web, std::sync::Arc::clone(&agent)).await?;
                }
                tools::monitor(&agent, once, shutdown_signal()).await?;
                Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
            })
        }
        Command::Web { config } => {
            let mut cfg = config.load()?;
            cfg.monitor_only = true;
            let web = cfg.web.clone();
            runtime()?.block_on(async move {
                let agent = std::sync::Arc::new(run::Agent::start(cfg, metrics::Metrics::new()).await?);
                spawn_web(&web, agent).await?;
                shutdown_signal().await;
                Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
            })
        }
        Command::ListGames { config } => {
            with_agent(&config, true, |a| Box::pin(async move { tools::list_games(a).await }))
        }
        Command::Show { game, config } => {
            with_agent(&config, true, move |a| Box::pin(async move { tools::show(a, game).await }))
        }
        Command::Move { kind, game, parent_index, claim, config } => with_agent(&config, false, move |a| {
            Box::pin(async move { tools::manual_move(a, game, kind, parent_index, claim).await })
        }),
        Command::CreateGame { game_type, output_root, l2_block_num, config } => with_agent(&config, false, move |a| {
            Box::pin(async move { tools::create_game(a, game_type, output_root, l2_block_num).await })
        }),
        Command::Resolve { game, config } => {
            with_agent(&config, false, move |a| Box::pin(async move { tools::resolve(a, game).await }))
        }
        Command::ClaimCredits { config } => {
            with_agent(&config, false, |a| Box::pin(async move { tools::claim_credits(a).await }))
        }
        Command::Vm(VmCommand::Run(args)) => {
            riposte_vm::cli::run(args).map_err(anyhow::Error::msg)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Vm(VmCommand::LoadElf(args)) => {
            riposte_vm::cli::load_elf_command(args).map_err(anyhow::Error::msg)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::VerifyBlock { block, l2_eth_rpc, rollup_config } => {
            let agrees = runtime()?.block_on(tools::verify_block(&l2_eth_rpc, rollup_config.as_deref(), block))?;
            Ok(if agrees { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Bonds { max_depth } => {
            GameDepth::new(max_depth, 0).with_context(|| format!("--max-depth {max_depth}"))?;
            println!("{:>5}  {:>28}  {:>14}", "depth", "wei", "ETH");
            for depth in 0..=max_depth {
                let pos = Position::from_depth_index(depth, 0)?;
                let wei = required_bond(pos, max_depth)?;
                println!("{depth:>5}  {wei:>28}  {:>14}", format::eth(wei));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Position { gindex, max_depth, split_depth } => {
            let depth = GameDepth::new(max_depth, split_depth)
                .with_context(|| format!("--max-depth {max_depth} --split-depth {split_depth}"))?;
            let pos = Position::from_gindex(gindex).with_context(|| format!("position {gindex}"))?;
            print!("{}", format::describe_position(pos, depth)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
