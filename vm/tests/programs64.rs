//! Cannon64 running our MIPS64 test programs, built by `ops/devnet/setup.sh`:
//! - `mips64/mt.elf` (C): three cloned threads with 32- and 64-bit atomics, yields and a futex
//!   join, mmap, clock, getrandom, a hint and local data through the preimage fds;
//! - `go64/mt.elf` (Go 1.24, GOMIPS64=softfloat): goroutines over several threads, channels, a
//!   mutex, a WaitGroup, GC pressure, maps, `time.Sleep`, `crypto/sha256`;
//! - `go64/oracle.elf` (Go): local data and a keccak256 preimage through fds 3–6, a hint;
//! - `mips64/badclone.elf`: a clone with other flags panics the VM (exit code 2).
//!
//! Each exits as expected. Against `MIPS64.sol` (with `RIPOSTE_OP_ARTIFACTS`): sampled steps
//! of each program, every kind of interesting step among them (syscalls, thread switches,
//! pre-emptions, futex waits, mmap growth, preimage reads), give the contract's post-state.
//! A subset of those answers is golden data (`tests/data/mips64-<program>-golden.txt`, with
//! the ELF's sha256), checked in CI without the contract.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use alloy::primitives::{B256, keccak256};
use common::onchain::Stepper;
use riposte_devnet::{Devnet, DevnetOptions, Stack, devnet_dir};
use riposte_vm::mt64::{Cannon64, SCHED_QUANTUM, load_elf, patch_stack, splitmix64, sys};
use riposte_vm::{MapOracle, StepWitness, keccak_key};
use sha2::{Digest, Sha256};

/// A test program, its preimages, what it must print, and how many steps to check.
struct Program {
    /// Path under the devnet's `build/`.
    path: &'static str,
    /// Local data by ident (at most 32 bytes each, as `loadLocalData` takes it).
    locals: Vec<(u64, Vec<u8>)>,
    /// keccak256 preimages.
    keccak: Vec<Vec<u8>>,
    /// The start of what it prints on stdout.
    prints: &'static str,
    /// Steps to check against the contract.
    sample: usize,
    /// The golden file.
    golden: &'static str,
}

fn blob() -> Vec<u8> {
    (0..300u32).map(|i| (i * 131 + 7) as u8).collect()
}

/// Local data 1 of the programs: 32 bytes starting 0x52 and ending 0x45.
fn head() -> Vec<u8> {
    let mut d = *keccak256(b"riposte mt.elf local data 1");
    d[0] = 0x52;
    d[31] = 0x45;
    d.to_vec()
}

fn programs() -> Vec<Program> {
    vec![
        Program {
            path: "mips64/mt.elf",
            locals: vec![(1, head())],
            keccak: vec![],
            prints: "cannon64 ok",
            sample: 3000,
            golden: include_str!("data/mips64-mt-golden.txt"),
        },
        Program {
            path: "go64/mt.elf",
            locals: vec![],
            keccak: vec![],
            prints: "total 3000 results 6",
            sample: 12_000,
            golden: include_str!("data/mips64-go-mt-golden.txt"),
        },
        Program {
            path: "go64/oracle.elf",
            locals: vec![(1, head()), (2, keccak_key(&blob()).to_vec()), (3, Sha256::digest(blob()).to_vec())],
            keccak: vec![blob()],
            prints: "head 52",
            sample: 9000,
            golden: include_str!("data/mips64-go-oracle-golden.txt"),
        },
    ]
}

impl Program {
    fn elf(&self) -> Vec<u8> {
        let path = devnet_dir().join("build").join(self.path);
        std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run ops/devnet/setup.sh to build the test programs)", path.display()))
    }

    fn vm(&self, elf: &[u8]) -> Cannon64<MapOracle> {
        let mut s = load_elf(elf).unwrap();
        patch_stack(&mut s);
        let mut oracle = MapOracle::new();
        for (ident, data) in &self.locals {
            oracle.insert_local(*ident, data.clone());
        }
        for data in &self.keccak {
            oracle.insert_keccak(data.clone());
        }
        Cannon64::new(s, oracle)
    }

    fn golden_file(&self) -> String {
        format!(
            "mips64-{}-golden.txt",
            self.path.trim_end_matches(".elf").replace("mips64/", "").replace("go64/", "go-")
        )
    }
}

fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

