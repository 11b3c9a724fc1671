//! Cannon64 running our MIPS64 test programs (`ops/devnet/mips64/`, built by
//! `ops/devnet/setup.sh`): `mt.elf` (three cloned threads with 32- and 64-bit atomics, yields
//! and a futex join, mmap, clock, getrandom, a hint and local data through the preimage fds)
//! exits 0; `badclone.elf` panics the VM with code 2.
//!
//! Against `MIPS64.sol` (with `RIPOSTE_OP_ARTIFACTS`): every syscall step, every step around
//! a thread switch, the first and last steps and a spread of the rest give the contract's
//! post-state. Those answers for a subset are golden data (`tests/data/mips64-mt-golden.txt`,
//! with the ELF's sha256), checked in CI without the contract.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use alloy::primitives::{B256, Bytes, U256, keccak256};
use riposte_contracts::{oracle::PreimageOracle as IOracleLoader, vm::BigStepper as IBigStepper};
use riposte_devnet::{Devnet, DevnetOptions, Stack, devnet_dir};
use riposte_vm::MapOracle;
use riposte_vm::mt64::{Cannon64, load_elf, patch_stack};
use sha2::{Digest, Sha256};

const GOLDEN: &str = include_str!("data/mips64-mt-golden.txt");

/// Local data 1 of `mt.elf`: 32 bytes starting 0x52 and ending 0x45.
fn local_data() -> [u8; 32] {
    let mut d = *keccak256(b"riposte mt.elf local data 1");
    d[0] = 0x52;
    d[31] = 0x45;
    d
}

fn elf(name: &str) -> Vec<u8> {
    let path: PathBuf = devnet_dir().join("build/mips64").join(name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run ops/devnet/setup.sh to build the MIPS64 programs)", path.display()))
}

fn vm(elf: &[u8]) -> Cannon64<MapOracle> {
    let mut s = load_elf(elf).unwrap();
    patch_stack(&mut s);
    let mut oracle = MapOracle::new();
    oracle.insert_local(1, local_data().to_vec());
    Cannon64::new(s, oracle)
}

fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

#[test]
fn mt_exits_0_with_its_hint_and_badclone_panics() {
    let mut m = vm(&elf("mt.elf"));
    m.run(50_000_000).unwrap();
    assert!(m.exited());
    let s = m.state().clone();
    assert_eq!(s.exit_code, 0, "mt.elf's failed check (see mt.c)");
    assert_eq!(m.oracle().hints, [b"riposte 0x01".to_vec()]);
    assert!(s.next_thread_id == 4 && s.thread_count() >= 1, "three threads were made");
    let mut b = vm(&elf("badclone.elf"));
    b.run(1000).unwrap();
    assert!(b.exited());
    assert_eq!(b.state().exit_code, 2);
}

/// The steps of `mt.elf` worth checking: syscalls, steps around thread switches, the first and
/// last ones, and a spread of the rest; and the program's step count.
fn sample(elf: &[u8]) -> (BTreeSet<u64>, u64) {
    let mut m = vm(elf);
    let mut picked = BTreeSet::new();
    let mut last_thread = 0;
    while !m.exited() {
        let n = m.step_count();
        let s = m.peek();
        let t = s.active().top().unwrap();
        let insn = m.memory().read_u32(t.pc);
        if insn & 0xFC00_003F == 0xC || t.id != last_thread || s.steps_since_context_switch >= 99_999 {
            picked.extend([n.saturating_sub(1), n, n + 1]);
        }
        last_thread = t.id;
        m.run(1).unwrap();
    }
    let total = m.step_count();
    picked.extend((0..300).chain(total.saturating_sub(100)..total));
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    while picked.len() < 3000 {
        x = riposte_vm::mt64::splitmix64(x);
        picked.insert(x % total);
    }
    picked.retain(|n| *n < total);
    (picked, total)
}

