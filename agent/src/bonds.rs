//! Bonds after resolution: the credit of every claimant riposte claims for, once DelayedWETH
//! lets it go, and the games in which nothing is left to claim.
//!
//! 1.2/1.3 games unlock credit at resolution: one `claimCredit` after the delay. 1.4+ games
//! pay in two calls: the first (once the registry has finalised the game) closes it into a
//! bond mode and unlocks the credit of that mode, the second withdraws it after the delay.
//! What to do next is [`riposte_game::credit_step`]; each wait is scheduled from the chain's
//! own times, so nothing is read again before it can change.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use crate::error::{AgentError, Result};
use alloy::primitives::Address;
use riposte_contracts::{BoxFuture, DisputeGame, EthCall, TxCall, weth::DelayedWETH};
use riposte_game::{BondMode, CloseBlocked, Closing, CreditStep, GameStatus, Standing, credit_step};
use riposte_storage::{GameRecord, NewIntent, Store};

use riposte_txmgr::{Outcome, Responder};

use crate::{metrics::Metrics, player::intent_of};

/// How long a paused system is left alone before its games are read again (L1 seconds).
const PAUSE_RECHECK: u64 = 600;

/// Sends one `claimCredit` (or `closeGame`) transaction exactly once.
pub trait CreditSender: Send + Sync {
    /// Sends `intent`, or finds it sent already.
    fn send_claim(&self, intent: NewIntent) -> BoxFuture<'_, Result<Outcome>>;
}

impl CreditSender for Responder {
    fn send_claim(&self, intent: NewIntent) -> BoxFuture<'_, Result<Outcome>> {
        Box::pin(async move { Ok(self.submit(intent).await?) })
    }
}

/// Credit claiming and what it remembers between cycles (not persisted: after a restart each
/// resolved game's credit is read once more).
pub struct Bonds {
    eth: Arc<dyn EthCall>,
    claimants: Vec<Address>,
    /// Whether games nobody of ours is owed anything in are closed, so the anchor moves on.
    close_games: bool,
    /// Resolved games in which no claimant has credit left: never read again.
    settled: Mutex<HashSet<Address>>,
    /// DelayedWETH delay per WETH contract.
    weth_delay: Mutex<HashMap<Address, u64>>,
    /// Resolved games whose next step waits: not read again before that L1 time.
    credit_wake: Mutex<HashMap<Address, u64>>,
}

impl Bonds {
    /// Claims for `claimants` (our sender and the additional bond claimants); closes finalised
    /// 1.4+ games without credit of theirs when `close_games`.
    pub fn new(eth: Arc<dyn EthCall>, claimants: Vec<Address>, close_games: bool) -> Self {
        Self {
            eth,
            claimants,
            close_games,
            settled: Mutex::new(HashSet::new()),
            weth_delay: Mutex::new(HashMap::new()),
            credit_wake: Mutex::new(HashMap::new()),
        }
    }

    /// The addresses credit is claimed for.
    pub fn claimants(&self) -> &[Address] {
        &self.claimants
    }

    /// Whether nothing is left to claim in `game`.
    pub fn is_settled(&self, game: Address) -> bool {
        self.settled.lock().is_ok_and(|s| s.contains(&game))
    }

    /// The L1 time before which `game` is not read again, if a step of it waits.
    pub fn wake_of(&self, game: Address) -> Option<u64> {
        self.credit_wake.lock().ok().and_then(|m| m.get(&game).copied())
    }

