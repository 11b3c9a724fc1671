//! riposte's embedded derivation/execution core.
//!
//! It recomputes, in process and with kona's protocol crates, what an L2 node would tell us, so
//! that riposte never has to bet its bonds on a single node's word. This slice covers the first
//! derivation stages: a batcher transaction's calldata to frames ([`derive::calldata`]), frames to
//! channels ([`derive::channel`]) and channel data to batches ([`derive::batches`]).
//!
//! It is not a node: it reads no chain by itself (data comes through the caller), and it does not
//! execute blocks yet.

pub mod derive;
mod error;

pub use error::Error;
