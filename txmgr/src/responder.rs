//! Turns an intent into exactly one transaction on chain.
//!
//! Every intent is in the store, keyed by what it does, before anything is signed; every signed
//! transaction is recorded (raw bytes included) before it is broadcast. One signer, nonces kept
//! locally, EIP-1559 fees bumped when a transaction is stuck.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alloy::{
    consensus::TxEnvelope,
    eips::eip2718::Encodable2718,
    network::{Ethereum, EthereumWallet, NetworkWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
};
use riposte_contracts::ActionKind;
use riposte_storage::{Attempt, Intent, IntentState, NewIntent, StorageError, Store};
use tokio::sync::Mutex;

use crate::{BroadcastError, EstimateError, IntentStore, TxChain, TxError, TxMetrics, crash, error::BoxError};

/// What became of an intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Mined and succeeded in this call.
    Confirmed {
        /// The transaction mined.
        tx: B256,
        /// Its block.
        block: u64,
    },
    /// Already on chain from an earlier send.
    AlreadyDone,
    /// Reverted, in simulation (`tx` is `None`) or on chain; `reason` names the custom error.
    Reverted {
        /// The transaction mined, if it reached the chain.
        tx: Option<B256>,
        /// Why it reverted, in words.
        reason: String,
    },
}

/// Timing of the responder.
#[derive(Debug, Clone, Copy)]
pub struct ResponderOptions {
    /// Re-sign with higher fees after this long without a receipt.
    pub resubmit_after: Duration,
    /// Receipt polling interval.
    pub poll: Duration,
    /// Stop waiting after this long; the intent stays `sent` and is resumed later.
    pub wait_limit: Duration,
}

/// The transaction sender of one signer, over L1 `C` and the intent store `S`.
pub struct Responder<C = DynProvider, S = Store> {
    chain: C,
    wallet: EthereumWallet,
    from: Address,
    chain_id: u64,
    store: S,
    metrics: Box<dyn TxMetrics>,
    nonce: Mutex<u64>,
    opts: ResponderOptions,
    nonce_grace: Duration,
}

/// How long the chain's nonce may be past an attempt without its receipt before the attempt
/// is taken to be replaced.
const NONCE_PASSED_GRACE: Duration = Duration::from_secs(3);

/// Gas used when a fee bump's estimate fails.
const BUMP_FALLBACK_GAS: u64 = 1_000_000;

/// Fee assumed when the node gives none (no base fee before London, no priority fee method).
const FALLBACK_FEE: u128 = 1_000_000_000;

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Estimates can fall short when the block lands later than the estimate (storage slots
/// rewritten in between); pad generously, unused gas is refunded.
fn padded(gas: u64) -> u64 {
    gas.saturating_mul(6) / 5 + 20_000
}

fn boxed<E: std::error::Error + Send + Sync + 'static>(e: E) -> BoxError {
    Box::new(e)
}

fn store_err(key: &str) -> impl FnOnce(StorageError) -> TxError {
    move |source| TxError::Store { key: Some(key.to_owned()), source }
}

fn chain_err<E: std::error::Error + Send + Sync + 'static>(
    key: Option<&str>,
    what: &'static str,
) -> impl FnOnce(E) -> TxError {
    move |e| TxError::Chain { key: key.map(str::to_owned), what, source: boxed(e) }
}

impl<C: TxChain, S: IntentStore> Responder<C, S> {
    /// A responder for the signer in `wallet`; the next nonce is the chain's pending count
    /// ([`reconcile`](Self::reconcile) moves it past attempts still in flight).
    pub async fn new(
        chain: C,
        wallet: EthereumWallet,
        store: S,
        metrics: impl TxMetrics + 'static,
        opts: ResponderOptions,
    ) -> Result<Self, TxError> {
        let from = NetworkWallet::<Ethereum>::default_signer_address(&wallet);
        let chain_id = chain.chain_id().await.map_err(chain_err(None, "reading the L1 chain id"))?;
        // The chain's count, not the database's: after a reorg the database may remember
        // transactions the chain lost.
        let nonce = chain.pending_nonce(from).await.map_err(chain_err(None, "reading the sender's nonce"))?;
        tracing::info!(%from, chain_id, nonce, "responder ready");
        Ok(Self {
            chain,
            wallet,
            from,
            chain_id,
            store,
            metrics: Box::new(metrics),
            nonce: Mutex::new(nonce),
            opts,
            nonce_grace: NONCE_PASSED_GRACE,
        })
    }

