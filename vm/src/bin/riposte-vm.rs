//! `riposte-vm run`: runs a program in the MIPS or MIPS64 VM and prints the final state hash,
//! the steps and the exit code, or the witness of one step as JSON; `riposte-vm load-elf`
//! writes a Cannon64 prestate (also `riposte vm run` / `riposte vm load-elf`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use riposte_vm::cli::{LoadElfArgs, RunArgs, load_elf_command, run};

#[derive(Parser)]
#[command(
    name = "riposte-vm",
    about = "riposte's Cannon-compatible VMs: MIPS (MIPS.sol 1.0.1) and MIPS64 (MIPS64.sol 1.10)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a program until it exits (or --stop-at).
    Run(RunArgs),
    /// Writes a Cannon64 prestate from an ELF and prints its absolute prestate hash.
    LoadElf(LoadElfArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Run(args) => run(args),
        Command::LoadElf(args) => load_elf_command(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("riposte-vm: {e}");
            ExitCode::FAILURE
        }
    }
}
