//! Cannon64 against the real `MIPS64.sol` 1.10 on the devnet: for thousands of random
//! single-step pre-states (every opcode, function code, REGIMM code and syscall scenario, over
//! threads on both stacks, delay slots, reservations and pre-emption), `MIPS64.step` by
//! eth_call with the proof riposte generates must return exactly riposte's post-state, and
//! revert exactly where riposte refuses the step. The preimages the steps read are loaded into
//! the real `PreimageOracle` first.
//!
//! The contract comes from `RIPOSTE_OP_ARTIFACTS` (a 2.x release); without it the test says it
//! did not run. With `RIPOSTE_RECORD_MIPS64_GOLDEN=1` the contract's answers are written to
//! `tests/data/mips64-golden.txt`, which `golden64.rs` checks in CI without the contract.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write as _;
use std::time::Instant;

use alloy::primitives::keccak256;
use common::mt64_cases::{Preimages, case};
use common::onchain::Stepper;
use riposte_devnet::{Devnet, DevnetOptions, Stack};
use riposte_game::VmStatus;
use riposte_vm::mt64::{Cannon64, sys};
use riposte_vm::{MapOracle, StepWitness};

/// Cases checked, and the seed of their stream (the golden file records both).
const CASES: u64 = 3000;
const SEED: u64 = 0x5249_504f_5354_4536;

#[tokio::test]
async fn mips64_sol_agrees_with_every_random_single_step() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    if devnet.deployment().stack != Stack::V2 {
        eprintln!(
            "mips64_sol_agrees_with_every_random_single_step: did not run: needs a 2.x release with MIPS64 1.10 in \
             RIPOSTE_OP_ARTIFACTS (the default npm 0.17.3 stack has the 32-bit MIPS.sol)"
        );
        return;
    }
    let started = Instant::now();
    let context = keccak256(b"riposte-vm cannon64 differential test");
    let pre = Preimages::new();
    // Riposte's answer for every case: the witness and post-state, or the refusal.
    let mut checks = Vec::new();
    for i in 0..CASES {
        let mut c = case(SEED, i, &pre);
        let pre_hash = c.vm.state_hash();
        let result = c.vm.step_with_witness().map(|w| (w, c.vm.state_hash()));
        checks.push((i, c.name, pre_hash, result));
    }
    // For refused cases the contract gets the witness of the same pre-state made without
    // executing (thread witness and the instruction's proof): it must revert on it too.
    let witnesses: Vec<StepWitness> = checks
        .iter()
        .map(|(i, _, _, r)| match r {
            Ok((w, _)) => w.clone(),
            Err(_) => refused_witness(&mut case(SEED, *i, &pre).vm),
        })
        .collect();
    let mut stepper = Stepper::new(&devnet, context);
    let stepped_ok = checks.iter().filter_map(|(_, _, _, r)| r.as_ref().ok().map(|(w, _)| w));
    stepper.load_preimages(stepped_ok, &pre.locals).await;
    let answers = stepper.step_all(&witnesses).await;
    let mut failures = Vec::new();
    let mut golden = String::new();
    let (mut stepped, mut refused) = (0, 0);
    for ((i, name, pre_hash, ours), theirs) in checks.iter().zip(&answers) {
        let line = match (ours, theirs) {
            (Ok((_, post)), Ok(got)) if post == got => {
                stepped += 1;
                format!("{i} {pre_hash} {got}")
            }
            (Err(_), Err(_)) => {
                refused += 1;
                format!("{i} {pre_hash} revert")
            }
            _ => {
                let ours = match ours {
                    Ok((_, post)) => format!("post {post}"),
                    Err(e) => format!("refused: {e}"),
                };
                failures.push(format!("case {i} ({name}): riposte {ours}; MIPS64.sol {theirs:?}"));
                continue;
            }
        };
        writeln!(golden, "{line}").unwrap();
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree with MIPS64.sol:\n{}",
        failures.len(),
        checks.len(),
        failures.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!(
        "mips64: all {} cases agree with MIPS64.sol ({stepped} stepped, {refused} refused by both, {} preimage parts) \
         in {:.1} s",
        checks.len(),
        stepper.loaded.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(stepped > CASES as usize / 2 && refused > 50, "the cases exercise both outcomes");
    if std::env::var_os("RIPOSTE_RECORD_MIPS64_GOLDEN").is_some() {
        let version: String = devnet
            .l1()
            .call("MIPS64", devnet.deployment().mips, &riposte_contracts::vm::Mips64::versionCall {})
            .await
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("unknown ({e})"));
        let header = format!(
            "# Cannon64 single-step cases (vm/tests/common/mt64_cases.rs, seed {SEED:#x}, {CASES} cases): case, \
             pre-state hash, and the post-state hash MIPS64.sol {version} returned by eth_call on riposte's witness, or \
             `revert`.\n# Measured by vm/tests/differential64.rs on anvil with the MIPS64 of {}; no contract code \
             is in this repository.\n",
            std::env::var("RIPOSTE_OP_ARTIFACTS_ORIGIN")
                .unwrap_or_else(|_| "the release in RIPOSTE_OP_ARTIFACTS".into())
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mips64-golden.txt");
        std::fs::write(&path, header + &golden).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

/// What the contract is given for a step riposte refuses: the state, the thread witness, the
/// proof of the instruction word and the proof of the data word the step would read.
fn refused_witness(vm: &mut Cannon64<MapOracle>) -> StepWitness {
    let state = vm.state().clone();
    let mut proof = state.thread_proof().unwrap_or_default();
    if let Some(t) = state.active().top() {
        let mut memory = vm.memory().clone();
        proof.extend(memory.proof(t.pc));
        let insn = memory.read_u32(t.pc);
        let r = &t.registers;
        let data = if insn >> 26 == 0 && insn & 0x3F == 0xC {
            if matches!(r[2], sys::FUTEX | sys::GETRANDOM) { r[4] } else { r[5] }
        } else {
            r[((insn >> 21) & 0x1F) as usize].wrapping_add((insn as u16) as i16 as i64 as u64)
        };
        proof.extend(memory.proof(data & !7));
    }
    StepWitness {
        state: state.witness().to_vec(),
        pre_status: VmStatus::from_exit(state.exited, state.exit_code),
        proof,
        preimage: None,
    }
}
