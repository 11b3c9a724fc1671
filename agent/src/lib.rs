//! The riposte daemon as a library: it watches a `DisputeGameFactory`, brings each game's
//! claims up to date, asks the solver for the honest actions and sends them exactly once, then
//! resolves games and claims its bonds. The `riposte` binary (`main.rs`) is clap and wiring
//! over it; the devnet demo (`ops/demo`) drives it in process.
//!
//! Not here: contract encodings (`riposte-contracts`), RPC transports and the output-root
//! source (`riposte-chain`), which moves are honest (`riposte-solver`), the schema
//! (`riposte-storage`).

pub mod attack;
pub mod bonds;
pub mod config;
pub mod error;
#[cfg(test)]
mod fakes;
pub mod format;
pub mod games;
pub mod http;
pub mod indexer;
pub mod looks;
pub mod metrics;
pub mod monitor;
pub mod player;
pub mod prestates;
pub mod run;
pub mod scheduler;
pub mod sink;
pub mod sync;
pub mod tools;
pub mod traces;
pub mod view;
pub mod web;
