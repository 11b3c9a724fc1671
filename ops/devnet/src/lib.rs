//! Test support for riposte: a local devnet of two anvils (L1 and an `--optimism` L2) with the
//! real OP Stack dispute contracts (`@eth-optimism/contracts-bedrock@0.17.3`,
//! `FaultDisputeGame` 1.2.0) and our `AlphabetVM` deployed on L1.
//!
//! [`Devnet::start`] spawns both anvils (killed on drop, and by a watchdog if the process dies),
//! deploys and registers the alphabet (255) and Cannon (0) games with their anchors at a real L2
//! output root, and gives tests what they need: funded dev keys, time travel, verified output
//! roots, games as [`riposte_game`] data, and call wrappers whose reverts carry the contract's
//! decoded custom error. The differential tests in `tests/` prove the pure rules of
//! `riposte-game` equal the contracts.
//!
//! This crate is for tests and local runs only; it is not how the agent talks to a chain.

pub mod adversary;
pub mod alphabet;
mod anvil;
mod artifacts;
mod chain;
mod deploy;
mod devnet;
mod error;
pub mod faulty;
mod game;
mod info;
pub mod l2;
mod options;
mod output;
pub mod rollup;

pub use artifacts::{Artifact, DEVNET_DIR_ENV, OP_ARTIFACTS_ENV, Stack, devnet_dir};
pub use chain::{Chain, TxOutcome};
pub use deploy::Deployment;
pub use devnet::{DevAccount, Devnet};
pub use error::{DevnetError, Result};
pub use game::FaultGame;
pub use info::{AccountInfo, ChainInfo, DevnetInfo, GameTypeInfo, RollupInfo};
pub use options::{
    ALPHABET_GAME_TYPE, CANNON_GAME_TYPE, DevnetOptions, GameParams, PERMISSIONED_GAME_TYPE, SUPER_GAME_TYPE,
    SUPER_PERMISSIONED_GAME_TYPE,
};
pub use output::{L2_TO_L1_MESSAGE_PASSER, verify_account_proof};
pub use riposte_contracts::Revert;
