//! The rules of the OP Stack `FaultDisputeGame` (lines 1.2 to 2.x, [`Line`]) as pure data and
//! functions.
//!
//! Everything here mirrors a contract function and is checked against it: positions
//! (`LibPosition`), clocks (`LibClock`, `getChallengerDuration`, the clock extension in
//! `move`), bonds (`getRequiredBond`), resolution (`resolveClaim`, `resolve`), the local
//! context of an execution subgame, output roots and VM status bytes, and what differs between
//! the lines: local data, bond distribution modes, `closeGame` and credits ([`rules`]).
//!
//! No I/O, no async, no clock of its own: time is always a parameter.

mod bond;
mod claim;
mod clock;
mod error;
mod output;
mod position;
mod resolution;
pub mod rules;
mod tree;

pub use bond::{ASSUMED_BASE_FEE, BASE_GAS_CHARGED, HIGH_GAS_CHARGED, required_bond};
pub use claim::{Claim, ROOT_PARENT_INDEX, claim_hash};
pub use clock::{Clock, ClockParams};
pub use error::GameError;
pub use output::{OutputRootProof, VmStatus, output_root_v0, same_state_ignoring_status};
pub use position::{GameDepth, MAX_GAME_DEPTH_LIMIT, MAX_POSITION_BITLEN, Position};
pub use resolution::{GameStatus, Payout, Resolution, resolvable_claims};
pub use rules::{
    BondMode, CloseBlocked, Closing, CreditState, CreditStep, Credits, Line, Standing, credit_step, depth_of,
};
pub use tree::{ClaimTree, ExecOutputs, StepStates, local_context};

/// Result alias for this crate.
pub type Result<T, E = GameError> = std::result::Result<T, E>;