#[test]
fn the_programs_exit_as_expected() {
    for p in programs() {
        let elf = p.elf();
        let mut m = p.vm(&elf);
        m.capture_output();
        m.run(200_000_000).unwrap();
        assert!(m.exited(), "{} exits", p.path);
        let out = String::from_utf8_lossy(m.output()).to_string();
        assert_eq!(m.peek().exit_code, 0, "{}: a failed check; it printed {out:?}", p.path);
        assert!(out.starts_with(p.prints), "{} printed {out:?}", p.path);
    }
    let c = &programs()[0];
    let mut m = c.vm(&c.elf());
    m.run(50_000_000).unwrap();
    assert_eq!(m.oracle().hints, [b"riposte 0x01".to_vec()]);
    assert_eq!(m.peek().next_thread_id, 4, "three threads were made");
    let badclone = Program { path: "mips64/badclone.elf", ..programs().remove(0) };
    let mut b = badclone.vm(&badclone.elf());
    b.run(1000).unwrap();
    assert!(b.exited());
    assert_eq!(b.peek().exit_code, 2);
}

/// Kinds of step worth checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Syscall,
    ThreadSwitch,
    Preemption,
    FutexWait,
    Mmap,
    PreimageRead,
    Other,
}

/// The steps of a program to check: of each kind, up to a share of `want`, spread evenly;
/// the rest drawn at random. Also the program's step count.
fn sample(p: &Program, elf: &[u8]) -> (BTreeMap<u64, Kind>, u64) {
    let mut m = p.vm(elf);
    let mut by_kind: BTreeMap<Kind, Vec<u64>> = BTreeMap::new();
    let mut last_thread = 0;
    while !m.exited() {
        let n = m.step_count();
        let s = m.peek();
        let t = s.active().top().unwrap();
        let insn = m.memory().read_u32(t.pc);
        let kind = if t.id != last_thread {
            Kind::ThreadSwitch
        } else if s.steps_since_context_switch >= SCHED_QUANTUM {
            Kind::Preemption
        } else if insn & 0xFC00_003F == 0xC {
            match (t.registers[2], t.registers[4], t.registers[5]) {
                (sys::FUTEX, _, sys::FUTEX_WAIT_PRIVATE) => Kind::FutexWait,
                (sys::MMAP, _, _) => Kind::Mmap,
                (sys::READ, sys::FD_PREIMAGE_READ, _) => Kind::PreimageRead,
                _ => Kind::Syscall,
            }
        } else {
            Kind::Other
        };
        if kind != Kind::Other {
            by_kind.entry(kind).or_default().push(n);
        }
        last_thread = t.id;
        m.run(1).unwrap();
    }
    let total = m.step_count();
    let mut picked = BTreeMap::new();
    let share = p.sample / 8;
    for (kind, steps) in &by_kind {
        let every = steps.len().div_ceil(share).max(1);
        for n in steps.iter().step_by(every) {
            picked.insert(*n, *kind);
        }
    }
    for n in (0..200).chain(total.saturating_sub(100)..total) {
        picked.entry(n).or_insert(Kind::Other);
    }
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    while picked.len() < p.sample.min(total as usize) {
        x = splitmix64(x);
        picked.entry(x % total).or_insert(Kind::Other);
    }
    (picked, total)
}

#[tokio::test]
async fn mips64_sol_agrees_with_sampled_steps_of_every_program() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    if devnet.deployment().stack != Stack::V2 {
        eprintln!(
            "mips64_sol_agrees_with_sampled_steps_of_every_program: did not run: needs a 2.x release with MIPS64 1.10 \
             in RIPOSTE_OP_ARTIFACTS (the default npm 0.17.3 stack has the 32-bit MIPS.sol)"
        );
        return;
    }
    let mut stepper = Stepper::new(&devnet, keccak256(b"riposte-vm programs64 differential test"));
    for p in programs() {
        let started = std::time::Instant::now();
        let elf = p.elf();
        let (picked, total) = sample(&p, &elf);
        let mut m = p.vm(&elf);
        let mut checks = Vec::new();
        while !m.exited() {
            let n = m.step_count();
            match picked.get(&n) {
                Some(kind) => {
                    let w = m.step_with_witness().unwrap();
                    checks.push((n, *kind, w, m.state_hash()));
                }
                None => {
                    m.run(1).unwrap();
                }
            }
        }
        stepper.load_preimages(checks.iter().map(|(_, _, w, _)| w), &p.locals).await;
        let witnesses: Vec<StepWitness> = checks.iter().map(|(_, _, w, _)| w.clone()).collect();
        let answers = stepper.step_all(&witnesses).await;
        let mut failures = Vec::new();
        let mut golden = String::new();
        let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
        for (i, ((n, kind, w, post), got)) in checks.iter().zip(answers).enumerate() {
            match got {
                Ok(got) if got == *post => {
                    *kinds.entry(*kind).or_default() += 1;
                    if i % 20 == 0 || *kind != Kind::Other && i % 4 == 0 || w.preimage.is_some() {
                        writeln!(golden, "{n} {} {post}", w.state_hash()).unwrap();
                    }
                }
                other => failures.push(format!("step {n} ({kind:?}): riposte {post}, MIPS64.sol {other:?}")),
            }
        }
        assert!(
            failures.is_empty(),
            "{}: {} of {} sampled steps disagree:\n{}",
            p.path,
            failures.len(),
            checks.len(),
            failures[..failures.len().min(10)].join("\n")
        );
        eprintln!(
            "{}: {} sampled of {total} steps agree with MIPS64.sol ({kinds:?}) in {:.1} s",
            p.path,
            checks.len(),
            started.elapsed().as_secs_f64()
        );
        for kind in [Kind::ThreadSwitch, Kind::Syscall, Kind::FutexWait, Kind::Mmap] {
            assert!(kinds.contains_key(&kind), "{}: no {kind:?} step was checked", p.path);
        }
        if !p.keccak.is_empty() || !p.locals.is_empty() {
            assert!(kinds.contains_key(&Kind::PreimageRead), "{}: no preimage read was checked", p.path);
        }
        if std::env::var_os("RIPOSTE_RECORD_MIPS64_GOLDEN").is_some() {
            let header = format!(
                "# {} steps (step, pre-state hash, the post-state hash MIPS64.sol returned by eth_call on riposte's \
                 witness), measured by vm/tests/programs64.rs on anvil with the MIPS64 of {}; no contract code is in \
                 this repository.\n# elf sha256 {} ({total} steps)\n",
                p.path,
                std::env::var("RIPOSTE_OP_ARTIFACTS_ORIGIN")
                    .unwrap_or_else(|_| "the release in RIPOSTE_OP_ARTIFACTS".into()),
                sha256_hex(&elf),
            );
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(p.golden_file());
            std::fs::write(&path, header + &golden).unwrap();
            eprintln!("wrote {}", path.display());
        }
    }
}

