//! The sequencer: one L2 block per block time on an in-memory state, built with riposte-core's
//! block builder. Each block starts with the L1-info deposit of its epoch, the epoch's user
//! deposits in its first block, upgrade deposits in activation blocks, then the mempool's
//! transactions that are valid where they stand.
//!
//! It is pure: the caller (the node's loop, or a test) hands in L1 origins, deposits and
//! transactions; nothing here reads a clock or a socket.

use alloy_consensus::{Header, Sealed};
use alloy_primitives::{B256, Bytes};
use op_alloy_consensus::OpReceiptEnvelope;
use riposte_core::{
    RollupConfig,
    derive::{
        attributes::{BlockInputs, L1Origin, build_attributes},
        blob_fee::BlobSchedule,
        system_config::{ConfigUpdate, SystemConfig},
        upgrades::UpgradeBundle,
    },
    exec::{MemoryStore, sequence_block},
    forks::Fork,
};

use crate::{RollupError, genesis::Genesis};

/// The max sequencer drift from Fjord on (a protocol constant, no longer the config's).
pub const FJORD_MAX_SEQUENCER_DRIFT: u64 = 1800;

/// One block of the chain with what the node serves about it.
#[derive(Debug, Clone)]
pub struct L2Block {
    /// The sealed header.
    pub header: Sealed<Header>,
    /// Its transactions, EIP-2718 encoded.
    pub transactions: Vec<Bytes>,
    /// Their receipts.
    pub receipts: Vec<OpReceiptEnvelope>,
    /// Its L1 origin.
    pub origin: L1Origin,
    /// Its index in the epoch.
    pub sequence_number: u64,
    /// Its output root.
    pub output_root: B256,
}

impl L2Block {
    /// Its number.
    pub fn number(&self) -> u64 {
        self.header.number
    }

    /// Its hash.
    pub fn hash(&self) -> B256 {
        self.header.hash()
    }

    /// How many of its transactions are deposits (they come first).
    pub fn deposit_count(&self) -> usize {
        self.transactions.iter().take_while(|t| t.first() == Some(&op_alloy_consensus::DEPOSIT_TX_TYPE_ID)).count()
    }

    /// Its user transactions, the part a batch carries.
    pub fn user_transactions(&self) -> &[Bytes] {
        &self.transactions[self.deposit_count()..]
    }
}

/// Where the next block's L1 origin is, as op-node's origin selector decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginChoice {
    /// Stay in the head's epoch.
    Same,
    /// Move to the next L1 block (its timestamp is not after the new L2 block's).
    Next,
    /// The drift is exceeded and the next L1 block is not known yet: stay, with no user
    /// transactions (as op-node does).
    SameWithoutTransactions,
}

/// A block the sequencer built.
#[derive(Debug, Clone)]
pub struct Built {
    /// Its number.
    pub number: u64,
    /// Its hash.
    pub hash: B256,
    /// How many mempool transactions it took.
    pub included: usize,
    /// Mempool transactions left out (index in the mempool slice, reason).
    pub skipped: Vec<(usize, String)>,
}

/// The sequencer's chain and state.
#[derive(Debug)]
pub struct Sequencer {
    config: RollupConfig,
    rollup_json: serde_json::Value,
    blob_schedule: BlobSchedule,
    store: MemoryStore,
    blocks: Vec<L2Block>,
    system_config: SystemConfig,
    upgrades: Vec<UpgradeBundle>,
}

impl Sequencer {
    /// A chain holding only the genesis block, whose origin is `genesis_origin` (the L1 block
    /// the rollup config's genesis names).
    pub fn new(genesis: Genesis, genesis_origin: L1Origin, blob_schedule: BlobSchedule) -> Result<Self, RollupError> {
        let named = genesis.config.kona.genesis.l1;
        if named.hash != genesis_origin.hash || named.number != genesis_origin.number {
            return Err(RollupError::Genesis(format!(
                "the genesis origin given is L1 block {} {}, the rollup config names {} {}",
                genesis_origin.number, genesis_origin.hash, named.number, named.hash
            )));
        }
        let block0 = L2Block {
            header: genesis.header,
            transactions: Vec::new(),
            receipts: Vec::new(),
            origin: genesis_origin,
            sequence_number: 0,
            output_root: genesis.output_root,
        };
        Ok(Self {
            config: genesis.config,
            rollup_json: genesis.rollup_json,
            blob_schedule,
            store: genesis.store,
            blocks: vec![block0],
            system_config: genesis.system_config,
            upgrades: genesis.upgrades,
        })
    }

    /// The rollup config.
    pub fn config(&self) -> &RollupConfig {
        &self.config
    }

    /// The rollup config as `rollup.json`.
    pub fn rollup_json(&self) -> &serde_json::Value {
        &self.rollup_json
    }