    /// The sender's address.
    pub fn address(&self) -> Address {
        self.from
    }

    /// Settles what a previous run left: intents never signed are abandoned (the caller
    /// re-plans them if still needed); intents sent are awaited, their last attempt
    /// rebroadcast if the network lost it. A sent intent still pending is only logged.
    pub async fn reconcile(&self) -> Result<(), TxError> {
        let now = unix_now();
        let listing = |source| TxError::Store { key: None, source };
        for i in self.store.intents_in_state(IntentState::Pending).await.map_err(listing)? {
            tracing::info!(key = %i.intent.key, "abandoning an intent that was never signed");
            self.store
                .set_intent_state(i.id, IntentState::Abandoned, None, None, None, now)
                .await
                .map_err(store_err(&i.intent.key))?;
        }
        let sent = self.store.intents_in_state(IntentState::Sent).await.map_err(listing)?;
        if let Some(highest) = sent.iter().filter_map(|i| i.nonce).max() {
            let mut nonce = self.nonce.lock().await;
            *nonce = (*nonce).max(highest + 1);
        }
        for i in sent {
            tracing::info!(key = %i.intent.key, nonce = ?i.nonce, "resuming a transaction sent before a restart");
            if let Err(e) = self.wait(&i).await {
                tracing::warn!(key = %i.intent.key, error = %e, "transaction from before the restart is still pending");
            }
        }
        Ok(())
    }

    /// Sends the intent once. One already confirmed is not sent again unless its transaction
    /// has left the chain (a reorg); one already sent is awaited, not re-signed.
    pub async fn submit(&self, new: NewIntent) -> Result<Outcome, TxError> {
        let now = unix_now();
        let key = new.key.as_str();
        let intent = match self.store.intent_by_key(key).await.map_err(store_err(key))? {
            Some(i) => match i.state {
                IntentState::Confirmed => {
                    if self.still_on_chain(&i).await? {
                        return Ok(Outcome::AlreadyDone);
                    }
                    tracing::warn!(key = %i.intent.key, tx = ?i.tx_hash, "our transaction left the chain (reorg); sending again");
                    self.store
                        .set_intent_state(i.id, IntentState::Pending, None, None, Some("reorged"), now)
                        .await
                        .map_err(store_err(key))?;
                    // The reorg took our nonce with it.
                    self.resync_nonce().await?;
                    i
                }
                IntentState::Sent => return self.wait(&i).await,
                IntentState::Reverted => {
                    return Ok(Outcome::Reverted { tx: i.tx_hash, reason: i.error.unwrap_or_default() });
                }
                IntentState::Failed | IntentState::Pending | IntentState::Abandoned => {
                    // An attempt thought lost may still have landed: never sign again before checking.
                    let attempts = self.store.attempts(i.id).await.map_err(store_err(key))?;
                    if let Some(outcome) = self.settle_from_receipts(&i, &attempts).await? {
                        return Ok(outcome);
                    }
                    self.store
                        .set_intent_state(i.id, IntentState::Pending, None, None, None, now)
                        .await
                        .map_err(store_err(key))?;
                    i
                }
            },
            None => self.store.insert_intent(&new, now).await.map_err(store_err(key))?,
        };
        crash::point("intent-written", &intent.intent.kind);
        self.send(&intent).await
    }

