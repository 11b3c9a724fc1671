//! Cannon64 against answers recorded from the real `MIPS64.sol` 1.10 (see `differential64.rs`,
//! which wrote `tests/data/mips64-golden.txt`): every recorded single-step case, regenerated
//! from the same seed, must have the recorded pre-state hash and give the recorded post-state
//! hash, or be refused where the contract reverted. Runs without a devnet or the contract.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy::primitives::B256;
use common::mt64_cases::{Preimages, case};

const GOLDEN: &str = include_str!("data/mips64-golden.txt");

#[test]
fn cannon64_gives_the_post_states_mips64_sol_returned() {
    let seed = GOLDEN
        .lines()
        .find_map(|l| l.split("seed ").nth(1))
        .and_then(|s| s.split(',').next())
        .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok())
        .expect("the golden file names its seed");
    let pre = Preimages::new();
    let (mut stepped, mut refused) = (0, 0);
    for line in GOLDEN.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split(' ').collect();
        let [i, want_pre, want_post] = fields[..] else { panic!("a malformed golden line: {line:?}") };
        let i: u64 = i.parse().unwrap();
        let mut c = case(seed, i, &pre);
        assert_eq!(c.vm.state_hash(), want_pre.parse::<B256>().unwrap(), "case {i} ({}): another pre-state", c.name);
        let got = c.vm.step_with_witness().map(|_| c.vm.state_hash());
        match (want_post, got) {
            ("revert", Err(_)) => refused += 1,
            ("revert", Ok(post)) => panic!("case {i} ({}): MIPS64.sol reverted, riposte stepped to {post}", c.name),
            (want, Ok(post)) => {
                assert_eq!(post, want.parse::<B256>().unwrap(), "case {i} ({})", c.name);
                stepped += 1;
            }
            (want, Err(e)) => panic!("case {i} ({}): MIPS64.sol stepped to {want}, riposte refused: {e}", c.name),
        }
    }
    assert!(stepped > 1000 && refused > 100, "{stepped} stepped, {refused} refused: the file is not the recorded one");
}

#[test]
fn no_random_pre_state_makes_the_vm_panic() {
    // Cases of other seeds: each step executes or is refused with an error, and a refused step
    // leaves the state as it was.
    let pre = Preimages::new();
    let mut refused = 0;
    for i in 0..20_000 {
        let mut c = case(0x0BAD_5EED, i, &pre);
        let before = c.vm.state_hash();
        if c.vm.run(1).is_err() {
            refused += 1;
            assert_eq!(c.vm.state_hash(), before, "case {i} ({}): a refused step changed the state", c.name);
        }
    }
    assert!(refused > 1000, "{refused} refused");
}
