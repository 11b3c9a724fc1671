use riposte_game::GameError;

/// A trace provider could not give the honest value.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The data source failed (RPC, VM run, disk); `what` names the request.
    #[error("{what}: {source}")]
    Source {
        /// What was asked for (e.g. "output root of L2 block 1234").
        what: String,
        /// The source's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The game data does not allow the request (malformed tree, position out of range).
    #[error(transparent)]
    Game(#[from] GameError),
    /// The request makes no sense for this provider.
    #[error("{0}")]
    Unsupported(String),
    /// Two sources of truth disagree (the L2 node and riposte's re-execution, or a rollup
    /// node): stop playing on this value and alert, do not retry blindly.
    #[error("{0}")]
    Disagreement(String),
}

/// The solver could not decide.
#[derive(Debug, thiserror::Error)]
pub enum SolverError {
    /// The honest value of a claim could not be computed.
    #[error("honest value for claim {claim} at position {position}: {source}")]
    Trace {
        /// Index of the claim being considered.
        claim: usize,
        /// Position whose value was needed.
        position: u128,
        /// Why it failed.
        #[source]
        source: TraceError,
    },
    /// The game data is inconsistent with the rules.
    #[error("claim {claim}: {source}")]
    Game {
        /// Index of the claim being considered.
        claim: usize,
        /// The rule that failed.
        #[source]
        source: GameError,
    },
}
