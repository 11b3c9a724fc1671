//! The player against a fake game (claims in memory), the alphabet trace over in-memory output
//! roots, a real SQLite store in a temp dir, and the monitor-only recorder as the sink.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicUsize, Ordering};

use alloy::primitives::keccak256;
use riposte_contracts::BoxFuture;
use riposte_game::GameStatus;
use riposte_solver::trace::{SplitTrace, alphabet::AlphabetTrace};
use riposte_storage::{NewIntent, Store};

use super::*;
use crate::{
    fakes::{ADVERSARY, FakeGame, GAME, ME, Outputs, START, honest_output, record},
    sink::Recorder,
};

/// Counts reorg notices; records what it would send like the monitor.
#[derive(Default)]
struct CountingSink {
    inner: Recorder,
    reorgs: AtomicUsize,
}

impl ActionSink for CountingSink {
    fn send(&self, intents: Vec<NewIntent>) -> BoxFuture<'_, Result<usize>> {
        self.inner.send(intents)
    }
    fn reorged(&self) -> BoxFuture<'_, Result<()>> {
        self.reorgs.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(()) })
    }
}

struct Setup {
    _dir: tempfile::TempDir,
    store: Store,
    metrics: Metrics,
    trace: SplitTrace<Outputs, AlphabetTrace>,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db")).await.unwrap();
    store.upsert_game(&record()).await.unwrap();
    Setup { _dir: dir, store, metrics: Metrics::new(), trace: SplitTrace::new(Outputs, AlphabetTrace) }
}

impl Setup {
    fn player(&self) -> Player<'_> {
        Player {
            store: &self.store,
            metrics: &self.metrics,
            me: Some(ME),
            selective: None,
            batcher: None,
            root_challenged: false,
        }
    }
}

fn keys(sink: &CountingSink) -> Vec<String> {
    sink.inner.recorded().into_iter().map(|i| i.key).collect()
}

#[tokio::test]
async fn a_dishonest_root_is_attacked_with_the_honest_output_and_its_claims_are_stored() {
    let s = setup().await;
    let game = FakeGame::new(keccak256("a root that never was"));
    let sink = CountingSink::default();
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 10).await.unwrap();
    // The attack lands at position 2, the output of the block halfway between 4 and 20.
    let want = format!("move:0:2:{}:true", honest_output(12));
    assert_eq!(keys(&sink), vec![want]);
    assert_eq!((p.planned, p.confirmed, p.unfinished), (1, 0, true));
    assert_eq!(p.due, Some(START + 300), "the root's clock runs out after max-clock-duration");
    assert_eq!(s.store.claim_count(GAME).await.unwrap(), 1);
}

#[tokio::test]
async fn an_honest_root_is_left_alone_until_its_clock_runs_out_then_resolved_even_in_monitor_mode() {
    let s = setup().await;
    let game = FakeGame::new(honest_output(20));
    let sink = CountingSink::default();
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 10).await.unwrap();
    assert!(keys(&sink).is_empty());
    assert_eq!((p.planned, p.unfinished, p.wake), (0, false, Some(START + 300)));
    // After the clock: resolution is planned and recorded (monitor-only is a sink, not a return).
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 301).await.unwrap();
    assert_eq!(keys(&sink), vec!["resolve-claim:0".to_string(), "resolve".to_string()]);
    assert!(p.unfinished, "looked at again until the game is resolved");
}

#[tokio::test]
async fn a_claim_that_lands_between_looks_is_read_and_answered() {
    let s = setup().await;
    let game = FakeGame::new(honest_output(20));
    let sink = CountingSink::default();
    s.player().look(&record(), &game, &s.trace, &sink, START + 10).await.unwrap();
    // The adversary attacks the honest root with garbage.
    game.push(0, 2, keccak256("garbage"), ADVERSARY, START + 20);
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 30).await.unwrap();
    assert_eq!(s.store.claim_count(GAME).await.unwrap(), 2, "the new claim is stored");
    assert_eq!(p.planned, 1);
    let k = keys(&sink);
    assert_eq!(k.len(), 1);
    assert!(k[0].starts_with("move:1:"), "the garbage at index 1 is countered: {k:?}");
}

