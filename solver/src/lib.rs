//! Which moves are honest, and how honest claims are computed.
//!
//! [`plan_moves`] is the honest challenger of the specification (and of op-challenger's
//! solver): given a game's claims and a [`TraceAccessor`] that knows the honest trace, it
//! returns the moves and steps to make. [`plan_resolution`] says which claims can be resolved.
//! Trace providers live in [`trace`]: the split of output roots above and an execution trace
//! below, and the alphabet execution trace of test games.
//!
//! Nothing here sends a transaction, sleeps or touches the database: data sources are traits,
//! and the same code runs in the daemon and in tests.

mod error;
mod honest;
mod resolve;
pub mod trace;

pub use error::{SolverError, TraceError};
pub use honest::{Action, Plan, PreimageLoad, Skip, plan_moves};
pub use resolve::plan_resolution;
pub use trace::{ExecSubgame, GameView, StepData, TraceAccessor};

#[cfg(test)]
pub(crate) mod testutil;
