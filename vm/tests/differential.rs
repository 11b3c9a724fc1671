//! The emulator against the real `MIPS.sol` 1.0.1 on the devnet: for every step of the
//! instruction-class program and for thousands of sampled steps of a CPU-heavy C program,
//! `MIPS.step` (eth_call) must return exactly the emulator's post-state hash. The preimages
//! the steps read are loaded into the real `PreimageOracle` first: local data with
//! `loadLocalData`, keccak256 preimages with `loadKeccak256PreimagePart`.
//!
//! The programs are built from `ops/devnet/mips/` by `ops/devnet/setup.sh`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use riposte_contracts::{oracle::PreimageOracle as IOracleLoader, vm::BigStepper as IBigStepper};
use riposte_devnet::{Chain, Devnet, DevnetOptions, devnet_dir};
use riposte_vm::{DecodedState, MapOracle, StepWitness, Vm, load_elf, local_key};

/// How many `MIPS.step` eth_calls are in flight at once.
const CONCURRENCY: usize = 8;

/// A test program and the preimages it reads.
struct Program {
    name: &'static str,
    elf: Vec<u8>,
    /// Local data: (ident, word, size) as `loadLocalData` takes it.
    locals: Vec<(u64, B256, usize)>,
    /// keccak256 preimages.
    keccak: Vec<Vec<u8>>,
}

impl Program {
    fn load(name: &'static str) -> Self {
        let path: PathBuf = devnet_dir().join("build/mips").join(name);
        let elf = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run ops/devnet/setup.sh to build the MIPS programs)", path.display()));
        Self { name, elf, locals: Vec::new(), keccak: Vec::new() }
    }

    fn oracle(&self) -> MapOracle {
        let mut o = MapOracle::new();
        for (ident, word, size) in &self.locals {
            o.insert_local(*ident, word[..*size].to_vec());
        }
        for data in &self.keccak {
            o.insert_keccak(data.clone());
        }
        o
    }

    fn vm(&self) -> Vm<MapOracle> {
        Vm::new(load_elf(&self.elf).unwrap(), self.oracle())
    }
}

/// A blob and two programs' local data: ident 1 is 32 bytes, ident 2 the blob's keccak key,
/// ident 3 the iteration count of `bench.elf`.
fn with_preimages(mut p: Program, iterations: u64) -> Program {
    let blob: Vec<u8> = (0..100u32).map(|i| (i * 37 + 11) as u8).collect();
    let key = riposte_vm::keccak_key(&blob);
    let mut count = [0u8; 32];
    count[..8].copy_from_slice(&iterations.to_be_bytes());
    p.locals = vec![(1, keccak256(b"riposte local data 1"), 32), (2, key, 32), (3, B256::from(count), 8)];
    p.keccak = vec![blob];
    p
}

/// One step to check: the witness and the emulator's post-state.
struct Check {
    witness: StepWitness,
    post: B256,
    post_state: DecodedState,
}

/// Runs `program` to its exit, keeping the witness of every step in `sample` (all if `None`).
fn collect(program: &Program, sample: Option<&BTreeSet<u64>>) -> (Vec<Check>, u64) {
    let mut vm = program.vm();
    let mut checks = Vec::new();
    let mut n = 0u64;
    while !vm.state().exited {
        if sample.is_none_or(|s| s.contains(&n)) {
            let witness = vm.step_with_witness().unwrap_or_else(|e| panic!("{}: step {n}: {e}", program.name));
            let post_witness = vm.state_mut().encode();
            let post = vm.state_mut().hash();
            checks.push(Check { witness, post, post_state: DecodedState::decode(&post_witness).unwrap() });
        } else {
            vm.step().unwrap_or_else(|e| panic!("{}: step {n}: {e}", program.name));
        }
        n += 1;
        assert!(n < 50_000_000, "{} does not exit", program.name);
    }
    (checks, n)
}