#[tokio::test]
async fn claims_that_leave_the_chain_are_read_again_and_the_sink_is_told() {
    let s = setup().await;
    let game = FakeGame::new(honest_output(20));
    let sink = CountingSink::default();
    game.push(0, 2, keccak256("garbage"), ADVERSARY, START + 20);
    s.player().look(&record(), &game, &s.trace, &sink, START + 30).await.unwrap();
    assert_eq!(s.store.claim_count(GAME).await.unwrap(), 2);
    // A reorg takes the adversary's claim away.
    game.claims.lock().unwrap().truncate(1);
    s.player().look(&record(), &game, &s.trace, &sink, START + 40).await.unwrap();
    assert_eq!(s.store.claim_count(GAME).await.unwrap(), 1);
    assert_eq!(sink.reorgs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_game_resolved_by_someone_else_is_recorded_and_left() {
    let s = setup().await;
    let game = FakeGame::new(honest_output(20));
    *game.status.lock().unwrap() = GameStatus::DefenderWins;
    let sink = CountingSink::default();
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 10).await.unwrap();
    assert_eq!(p, Progress::default());
    assert!(keys(&sink).is_empty());
    let stored = s.store.game(GAME).await.unwrap().unwrap();
    assert_eq!(stored.status, GameStatus::DefenderWins as u8);
}

#[tokio::test]
async fn selective_resolution_claims_credit_once_what_pays_us_is_resolved() {
    let s = setup().await;
    let game = FakeGame::new(keccak256("a root that never was"));
    // Our attack on the wrong root; every clock has run out and both subgames are resolved,
    // but nobody resolves the game itself.
    game.push(0, 2, honest_output(12), ME, START + 5);
    *game.resolved.lock().unwrap() = vec![true, true];
    let sink = CountingSink::default();
    let claimants = [ME];
    let player = Player { selective: Some(&claimants), ..s.player() };
    let p = player.look(&record(), &game, &s.trace, &sink, START + 400).await.unwrap();
    assert!(p.claim_credit, "{p:?}: {:?}", keys(&sink));
    assert!(keys(&sink).is_empty(), "selective mode leaves resolve() to others");
    // Without selective resolution the game itself is resolved instead.
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 400).await.unwrap();
    assert!(!p.claim_credit);
    assert_eq!(keys(&sink), vec!["resolve".to_string()]);
}

#[tokio::test]
async fn a_claim_newer_than_the_head_is_answered_at_its_own_time() {
    let s = setup().await;
    let game = FakeGame::new(honest_output(20));
    let sink = CountingSink::default();
    // The claim landed in a block after the head the look started from.
    game.push(0, 2, keccak256("garbage"), ADVERSARY, START + 50);
    let p = s.player().look(&record(), &game, &s.trace, &sink, START + 40).await.unwrap();
    assert_eq!(p.planned, 1, "{:?}", keys(&sink));
    assert!(keys(&sink)[0].starts_with("move:1:"));
}

#[tokio::test]
async fn a_permissioned_game_is_played_only_with_one_of_its_roles() {
    let s = setup().await;
    let other = Address::repeat_byte(0x77);
    let as_role = |proposer, challenger| GameRecord { proposer, challenger, ..record() };
    // Our key is the challenger: the dishonest root is attacked.
    let game = FakeGame::new(keccak256("a root that never was"));
    let sink = CountingSink::default();
    let g = as_role(other, ME);
    s.store.upsert_game(&g).await.unwrap();
    s.player().look(&g, &game, &s.trace, &sink, START + 10).await.unwrap();
    assert_eq!(keys(&sink).len(), 1);
    // Neither role: nothing is sent, and the reason names both roles.
    let sink = CountingSink::default();
    let g = as_role(other, other);
    let p = s.player().look(&g, &game, &s.trace, &sink, START + 10).await.unwrap();
    assert!(keys(&sink).is_empty());
    assert_eq!(p.planned, 0);
    let why = move_refusal(&g, Some(ME)).unwrap();
    assert!(why.contains(&ME.to_string()) && why.contains(&other.to_string()), "{why}");
    // A permissionless game refuses nobody.
    assert_eq!(move_refusal(&record(), Some(ME)), None);
}

#[tokio::test]
async fn a_trace_that_cannot_step_places_no_bond_but_resolves() {
    use riposte_solver::trace::Unplayable;
    let s = setup().await;
    let top_only = SplitTrace::new(Outputs, Unplayable("no VM for this game"));
    // A dishonest root the honest trace would attack: nothing is sent.
    let game = FakeGame::new(keccak256("a root that never was"));
    let sink = CountingSink::default();
    let p = s.player().look(&record(), &game, &top_only, &sink, START + 10).await.unwrap();
    assert!(keys(&sink).is_empty(), "{:?}", keys(&sink));
    assert_eq!(p.planned, 0);
    assert!(s.metrics.encode().contains("riposte_moves_withheld_total{reason=\"cannot_step\"} 1"));
    // An attack on the root is not answered either.
    game.push(0, 2, keccak256("garbage"), ADVERSARY, START + 20);
    // Once the clocks have run out the game is resolved as it stands.
    let p = s.player().look(&record(), &game, &top_only, &sink, START + 1_000).await.unwrap();
    assert_eq!(keys(&sink), vec!["resolve-claim:1".to_string(), "resolve-claim:0".to_string(), "resolve".to_string()]);
    assert!(p.unfinished);
}
