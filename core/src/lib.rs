//! riposte's embedded derivation/execution core.
//!
//! It recomputes, in process, what an L2 node would tell us, so
//! that riposte never has to bet its bonds on a single node's word:
//!
//! - [`exec`]: stateless re-execution of one L2 block with riposte's own block builder on the OP
//!   EVM, under its fork's rules through Karst, reading trie nodes, bytecodes and headers from a
//!   [`exec::TrieSource`] that is checked hash by hash;
//! - [`forks`] and [`config`]: the fork schedule and `rollup.json` as op-node writes it today;
//! - [`l2`]: an L2 node's block fetched with its witness, re-executed and compared with the
//!   node's header; [`l2::output_root_at`] built on it;
//! - [`l1`]: L1 blocks (hashed with Amsterdam's fields when present), receipts, batcher
//!   transactions and blobs behind kona's provider traits;
//! - [`derive`]: the first derivation stages (a batcher transaction's calldata to frames, frames
//!   to channels, channel data to batches) and today's fork rules for the rest: the L1-info
//!   deposit through Jovian, blob base fees by L1 fork, SystemConfig updates 0–7, upgrade
//!   bundles and payload attributes through Karst;
//! - `fixture` (feature `fixtures`, tests and benches only): kona-executor's real block fixtures.
//!
//! It is not a node and decides nothing: data comes through the caller.

pub mod config;
pub mod derive;
mod error;
pub mod exec;
#[cfg(feature = "fixtures")]
pub mod fixture;
pub mod forks;
pub mod l1;
pub mod l2;
pub mod witness;

pub use config::RollupConfig;
pub use error::Error;