    /// Takes the next step of every claimant's credit in `g` at `now` (unlock or withdraw), and
    /// closes the game when nobody of ours is owed anything; returns how many transactions were
    /// confirmed.
    pub async fn claim(
        &self,
        g: &GameRecord,
        game: &dyn DisputeGame,
        sender: &dyn CreditSender,
        store: &Store,
        metrics: &Metrics,
        now: u64,
    ) -> Result<usize> {
        if self.is_settled(g.address) || self.wake_of(g.address).is_some_and(|t| now < t) {
            return Ok(0);
        }
        let line = game.family().line;
        let delay = self.delay_of(g.weth).await?;
        let mode = game.bond_mode().await?;
        let two_phase = mode != BondMode::Legacy;
        let closing = if two_phase {
            game.closing().await?
        } else {
            Closing {
                status: GameStatus::from_u8(g.status)?,
                resolved_at: 0,
                finality_delay: 0,
                paused: false,
                pause_first: false,
            }
        };
        let standing = if mode == BondMode::Undecided {
            game.standing().await?
        } else {
            Standing { registered: true, ..Standing::default() }
        };
        let mut pending = false;
        let mut wake: Option<u64> = None;
        let mut soonest = |t: u64| wake = Some(wake.map_or(t, |w| w.min(t)));
        let mut confirmed = 0;
        for &who in &self.claimants {
            let state = game.credit_state(who).await?;
            match credit_step(line, mode, state, closing, standing, delay, now) {
                CreditStep::Nothing => {}
                CreditStep::Blocked(why) => {
                    tracing::info!(recipient = %who, %why, "credit waits");
                    pending = true;
                    soonest(blocked_until(why, now));
                }
                CreditStep::Wait { at, amount } => {
                    tracing::debug!(recipient = %who, %amount, at, "credit unlocked, waiting for the DelayedWETH delay");
                    pending = true;
                    soonest(at);
                }
                CreditStep::Unlock { amount } => {
                    pending = true;
                    let Some(call) = game.unlock_credit(who) else { continue };
                    match send(sender, g.address, call, "claimCredit (unlock)").await? {
                        Some(tx) => {
                            let mode = if mode == BondMode::Undecided { standing.mode_on_close() } else { mode };
                            tracing::info!(recipient = %who, %amount, mode = mode.name(), %tx, "credit unlocked");
                            confirmed += 1;
                            soonest(now.saturating_add(delay));
                        }
                        None => soonest(now.saturating_add(delay)),
                    }
                }
                CreditStep::Withdraw { amount } => {
                    match send(sender, g.address, game.claim_credit(who), "claimCredit").await? {
                        Some(tx) => {
                            tracing::info!(recipient = %who, credit = %amount, %tx, "credit claimed");
                            store.record_credit_claimed(g.address, who, amount, tx, now).await?;
                            metrics.credit_claimed(u128::try_from(amount).map_or(f64::MAX, |c| c as f64));
                            confirmed += 1;
                        }
                        None => pending = true,
                    }
                }
            }
        }
        // Nobody of ours is owed anything: close the game anyway so the anchor moves on (a
        // claimCredit would have closed it).
        if two_phase && mode == BondMode::Undecided && !pending && self.close_games {
            match closing.check(mode, now) {
                Ok(()) => {
                    if let Some(call) = game.close_game()
                        && let Some(tx) = send(sender, g.address, call, "closeGame").await?
                    {
                        tracing::info!(mode = standing.mode_on_close().name(), %tx, "game closed");
                        confirmed += 1;
                    }
                }
                Err(why) => {
                    tracing::debug!(%why, "game not closable yet");
                    pending = true;
                    soonest(blocked_until(why, now));
                }
            }
        }
        if !pending && let Ok(mut s) = self.settled.lock() {
            s.insert(g.address);
        }
        if let Ok(mut m) = self.credit_wake.lock() {
            match wake {
                Some(t) => m.insert(g.address, t),
                None => m.remove(&g.address),
            };
        }
        Ok(confirmed)
    }

    async fn delay_of(&self, weth: Address) -> Result<u64> {
        if let Some(d) = self.weth_delay.lock().ok().and_then(|m| m.get(&weth).copied()) {
            return Ok(d);
        }
        let d = riposte_contracts::call(self.eth.as_ref(), weth, DelayedWETH::delayCall {}).await?;
        let d = u64::try_from(d).map_err(|_| {
            AgentError::from(riposte_contracts::ContractError::Decode {
                what: format!("delay() on DelayedWETH {weth}"),
                reason: format!("{d} seconds does not fit 64 bits"),
            })
        })?;
        if let Ok(mut m) = self.weth_delay.lock() {
            m.insert(weth, d);
        }
        Ok(d)
    }
}

/// When a blocked step is worth looking at again.
fn blocked_until(why: CloseBlocked, now: u64) -> u64 {
    match why {
        CloseBlocked::NotFinalized { at } => at,
        CloseBlocked::Paused | CloseBlocked::NotResolved => now.saturating_add(PAUSE_RECHECK),
    }
}

