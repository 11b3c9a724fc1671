//! `riposte-vm run`: runs a MIPS ELF in the VM and prints the final state hash, the steps
//! and the exit code, or the witness of one step as JSON (also `riposte vm run`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use riposte_vm::cli::{RunArgs, run};

#[derive(Parser)]
#[command(name = "riposte-vm", about = "The Cannon-compatible MIPS VM of riposte (MIPS.sol 1.0.1)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a program until it exits (or --stop-at).
    Run(RunArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(args) => run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("riposte-vm: {e}");
            ExitCode::FAILURE
        }
    }
}