#[tokio::test]
async fn mips64_sol_agrees_with_sampled_steps_of_mt() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    if devnet.deployment().stack != Stack::V2 {
        eprintln!(
            "mips64_sol_agrees_with_sampled_steps_of_mt: did not run: needs a 2.x release with MIPS64 1.10 in \
             RIPOSTE_OP_ARTIFACTS (the default npm 0.17.3 stack has the 32-bit MIPS.sol)"
        );
        return;
    }
    let program = elf("mt.elf");
    let (picked, total) = sample(&program);
    let from = devnet.account(0);
    let context = keccak256(b"riposte-vm mt.elf differential test");
    let mut m = vm(&program);
    let mut checks = Vec::new();
    while !m.exited() {
        let n = m.step_count();
        if picked.contains(&n) {
            let w = m.step_with_witness().unwrap();
            checks.push((n, w.state_hash(), w, m.state_hash()));
        } else {
            m.run(1).unwrap();
        }
    }
    let oracle = devnet.deployment().preimage_oracle;
    let mut loaded = BTreeSet::new();
    for (_, _, w, _) in &checks {
        let Some(read) = &w.preimage else { continue };
        if loaded.insert(read.offset) {
            let call = IOracleLoader::loadLocalDataCall {
                _ident: U256::from(1),
                _localContext: context,
                _word: B256::from(local_data()),
                _size: U256::from(32),
                _partOffset: U256::from(read.offset),
            };
            devnet.l1().send("PreimageOracle", from, oracle, &call, U256::ZERO).await.unwrap();
        }
    }
    let mips = devnet.deployment().mips;
    let mut failures = Vec::new();
    let mut golden = String::new();
    for (i, (n, pre, w, post)) in checks.iter().enumerate() {
        let call = IBigStepper::stepCall {
            _stateData: Bytes::from(w.state.clone()),
            _proof: Bytes::from(w.proof.clone()),
            _localContext: context,
        };
        match devnet.l1().call_at("MIPS64", mips, &call, Some(from), None).await {
            Ok(got) if got == *post => {
                if i % 10 == 0 || w.preimage.is_some() {
                    writeln!(golden, "{n} {pre} {post}").unwrap();
                }
            }
            other => failures.push(format!("step {n}: riposte {post}, MIPS64.sol {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} sampled steps disagree:\n{}",
        failures.len(),
        checks.len(),
        failures[..failures.len().min(10)].join("\n")
    );
    eprintln!(
        "mt.elf: {} sampled of {total} steps agree with MIPS64.sol ({} preimage parts)",
        checks.len(),
        loaded.len()
    );
    if std::env::var_os("RIPOSTE_RECORD_MIPS64_GOLDEN").is_some() {
        let header = format!(
            "# mt.elf steps (step, pre-state hash, the post-state hash MIPS64.sol returned by eth_call on riposte's \
             witness), measured by vm/tests/programs64.rs on anvil with the MIPS64 of {}; no contract code is in this \
             repository.\n# elf sha256 {} ({} steps)\n",
            std::env::var("RIPOSTE_OP_ARTIFACTS_ORIGIN")
                .unwrap_or_else(|_| "the release in RIPOSTE_OP_ARTIFACTS".into()),
            sha256_hex(&program),
            total
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mips64-mt-golden.txt");
        std::fs::write(&path, header + &golden).unwrap();
        eprintln!("wrote {}", path.display());
    }
}

#[test]
fn mt_steps_give_the_post_states_mips64_sol_returned() {
    let program = elf("mt.elf");
    let want = GOLDEN.lines().find_map(|l| l.strip_prefix("# elf sha256 ")).and_then(|l| l.split(' ').next());
    let have = sha256_hex(&program);
    if want != Some(have.as_str()) {
        eprintln!(
            "mt_steps_give_the_post_states_mips64_sol_returned: did not run: build/mips64/mt.elf has sha256 {have}, \
             the golden data was measured on {want:?} (another compiler version builds another program)"
        );
        return;
    }
    let steps: Vec<(u64, B256, B256)> = GOLDEN
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[0].parse().unwrap(), f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    assert!(steps.len() > 100, "{} golden steps", steps.len());
    let mut m = vm(&program);
    for (n, pre, post) in steps {
        m.run(n - m.step_count()).unwrap();
        let w = m.step_with_witness().unwrap();
        assert_eq!(w.state_hash(), pre, "step {n}: another pre-state");
        assert_eq!(m.state_hash(), post, "step {n}");
    }
}
