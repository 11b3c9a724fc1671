//! An in-memory L1 for the responder's tests: a pool with geth's replacement rule, blocks mined
//! on demand (or at once), and answers that can be scripted.

use std::{
    collections::{BTreeMap, HashMap, VecDeque},
    future::{Future, ready},
    sync::{Arc, Mutex, PoisonError},
};

use alloy::{
    consensus::{Transaction, TxEnvelope},
    eips::eip2718::Decodable2718,
    primitives::{Address, B256, Bytes},
    rpc::types::TransactionRequest,
};
use riposte_contracts::Revert;

use crate::{BroadcastError, EstimateError, MemoryStore, Receipt, TxChain, classify_broadcast};

/// The fake node's error, in the words a real node would use.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub(super) struct FakeError(pub(super) String);

/// What `eth_estimateGas` answers.
#[derive(Debug, Clone)]
pub(super) enum Estimate {
    Gas(u64),
    Revert(Bytes),
    RevertWithoutData,
    Down,
}

/// A scripted answer to the next `eth_sendRawTransaction`, before the pool's own rules.
#[derive(Debug, Clone)]
pub(super) enum Answer {
    /// The transaction is pooled and the node answers "already known".
    AlreadyKnown,
    /// Refused with this message.
    Refuse(&'static str),
}

#[derive(Debug, Clone)]
struct Pooled {
    hash: B256,
    max_fee: u128,
    tip: u128,
}

#[derive(Debug)]
struct State {
    chain_id: u64,
    base_fee: Option<u64>,
    tip: u128,
    block: u64,
    mined_nonce: u64,
    pool: BTreeMap<u64, Pooled>,
    receipts: HashMap<B256, Receipt>,
    received: Vec<Bytes>,
    auto_mine: bool,
    revert_on_mine: bool,
    estimate: Estimate,
    answers: VecDeque<Answer>,
    replay: Option<String>,
    replays: Vec<u64>,
    receipts_down: bool,
    watched: Option<MemoryStore>,
    unrecorded: Vec<B256>,
}

/// The fake node; clones share it.
#[derive(Debug, Clone)]
pub(super) struct FakeChain(Arc<Mutex<State>>);

impl FakeChain {
    /// Chain 31337 at base fee 1 gwei, tip 1 gwei, estimates of 50 000 gas, mining nothing
    /// until told.
    pub(super) fn new() -> Self {
        Self(Arc::new(Mutex::new(State {
            chain_id: 31337,
            base_fee: Some(1_000_000_000),
            tip: 1_000_000_000,
            block: 100,
            mined_nonce: 0,
            pool: BTreeMap::new(),
            receipts: HashMap::new(),
            received: Vec::new(),
            auto_mine: false,
            revert_on_mine: false,
            estimate: Estimate::Gas(50_000),
            answers: VecDeque::new(),
            replay: None,
            replays: Vec::new(),
            receipts_down: false,
            watched: None,
            unrecorded: Vec::new(),
        })))
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Mines every pooled transaction the moment it arrives.
    pub(super) fn auto_mine(&self, on: bool) {
        self.with(|s| s.auto_mine = on);
    }

    /// Transactions mined from now on revert.
    pub(super) fn revert_on_mine(&self, on: bool) {
        self.with(|s| s.revert_on_mine = on);
    }

    pub(super) fn set_estimate(&self, e: Estimate) {
        self.with(|s| s.estimate = e);
    }

    pub(super) fn set_base_fee(&self, fee: u64) {
        self.with(|s| s.base_fee = Some(fee));
    }

    /// Scripts the answer to the next broadcast.
    pub(super) fn answer_next(&self, a: Answer) {
        self.with(|s| s.answers.push_back(a));
    }

    /// What a replay of a reverted transaction says.
    pub(super) fn set_replay(&self, reason: &str) {
        self.with(|s| s.replay = Some(reason.into()));
    }

    pub(super) fn receipts_down(&self, down: bool) {
        self.with(|s| s.receipts_down = down);
    }

    /// Checks at every broadcast that `store` already holds the attempt being broadcast.
    pub(super) fn watch(&self, store: &MemoryStore) {
        self.with(|s| s.watched = Some(store.clone()));
    }

    /// Every raw transaction offered to the node, refused ones included.
    pub(super) fn received(&self) -> Vec<Bytes> {
        self.with(|s| s.received.clone())
    }

    /// Hashes of transactions broadcast before the watched store held them.
    pub(super) fn unrecorded(&self) -> Vec<B256> {
        self.with(|s| s.unrecorded.clone())
    }

    /// The blocks replays were run at.
    pub(super) fn replays(&self) -> Vec<u64> {
        self.with(|s| s.replays.clone())
    }

    pub(super) fn pooled(&self, nonce: u64) -> Option<B256> {
        self.with(|s| s.pool.get(&nonce).map(|p| p.hash))
    }

    pub(super) fn block(&self) -> u64 {
        self.with(|s| s.block)
    }

    /// Mines the pooled transactions that follow the mined nonce, one block each.
    pub(super) fn mine(&self) {
        self.with(State::mine);
    }

    /// Some other transactions of the signer, not ours, were mined on the next `n` nonces.
    pub(super) fn others_mined(&self, n: u64) {
        self.with(|s| {
            s.block += 1;
            s.mined_nonce += n;
            let mined = s.mined_nonce;
            s.pool.retain(|&nonce, _| nonce >= mined);
        });
    }

    /// The node restarted and forgot its pool.
    pub(super) fn drop_pool(&self) {
        self.with(|s| s.pool.clear());
    }

    /// A reorg back before every transaction: receipts gone, nonce back to zero, pool empty.
    pub(super) fn reorg_everything(&self) {
        self.with(|s| {
            s.receipts.clear();
            s.pool.clear();
            s.mined_nonce = 0;
        });
    }
}

impl State {
    fn mine(&mut self) {
        while let Some(p) = self.pool.remove(&self.mined_nonce) {
            self.block += 1;
            self.mined_nonce += 1;
            self.receipts.insert(p.hash, Receipt { success: !self.revert_on_mine, block: Some(self.block) });
        }
    }