    /// Takes the next nonce from the chain again (after a reorg dropped our transactions).
    pub async fn resync_nonce(&self) -> Result<(), TxError> {
        let mut nonce = self.nonce.lock().await;
        let chain = self.chain.pending_nonce(self.from).await.map_err(chain_err(None, "reading the sender's nonce"))?;
        if chain != *nonce {
            tracing::warn!(local = *nonce, chain, "nonce resynchronised with the chain");
        }
        *nonce = chain;
        Ok(())
    }

    async fn still_on_chain(&self, i: &Intent) -> Result<bool, TxError> {
        let Some(hash) = i.tx_hash else { return Ok(false) };
        let receipt = self.chain.receipt(hash).await.map_err(chain_err(Some(&i.intent.key), "reading a receipt"))?;
        Ok(receipt.is_some())
    }

    fn request(&self, i: &Intent) -> TransactionRequest {
        TransactionRequest::default()
            .with_from(self.from)
            .with_to(i.intent.target)
            .with_input(i.intent.calldata.clone())
            .with_value(i.intent.value)
    }

    /// Today's `(max fee, tip)`: twice the base fee plus the tip, so a few full blocks do not
    /// price the transaction out.
    async fn fees(&self, key: &str) -> Result<(u128, u128), TxError> {
        let base = self
            .chain
            .base_fee()
            .await
            .map_err(chain_err(Some(key), "reading the latest block for fees"))?
            .map_or(FALLBACK_FEE, u128::from);
        let tip = self.chain.max_priority_fee().await.unwrap_or(FALLBACK_FEE).max(1);
        Ok((base.saturating_mul(2).saturating_add(tip), tip))
    }

    async fn send(&self, i: &Intent) -> Result<Outcome, TxError> {
        let kind = i.intent.kind.as_str();
        let key = i.intent.key.as_str();
        let tx = self.request(i);
        let gas = match self.chain.estimate_gas(tx.clone()).await {
            Ok(g) => g,
            Err(e) => {
                let reason = match e {
                    EstimateError::Reverted(r) => r.to_string(),
                    // "execution reverted" without data is still a revert.
                    EstimateError::RevertedWithoutData(e) => e.to_string(),
                    EstimateError::Failed(e) => {
                        let message = e.to_string();
                        self.store
                            .set_intent_state(i.id, IntentState::Failed, None, None, Some(&message), unix_now())
                            .await
                            .map_err(store_err(key))?;
                        self.metrics.action_failed(kind);
                        return Err(TxError::Estimate { key: key.to_owned(), source: boxed(e) });
                    }
                };
                tracing::warn!(%key, %reason, "action would revert; not sent");
                // Nothing was spent: a later cycle may try again (the caller only proposes it if
                // it is still needed, and a time-dependent revert may have passed by then).
                self.store
                    .set_intent_state(i.id, IntentState::Failed, None, None, Some(&reason), unix_now())
                    .await
                    .map_err(store_err(key))?;
                self.metrics.action_failed(kind);
                return Ok(Outcome::Reverted { tx: None, reason });
            }
        };
        let (max_fee, tip) = self.fees(key).await?;
        let tx = tx.with_chain_id(self.chain_id).with_gas_limit(padded(gas));
        {
            let mut nonce = self.nonce.lock().await;
            for _ in 0..3 {
                let attempt = self.sign(i, tx.clone(), *nonce, max_fee, tip).await?;
                match self.chain.send_raw(&attempt.raw).await {
                    Ok(()) => {
                        *nonce += 1;
                        break;
                    }
                    Err(BroadcastError::NonceTooLow(_)) => {
                        let chain = self
                            .chain
                            .pending_nonce(self.from)
                            .await
                            .map_err(chain_err(Some(key), "reading the sender's nonce"))?;
                        tracing::warn!(local = *nonce, chain, "nonce too low; resynchronising with the chain");
                        // The attempt never entered the pool; if one of ours used the nonce,
                        // waiting below finds its receipt.
                        *nonce = chain.max(*nonce + 1);
                    }
                    Err(BroadcastError::Refused(e)) => {
                        let msg = e.to_string();
                        self.store
                            .set_intent_state(i.id, IntentState::Failed, None, None, Some(&msg), unix_now())
                            .await
                            .map_err(store_err(key))?;
                        self.metrics.action_failed(kind);
                        return Err(TxError::Refused { key: key.to_owned(), source: boxed(e) });
                    }
                }
            }
        }
        crash::point("broadcast", kind);
        let sent = self
            .store
            .intent_by_key(key)
            .await
            .map_err(store_err(key))?
            .ok_or_else(|| TxError::Vanished { key: key.to_owned() })?;
        if i.intent.value > U256::ZERO && kind == ActionKind::Move.as_str() {
            self.metrics.bond_posted(u128::try_from(i.intent.value).map_or(f64::MAX, |v| v as f64));
        }
        self.wait(&sent).await
    }

