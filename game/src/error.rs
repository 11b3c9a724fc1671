use alloy_primitives::B256;

/// Everything that can be wrong with game data or a request about it.
///
/// Where the contract reverts, the variant names the contract's custom error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GameError {
    /// A generalized index of 0 has no depth and is never a claim position.
    #[error("position 0 is not a generalized index")]
    ZeroPosition,
    /// A position deeper than `MAX_POSITION_BITLEN` (126) or one that would overflow a u128.
    #[error("position at depth {depth} exceeds the maximum bit length of 126")]
    PositionTooDeep {
        /// The depth that was asked for.
        depth: u32,
    },
    /// An index at depth that does not fit at that depth (`index >= 2^depth`).
    #[error("index {index} does not exist at depth {depth}")]
    IndexOutOfRange {
        /// Depth of the requested node.
        depth: u8,
        /// Index at that depth.
        index: u128,
    },
    /// A position deeper than the game's maximum depth (`GameDepthExceeded`).
    #[error("depth {depth} is deeper than the maximum game depth {max}")]
    GameDepthExceeded {
        /// Depth of the position.
        depth: u8,
        /// Maximum depth it was checked against.
        max: u8,
    },
    /// The root has no parent.
    #[error("the root position has no parent")]
    RootHasNoParent,
    /// Game depths rejected by the constructor (`InvalidSplitDepth`, `MaxDepthTooLarge`).
    #[error("invalid game depths: max {max}, split {split} ({reason})")]
    InvalidGameDepth {
        /// Maximum game depth.
        max: u8,
        /// Split depth.
        split: u8,
        /// Which constraint failed.
        reason: &'static str,
    },
    /// A bounded trace ancestor asked for at or above the bound (`ClaimAboveSplit`).
    #[error("position at depth {depth} is not below the split depth {split} (ClaimAboveSplit)")]
    ClaimAboveSplit {
        /// Depth of the position.
        depth: u8,
        /// The split depth.
        split: u8,
    },
    /// Clock parameters rejected by the constructor (`InvalidClockExtension`).
    #[error("clock extension {extension}s exceeds the maximum clock duration {max}s")]
    InvalidClockExtension {
        /// The clock extension.
        extension: u64,
        /// The maximum clock duration.
        max: u64,
    },
    /// The clock of the claim being countered has run out (`ClockTimeExceeded`).
    #[error("the clock of claim {index} has run out (ClockTimeExceeded)")]
    ClockTimeExceeded {
        /// Index of the claim whose clock ran out.
        index: usize,
    },
    /// A time earlier than a claim's own timestamp (the contract would underflow).
    #[error("time {now} is before the timestamp {timestamp} of claim {index}")]
    TimeBeforeClaim {
        /// Index of the claim.
        index: usize,
        /// Its clock's timestamp.
        timestamp: u64,
        /// The time given.
        now: u64,
    },
    /// A claim index that is not in the tree.
    #[error("claim index {index} is out of range (the game has {len} claims)")]
    NoSuchClaim {
        /// The index asked for.
        index: usize,
        /// Number of claims in the tree.
        len: usize,
    },
    /// Claim data that cannot come from the contract.
    #[error("malformed claim {index}: {reason}")]
    MalformedClaim {
        /// Index of the claim.
        index: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A move that the contract refuses (`CannotDefendRootClaim`, `GameDepthExceeded`, ...).
    #[error("illegal move against claim {index}: {reason}")]
    IllegalMove {
        /// Index of the claim the move counters.
        index: usize,
        /// Which rule it breaks (the contract's error name).
        reason: &'static str,
    },
    /// The fixed-point arithmetic of `getRequiredBond` reverted or overflowed.
    #[error("bond arithmetic failed: {0}")]
    BondArithmetic(&'static str),
    /// A VM status byte outside 0..=3.
    #[error("unknown VM status byte {0}")]
    UnknownVmStatus(u8),
    /// A bond distribution mode byte outside 0..=2.
    #[error("unknown bond distribution mode {0}")]
    UnknownBondMode(u8),
    /// A game status byte outside 0..=2.
    #[error("unknown game status {0}")]
    UnknownGameStatus(u8),
    /// A claim whose trace ancestor is not on its path to the root.
    #[error("no claim at position {position} above claim {index}")]
    AncestorNotFound {
        /// The claim the search started from.
        index: usize,
        /// The position searched for.
        position: u128,
    },
    /// A claim value where an execution-subgame root status was required (`UnexpectedRootClaim`).
    #[error("claim {0} has an unexpected VM status for an execution subgame root (UnexpectedRootClaim)")]
    UnexpectedRootClaim(B256),
}
