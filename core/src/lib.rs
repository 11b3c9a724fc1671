//! riposte's embedded derivation/execution core.
//!
//! It recomputes, in process and with kona's protocol crates, what an L2 node would tell us, so
//! that riposte never has to bet its bonds on a single node's word:
//!
//! - [`exec`]: stateless re-execution of one L2 block on kona's builder and the OP EVM, reading
//!   trie nodes, bytecodes and headers from a [`exec::TrieSource`] that is checked hash by hash;
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
pub mod witness;

pub use error::Error;
pub use kona_genesis::RollupConfig;
