//! Stateless re-execution of one L2 block with riposte's own block builder on the OP EVM
//! (alloy-op-evm 0.30, op-revm 17), under the rules of the block's fork through Karst.
//!
//! Everything the execution reads (trie nodes, bytecodes, ancestor headers) comes from a
//! [`TrieSource`], keyed by its keccak hash. Every value is hashed again before it is used, so a
//! missing or altered entry is an error naming its hash, never a different state root.

mod build;
pub mod fees;
pub mod karst;
mod trie_db;

pub use build::{BuildError, MESSAGE_PASSER, Sequenced, execute_block, sequence_block};
pub use trie_db::collect as open_trie_nodes;

use crate::config::RollupConfig;
use alloy_consensus::{Header, Sealed};
use alloy_primitives::{B256, Bytes, keccak256};
use alloy_rlp::Decodable;
use kona_mpt::{TrieNode, TrieProvider};
use op_alloy_consensus::OpTxEnvelope;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use std::{collections::HashMap, fmt};

/// Where the execution's preimages come from. Keys are keccak hashes of the values.
pub trait TrieSource {
    /// Names the source in errors ("fixture store block-26207960", "witness of block 12 from …").
    fn describe(&self) -> String;

    /// The value whose keccak hash is `hash`, if the source has it. It is checked by the caller.
    fn preimage(&self, hash: &B256) -> Option<Bytes>;
}

/// An in-memory source: values keyed by their own hash.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    name: String,
    kv: HashMap<B256, Bytes>,
}

impl MemoryStore {
    /// An empty store called `name` in errors.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), kv: HashMap::new() }
    }

    /// Adds a value under its keccak hash and returns the hash.
    pub fn insert(&mut self, value: Bytes) -> B256 {
        let hash = keccak256(&value);
        self.kv.insert(hash, value);
        hash
    }

    /// Adds a value under a key of the caller's choosing (for tests of bad stores).
    pub fn insert_raw(&mut self, key: B256, value: Bytes) {
        self.kv.insert(key, value);
    }

    /// Removes an entry.
    pub fn remove(&mut self, key: &B256) -> Option<Bytes> {
        self.kv.remove(key)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.kv.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.kv.is_empty()
    }
}

impl TrieSource for MemoryStore {
    fn describe(&self) -> String {
        self.name.clone()
    }

    fn preimage(&self, hash: &B256) -> Option<Bytes> {
        self.kv.get(hash).cloned()
    }
}

/// A block re-executed in process.
#[derive(Debug, Clone)]
pub struct Executed {
    /// The sealed header we built.
    pub header: Sealed<Header>,
    /// Its hash.
    pub block_hash: B256,
    /// Its state root.
    pub state_root: B256,
    /// Its receipts root.
    pub receipts_root: B256,
    /// The output root (version 0), when the message passer's storage root is known: from the
    /// header after Isthmus, else from the trie when the source holds that account's path (an
    /// execution witness need not: the block may not touch the account). See [`output_root_v0`].
    pub output_root: Option<B256>,
    /// Gas used by the block.
    pub gas_used: u64,
    /// Transactions executed.
    pub transactions: usize,
}

/// Why a block could not be re-executed.
#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// A transaction is signed for another chain than the rollup config's.
    #[error(
        "block {block}: transaction {index} is for chain {tx_chain}, the rollup config is for chain {config_chain}"
    )]
    WrongChain {
        /// The block number being built.
        block: u64,
        /// The transaction's index in the payload.
        index: usize,
        /// The transaction's chain id.
        tx_chain: u64,
        /// The rollup config's L2 chain id.
        config_chain: u64,
    },
    /// A payload transaction does not decode.
    #[error("block {block}: transaction {index} does not decode: {reason}")]
    BadTransaction {
        /// The block number being built.
        block: u64,
        /// The transaction's index.
        index: usize,
        /// The decoding error.
        reason: String,
    },
    /// The block breaks a rule of its fork before anything runs (see [`BuildError`]).
    #[error("block {block}: {error}")]
    Rules {
        /// The block number being built.
        block: u64,
        /// The rule.
        error: BuildError,
    },
    /// Execution failed (a missing or bad preimage is named in the message).
    #[error("block {block}: execution from {source_name} failed: {error}")]
    Execution {
        /// The block number being built.
        block: u64,
        /// The trie source.
        source_name: String,
        /// What failed.
        error: String,
    },
    /// The new state root or output root could not be computed after execution.
    #[error("block {block}: output root from {source_name}: {error}")]
    OutputRoot {
        /// The block number.
        block: u64,
        /// The trie source.
        source_name: String,
        /// What failed.
        error: String,
    },
}

