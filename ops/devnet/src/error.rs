use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::{Address, B256};
use alloy::transports::{RpcError, TransportErrorKind};

use riposte_contracts::Revert;

/// Everything that can go wrong while starting, deploying or driving the devnet.
///
/// Each variant names what failed: which anvil, which contract deployment, which call, and
/// for a revert the contract's decoded custom error.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The npm packages or our compiled contracts are not installed.
    #[error("{what} is missing at {path}: run ops/devnet/setup.sh first")]
    SetupMissing {
        /// What is missing (e.g. "anvil binary", "build/AlphabetVM.json").
        what: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A contract artifact could not be read or parsed.
    #[error("artifact {path}: {reason}")]
    Artifact {
        /// The artifact file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Invalid devnet options.
    #[error("invalid devnet options: {0}")]
    Options(String),
    /// The Rust rollup L2 could not start or fell behind.
    #[error("the rollup L2: {0}")]
    Rollup(String),
    /// A local I/O operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An anvil process could not be spawned.
    #[error("could not spawn {which} ({path}): {source}")]
    Spawn {
        /// "L1 anvil" or "L2 anvil".
        which: &'static str,
        /// The binary.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An anvil exited before it was ready (e.g. its port was taken).
    #[error("{which} on port {port} exited with {status} before it was ready; stderr tail:\n{stderr_tail}")]
    AnvilExited {
        /// "L1 anvil" or "L2 anvil".
        which: &'static str,
        /// The port it was told to listen on.
        port: u16,
        /// Its exit status.
        status: String,
        /// The end of its output.
        stderr_tail: String,
    },
    /// An anvil did not answer `eth_chainId` in time.
    #[error("{which} at {url} did not answer eth_chainId within {waited:?}; stderr tail:\n{stderr_tail}")]
    AnvilNotReady {
        /// "L1 anvil" or "L2 anvil".
        which: &'static str,
        /// Its RPC URL.
        url: String,
        /// How long we waited.
        waited: Duration,
        /// The end of its output.
        stderr_tail: String,
    },
    /// An RPC request failed for another reason than a revert.
    #[error("{what}: RPC error: {source}")]
    Rpc {
        /// The request or call that failed.
        what: String,
        /// The transport or JSON-RPC error.
        #[source]
        source: RpcError<TransportErrorKind>,
    },
    /// A call, gas estimate or deployment reverted.
    #[error("{what} reverted: {revert}")]
    Reverted {
        /// The call or deployment, e.g. `FaultDisputeGame(0x…).step(uint256,bool,bytes,bytes)`.
        what: String,
        /// The decoded revert.
        revert: Box<Revert>,
    },
    /// A transaction was mined but failed.
    #[error("{what}: transaction {tx} failed on chain{}", .revert.as_ref().map(|r| format!(": {r}")).unwrap_or_default())]
    TxFailed {
        /// The transaction's purpose.
        what: String,
        /// Its hash.
        tx: B256,
        /// The revert found by replaying it, if any.
        revert: Option<Box<Revert>>,
    },
    /// A transaction's receipt did not appear in time.
    #[error("{what}: no receipt for {tx} after {waited:?}")]
    ReceiptTimeout {
        /// The transaction's purpose.
        what: String,
        /// Its hash.
        tx: B256,
        /// How long we waited.
        waited: Duration,
    },
    /// A call returned data that does not decode, or the chain returned something unexpected.
    #[error("{what}: {reason}")]
    Decode {
        /// The call or request.
        what: String,
        /// What could not be decoded.
        reason: String,
    },
    /// A helper thread or task failed (panicked or was cancelled).
    #[error("{0}")]
    Task(String),
    /// No signer for an address.
    #[error("no dev key for {0}")]
    UnknownSigner(Address),
    /// An account proof from `eth_getProof` does not verify against the block's state root.
    #[error("account proof of {address} at L2 block {block} does not verify against state root {state_root}: {reason}")]
    ProofInvalid {
        /// The L2 block.
        block: u64,
        /// The account.
        address: Address,
        /// The block's state root.
        state_root: B256,
        /// Why it does not verify.
        reason: String,
    },
    /// A game rule computation failed.
    #[error(transparent)]
    Game(#[from] riposte_game::GameError),
}

impl DevnetError {
    /// The decoded revert carried by this error, if it is one.
    pub fn revert(&self) -> Option<&Revert> {
        match self {
            Self::Reverted { revert, .. } => Some(revert),
            Self::TxFailed { revert, .. } => revert.as_deref(),
            _ => None,
        }
    }

    /// The name of the custom error this is a revert with (`"ValidStep"`), or `"Error"` for
    /// `Error(string)`.
    pub fn revert_name(&self) -> Option<&str> {
        self.revert().and_then(Revert::name)
    }
}

/// Result alias for this crate.
pub type Result<T, E = DevnetError> = std::result::Result<T, E>;