#[test]
fn the_programs_steps_give_the_post_states_mips64_sol_returned() {
    for p in programs() {
        let elf = p.elf();
        let want = p.golden.lines().find_map(|l| l.strip_prefix("# elf sha256 ")).and_then(|l| l.split(' ').next());
        let have = sha256_hex(&elf);
        if want != Some(have.as_str()) {
            eprintln!(
                "the_programs_steps_give_the_post_states_mips64_sol_returned: {} not checked: its sha256 is {have}, the \
                 golden data was measured on {want:?} (another compiler builds another program)",
                p.path
            );
            continue;
        }
        let steps: Vec<(u64, B256, B256)> = p
            .golden
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                (f[0].parse().unwrap(), f[1].parse().unwrap(), f[2].parse().unwrap())
            })
            .collect();
        assert!(steps.len() > 100, "{}: {} golden steps", p.path, steps.len());
        let mut m = p.vm(&elf);
        for (n, pre, post) in steps {
            m.run(n - m.step_count()).unwrap();
            let w = m.step_with_witness().unwrap();
            assert_eq!(w.state_hash(), pre, "{} step {n}: another pre-state", p.path);
            assert_eq!(m.state_hash(), post, "{} step {n}", p.path);
        }
    }
}

#[test]
fn the_cli_writes_a_prestate_and_runs_it_with_cannons_witness_keys() {
    let elf = devnet_dir().join("build/mips64/mt.elf");
    let dir = std::env::temp_dir().join(format!("riposte-vm-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("prestate.bin.gz");
    let bin = env!("CARGO_BIN_EXE_riposte-vm");
    let load = std::process::Command::new(bin)
        .args(["load-elf", "--vm", "mips64", "--elf"])
        .arg(&elf)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(load.status.success(), "{}", String::from_utf8_lossy(&load.stderr));
    let prestate = String::from_utf8(load.stdout).unwrap().trim().to_owned();
    let p = &programs()[0];
    assert_eq!(prestate, p.vm(&p.elf()).state_hash().to_string(), "the absolute prestate");
    assert!(prestate.starts_with("0x03"));
    // Run the written prestate: the witness of step 5 with cannon's keys, then to the exit.
    let local = format!("1=0x{}", alloy::primitives::hex::encode(head()));
    let run = std::process::Command::new(bin)
        .args(["run", "--vm", "mips64", "--proof-at", "5", "--local", &local, "--prestate"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains(&format!("state at start {prestate}")) && stderr.contains("exit code 0"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    for key in ["step", "pre", "post", "state-data", "proof-data"] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }
    assert_eq!(json["step"], 5);
    // A truncated prestate is refused by name.
    let bytes = std::fs::read(&out).unwrap();
    std::fs::write(&out, &bytes[..bytes.len() / 2]).unwrap();
    let bad = std::process::Command::new(bin).args(["run", "--vm", "mips64", "--prestate"]).arg(&out).output().unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("prestate.bin.gz: snapshot: gzip"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
