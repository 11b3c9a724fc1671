//! The demo binary, run as the README's first command runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test harness: a failure is the test failing

use std::process::Command;

/// The README's first command (`scripts/demo`) wins its three games (two alphabet, one Cannon).
#[test]
fn the_demo_wins_all_three_games() {
    // The demo is the embedded default: the npm contracts (FaultDisputeGame 1.2, 32-bit MIPS.sol
    // for its Cannon game), whatever release the rest of the suite runs on.
    let out = Command::new(env!("CARGO_BIN_EXE_riposte-demo"))
        .env("RIPOSTE_LOG", "warn")
        .env_remove("RIPOSTE_OP_ARTIFACTS")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "demo failed:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    for (game, status) in [("A", "ChallengerWins"), ("B", "DefenderWins"), ("C", "ChallengerWins")] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("game {game} "))
                && l.contains(&format!("{status} (riposte expected {status})"))),
            "game {game}:\n{text}"
        );
    }
    assert!(text.contains("DISHONEST  countered by riposte"), "{text}");
}
