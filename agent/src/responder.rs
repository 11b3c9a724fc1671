//! Turns an action into exactly one transaction on chain.
//!
//! Every action is an intent in SQLite, keyed by what it does, before anything is signed; every
//! signed transaction is recorded (raw bytes included) before it is broadcast. A restart
//! therefore knows every transaction that may be on the network: it waits for them or
//! rebroadcasts them, and never signs a second transaction for an action already sent.
//! One signer, nonces kept locally, EIP-1559 fees bumped when a transaction is stuck.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alloy::{
    consensus::TxEnvelope,
    eips::{BlockNumberOrTag, eip2718::Encodable2718},
    network::{EthereumWallet, TransactionBuilder},
    primitives::{Address, B256, Bytes, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
};
use anyhow::{Context, Result, anyhow, bail};
use riposte_storage::{Attempt, Intent, IntentState, NewIntent, Store};
use tokio::sync::Mutex;

use riposte_contracts::CallError;

use crate::metrics::Metrics;

/// What became of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Mined and succeeded in this call.
    Confirmed {
        /// The transaction.
        tx: B256,
        /// Its block.
        block: u64,
    },
    /// Already on chain from an earlier send.
    AlreadyDone,
    /// Reverted, in simulation (`tx` is `None`) or on chain; `reason` names the custom error.
    Reverted {
        /// The transaction, when it was mined.
        tx: Option<B256>,
        /// Why.
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

/// The transaction sender.
pub struct Responder {
    l1: DynProvider,
    wallet: EthereumWallet,
    from: Address,
    chain_id: u64,
    store: Store,
    metrics: Metrics,
    nonce: Mutex<u64>,
    opts: ResponderOptions,
}

/// How long the chain's nonce may be past an attempt without its receipt before the attempt
/// is taken to be replaced.
const NONCE_PASSED_GRACE: Duration = Duration::from_secs(3);

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn is_nonce_too_low(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("nonce too low") || m.contains("nonce is too low") || m.contains("already been used")
}

fn is_already_known(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("already known") || m.contains("already imported") || m.contains("known transaction")
}

impl Responder {
    /// A responder for the signer in `wallet`; the next nonce is the higher of the chain's
    /// pending count and one past the highest nonce this database ever signed.
    pub async fn new(
        l1: DynProvider,
        wallet: EthereumWallet,
        store: Store,
        metrics: Metrics,
        opts: ResponderOptions,
    ) -> Result<Self> {
        let from = alloy::network::NetworkWallet::<alloy::network::Ethereum>::default_signer_address(&wallet);
        let chain_id = l1.get_chain_id().await.context("reading the L1 chain id")?;
        // The chain's count, not the database's: after a reorg the database may remember
        // transactions the chain lost. `reconcile` moves it past attempts still in flight.
        let nonce = l1.get_transaction_count(from).pending().await.context("reading the sender's nonce")?;
        tracing::info!(%from, chain_id, nonce, "responder ready");
        Ok(Self { l1, wallet, from, chain_id, store, metrics, nonce: Mutex::new(nonce), opts })
    }

    /// The sender's address.
    pub fn address(&self) -> Address {
        self.from
    }

    /// Settles what a previous run left: intents never signed are abandoned (the solver
    /// re-plans them if still needed); intents sent are awaited, their last attempt
    /// rebroadcast if the network lost it.
    pub async fn reconcile(&self) -> Result<()> {
        let now = unix_now();
        for i in self.store.intents_in_state(IntentState::Pending).await? {
            tracing::info!(key = %i.intent.key, "abandoning an intent that was never signed");
            self.store.set_intent_state(i.id, IntentState::Abandoned, None, None, None, now).await?;
        }
        let sent = self.store.intents_in_state(IntentState::Sent).await?;
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

    /// Sends the action once. An action already confirmed is not sent again unless its
    /// transaction has left the chain (a reorg); one already sent is awaited, not re-signed.
    pub async fn submit(&self, new: NewIntent) -> Result<Outcome> {
        let now = unix_now();
        let intent = match self.store.intent_by_key(&new.key).await? {
            Some(i) => match i.state {
                IntentState::Confirmed => {
                    if self.still_on_chain(&i).await? {
                        return Ok(Outcome::AlreadyDone);
                    }
                    tracing::warn!(key = %i.intent.key, tx = ?i.tx_hash, "our transaction left the chain (reorg); sending again");
                    self.store.set_intent_state(i.id, IntentState::Pending, None, None, Some("reorged"), now).await?;
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
                    let attempts = self.store.attempts(i.id).await?;
                    if let Some(outcome) = self.settle_from_receipts(&i, &attempts).await? {
                        return Ok(outcome);
                    }
                    self.store.set_intent_state(i.id, IntentState::Pending, None, None, None, now).await?;
                    i
                }
            },
            None => self.store.insert_intent(&new, now).await?,
        };
        crate::crash::point("intent-written", &intent.intent.kind);
        self.send(&intent).await
    }

    /// Takes the next nonce from the chain again (after a reorg dropped our transactions).
    pub async fn resync_nonce(&self) -> Result<()> {
        let mut nonce = self.nonce.lock().await;
        let chain = self.l1.get_transaction_count(self.from).pending().await.context("reading the sender's nonce")?;
        if chain != *nonce {
            tracing::warn!(local = *nonce, chain, "nonce resynchronised with the chain");
        }
        *nonce = chain;
        Ok(())
    }

    async fn still_on_chain(&self, i: &Intent) -> Result<bool> {
        let Some(hash) = i.tx_hash else { return Ok(false) };
        Ok(self.l1.get_transaction_receipt(hash).await.context("reading a receipt")?.is_some())
    }

    fn request(&self, i: &Intent) -> TransactionRequest {
        TransactionRequest::default()
            .with_from(self.from)
            .with_to(i.intent.target)
            .with_input(i.intent.calldata.clone())
            .with_value(i.intent.value)
    }

    async fn fees(&self) -> Result<(u128, u128)> {
        let block = self
            .l1
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .context("reading the latest block for fees")?
            .ok_or_else(|| anyhow!("the L1 node has no latest block"))?;
        let base = u128::from(block.header.base_fee_per_gas.unwrap_or(1_000_000_000));
        let tip = self.l1.get_max_priority_fee_per_gas().await.unwrap_or(1_000_000_000).max(1);
        Ok((base.saturating_mul(2).saturating_add(tip), tip))
    }

    async fn send(&self, i: &Intent) -> Result<Outcome> {
        let kind = i.intent.kind.as_str();
        let tx = self.request(i);
        let gas = match self.l1.estimate_gas(tx.clone()).await {
            Ok(g) => g,
            Err(e) => {
                let revert = match riposte_chain::classify(&e) {
                    CallError::Reverted(r) => r,
                    CallError::Transport { message, .. } => {
                        self.store
                            .set_intent_state(i.id, IntentState::Failed, None, None, Some(&message), unix_now())
                            .await?;
                        self.metrics.action_failed(kind);
                        bail!("estimating gas for {}: {message}", i.intent.key);
                    }
                };
                // "execution reverted" without data is still a revert.
                let reason = if revert.data.is_empty() { e.to_string() } else { revert.to_string() };
                tracing::warn!(key = %i.intent.key, %reason, "action would revert; not sent");
                // Nothing was spent: a later cycle may try again (the solver only proposes it if
                // it is still needed, and a time-dependent revert may have passed by then).
                self.store.set_intent_state(i.id, IntentState::Failed, None, None, Some(&reason), unix_now()).await?;
                self.metrics.action_failed(kind);
                return Ok(Outcome::Reverted { tx: None, reason });
            }
        };
        // Estimates can fall short when the block lands later than the estimate (storage slots
        // rewritten in between); pad generously, unused gas is refunded.
        let gas_limit = gas.saturating_mul(6) / 5 + 20_000;
        let (max_fee, tip) = self.fees().await?;
        let tx = tx.with_chain_id(self.chain_id).with_gas_limit(gas_limit);
        {
            let mut nonce = self.nonce.lock().await;
            for _ in 0..3 {
                let attempt = self.sign(i, tx.clone(), *nonce, max_fee, tip).await?;
                match self.broadcast(&attempt).await {
                    Ok(()) => {
                        *nonce += 1;
                        break;
                    }
                    Err(msg) if is_nonce_too_low(&msg) => {
                        let chain = self.l1.get_transaction_count(self.from).pending().await?;
                        tracing::warn!(local = *nonce, chain, "nonce too low; resynchronising with the chain");
                        // The attempt never entered the pool; if one of ours used the nonce,
                        // waiting below finds its receipt.
                        *nonce = chain.max(*nonce + 1);
                    }
                    Err(msg) => {
                        self.store
                            .set_intent_state(i.id, IntentState::Failed, None, None, Some(&msg), unix_now())
                            .await?;
                        self.metrics.action_failed(kind);
                        bail!("broadcasting {}: {msg}", i.intent.key);
                    }
                }
            }
        }
        crate::crash::point("broadcast", kind);
        let sent = self
            .store
            .intent_by_key(&i.intent.key)
            .await?
            .ok_or_else(|| anyhow!("intent {} vanished", i.intent.key))?;
        if i.intent.value > U256::ZERO && kind == "move" {
            self.metrics.bond_posted(u128::try_from(i.intent.value).map_or(f64::MAX, |v| v as f64));
        }
        self.wait(&sent).await
    }

    async fn sign(&self, i: &Intent, tx: TransactionRequest, nonce: u64, max_fee: u128, tip: u128) -> Result<Attempt> {
        let env: TxEnvelope = tx
            .with_nonce(nonce)
            .with_max_fee_per_gas(max_fee)
            .with_max_priority_fee_per_gas(tip)
            .build(&self.wallet)
            .await
            .map_err(|e| anyhow!("signing {}: {e}", i.intent.key))?;
        let attempt = Attempt {
            intent_id: i.id,
            nonce,
            tx_hash: *env.tx_hash(),
            raw: Bytes::from(env.encoded_2718()),
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: tip,
            sent_at: unix_now(),
        };
        // Written before it can reach the network.
        self.store.record_attempt(&attempt).await?;
        crate::crash::point("attempt-recorded", &i.intent.kind);
        Ok(attempt)
    }

    async fn broadcast(&self, a: &Attempt) -> Result<(), String> {
        match self.l1.send_raw_transaction(&a.raw).await {
            Ok(_) => Ok(()),
            Err(e) if is_already_known(&e.to_string()) => Ok(()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Waits for any attempt of a sent intent to be mined, bumping fees when it is stuck.
    async fn wait(&self, i: &Intent) -> Result<Outcome> {
        let started = Instant::now();
        let mut last_bump = Instant::now();
        let mut rebroadcast = true;
        let mut nonce_passed: Option<Instant> = None;
        loop {
            let attempts = self.store.attempts(i.id).await?;
            let Some(last) = attempts.last().cloned() else {
                bail!("intent {} is marked sent but has no signed transaction", i.intent.key);
            };
            if let Some(outcome) = self.settle_from_receipts(i, &attempts).await? {
                return Ok(outcome);
            }
            let mined_nonce = self.l1.get_transaction_count(self.from).await.context("reading the sender's nonce")?;
            if mined_nonce <= last.nonce {
                nonce_passed = None;
            } else if nonce_passed.get_or_insert_with(Instant::now).elapsed() >= NONCE_PASSED_GRACE {
                // Nodes can count a mined nonce before they serve its receipt: only after a grace
                // period is the nonce taken to be used by some other transaction.
                if let Some(outcome) = self.settle_from_receipts(i, &attempts).await? {
                    return Ok(outcome);
                }
                let msg = format!("nonce {} was used by another transaction", last.nonce);
                self.store.set_intent_state(i.id, IntentState::Failed, None, None, Some(&msg), unix_now()).await?;
                self.metrics.action_failed(&i.intent.kind);
                bail!("{}: {msg}", i.intent.key);
            }
            if rebroadcast {
                // After a restart the node may have lost it; resending identical bytes is harmless.
                if let Err(msg) = self.broadcast(&last).await {
                    tracing::debug!(key = %i.intent.key, %msg, "rebroadcast refused");
                }
                rebroadcast = false;
            }
            if started.elapsed() >= self.opts.wait_limit {
                bail!(
                    "{} not mined after {:?}; will keep waiting on the next cycle",
                    i.intent.key,
                    self.opts.wait_limit
                );
            }
            if last_bump.elapsed() >= self.opts.resubmit_after {
                self.bump(i, &last).await?;
                last_bump = Instant::now();
            }
            tokio::time::sleep(self.opts.poll).await;
        }
    }

    /// The outcome of an intent if one of its attempts has a receipt; records it.
    async fn settle_from_receipts(&self, i: &Intent, attempts: &[Attempt]) -> Result<Option<Outcome>> {
        for a in attempts.iter().rev() {
            let Some(r) = self.l1.get_transaction_receipt(a.tx_hash).await.context("reading a receipt")? else {
                continue;
            };
            let block = r.block_number.unwrap_or_default();
            let now = unix_now();
            let latency = now.saturating_sub(a.sent_at) as f64;
            crate::crash::point("receipt", &i.intent.kind);
            if r.status() {
                self.store
                    .set_intent_state(i.id, IntentState::Confirmed, Some(a.tx_hash), Some(block), None, now)
                    .await?;
                self.metrics.action_sent(&i.intent.kind, latency);
                tracing::info!(key = %i.intent.key, tx = %a.tx_hash, block, "confirmed");
                return Ok(Some(Outcome::Confirmed { tx: a.tx_hash, block }));
            }
            let reason = self.replay_revert(i, block).await;
            self.store
                .set_intent_state(i.id, IntentState::Reverted, Some(a.tx_hash), Some(block), Some(&reason), now)
                .await?;
            self.metrics.action_failed(&i.intent.kind);
            tracing::warn!(key = %i.intent.key, tx = %a.tx_hash, block, %reason, "reverted on chain");
            return Ok(Some(Outcome::Reverted { tx: Some(a.tx_hash), reason }));
        }
        Ok(None)
    }

    async fn bump(&self, i: &Intent, last: &Attempt) -> Result<()> {
        let (fee_now, tip_now) = self.fees().await?;
        // Replacement needs at least +10% on both; take +12.5%, or today's fees if higher.
        let bump = |old: u128| old.saturating_add(old / 8).saturating_add(1);
        let max_fee = bump(last.max_fee_per_gas).max(fee_now);
        let tip = bump(last.max_priority_fee_per_gas).max(tip_now).min(max_fee);
        let gas = self.l1.estimate_gas(self.request(i)).await.unwrap_or(1_000_000);
        let tx = self.request(i).with_chain_id(self.chain_id).with_gas_limit(gas.saturating_mul(6) / 5 + 20_000);
        let attempt = self.sign(i, tx, last.nonce, max_fee, tip).await?;
        tracing::warn!(key = %i.intent.key, nonce = last.nonce, max_fee, tip, "transaction stuck; resubmitting with higher fees");
        if let Err(msg) = self.broadcast(&attempt).await {
            tracing::warn!(key = %i.intent.key, %msg, "fee bump refused");
        }
        Ok(())
    }

    /// Why a mined transaction reverted: replays it as a call at its block.
    async fn replay_revert(&self, i: &Intent, block: u64) -> String {
        match self.l1.call(self.request(i)).block(block.saturating_sub(1).into()).await {
            Err(e) => riposte_chain::describe(&e),
            Ok(_) => "reverted on chain (the replay succeeds: state changed in the same block)".into(),
        }
    }
}
