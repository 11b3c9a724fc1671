//! Bonds after resolution: the credit of every claimant riposte claims for, once DelayedWETH
//! lets it go, and the games in which nothing is left to claim.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use crate::error::{AgentError, Result};
use alloy::primitives::Address;
use riposte_contracts::{BoxFuture, DisputeGame, EthCall, weth::DelayedWETH};
use riposte_storage::{GameRecord, NewIntent, Store};

use riposte_txmgr::{Outcome, Responder};

use crate::{metrics::Metrics, player::intent_of};

/// Sends one `claimCredit` transaction exactly once.
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
    /// Resolved games in which no claimant has credit left: never read again.
    settled: Mutex<HashSet<Address>>,
    /// DelayedWETH delay per WETH contract.
    weth_delay: Mutex<HashMap<Address, u64>>,
    /// Resolved games whose credit unlocks later: not read again before that L1 time.
    credit_wake: Mutex<HashMap<Address, u64>>,
}

impl Bonds {
    /// Claims for `claimants` (our sender and the additional bond claimants).
    pub fn new(eth: Arc<dyn EthCall>, claimants: Vec<Address>) -> Self {
        Self {
            eth,
            claimants,
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

    /// Claims the credit of every claimant in `g` that DelayedWETH lets go at `now`; returns
    /// how many `claimCredit` transactions were confirmed.
    pub async fn claim(
        &self,
        g: &GameRecord,
        game: &dyn DisputeGame,
        sender: &dyn CreditSender,
        store: &Store,
        metrics: &Metrics,
        now: u64,
    ) -> Result<usize> {
        if self.is_settled(g.address) {
            return Ok(0);
        }
        if self.credit_wake.lock().ok().and_then(|m| m.get(&g.address).copied()).is_some_and(|t| now < t) {
            return Ok(0);
        }
        let weth = g.weth;
        let delay = self.delay_of(weth).await?;
        let mut pending = false;
        let mut unlocks: Option<u64> = None;
        let mut confirmed = 0;
        for &who in &self.claimants {
            let credit = game.credit(who).await?;
            if credit.is_zero() {
                continue;
            }
            let w = riposte_contracts::call(
                self.eth.as_ref(),
                weth,
                DelayedWETH::withdrawalsCall { owner: g.address, guy: who },
            )
            .await?;
            let unlock_at = u64::try_from(w.timestamp).unwrap_or(u64::MAX).saturating_add(delay);
            if w.timestamp.is_zero() || now < unlock_at {
                pending = true;
                if !w.timestamp.is_zero() {
                    unlocks = Some(unlocks.map_or(unlock_at, |u| u.min(unlock_at)));
                }
                continue;
            }
            match sender.send_claim(intent_of(g.address, game.claim_credit(who))).await? {
                Outcome::Confirmed { tx, .. } => {
                    tracing::info!(recipient = %who, %credit, %tx, "credit claimed");
                    store.record_credit_claimed(g.address, who, credit, tx, now).await?;
                    metrics.credit_claimed(u128::try_from(credit).map_or(f64::MAX, |c| c as f64));
                    confirmed += 1;
                }
                Outcome::AlreadyDone => {}
                Outcome::Reverted { reason, .. } => {
                    tracing::warn!(recipient = %who, %reason, "claimCredit reverted");
                    pending = true;
                }
            }
        }
        if !pending && let Ok(mut s) = self.settled.lock() {
            s.insert(g.address);
        }
        if let (Some(t), Ok(mut m)) = (unlocks, self.credit_wake.lock()) {
            m.insert(g.address, t);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::atomic::{AtomicUsize, Ordering};

    use alloy::primitives::{B256, Bytes, U256};
    use alloy::sol_types::{SolCall, SolValue};
    use riposte_contracts::{CallError, Revert};

    use super::*;
    use crate::fakes::{FakeGame, GAME, ME, record};

    /// DelayedWETH with a delay and one withdrawal request per claimant; counts the calls.
    struct Weth {
        delay: u64,
        requested_at: u64,
        calls: AtomicUsize,
    }

    impl EthCall for Weth {
        fn call(&self, _to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let answer = if data.starts_with(&DelayedWETH::delayCall::SELECTOR) {
                Ok(U256::from(self.delay).abi_encode().into())
            } else if data.starts_with(&DelayedWETH::withdrawalsCall::SELECTOR) {
                Ok((U256::from(5), U256::from(self.requested_at)).abi_encode().into())
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

    #[tokio::test]
    async fn credit_is_claimed_once_the_delay_has_passed_and_never_read_again() {
        let (_dir, store) = store().await;
        let weth = Arc::new(Weth { delay: 60, requested_at: 1_000, calls: AtomicUsize::new(0) });
        let bonds = Bonds::new(weth.clone(), vec![ME]);
        let game = FakeGame::with_credit(U256::from(5));
        let claims = Claims { revert: false, sent: Mutex::new(vec![]) };
        let m = Metrics::new();
        // Before the delay: nothing sent, and the game is not read again until it unlocks.
        assert_eq!(bonds.claim(&record(), &game, &claims, &store, &m, 1_030).await.unwrap(), 0);
        assert!(claims.sent.lock().unwrap().is_empty());
        let reads = weth.calls.load(Ordering::SeqCst);
        assert_eq!(bonds.claim(&record(), &game, &claims, &store, &m, 1_059).await.unwrap(), 0);
        assert_eq!(weth.calls.load(Ordering::SeqCst), reads, "no read before the unlock time");
        // After: one claimCredit for us, recorded, and the game is settled.
        assert_eq!(bonds.claim(&record(), &game, &claims, &store, &m, 1_060).await.unwrap(), 1);
        let sent = claims.sent.lock().unwrap().clone();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].kind.as_str(), sent[0].game), ("claim_credit", GAME));
        assert_eq!(store.credits_claimed().await.unwrap(), vec![(GAME, ME, U256::from(5))]);
        assert!(bonds.is_settled(GAME));
        let reads = weth.calls.load(Ordering::SeqCst);
        assert_eq!(bonds.claim(&record(), &game, &claims, &store, &m, 2_000).await.unwrap(), 0);
        assert_eq!(weth.calls.load(Ordering::SeqCst), reads);
    }

    #[tokio::test]
    async fn a_reverted_claim_leaves_the_game_unsettled() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth { delay: 0, requested_at: 1, calls: AtomicUsize::new(0) }), vec![ME]);
        let game = FakeGame::with_credit(U256::from(5));
        let claims = Claims { revert: true, sent: Mutex::new(vec![]) };
        assert_eq!(bonds.claim(&record(), &game, &claims, &store, &Metrics::new(), 10).await.unwrap(), 0);
        assert!(!bonds.is_settled(GAME));
        assert!(store.credits_claimed().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_game_without_credit_is_settled_without_a_transaction() {
        let (_dir, store) = store().await;
        let bonds = Bonds::new(Arc::new(Weth { delay: 0, requested_at: 1, calls: AtomicUsize::new(0) }), vec![ME]);
        let game = FakeGame::with_credit(U256::ZERO);
        let claims = Claims { revert: false, sent: Mutex::new(vec![]) };
        assert_eq!(bonds.claim(&record(), &game, &claims, &store, &Metrics::new(), 10).await.unwrap(), 0);
        assert!(claims.sent.lock().unwrap().is_empty());
        assert!(bonds.is_settled(GAME));
    }
}