/// Loads into the oracle every preimage part the checked steps read.
async fn load_preimages(devnet: &Devnet, program: &Program, checks: &[Check], from: Address, context: B256) {
    let oracle = devnet.deployment().preimage_oracle;
    let mut done = BTreeSet::new();
    for c in checks {
        let Some(read) = &c.witness.preimage else { continue };
        if !done.insert((read.key, read.offset)) {
            continue;
        }
        if read.is_local() {
            let (ident, word, size) = program
                .locals
                .iter()
                .find(|(ident, _, _)| local_key(*ident) == read.key)
                .unwrap_or_else(|| panic!("local key {} is not one of the program's", read.key));
            let call = IOracleLoader::loadLocalDataCall {
                _ident: U256::from(*ident),
                _localContext: context,
                _word: *word,
                _size: U256::from(*size),
                _partOffset: U256::from(read.offset),
            };
            devnet.l1().send("PreimageOracle", from, oracle, &call, U256::ZERO).await.unwrap();
        } else {
            let call = IOracleLoader::loadKeccak256PreimagePartCall {
                _partOffset: U256::from(read.offset),
                _preimage: Bytes::from(read.data.to_vec()),
            };
            devnet.l1().send("PreimageOracle", from, oracle, &call, U256::ZERO).await.unwrap();
        }
    }
}

fn step_call(w: &StepWitness, context: B256) -> IBigStepper::stepCall {
    IBigStepper::stepCall {
        _stateData: Bytes::from(w.state.to_vec()),
        _proof: Bytes::from(w.proof.clone()),
        _localContext: context,
    }
}

/// Explains a disagreement: the instruction, pc, the pre-state, the emulator's post-state and,
/// from the contract's own log of its output state, the contract's post-state.
async fn explain(chain: &Chain, mips: Address, from: Address, c: &Check, context: B256, got: &str) -> String {
    let pre = DecodedState::decode(&c.witness.state).unwrap();
    let off = (pre.pc & 31 & !3) as usize;
    let insn = u32::from_be_bytes(c.witness.proof[off..off + 4].try_into().unwrap());
    let contract = match chain.send("MIPS", from, mips, &step_call(&c.witness, context), U256::ZERO).await {
        Ok(out) => match out.receipt.inner.logs().first() {
            Some(log) => match DecodedState::decode(&log.data().data) {
                Ok(s) => s.to_string(),
                Err(e) => format!("(log of {} bytes: {e})", log.data().data.len()),
            },
            None => "(no state log)".into(),
        },
        Err(e) => format!("(the step transaction failed: {e})"),
    };
    format!(
        "instruction {insn:#010x} at pc {:#010x}: contract {got}, emulator {}\npre-state:\n{pre}emulator post-state:\n{}contract post-state:\n{contract}",
        pre.pc, c.post, c.post_state
    )
}

/// eth_calls `MIPS.step` for every check; returns the number that agreed, panics with the
/// first disagreements explained.
async fn check_all(devnet: &Devnet, program: &Program, checks: &[Check], from: Address, context: B256) -> usize {
    let chain = devnet.l1().clone();
    let mips = devnet.deployment().mips;
    let mut results = vec![None; checks.len()];
    let mut set = tokio::task::JoinSet::new();
    let mut next = 0;
    while next < checks.len() || !set.is_empty() {
        while next < checks.len() && set.len() < CONCURRENCY {
            let call = step_call(&checks[next].witness, context);
            let chain = chain.clone();
            let i = next;
            set.spawn(async move { (i, chain.call_at("MIPS", mips, &call, Some(from), None).await) });
            next += 1;
        }
        if let Some(joined) = set.join_next().await {
            let (i, result) = joined.unwrap();
            results[i] = Some(result.map_err(|e| e.to_string()));
        }
    }
    let mut failures = Vec::new();
    for (c, r) in checks.iter().zip(results) {
        let got = match r {
            Some(Ok(hash)) if hash == c.post => continue,
            Some(Ok(hash)) => format!("returned {hash}"),
            Some(Err(e)) => format!("reverted: {e}"),
            None => "gave no answer".into(),
        };
        if failures.len() < 3 {
            failures.push(explain(&chain, mips, from, c, context, &got).await);
        } else {
            failures.push(String::new());
        }
    }
    assert!(
        failures.is_empty(),
        "{}: {} of {} steps disagree with MIPS.sol; the first:\n{}",
        program.name,
        failures.len(),
        checks.len(),
        failures.iter().filter(|f| !f.is_empty()).cloned().collect::<Vec<_>>().join("\n")
    );
    checks.len()
}

