//! `riposte`: plays OP Stack fault-dispute games as the honest actor, and the tools its
//! operators use.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use riposte_game::{GameDepth, Position, required_bond};

mod format;

#[derive(Parser)]
#[command(name = "riposte", version, about = "Defends optimistic-rollup state by winning OP Stack dispute games")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo => {
            eprintln!(
                "riposte demo: not available yet. It will start a local devnet (anvil with the real \
                 OP dispute contracts), open a dishonest game and defeat it; the devnet and the agent \
                 are still being built. `riposte bonds` and `riposte position` work today."
            );
            Ok(ExitCode::from(2))
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
