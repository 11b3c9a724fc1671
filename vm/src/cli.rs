//! The `run` and `load-elf` commands, shared by `riposte-vm` and `riposte vm`: `run` runs a
//! program in a VM and prints the final state hash, the steps and the exit code, or the
//! witness of one step as JSON; `load-elf` writes a Cannon64 prestate (`.bin.gz`) and prints
//! its absolute prestate hash.

use std::path::PathBuf;
use std::time::Instant;

use crate::mt64::{self, Cannon64, Snapshot64};
use crate::{MapOracle, Vm, load_elf, patch_stack};
use alloy_primitives::{B256, hex};

/// Which VM runs the program.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VmChoice {
    /// The single-threaded 32-bit Cannon VM of `MIPS.sol` 1.0.1.
    #[default]
    Mips,
    /// Cannon64, the multithreaded 64-bit VM of `MIPS64.sol` 1.10 (state version 8).
    Mips64,
}

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The VM.
    #[arg(long, value_enum, default_value_t = VmChoice::Mips)]
    pub vm: VmChoice,
    /// The static big-endian MIPS ELF (MIPS64: loaded as `cannon load-elf` does, PatchStack
    /// included).
    #[arg(long, required_unless_present = "prestate", conflicts_with = "prestate")]
    pub elf: Option<PathBuf>,
    /// A Cannon64 prestate or snapshot in cannon's binary format (`.bin` or `.bin.gz`).
    #[arg(long)]
    pub prestate: Option<PathBuf>,
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

fn oracle_of(args: &RunArgs) -> Result<MapOracle, String> {
    let mut oracle = MapOracle::new();
    for l in &args.locals {
        let (ident, data) = parse_local(l)?;
        oracle.insert_local(ident, data);
    }
    for p in &args.preimages {
        let data = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
        oracle.insert_keccak(data);
    }
    Ok(oracle)
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A Cannon64 program from `--elf` (loaded and stack-patched) or `--prestate`.
fn snapshot64(elf: Option<&PathBuf>, prestate: Option<&PathBuf>) -> Result<Snapshot64, String> {
    match (elf, prestate) {
        (Some(path), _) => {
            let mut s = mt64::load_elf(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?;
            mt64::patch_stack(&mut s);
            Ok(s)
        }
        (None, Some(path)) => Snapshot64::read_file_bytes(&read(path)?).map_err(|e| format!("{}: {e}", path.display())),
        (None, None) => Err("give --elf or --prestate".into()),
    }
}

/// Runs the program as `args` say, printing to stdout; errors are one line each.
pub fn run(args: RunArgs) -> Result<(), String> {
    if args.vm == VmChoice::Mips64 {
        return run64(args);
    }
    let path = args.elf.clone().ok_or("--prestate files are Cannon64's: add --vm mips64")?;
    let elf = read(&path)?;
    let mut state = load_elf(&elf).map_err(|e| format!("{}: {e}", path.display()))?;
    if args.patch_stack {
        patch_stack(&mut state);
    }
    let mut vm = Vm::new(state, oracle_of(&args)?);
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

/// `run --vm mips64`: the witness JSON has cannon's keys (`step`, `pre`, `post`, `state-data`,
/// `proof-data`, `oracle-key`, `oracle-value` with its 8-byte length prefix, `oracle-offset`).
fn run64(args: RunArgs) -> Result<(), String> {
    let snapshot = snapshot64(args.elf.as_ref(), args.prestate.as_ref())?;
    let mut vm = Cannon64::new(snapshot, oracle_of(&args)?);
    if args.show_output {
        vm.capture_output();
    }
    eprintln!("state at start {}", vm.state_hash());
    let started = Instant::now();
    let limit = args.stop_at.unwrap_or(u64::MAX);
    let step_err = |e: mt64::Step64Error| e.to_string();
    if let Some(n) = args.proof_at {
        let done = vm.step_count();
        vm.run(n.min(limit).saturating_sub(done)).map_err(step_err)?;
        let step = vm.step_count();
        let w = vm.step_with_witness().map_err(step_err)?;
        let post = vm.state_hash();
        let mut json = serde_json::json!({
            "step": step,
            "pre": w.state_hash().to_string(),
            "post": post.to_string(),
            "state-data": hex::encode_prefixed(&w.state),
            "proof-data": hex::encode_prefixed(&w.proof),
        });
        if let Some(p) = &w.preimage {
            let mut value = (p.data.len() as u64).to_be_bytes().to_vec();
            value.extend_from_slice(&p.data);
            json["oracle-key"] = p.key.to_string().into();
            json["oracle-value"] = hex::encode_prefixed(value).into();
            json["oracle-offset"] = p.offset.into();
        }
        println!("{json:#}");
    }
    let every = args.snapshot_every.filter(|&n| n > 0).unwrap_or(u64::MAX);
    while !vm.exited() && vm.step_count() < limit {
        let step = vm.step_count();
        let next = (step / every).saturating_add(1).saturating_mul(every).min(limit);
        vm.run(next - step).map_err(step_err)?;
        if every != u64::MAX && vm.step_count() == next {
            println!("snapshot {next} {}", vm.state_hash());
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if args.show_output {
        print!("{}", String::from_utf8_lossy(vm.output()));
    }
    let (steps, exited, code) = (vm.step_count(), vm.exited(), vm.peek().exit_code);
    eprintln!(
        "state {}\nsteps {steps} ({:.1} M instructions/s)\n{}",
        vm.state_hash(),
        steps as f64 / secs.max(1e-9) / 1e6,
        if exited { format!("exit code {code}") } else { "not exited".to_owned() }
    );
    Ok(())
}

/// Arguments of `load-elf`.
#[derive(clap::Args, Debug)]
pub struct LoadElfArgs {
    /// The VM whose prestate to write (only Cannon64 has a snapshot format here).
    #[arg(long, value_enum, default_value_t = VmChoice::Mips64)]
    pub vm: VmChoice,
    /// The static big-endian MIPS64 ELF.
    #[arg(long)]
    pub elf: PathBuf,
    /// Where to write the prestate: gzip-compressed when the name ends in `.gz`.
    #[arg(long)]
    pub out: PathBuf,
}

/// `load-elf`: the program as `cannon load-elf --type multithreaded64-5` loads it (segments,
/// one thread, PatchStack), written in cannon's format; prints the absolute prestate hash.
pub fn load_elf_command(args: LoadElfArgs) -> Result<(), String> {
    if args.vm != VmChoice::Mips64 {
        return Err("load-elf writes Cannon64 prestates only (--vm mips64)".into());
    }
    let s = snapshot64(Some(&args.elf), None)?;
    let bytes = if args.out.extension().is_some_and(|e| e == "gz") { s.to_bin_gz() } else { s.encode() };
    let tmp = args.out.with_extension("tmp");
    std::fs::write(&tmp, &bytes).map_err(|e| format!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    println!("{}", s.state.hash());
    Ok(())
}
