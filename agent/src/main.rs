//! `riposte`: plays OP Stack fault-dispute games as the honest actor, and the tools its
//! operators use.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use riposte_game::{GameDepth, Position, required_bond};

mod chain;
mod config;
mod crash;
mod demo;
mod format;
mod metrics;
mod responder;
mod run;

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
    /// Run the end-to-end demo on a local devnet (anvil + the real OP contracts).
    Demo,
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
                let agent = run::Agent::start(cfg, metrics).await?;
                agent.run(shutdown_signal()).await?;
                tracing::info!("stopped");
                Ok::<_, anyhow::Error>(ExitCode::SUCCESS)
            })
        }
        Command::Demo => {
            runtime()?.block_on(demo::demo())?;
            Ok(ExitCode::SUCCESS)
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
