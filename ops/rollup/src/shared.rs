//! What the node's loops and its RPC share: the chain, the mempool, the safe head, what the
//! batcher posted, and how the RPC is told to lie.

use alloy::primitives::{B256, Bytes};
use std::sync::{Mutex, MutexGuard};

use crate::sequencer::Sequencer;

/// A batcher transaction the node posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    /// The L1 block it is in.
    pub l1_block: u64,
    /// Its hash.
    pub tx: B256,
    /// Whether it carried a blob.
    pub blob: bool,
    /// The L2 blocks of its channel (first, last), set on the channel's last frame.
    pub blocks: Option<(u64, u64)>,
}

/// Named ways the node's RPC lies, for tests that a lying node is caught. The chain itself (and
/// what the batcher posts) stays honest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Lies {
    /// From this block on, headers (`eth_getBlockBy*`, `debug_getRawHeader`/`Block`) carry a
    /// wrong state root, resealed so that the hash matches the lie.
    pub wrong_state_root_from: Option<u64>,
    /// `optimism_outputAtBlock` answers a wrong output root.
    pub wrong_output_root: bool,
}

/// What the loops share with the node's readers.
#[derive(Debug)]
pub struct Shared {
    /// The chain.
    pub seq: Sequencer,
    /// Transactions waiting for a block.
    pub mempool: Vec<Bytes>,
    /// The last block whose batch is on L1.
    pub safe_head: u64,
    /// (L1 block, safe head after it), as batches landed.
    pub safe_by_l1: Vec<(u64, u64)>,
    /// Every batcher transaction posted.
    pub posted: Vec<Posted>,
    /// L1 blocks the node has read (number, hash), in order: origins and batch inclusions.
    pub l1_seen: Vec<(u64, B256)>,
    /// The last error each loop met (it retries).
    pub last_error: Option<String>,
    /// How the RPC lies (none by default).
    pub lies: Lies,
}

impl Shared {
    /// The state of a node that has built `seq` and posted nothing yet.
    pub(crate) fn new(seq: Sequencer) -> Self {
        Self {
            seq,
            mempool: Vec::new(),
            safe_head: 0,
            safe_by_l1: Vec::new(),
            posted: Vec::new(),
            l1_seen: Vec::new(),
            last_error: None,
            lies: Lies::default(),
        }
    }

    /// Records that L1 block `number` is `hash`.
    pub(crate) fn saw_l1(&mut self, number: u64, hash: B256) {
        if self.l1_seen.last().is_none_or(|(n, _)| *n < number) {
            self.l1_seen.push((number, hash));
        }
    }
}

pub(crate) fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A loop that panicked holding the lock leaves data that is still consistent block by block.
    shared.lock().unwrap_or_else(|e| e.into_inner())
}