/// Sends `call` once; the confirmed transaction, or `None` when it was done already or
/// reverted (logged, naming `what`).
async fn send(
    sender: &dyn CreditSender,
    game: Address,
    call: TxCall,
    what: &str,
) -> Result<Option<alloy::primitives::B256>> {
    Ok(match sender.send_claim(intent_of(game, call)).await? {
        Outcome::Confirmed { tx, .. } => Some(tx),
        Outcome::AlreadyDone => None,
        Outcome::Reverted { reason, .. } => {
            tracing::warn!(%game, %reason, "{what} reverted");
            None
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use alloy::primitives::{B256, Bytes, U256};
    use alloy::sol_types::{SolCall, SolValue};
    use riposte_contracts::{CallError, Revert};

    use super::*;
    use crate::fakes::{FakeGame, GAME, ME, record};

    /// DelayedWETH with a delay.
    struct Weth(u64);

    impl EthCall for Weth {
        fn call(&self, _to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>> {
            let answer = if data.starts_with(&DelayedWETH::delayCall::SELECTOR) {
                Ok(U256::from(self.0).abi_encode().into())
            } else {
                Err(CallError::Reverted(Revert::decode(Bytes::new())))
            };
            Box::pin(async move { answer })
        }
    }

    /// Confirms or reverts every claim, and keeps them.
    struct Claims {
        revert: bool,
        sent: Mutex<Vec<NewIntent>>,
    }

    impl Claims {
        fn new(revert: bool) -> Self {
            Self { revert, sent: Mutex::new(vec![]) }
        }

        fn kinds(&self) -> Vec<String> {
            self.sent.lock().unwrap().iter().map(|i| i.kind.to_string()).collect()
        }
    }

    impl CreditSender for Claims {
        fn send_claim(&self, intent: NewIntent) -> BoxFuture<'_, Result<Outcome>> {
            self.sent.lock().unwrap().push(intent);
            let outcome = if self.revert {
                Outcome::Reverted { tx: None, reason: "NoCreditToClaim()".into() }
            } else {
                Outcome::Confirmed { tx: B256::repeat_byte(7), block: 9 }
            };
            Box::pin(async move { Ok(outcome) })
        }
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.db")).await.unwrap();
        store.upsert_game(&record()).await.unwrap();
        (dir, store)
    }

    fn resolved() -> GameRecord {
        GameRecord { status: GameStatus::DefenderWins as u8, ..record() }
    }

    #[tokio::test]
    async fn legacy_credit_is_claimed_once_the_delay_has_passed_and_never_read_again() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth(60)), vec![ME], true);
        let game = FakeGame::with_credit(U256::from(5), 1_000);
        let claims = Claims::new(false);
        let m = Metrics::new();
        // Before the delay: nothing sent, and the game is not read again until it unlocks.
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_030).await.unwrap(), 0);
        assert!(claims.kinds().is_empty());
        assert_eq!(bonds.wake_of(GAME), Some(1_060));
        game.bonds.lock().unwrap().state.normal = U256::from(99);
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_059).await.unwrap(), 0);
        game.bonds.lock().unwrap().state.normal = U256::from(5);
        // After: one claimCredit for us, recorded, and the game is settled.
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_060).await.unwrap(), 1);
        assert_eq!(claims.kinds(), ["claim_credit"]);
        assert_eq!(claims.sent.lock().unwrap()[0].game, GAME);
        assert_eq!(store.credits_claimed().await.unwrap(), vec![(GAME, ME, U256::from(5))]);
        game.bonds.lock().unwrap().state.normal = U256::ZERO;
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_061).await.unwrap(), 0);
        assert!(bonds.is_settled(GAME));
        assert_eq!(claims.kinds().len(), 1);
    }

    #[tokio::test]
    async fn a_reverted_claim_leaves_the_game_unsettled() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth(0)), vec![ME], true);
        let game = FakeGame::with_credit(U256::from(5), 1);
        let claims = Claims::new(true);
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &Metrics::new(), 10).await.unwrap(), 0);
        assert!(!bonds.is_settled(GAME));
        assert!(store.credits_claimed().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_game_without_credit_is_settled_without_a_transaction() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth(0)), vec![ME], true);
        let game = FakeGame::with_credit(U256::ZERO, 0);
        let claims = Claims::new(false);
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &Metrics::new(), 10).await.unwrap(), 0);
        assert!(claims.kinds().is_empty());
        assert!(bonds.is_settled(GAME));
    }

    #[tokio::test]
    async fn two_phase_credit_is_unlocked_after_finality_then_withdrawn_after_the_delay() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth(50)), vec![ME], true);
        // Resolved at 1000, finality delay 100: closable from 1101.
        let game = FakeGame::two_phase(BondMode::Undecided, 7, 3, 1_000, 100);
        let claims = Claims::new(false);
        let m = Metrics::new();
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_050).await.unwrap(), 0);
        assert!(claims.kinds().is_empty());
        assert_eq!(bonds.wake_of(GAME), Some(1_101), "scheduled at finality, not polled");
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_100).await.unwrap(), 0);
        assert!(claims.kinds().is_empty());
        // Finalised: the first claimCredit closes the game and unlocks.
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_101).await.unwrap(), 1);
        assert_eq!(claims.kinds(), ["unlock_credit"]);
        assert!(!bonds.is_settled(GAME));
        assert_eq!(bonds.wake_of(GAME), Some(1_151));
        {
            let mut b = game.bonds.lock().unwrap();
            b.mode = BondMode::Normal;
            b.state.unlocked = true;
            b.state.unlocked_at = 1_102;
        }
        // Woken early (the unlock landed a block later): waits for the chain's own time.
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_151).await.unwrap(), 0);
        assert_eq!(bonds.wake_of(GAME), Some(1_152));
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_152).await.unwrap(), 1);
        assert_eq!(claims.kinds(), ["unlock_credit", "claim_credit"]);
        assert_eq!(store.credits_claimed().await.unwrap(), vec![(GAME, ME, U256::from(7))]);
        // Keys differ: each call is sent once.
        let keys: Vec<String> = claims.sent.lock().unwrap().iter().map(|i| i.key.clone()).collect();
        assert_ne!(keys[0], keys[1]);
    }

    #[tokio::test]
    async fn an_improper_game_pays_exactly_the_refund() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth(0)), vec![ME], true);
        let game = FakeGame::two_phase(BondMode::Undecided, 7, 3, 1_000, 100);
        game.bonds.lock().unwrap().standing.retired = true;
        let claims = Claims::new(false);
        let m = Metrics::new();
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 2_000).await.unwrap(), 1);
        {
            let mut b = game.bonds.lock().unwrap();
            b.mode = BondMode::Refund;
            b.state.unlocked = true;
            b.state.unlocked_at = 2_000;
        }
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 2_000).await.unwrap(), 1);
        assert_eq!(store.credits_claimed().await.unwrap(), vec![(GAME, ME, U256::from(3))]);
    }

    #[tokio::test]
    async fn a_game_nobody_of_ours_is_owed_in_is_closed_unless_selective() {
        let (_dir, store) = store().await;
        let m = Metrics::new();
        let game = FakeGame::two_phase(BondMode::Undecided, 0, 0, 1_000, 100);
        let claims = Claims::new(false);
        let bonds = Bonds::new(Arc::new(Weth(0)), vec![ME], true);
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_050).await.unwrap(), 0);
        assert_eq!(bonds.wake_of(GAME), Some(1_101));
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &m, 1_101).await.unwrap(), 1);
        assert_eq!(claims.kinds(), ["close_game"]);
        assert!(bonds.is_settled(GAME));
        let claims = Claims::new(false);
        let selective = Bonds::new(Arc::new(Weth(0)), vec![ME], false);
        assert_eq!(selective.claim(&resolved(), &game, &claims, &store, &m, 1_101).await.unwrap(), 0);
        assert!(claims.kinds().is_empty());
        assert!(selective.is_settled(GAME));
    }

    #[tokio::test]
    async fn nothing_is_sent_while_the_system_is_paused() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth(0)), vec![ME], true);
        let game = FakeGame::two_phase(BondMode::Undecided, 7, 3, 1_000, 100);
        game.bonds.lock().unwrap().closing.paused = true;
        let claims = Claims::new(false);
        assert_eq!(bonds.claim(&resolved(), &game, &claims, &store, &Metrics::new(), 5_000).await.unwrap(), 0);
        assert!(claims.kinds().is_empty());
        assert_eq!(bonds.wake_of(GAME), Some(5_000 + PAUSE_RECHECK));
        assert!(!bonds.is_settled(GAME));
    }
}
