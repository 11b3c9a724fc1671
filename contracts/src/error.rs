//! Errors of reading and encoding contract calls.

use alloy_primitives::Address;

use crate::CallError;

/// What went wrong talking to a contract, by what the caller should do about it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ContractError {
    /// The `eth_call` failed (see [`ContractError::is_temporary`]).
    #[error("{what}: {source}")]
    Call {
        /// The call, e.g. `claimData(uint256) on 0x…`.
        what: String,
        /// Why it failed.
        #[source]
        source: CallError,
    },
    /// The answer does not decode as the binding says: the contract is not what it is taken for.
    #[error("{what}: {reason}")]
    Decode {
        /// The call.
        what: String,
        /// What could not be decoded.
        reason: String,
    },
    /// A value read from a game breaks the rules its contract enforces.
    #[error("game {game}: {what} {value} {reason}")]
    Invalid {
        /// The game.
        game: Address,
        /// The getter, e.g. `maxGameDepth`.
        what: &'static str,
        /// The value it returned.
        value: String,
        /// Why it cannot be.
        reason: &'static str,
    },
    /// The game belongs to no family riposte plays.
    #[error("game {game}: {reason}")]
    Unsupported {
        /// The game.
        game: Address,
        /// Which version or behaviour, in words.
        reason: String,
    },
}

impl ContractError {
    /// Whether asking again later may succeed (the RPC failed for a passing reason).
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Call { source: CallError::Transport { temporary: true, .. }, .. })
    }
}