    /// Signs `tx` at `nonce` and records the attempt; only then may it be broadcast.
    async fn sign(
        &self,
        i: &Intent,
        tx: TransactionRequest,
        nonce: u64,
        max_fee: u128,
        tip: u128,
    ) -> Result<Attempt, TxError> {
        let env: TxEnvelope = tx
            .with_nonce(nonce)
            .with_max_fee_per_gas(max_fee)
            .with_max_priority_fee_per_gas(tip)
            .build(&self.wallet)
            .await
            .map_err(|e| TxError::Signing { key: i.intent.key.clone(), source: boxed(e) })?;
        let attempt = Attempt {
            intent_id: i.id,
            nonce,
            tx_hash: *env.tx_hash(),
            raw: Bytes::from(env.encoded_2718()),
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            sent_at: unix_now(),
        };
        // The same nonce, fees and gas sign to the same bytes (after a refused broadcast, on a
        // chain whose fees did not move): those are recorded already, mark the intent sent again.
        let known = self.store.attempts(i.id).await.map_err(store_err(&i.intent.key))?;
        if let Some(same) = known.into_iter().find(|a| a.tx_hash == attempt.tx_hash) {
            self.store
                .set_intent_state(i.id, IntentState::Sent, Some(same.tx_hash), None, None, attempt.sent_at)
                .await
                .map_err(store_err(&i.intent.key))?;
            crash::point("attempt-recorded", &i.intent.kind);
            return Ok(same);
        }
        // Written before it can reach the network.
        self.store.record_attempt(&attempt).await.map_err(store_err(&i.intent.key))?;
        crash::point("attempt-recorded", &i.intent.kind);
        Ok(attempt)
    }

    /// Waits for any attempt of a sent intent to be mined, bumping fees when it is stuck.
    async fn wait(&self, i: &Intent) -> Result<Outcome, TxError> {
        let key = i.intent.key.as_str();
        let started = Instant::now();
        let mut last_bump = Instant::now();
        let mut rebroadcast = true;
        let mut nonce_passed: Option<Instant> = None;
        loop {
            let attempts = self.store.attempts(i.id).await.map_err(store_err(key))?;
            let Some(last) = attempts.last().cloned() else {
                return Err(TxError::NoAttempt { key: key.to_owned() });
            };
            if let Some(outcome) = self.settle_from_receipts(i, &attempts).await? {
                return Ok(outcome);
            }
            let mined_nonce =
                self.chain.mined_nonce(self.from).await.map_err(chain_err(Some(key), "reading the sender's nonce"))?;
            if mined_nonce <= last.nonce {
                nonce_passed = None;
            } else if nonce_passed.get_or_insert_with(Instant::now).elapsed() >= self.nonce_grace {
                // Nodes can count a mined nonce before they serve its receipt: only after a grace
                // period is the nonce taken to be used by some other transaction.
                if let Some(outcome) = self.settle_from_receipts(i, &attempts).await? {
                    return Ok(outcome);
                }
                let err = TxError::NonceUsed { key: key.to_owned(), nonce: last.nonce };
                let msg = format!("nonce {} was used by another transaction", last.nonce);
                self.store
                    .set_intent_state(i.id, IntentState::Failed, None, None, Some(&msg), unix_now())
                    .await
                    .map_err(store_err(key))?;
                self.metrics.action_failed(&i.intent.kind);
                return Err(err);
            }
            if rebroadcast {
                // After a restart the node may have lost it; resending identical bytes is harmless.
                if let Err(e) = self.chain.send_raw(&last.raw).await {
                    tracing::debug!(%key, msg = %e, "rebroadcast refused");
                }
                rebroadcast = false;
            }
            if started.elapsed() >= self.opts.wait_limit {
                return Err(TxError::NotMined { key: key.to_owned(), waited: self.opts.wait_limit });
            }
            if last_bump.elapsed() >= self.opts.resubmit_after {
                self.bump(i, &last).await?;
                last_bump = Instant::now();
            }
            tokio::time::sleep(self.opts.poll).await;
        }
    }