#[tokio::test]
async fn mips_sol_agrees_with_every_step_of_the_instruction_program_and_sampled_c_steps() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    if devnet.deployment().stack == riposte_devnet::Stack::V2 {
        eprintln!(
            "mips_sol_agrees_with_every_step_of_the_instruction_program_and_sampled_c_steps: did not run: the release \
             in $RIPOSTE_OP_ARTIFACTS ships MIPS64 (state version 8) only, and this VM is the 32-bit MIPS.sol 1.0.1's"
        );
        return;
    }
    let from = devnet.account(0);
    let context = keccak256(b"riposte-vm differential test");

    // Every step of the instruction-class program.
    let started = Instant::now();
    let insns = with_preimages(Program::load("insns.elf"), 0);
    let (checks, total) = collect(&insns, None);
    let last = &checks[checks.len() - 1];
    assert!(last.post_state.exited == 1 && last.post_state.exit_code == 0, "insns.elf exits 0");
    let reads = checks.iter().filter(|c| c.witness.preimage.is_some()).count();
    assert!(checks.iter().any(|c| c.witness.preimage.as_ref().is_some_and(|r| r.is_local())));
    assert!(checks.iter().any(|c| c.witness.preimage.as_ref().is_some_and(|r| !r.is_local())));
    load_preimages(&devnet, &insns, &checks, from, context).await;
    let agreed_insns = check_all(&devnet, &insns, &checks, from, context).await;
    eprintln!(
        "insns.elf: all {agreed_insns} of {total} steps agree with MIPS.sol ({reads} preimage reads) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // The C program: the first 400 steps, the last 100 and a spread of 2000 in between.
    let started = Instant::now();
    let bench = with_preimages(Program::load("bench.elf"), 3000);
    let (_, total) = collect(&bench, Some(&BTreeSet::new()));
    let mut sample: BTreeSet<u64> = (0..400.min(total)).chain(total.saturating_sub(100)..total).collect();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    while sample.len() < 2500.min(total as usize) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        sample.insert(x % total);
    }
    let (checks, _) = collect(&bench, Some(&sample));
    let last = &checks[checks.len() - 1];
    assert!(last.post_state.exited == 1 && last.post_state.exit_code == 0, "bench.elf exits 0");
    load_preimages(&devnet, &bench, &checks, from, context).await;
    let agreed_bench = check_all(&devnet, &bench, &checks, from, context).await;
    eprintln!(
        "bench.elf: {agreed_bench} sampled of {total} steps agree with MIPS.sol in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn both_programs_exit_0_with_their_output_and_hint() {
    let bench = with_preimages(Program::load("bench.elf"), 100);
    let mut vm = bench.vm();
    vm.capture_output();
    vm.run(10_000_000).unwrap();
    assert!(vm.state().exited);
    assert_eq!(vm.state().exit_code, 0);
    let out = String::from_utf8_lossy(vm.output()).to_string();
    assert!(out.starts_with("checksum ") && out.len() == 18, "{out:?}");

    let insns = with_preimages(Program::load("insns.elf"), 0);
    let mut vm = insns.vm();
    vm.capture_output();
    vm.run(100_000).unwrap();
    assert_eq!(vm.state().exit_code, 0);
    assert_eq!(vm.oracle().hints, vec![b"riposte-test".to_vec()]);
    assert_eq!(vm.output(), b"hello from mips\nhello");
}
