//! The `eth_call` seam reads go through, and the transactions actions become.

use std::{future::Future, pin::Pin};

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;

use crate::{ContractError, Revert};

/// A boxed future, so the seams stay object-safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Why an `eth_call` gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    /// The call reverted; the data is decoded against the errors riposte knows.
    #[error("reverted: {0}")]
    Reverted(Revert),
    /// The RPC failed. `temporary` is true when trying again later may succeed (timeouts,
    /// 5xx, connection errors), false when the request itself is refused.
    #[error("{message}")]
    Transport {
        /// The transport's error in words.
        message: String,
        /// Whether a retry later may succeed.
        temporary: bool,
    },
}

/// `eth_call` at the latest block.
pub trait EthCall: Send + Sync {
    /// One call of `data` to `to`.
    fn call(&self, to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>>;

    /// Calls of each of `data` to `to`, answered in order (a node may batch them).
    fn call_many(&self, to: Address, data: Vec<Bytes>) -> BoxFuture<'_, Result<Vec<Bytes>, CallError>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(data.len());
            for d in data {
                out.push(self.call(to, d).await?);
            }
            Ok(out)
        })
    }
}

/// `call` on `to`, decoded.
pub async fn call<C: SolCall>(eth: &dyn EthCall, to: Address, call: C) -> Result<C::Return, ContractError> {
    let what = || format!("{} on {to}", C::SIGNATURE);
    let bytes =
        eth.call(to, call.abi_encode().into()).await.map_err(|source| ContractError::Call { what: what(), source })?;
    decode_return::<C>(to, &bytes)
}

/// `call` on `to`, or `None` where the contract has no such function (a revert without data, as
/// a contract without the selector and without a fallback answers).
pub async fn call_if_present<C: SolCall>(
    eth: &dyn EthCall,
    to: Address,
    c: C,
) -> Result<Option<C::Return>, ContractError> {
    match call(eth, to, c).await {
        Ok(v) => Ok(Some(v)),
        Err(ContractError::Call { source: CallError::Reverted(r), .. }) if r.data.is_empty() => Ok(None),
        Err(e) => Err(e),
    }
}

/// An answer of `to` decoded as `C` returns.
pub(crate) fn decode_return<C: SolCall>(to: Address, bytes: &[u8]) -> Result<C::Return, ContractError> {
    C::abi_decode_returns(bytes)
        .map_err(|e| ContractError::Decode { what: format!("{} on {to}", C::SIGNATURE), reason: e.to_string() })
}

/// Each of `calls` on `to`, in one batch where the node allows, decoded.
pub async fn call_many<C: SolCall>(
    eth: &dyn EthCall,
    to: Address,
    calls: &[C],
) -> Result<Vec<C::Return>, ContractError> {
    let what = || format!("{} × {} on {to}", calls.len(), C::SIGNATURE);
    let data = calls.iter().map(|c| Bytes::from(c.abi_encode())).collect();
    let answers = eth.call_many(to, data).await.map_err(|source| ContractError::Call { what: what(), source })?;
    if answers.len() != calls.len() {
        return Err(ContractError::Decode {
            what: what(),
            reason: format!("{} answers to {} calls", answers.len(), calls.len()),
        });
    }
    answers.iter().map(|b| decode_return::<C>(to, b)).collect()
}

/// What a transaction does, as the tx manager and the metrics name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// `attack` or `defend`.
    Move,
    /// `step`.
    Step,
    /// `addLocalData` before a step.
    AddLocalData,
    /// `PreimageOracle.loadKeccak256PreimagePart` before a step.
    LoadPreimage,
    /// `resolveClaim`.
    ResolveClaim,
    /// `resolve`.
    Resolve,
    /// `claimCredit` that pays out.
    ClaimCredit,
    /// The first `claimCredit` of a 1.4+ game: closes it if needed and unlocks the credit.
    UnlockCredit,
    /// `closeGame()` (1.4+).
    CloseGame,
    /// Several resolution calls in one `aggregate3`.
    ResolveBatch,
    /// `challengeRootL2Block`.
    ChallengeRootL2Block,
    /// `DisputeGameFactory.create`.
    CreateGame,
}

impl ActionKind {
    /// The name stored with an intent and used as a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Move => "move",
            Self::Step => "step",
            Self::AddLocalData => "add_local_data",
            Self::LoadPreimage => "load_preimage",
            Self::ResolveClaim => "resolve_claim",
            Self::Resolve => "resolve",
            Self::ClaimCredit => "claim_credit",
            Self::UnlockCredit => "unlock_credit",
            Self::CloseGame => "close_game",
            Self::ResolveBatch => "resolve_batch",
            Self::ChallengeRootL2Block => "challenge_root_l2_block",
            Self::CreateGame => "create_game",
        }
    }
}

impl std::fmt::Display for ActionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One transaction to send: what it does, the key that makes it happen once, and its call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxCall {
    /// What it does.
    pub kind: ActionKind,
    /// Names the effect, not the attempt: the same action always has the same key.
    pub key: String,
    /// The contract called.
    pub target: Address,
    /// The calldata.
    pub calldata: Bytes,
    /// Wei sent (a move's bond, a game's init bond).
    pub value: U256,
}
