//! The devnet's OP Stack rollup: an L2 whose every block is derivable from L1.
//!
//! - [`genesis`]: chain 901's rollup config (every fork through Jovian at genesis, Karst at
//!   genesis or later), its predeploys and funded accounts, hashed into a state trie;
//! - [`deposits`]: the OptimismPortal's deposits of an L1 block, as derivation reads them;
//! - [`sequencer`]: blocks built one per block time with riposte-core's block builder on an
//!   in-memory state, L1 origins chosen as op-node chooses them;
//! - [`batcher`]: blocks to singular or span batches, compressed channels, frames and the
//!   payload of calldata or blob batcher transactions;
//! - [`node`]: the sequencer and batcher loops on a real L1 (anvil);
//! - [`rpc`] over [`http`]: the L2 RPC on loopback (`eth_`, `debug_` raw blocks, op-node's
//!   `optimism_` methods);
//! - [`state`]: accounts and storage of any built block, read from the store.
//!
//! It is test support for riposte's devnet, not a production node: one sequencer, state in
//! memory, no peer-to-peer network, no engine API.

pub mod batcher;
pub mod deposits;
pub mod genesis;
pub mod http;
pub mod node;
pub mod rpc;
pub mod sequencer;
mod shared;
pub mod state;

/// Why the rollup cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollupError {
    /// The genesis cannot be built from what was given (fix the spec or the artifacts).
    #[error("rollup genesis: {0}")]
    Genesis(String),
    /// The caller offered an L1 origin the next block cannot have (a caller's bug, or L1
    /// changed under it: re-read L1).
    #[error("rollup origin: {0}")]
    Origin(String),
    /// Blocks could not be batched (the message names the block or limit).
    #[error("rollup batcher: {0}")]
    Batch(String),
    /// A portal log does not decode as a deposit (derivation would stop on it too).
    #[error("rollup deposits: {0}")]
    Deposit(String),
    /// L1 failed or refused (the loops retry).
    #[error("rollup L1: {0}")]
    L1(String),
    /// The node cannot start with these options.
    #[error("rollup node: {0}")]
    Node(String),
    /// A state read failed (a missing or altered node is named).
    #[error("rollup state: {0}")]
    State(String),
    /// The block could not be built (the message names the block and the rule or preimage).
    #[error("rollup sequencer: {0}")]
    Build(String),
}
