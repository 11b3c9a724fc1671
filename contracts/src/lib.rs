//! Every contract riposte talks to, as `sol!` bindings organised per contract and version, and
//! the [`DisputeGame`] seam the agent, the tools and the devnet play through.
//!
//! - [`dgf`], [`asr`], [`weth`], [`oracle`], [`vm`], [`proxy`]: the factory, the anchor
//!   registry, DelayedWETH, the PreimageOracle, the step VMs and the deploy-time contracts.
//! - [`fdg`]: `FaultDisputeGame` and `PermissionedDisputeGame` 1.2 to 2.x ([`fdg::fault`]), the [`DisputeGame`] seam
//!   (parameters, claims by range, an [`riposte_solver::Action`] turned into calls), and
//!   [`fdg::detect`], which tells a game's family from the getters it answers.
//! - [`multicall`]: several calls in one transaction through Multicall3's `aggregate3`.
//! - [`revert`]: revert data decoded to the contract's error names.
//!
//! Reads go through [`EthCall`], a one-method view of `eth_call` that `riposte-chain` implements
//! over its RPC clients and tests implement over a fake contract. This crate holds no provider,
//! no storage and no policy: it only knows what the bytes mean.

pub mod asr;
mod call;
pub mod dgf;
mod error;
pub mod fdg;
pub mod multicall;
pub mod oracle;
pub mod proxy;
pub mod revert;
pub mod vm;
pub mod weth;

pub use call::{ActionKind, BoxFuture, CallError, EthCall, TxCall, call, call_if_present, call_many};
pub use error::ContractError;
pub use fdg::{DisputeGame, GameFamily, GameKind, GameParams, Roles};
pub use revert::Revert;
