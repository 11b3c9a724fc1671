//! Exactly-once transactions for one signer.
//!
//! An action to send is an intent, written to an [`IntentStore`] under a key naming its effect
//! before anything is signed; every signed transaction is written (raw bytes included) before it
//! is broadcast. After a crash the store therefore knows every transaction that may be on the
//! network: the [`Responder`] waits for them or rebroadcasts them, and never signs a second
//! transaction for an action already sent. It keeps the nonce locally, bumps EIP-1559 fees when a
//! transaction is stuck, resynchronises after "nonce too low" and sends an action again when a
//! reorg took its transaction off the chain.
//!
//! L1 is reached through [`TxChain`] (implemented for alloy's [`DynProvider`](alloy::providers::DynProvider)),
//! the store through [`IntentStore`] (implemented for [`riposte_storage::Store`] and by the in-memory
//! [`MemoryStore`]), so the logic is tested without a node or a database.
//!
//! This crate does not know what the calls mean: which action to take, when, or whether a revert
//! is expected is the caller's business. It sends calldata to a target, once.

mod chain;
pub mod crash;
mod error;
mod metrics;
mod responder;
mod store;

pub use chain::{BroadcastError, EstimateError, Receipt, TxChain, classify_broadcast};
pub use error::{BoxError, TxError, TxErrorKind};
pub use metrics::{NoMetrics, TxMetrics};
pub use responder::{Outcome, Responder, ResponderOptions};
pub use riposte_storage::{Attempt, Intent, IntentState, NewIntent};
pub use store::{IntentStore, MemoryStore};