    fn pending_nonce(&self) -> u64 {
        let mut n = self.mined_nonce;
        while self.pool.contains_key(&n) {
            n += 1;
        }
        n
    }

    fn broadcast(&mut self, raw: &Bytes) -> Result<(), BroadcastError<FakeError>> {
        self.received.push(raw.clone());
        let refuse = |m: &str| classify_broadcast(FakeError(m.into()));
        let Ok(env) = TxEnvelope::decode_2718(&mut raw.as_ref()) else {
            return refuse("rlp: invalid transaction");
        };
        let hash = *env.tx_hash();
        if let Some(store) = &self.watched
            && !store.all_attempts().iter().any(|a| a.tx_hash == hash && a.raw == *raw)
        {
            self.unrecorded.push(hash);
        }
        let tx = Pooled { hash, max_fee: env.max_fee_per_gas(), tip: env.max_priority_fee_per_gas().unwrap_or(0) };
        let nonce = env.nonce();
        match self.answers.pop_front() {
            Some(Answer::Refuse(m)) => return refuse(m),
            Some(Answer::AlreadyKnown) => {
                self.pool.insert(nonce, tx);
                self.auto_mine_now();
                return refuse("already known");
            }
            None => {}
        }
        if nonce < self.mined_nonce {
            return refuse("nonce too low");
        }
        if let Some(old) = self.pool.get(&nonce) {
            if old.hash == hash {
                return refuse("already known");
            }
            // geth's price bump: a replacement pays at least 10% more on both fees.
            if tx.max_fee * 10 < old.max_fee * 11 || tx.tip * 10 < old.tip * 11 {
                return refuse("replacement transaction underpriced");
            }
        }
        self.pool.insert(nonce, tx);
        self.auto_mine_now();
        Ok(())
    }

    fn auto_mine_now(&mut self) {
        if self.auto_mine {
            self.mine();
        }
    }
}

impl TxChain for FakeChain {
    type Error = FakeError;

    fn chain_id(&self) -> impl Future<Output = Result<u64, FakeError>> + Send {
        ready(Ok(self.with(|s| s.chain_id)))
    }

    fn pending_nonce(&self, _who: Address) -> impl Future<Output = Result<u64, FakeError>> + Send {
        ready(Ok(self.with(|s| s.pending_nonce())))
    }

    fn mined_nonce(&self, _who: Address) -> impl Future<Output = Result<u64, FakeError>> + Send {
        ready(Ok(self.with(|s| s.mined_nonce)))
    }

    fn estimate_gas(
        &self,
        _tx: TransactionRequest,
    ) -> impl Future<Output = Result<u64, EstimateError<FakeError>>> + Send {
        ready(match self.with(|s| s.estimate.clone()) {
            Estimate::Gas(g) => Ok(g),
            Estimate::Revert(data) => Err(EstimateError::Reverted(Revert::decode(data))),
            Estimate::RevertWithoutData => {
                Err(EstimateError::RevertedWithoutData(FakeError("execution reverted".into())))
            }
            Estimate::Down => Err(EstimateError::Failed(FakeError("connection refused".into()))),
        })
    }

    fn base_fee(&self) -> impl Future<Output = Result<Option<u64>, FakeError>> + Send {
        ready(Ok(self.with(|s| s.base_fee)))
    }

    fn max_priority_fee(&self) -> impl Future<Output = Result<u128, FakeError>> + Send {
        ready(Ok(self.with(|s| s.tip)))
    }

    fn send_raw(&self, raw: &Bytes) -> impl Future<Output = Result<(), BroadcastError<FakeError>>> + Send {
        ready(self.with(|s| s.broadcast(raw)))
    }

    fn receipt(&self, hash: B256) -> impl Future<Output = Result<Option<Receipt>, FakeError>> + Send {
        ready(self.with(|s| {
            if s.receipts_down {
                return Err(FakeError("connection refused".into()));
            }
            Ok(s.receipts.get(&hash).copied())
        }))
    }

    fn replay(&self, _tx: TransactionRequest, block: u64) -> impl Future<Output = Option<String>> + Send {
        ready(self.with(|s| {
            s.replays.push(block);
            s.replay.clone()
        }))
    }
}