/// The error a [`Checked`] source gives: it names the hash and the source.
#[derive(Debug)]
pub enum PreimageError {
    /// The source does not have it.
    Missing {
        /// What was asked for.
        what: &'static str,
        /// The hash.
        hash: B256,
        /// The source.
        source: String,
    },
    /// The source has a value that does not hash to its key.
    Altered {
        /// What was asked for.
        what: &'static str,
        /// The requested hash.
        hash: B256,
        /// The value's actual hash.
        actual: B256,
        /// The source.
        source: String,
    },
    /// The value hashes right but does not decode.
    Undecodable {
        /// What was asked for.
        what: &'static str,
        /// The hash.
        hash: B256,
        /// The RLP error.
        reason: String,
    },
}

impl fmt::Display for PreimageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { what, hash, source } => write!(f, "{what} {hash}{MISSING}{source}"),
            Self::Altered { what, hash, actual, source } => {
                write!(f, "{what} {hash} in {source} is altered: its value hashes to {actual}")
            }
            Self::Undecodable { what, hash, reason } => write!(f, "{what} {hash} does not decode: {reason}"),
        }
    }
}

/// How a missing preimage reads in trie errors (kona-mpt carries them as text); matched to tell
/// "unknown" from "bad".
pub(crate) const MISSING: &str = " is missing from ";

/// The version-0 output root: `keccak256(0^32 ‖ state root ‖ message passer storage root ‖ block hash)`.
pub fn output_root_v0(state_root: B256, message_passer_root: B256, block_hash: B256) -> B256 {
    let mut preimage = [0u8; 128];
    preimage[32..64].copy_from_slice(state_root.as_slice());
    preimage[64..96].copy_from_slice(message_passer_root.as_slice());
    preimage[96..].copy_from_slice(block_hash.as_slice());
    keccak256(preimage)
}

/// Wraps a [`TrieSource`], re-hashing every value it hands out.
pub struct Checked<'a, S: ?Sized>(pub &'a S);

impl<S: TrieSource + ?Sized> fmt::Debug for Checked<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Checked({})", self.0.describe())
    }
}

impl<S: TrieSource + ?Sized> Checked<'_, S> {
    pub(crate) fn get(&self, what: &'static str, hash: B256) -> Result<Bytes, PreimageError> {
        let value =
            self.0.preimage(&hash).ok_or_else(|| PreimageError::Missing { what, hash, source: self.0.describe() })?;
        let actual = keccak256(&value);
        if actual != hash {
            return Err(PreimageError::Altered { what, hash, actual, source: self.0.describe() });
        }
        Ok(value)
    }
}

impl<S: TrieSource + ?Sized> TrieProvider for Checked<'_, S> {
    type Error = PreimageError;

    fn trie_node_by_hash(&self, key: B256) -> Result<TrieNode, Self::Error> {
        let value = self.get("trie node", key)?;
        TrieNode::decode(&mut value.as_ref()).map_err(|e| PreimageError::Undecodable {
            what: "trie node",
            hash: key,
            reason: e.to_string(),
        })
    }
}

impl<S: TrieSource + ?Sized> Checked<'_, S> {
    /// An ancestor header by hash.
    pub(crate) fn header(&self, hash: B256) -> Result<Header, PreimageError> {
        let value = self.get("header", hash)?;
        Header::decode(&mut value.as_ref()).map_err(|e| PreimageError::Undecodable {
            what: "header",
            hash,
            reason: e.to_string(),
        })
    }
}

/// Why a block's payload attributes cannot be rebuilt from the block.
#[derive(Debug, thiserror::Error)]
#[error("block {block}: {what}")]
pub struct PayloadError {
    /// The block number.
    pub block: u64,
    /// What is wrong.
    pub what: String,
}

