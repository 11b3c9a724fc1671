//! The `run` command: runs a MIPS ELF in the VM and prints the final state hash, the steps
//! and the exit code, or the witness of one step as JSON. Shared by `riposte-vm run` and
//! `riposte vm run`.

use std::path::PathBuf;
use std::time::Instant;

use crate::{MapOracle, Vm, load_elf, patch_stack};
use alloy_primitives::{B256, hex};

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The static big-endian MIPS32 ELF.
    #[arg(long)]
    pub elf: PathBuf,
    /// Local data the program reads: IDENT=0xHEX (e.g. 4=0x0000000000000005).
    #[arg(long = "local", value_name = "IDENT=HEX")]
    pub locals: Vec<String>,
    /// A file whose bytes are a keccak256 preimage the program may read.
    #[arg(long = "preimage", value_name = "FILE")]
    pub preimages: Vec<PathBuf>,
    /// Set up cannon's initial stack ($sp, argv, auxv) before running.
    #[arg(long)]
    pub patch_stack: bool,
    /// Print the witness (pre-state, proofs, preimage) of the instruction after N steps as JSON.
    #[arg(long, value_name = "N")]
    pub proof_at: Option<u64>,
    /// Stop after N instructions even if the program has not exited.
    #[arg(long, value_name = "N")]
    pub stop_at: Option<u64>,
    /// Print what the program writes to stdout and stderr.
    #[arg(long)]
    pub show_output: bool,
    /// Print `snapshot <step> <state hash>` every N instructions (checkpoints of the trace, to
    /// compare with another VM's run).
    #[arg(long, value_name = "N")]
    pub snapshot_every: Option<u64>,
}

fn parse_local(s: &str) -> Result<(u64, Vec<u8>), String> {
    let (ident, data) = s.split_once('=').ok_or_else(|| format!("--local {s}: expected IDENT=HEX"))?;
    let ident = ident.parse().map_err(|e| format!("--local {s}: ident: {e}"))?;
    let data = hex::decode(data).map_err(|e| format!("--local {s}: data: {e}"))?;
    Ok((ident, data))
}

/// Runs the program as `args` say, printing to stdout; errors are one line each.
pub fn run(args: RunArgs) -> Result<(), String> {
    let elf = std::fs::read(&args.elf).map_err(|e| format!("{}: {e}", args.elf.display()))?;
    let mut state = load_elf(&elf).map_err(|e| format!("{}: {e}", args.elf.display()))?;
    if args.patch_stack {
        patch_stack(&mut state);
    }
    let mut oracle = MapOracle::new();
    for l in &args.locals {
        let (ident, data) = parse_local(l)?;
        oracle.insert_local(ident, data);
    }
    for p in &args.preimages {
        let data = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        oracle.insert_keccak(data);
    }
    let mut vm = Vm::new(state, oracle);
    if args.show_output {
        vm.capture_output();
    }
    let prestate = vm.state_mut().hash();
    eprintln!("absolute prestate {prestate}");
    let started = Instant::now();
    let limit = args.stop_at.unwrap_or(u64::MAX);
    if let Some(n) = args.proof_at {
        vm.run(n.min(limit)).map_err(|e| e.to_string())?;
        let w = vm.step_with_witness().map_err(|e| e.to_string())?;
        let post: B256 = vm.state_mut().hash();
        let preimage = w.preimage.as_ref().map(|p| {
            serde_json::json!({
                "key": p.key.to_string(),
                "offset": p.offset,
                "data": hex::encode_prefixed(&p.data),
            })
        });
        let json = serde_json::json!({
            "step": n,
            "pre": w.state_hash().to_string(),
            "post": post.to_string(),
            "state_data": hex::encode_prefixed(&w.state),
            "proof": hex::encode_prefixed(&w.proof),
            "preimage": preimage,
        });
        println!("{json:#}");
    }
    match args.snapshot_every.filter(|&n| n > 0) {
        Some(every) => loop {
            let step = vm.state().step;
            if step >= limit || vm.state().exited {
                break;
            }
            let next = (step / every + 1).saturating_mul(every).min(limit);
            vm.run(next - step).map_err(|e| e.to_string())?;
            if vm.state().step == next {
                let hash = vm.state_mut().hash();
                println!("snapshot {next} {hash}");
            }
        },
        None => {
            let done = vm.state().step;
            vm.run(limit.saturating_sub(done)).map_err(|e| e.to_string())?;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if args.show_output {
        print!("{}", String::from_utf8_lossy(vm.output()));
    }
    let s = vm.state();
    let (steps, exited, code) = (s.step, s.exited, s.exit_code);
    let hash = vm.state_mut().hash();
    eprintln!(
        "state {hash}\nsteps {steps} ({:.1} M instructions/s)\n{}",
        steps as f64 / secs.max(1e-9) / 1e6,
        if exited { format!("exit code {code}") } else { "not exited".to_owned() }
    );
    Ok(())
}