    /// The outcome of an intent if one of its attempts has a receipt; records it.
    async fn settle_from_receipts(&self, i: &Intent, attempts: &[Attempt]) -> Result<Option<Outcome>, TxError> {
        let key = i.intent.key.as_str();
        for a in attempts.iter().rev() {
            let Some(r) = self.chain.receipt(a.tx_hash).await.map_err(chain_err(Some(key), "reading a receipt"))?
            else {
                continue;
            };
            let block = r.block.unwrap_or_default();
            let now = unix_now();
            let latency = now.saturating_sub(a.sent_at) as f64;
            crash::point("receipt", &i.intent.kind);
            if r.success {
                self.store
                    .set_intent_state(i.id, IntentState::Confirmed, Some(a.tx_hash), Some(block), None, now)
                    .await
                    .map_err(store_err(key))?;
                self.metrics.action_sent(&i.intent.kind, latency);
                tracing::info!(%key, tx = %a.tx_hash, block, "confirmed");
                return Ok(Some(Outcome::Confirmed { tx: a.tx_hash, block }));
            }
            let reason = self.replay_revert(i, block).await;
            self.store
                .set_intent_state(i.id, IntentState::Reverted, Some(a.tx_hash), Some(block), Some(&reason), now)
                .await
                .map_err(store_err(key))?;
            self.metrics.action_failed(&i.intent.kind);
            tracing::warn!(%key, tx = %a.tx_hash, block, %reason, "reverted on chain");
            return Ok(Some(Outcome::Reverted { tx: Some(a.tx_hash), reason }));
        }
        Ok(None)
    }

    /// Re-signs a stuck attempt on its nonce with fees a replacement is accepted with.
    async fn bump(&self, i: &Intent, last: &Attempt) -> Result<(), TxError> {
        let key = i.intent.key.as_str();
        let (fee_now, tip_now) = self.fees(key).await?;
        // Replacement needs at least +10% on both; take +12.5%, or today's fees if higher.
        let bump = |old: u128| old.saturating_add(old / 8).saturating_add(1);
        let max_fee = bump(last.max_fee_per_gas).max(fee_now);
        let tip = bump(last.max_priority_fee_per_gas).max(tip_now).min(max_fee);
        let gas = self.chain.estimate_gas(self.request(i)).await.unwrap_or(BUMP_FALLBACK_GAS);
        let tx = self.request(i).with_chain_id(self.chain_id).with_gas_limit(padded(gas));
        let attempt = self.sign(i, tx, last.nonce, max_fee, tip).await?;
        tracing::warn!(%key, nonce = last.nonce, max_fee, tip, "transaction stuck; resubmitting with higher fees");
        if let Err(e) = self.chain.send_raw(&attempt.raw).await {
            tracing::warn!(%key, msg = %e, "fee bump refused");
        }
        Ok(())
    }

    /// Why a mined transaction reverted: replays it as a call at the block before its own.
    async fn replay_revert(&self, i: &Intent, block: u64) -> String {
        self.chain
            .replay(self.request(i), block.saturating_sub(1))
            .await
            .unwrap_or_else(|| "reverted on chain (the replay succeeds: state changed in the same block)".into())
    }
}

#[cfg(test)]
mod fake;
#[cfg(test)]
mod tests;