/// The payload attributes a block was built from, read back from its header and transactions
/// (as op-node hands them to the engine: withdrawals empty after Canyon, EIP-1559 parameters
/// from `extraData` after Holocene, and the minimum base fee from it after Jovian).
pub fn payload_from_block(
    config: &RollupConfig,
    header: &Header,
    transactions: Vec<Bytes>,
) -> Result<OpPayloadAttributes, PayloadError> {
    let fork = config.forks().fork_at(header.timestamp);
    let fail = |e: fees::FeeError| PayloadError { block: header.number, what: e.to_string() };
    let params = |e: fees::Eip1559| {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&e.denominator.to_be_bytes());
        b[4..].copy_from_slice(&e.elasticity.to_be_bytes());
        alloy_primitives::B64::from(b)
    };
    let (eip_1559_params, min_base_fee) = match fees::decode_extra_data(fork, &header.extra_data).map_err(fail)? {
        fees::FeeParams::None => (None, None),
        fees::FeeParams::Holocene(e) => (Some(params(e)), None),
        fees::FeeParams::Jovian(e, min) => (Some(params(e)), Some(min)),
    };
    Ok(OpPayloadAttributes {
        payload_attributes: alloy_rpc_types_engine::PayloadAttributes {
            timestamp: header.timestamp,
            prev_randao: header.mix_hash,
            suggested_fee_recipient: header.beneficiary,
            withdrawals: config.is_active(crate::forks::Fork::Canyon, header.timestamp).then(Vec::new),
            parent_beacon_block_root: header.parent_beacon_block_root,
        },
        transactions: Some(transactions),
        no_tx_pool: Some(true),
        gas_limit: Some(header.gas_limit),
        eip_1559_params,
        min_base_fee,
    })
}

/// What re-executing a node's block says about the node.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Our block is the node's block, hash for hash.
    Agrees(Executed),
    /// The node's header differs from the one we built.
    Disagrees {
        /// The block we built.
        ours: Executed,
        /// The node's block hash.
        node_hash: B256,
        /// The node's state root.
        node_state_root: B256,
    },
}

/// Why a node's block could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The parent the node gave is not the block's parent.
    #[error("block {block}: the node's parent header hashes to {got}, the block names parent {want}")]
    WrongParent {
        /// The block number.
        block: u64,
        /// The parent hash in the block header.
        want: B256,
        /// The hash of the parent header given.
        got: B256,
    },
    /// The payload cannot be read back.
    #[error(transparent)]
    Payload(#[from] PayloadError),
    /// Re-execution failed.
    #[error(transparent)]
    Exec(#[from] ExecError),
}

/// Re-executes `header`'s block (its `transactions` as EIP-2718 bytes) on `parent` and compares
/// the result with the node's header.
pub fn verify_block<S: TrieSource + ?Sized>(
    config: &RollupConfig,
    parent: &Header,
    header: &Header,
    transactions: Vec<Bytes>,
    source: &S,
) -> Result<Verdict, VerifyError> {
    let parent_hash = parent.hash_slow();
    if header.parent_hash != parent_hash || header.number != parent.number.saturating_add(1) {
        return Err(VerifyError::WrongParent { block: header.number, want: header.parent_hash, got: parent_hash });
    }
    let attrs = payload_from_block(config, header, transactions)?;
    let ours = execute_block(config, parent, attrs, source)?;
    let node_hash = header.hash_slow();
    Ok(if ours.block_hash == node_hash {
        Verdict::Agrees(ours)
    } else {
        Verdict::Disagrees { ours, node_hash, node_state_root: header.state_root }
    })
}

/// Splits an RLP block (`debug_getRawBlock`) into its header and EIP-2718 transactions.
pub fn decode_raw_block(block: u64, raw: &[u8]) -> Result<(Header, Vec<Bytes>), PayloadError> {
    use alloy_eips::Encodable2718;
    let decoded = alloy_consensus::Block::<OpTxEnvelope>::decode(&mut &raw[..])
        .map_err(|e| PayloadError { block, what: format!("the raw block does not decode: {e}") })?;
    if decoded.header.number != block {
        return Err(PayloadError { block, what: format!("the raw block is block {}", decoded.header.number) });
    }
    let txs = decoded.body.transactions.iter().map(|tx| Bytes::from(tx.encoded_2718())).collect();
    Ok((decoded.header, txs))
}

/// Reads a rollup config (op-node's `rollup.json`).
pub fn load_rollup_config(path: &std::path::Path) -> Result<RollupConfig, String> {
    RollupConfig::load(path).map_err(|e| e.to_string())
}
