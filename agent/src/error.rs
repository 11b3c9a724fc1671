//! The daemon's errors, by what the caller should do about them ([`AgentError::kind`]).

use riposte_chain::{ChainError, outputs::CheckError};
use riposte_contracts::ContractError;
use riposte_game::GameError;
use riposte_solver::{SolverError, TraceError};
use riposte_storage::StorageError;
use riposte_txmgr::{TxError, TxErrorKind};

/// What the caller should do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A source failed for a passing reason: look at the game again later.
    Temporary,
    /// Two sources of truth disagree: stop play on that game and alert.
    Disagreement,
    /// The configuration, the database or the game itself is wrong: stop, or leave the game.
    Fatal,
}

/// Why the daemon or a tool could not do something.
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    /// The configuration is invalid (the message names the key).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Starting, or an operator command, cannot go on for the reason the message names (no key,
    /// no factory at the address, a step asked for above max depth, …).
    #[error("{0}")]
    Start(String),
    /// A chain could not be reached or answered nonsense.
    #[error(transparent)]
    Chain(Box<ChainError>),
    /// A raw RPC request failed.
    #[error("{what}: {reason}")]
    Rpc {
        /// The request.
        what: String,
        /// The error in words.
        reason: String,
        /// Whether trying again later may succeed.
        temporary: bool,
    },
    /// The output check could not be set up.
    #[error(transparent)]
    Check(Box<CheckError>),
    /// A contract call failed or answered what the binding cannot read.
    #[error(transparent)]
    Contract(Box<ContractError>),
    /// The database failed.
    #[error(transparent)]
    Storage(Box<StorageError>),
    /// A transaction could not be sent.
    #[error(transparent)]
    Tx(Box<TxError>),
    /// The solver could not decide.
    #[error(transparent)]
    Solver(Box<SolverError>),
    /// An honest value could not be computed.
    #[error(transparent)]
    Trace(Box<TraceError>),
    /// Game data breaks the rules.
    #[error(transparent)]
    Game(Box<GameError>),
    /// A local file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A look at a game ended without an answer (its task panicked or was cancelled).
    #[error("{0}")]
    Task(String),
    /// The error of `source`, in the context of `what`.
    #[error("{what}: {source}")]
    Context {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: Box<AgentError>,
    },
}

macro_rules! boxed_from {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for AgentError {
            fn from(e: $ty) -> Self {
                Self::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Chain(ChainError),
    Check(CheckError),
    Contract(ContractError),
    Storage(StorageError),
    Tx(TxError),
    Solver(SolverError),
    Trace(TraceError),
    Game(GameError),
);

impl From<alloy::transports::TransportError> for AgentError {
    fn from(e: alloy::transports::TransportError) -> Self {
        Self::Rpc {
            what: "L1 RPC".into(),
            reason: riposte_chain::describe(&e),
            temporary: riposte_chain::layers::is_transient(&e),
        }
    }
}

impl AgentError {
    /// What the caller should do.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Context { source, .. } => source.kind(),
            Self::Chain(e) if e.is_temporary() => ErrorKind::Temporary,
            Self::Rpc { temporary: true, .. } | Self::Task(_) => ErrorKind::Temporary,
            Self::Contract(e) if e.is_temporary() => ErrorKind::Temporary,
            Self::Tx(e) if e.kind() != TxErrorKind::Fatal => ErrorKind::Temporary,
            Self::Trace(e) => trace_kind(e),
            Self::Solver(e) => match e.as_ref() {
                SolverError::Trace { source, .. } => trace_kind(source),
                SolverError::Game { .. } => ErrorKind::Fatal,
            },
            _ => ErrorKind::Fatal,
        }
    }
}

fn trace_kind(e: &TraceError) -> ErrorKind {
    match e {
        TraceError::Disagreement(_) => ErrorKind::Disagreement,
        TraceError::Source { .. } => ErrorKind::Temporary,
        _ => ErrorKind::Fatal,
    }
}

/// Result alias of the agent.
pub type Result<T, E = AgentError> = std::result::Result<T, E>;

/// Adds what was being done to an error, as `anyhow::Context` does.
pub trait Context<T> {
    /// Wraps the error with `what`.
    fn context(self, what: impl Into<String>) -> Result<T>;
    /// Wraps the error with what `what` returns (computed only on error).
    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T>;
}

impl<T, E: Into<AgentError>> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|e| AgentError::Context { what: what.into(), source: Box::new(e.into()) })
    }

    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.map_err(|e| AgentError::Context { what: what().into(), source: Box::new(e.into()) })
    }
}

impl<T> Context<T> for Option<T> {
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.ok_or_else(|| AgentError::Start(what.into()))
    }

    fn with_context<S: Into<String>>(self, what: impl FnOnce() -> S) -> Result<T> {
        self.ok_or_else(|| AgentError::Start(what().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_through_their_context() {
        let temporary = AgentError::Rpc { what: "eth_call".into(), reason: "timed out".into(), temporary: true };
        let e: Result<()> = Err(temporary).context("reading game 0x1");
        let e = e.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Temporary);
        assert_eq!(e.to_string(), "reading game 0x1: eth_call: timed out");
        let d = AgentError::from(TraceError::Disagreement("rollup node says 0x2".into()));
        assert_eq!(d.kind(), ErrorKind::Disagreement);
        assert_eq!(AgentError::Config("l1-eth-rpc".into()).kind(), ErrorKind::Fatal);
    }
}
