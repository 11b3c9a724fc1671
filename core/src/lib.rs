//! riposte's embedded derivation/execution core.
//!
//! It recomputes, in process and with kona's protocol crates, what an L2 node would tell us, so
//! that riposte never has to bet its bonds on a single node's word:
//!
//! - [`exec`]: stateless re-execution of one L2 block on kona's builder and the OP EVM, reading
//!   trie nodes, bytecodes and headers from a [`exec::TrieSource`] that is checked hash by hash;
//! - [`l2`]: an L2 node's block fetched with its witness, re-executed and compared with the
//!   node's header; [`l2::output_root_at`] built on it;
//! - [`l1`]: L1 blocks, receipts, batcher transactions and blobs behind kona's provider traits;
//! - [`derive`]: the first derivation stages, a batcher transaction's calldata to frames, frames to
//!   channels and channel data to batches;
//! - `fixture` (feature `fixtures`, tests and benches only): kona-executor's real block fixtures.
//!
//! It is not a node and decides nothing: data comes through the caller.

pub mod derive;
mod error;
pub mod exec;
#[cfg(feature = "fixtures")]
pub mod fixture;
pub mod l1;
pub mod l2;
pub mod witness;

pub use error::Error;
pub use kona_genesis::RollupConfig;