    /// The latest block.
    pub fn head(&self) -> &L2Block {
        // `blocks` starts with genesis and only grows.
        &self.blocks[self.blocks.len() - 1]
    }

    /// Block `n`, if built.
    pub fn block(&self, n: u64) -> Option<&L2Block> {
        usize::try_from(n).ok().and_then(|i| self.blocks.get(i))
    }

    /// Every block, genesis first.
    pub fn blocks(&self) -> &[L2Block] {
        &self.blocks
    }

    /// The trie nodes, bytecodes and headers of every block built so far.
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }

    /// The system config in force for the head's epoch.
    pub fn system_config(&self) -> &SystemConfig {
        &self.system_config
    }

    /// The next block's timestamp.
    pub fn next_timestamp(&self) -> u64 {
        self.head().header.timestamp + self.config.kona.block_time
    }

    /// The max sequencer drift at L2 time `timestamp`.
    pub fn max_drift(&self, timestamp: u64) -> u64 {
        if self.config.is_active(Fork::Fjord, timestamp) {
            FJORD_MAX_SEQUENCER_DRIFT
        } else {
            self.config.kona.max_sequencer_drift
        }
    }

    /// Where the next block's origin is, given the L1 block after the head's origin if it is
    /// known: the next one as soon as its timestamp is not after the new block's; the same
    /// while the drift allows; past the drift, the same without transactions when the next is
    /// not known yet.
    pub fn choose_origin(&self, next_l1: Option<&L1Origin>) -> OriginChoice {
        let timestamp = self.next_timestamp();
        let current = self.head().origin;
        if let Some(next) = next_l1
            && next.number == current.number + 1
            && next.timestamp <= timestamp
        {
            return OriginChoice::Next;
        }
        if timestamp > current.timestamp + self.max_drift(timestamp) {
            OriginChoice::SameWithoutTransactions
        } else {
            OriginChoice::Same
        }
    }

    /// Builds the next block on `origin`: the head's origin, or the L1 block after it, with
    /// its `deposits` (EIP-2718 encoded) and SystemConfig `updates`. Takes the `mempool`
    /// transactions that are valid in order, unless `origin` is past the drift.
    pub fn build_next(
        &mut self,
        origin: &L1Origin,
        deposits: &[Bytes],
        updates: &[ConfigUpdate],
        mempool: &[Bytes],
    ) -> Result<Built, RollupError> {
        let head = self.head().clone();
        let timestamp = self.next_timestamp();
        let new_epoch = origin.number != head.origin.number;
        if new_epoch && (origin.number != head.origin.number + 1 || origin.timestamp > timestamp) {
            return Err(RollupError::Origin(format!(
                "block {} at {timestamp} cannot move from L1 origin {} to {} at {}",
                head.number() + 1,
                head.origin.number,
                origin.number,
                origin.timestamp
            )));
        }
        if !new_epoch && (origin.hash != head.origin.hash || !deposits.is_empty() || !updates.is_empty()) {
            return Err(RollupError::Origin(format!(
                "block {} stays in epoch {} but was given another origin hash, deposits or updates",
                head.number() + 1,
                head.origin.number
            )));
        }
        let mut system_config = self.system_config;
        for update in updates {
            system_config.apply(*update);
        }
        let sequence_number = if new_epoch { 0 } else { head.sequence_number + 1 };
        let inputs = BlockInputs {
            config: &self.config,
            blob_schedule: &self.blob_schedule,
            parent_timestamp: head.header.timestamp,
            timestamp,
            origin,
            sequence_number,
            system_config: &system_config,
            deposits,
            upgrades: &self.upgrades,
        };
        let attrs = build_attributes(&inputs, Vec::new()).map_err(|e| RollupError::Build(e.to_string()))?;
        let drifted = timestamp > origin.timestamp + self.max_drift(timestamp);
        let candidates = if drifted { &[][..] } else { mempool };
        let built = sequence_block(&self.config, head.header.inner(), attrs, candidates, &self.store)
            .map_err(|e| RollupError::Build(e.to_string()))?;
        for value in built.preimages {
            self.store.insert(value);
        }
        let output_root = built.executed.output_root.ok_or_else(|| {
            RollupError::Build(format!("block {}: the builder gave no output root", built.executed.header.number))
        })?;
        let block = L2Block {
            header: built.executed.header,
            transactions: built.transactions,
            receipts: built.receipts,
            origin: *origin,
            sequence_number,
            output_root,
        };
        let report = Built {
            number: block.number(),
            hash: block.hash(),
            included: block.transactions.len() - block.deposit_count(),
            skipped: built.skipped,
        };
        self.system_config = system_config;
        self.blocks.push(block);
        Ok(report)
    }
}
