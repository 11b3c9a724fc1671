//! The simplified `SuperPermissionedDisputeGame` 1.0 that Upgrade 20 installs as type 5: a
//! proposer-only super-root proposal, bondless, resolved `DEFENDER_WINS` at creation, with no
//! claims and no `closeGame`. Nothing to play; what there is to do is judge the proposal (a wrong
//! one must be blacklisted by the guardian before it is final) and, once final, offer it to the
//! registry as the new anchor (`AnchorStateRegistry.setAnchorState`).

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_sol_types::sol;
use riposte_game::GameStatus;
use riposte_solver::trace::super_root::SuperRoot;

use crate::{ContractError, EthCall, call, call_if_present};

sol! {
    /// The simplified game's getters.
    #[sol(all_derives)]
    interface SimpleSuperPermissioned {
        function version() external view returns (string);
        function rootClaim() external pure returns (bytes32);
        function extraData() external pure returns (bytes);
        function l2SequenceNumber() external pure returns (uint256);
        function l1Head() external pure returns (bytes32);
        function proposer() external pure returns (address);
        function anchorStateRegistry() external pure returns (address);
        function status() external view returns (uint8);
        function createdAt() external view returns (uint64);
        function resolvedAt() external view returns (uint64);
        function wasRespectedGameTypeWhenCreated() external view returns (bool);
        /// Present only on the bisection games: its absence tells the simplified one.
        function claimDataLen() external view returns (uint256);
    }
}

use SimpleSuperPermissioned as Spdg;

/// One simplified type-5 proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleProposal {
    /// The game.
    pub address: Address,
    /// `version()` (1.x).
    pub version: String,
    /// `rootClaim()`: the hash of `super_root`.
    pub root_claim: B256,
    /// The proposal: the SuperV1 preimage of `extraData()`, at `l2SequenceNumber()`.
    pub super_root: SuperRoot,
    /// `l1Head()`.
    pub l1_head: B256,
    /// `proposer()`.
    pub proposer: Address,
    /// `anchorStateRegistry()`.
    pub registry: Address,
    /// `status()`: `DEFENDER_WINS` from creation on.
    pub status: GameStatus,
    /// `resolvedAt()` (its creation time).
    pub resolved_at: u64,
    /// `wasRespectedGameTypeWhenCreated()`: only then can it become the anchor.
    pub respected: bool,
}

/// Whether the game at `game` is the simplified super-root permissioned game: a 1.x
/// `version()`, `l2SequenceNumber()` and `extraData()` answering, and no claims.
pub async fn is_simple(eth: &dyn EthCall, game: Address) -> Result<bool, ContractError> {
    let Some(version) = call_if_present(eth, game, Spdg::versionCall {}).await? else { return Ok(false) };
    if !version.starts_with("1.") {
        return Ok(false);
    }
    if call_if_present(eth, game, Spdg::claimDataLenCall {}).await?.is_some() {
        return Ok(false);
    }
    Ok(call_if_present(eth, game, Spdg::l2SequenceNumberCall {}).await?.is_some()
        && call_if_present(eth, game, Spdg::extraDataCall {}).await?.is_some())
}

fn invalid(game: Address, what: &'static str, value: impl ToString, reason: &'static str) -> ContractError {
    ContractError::Invalid { game, what, value: value.to_string(), reason }
}

/// Reads a simplified type-5 proposal; a proposal that is not one SuperV1 preimage hashing to
/// the root claim at the game's sequence number, over one chain, is named.
pub async fn read(eth: &dyn EthCall, game: Address) -> Result<SimpleProposal, ContractError> {
    let version = call(eth, game, Spdg::versionCall {}).await?;
    let root_claim = call(eth, game, Spdg::rootClaimCall {}).await?;
    let extra = call(eth, game, Spdg::extraDataCall {}).await?;
    let sequence = call(eth, game, Spdg::l2SequenceNumberCall {}).await?;
    let super_root = SuperRoot::decode(&extra).map_err(|e| ContractError::Decode {
        what: format!("extraData() of super-root game {game}"),
        reason: e.to_string(),
    })?;
    if keccak256(&extra) != root_claim {
        return Err(invalid(
            game,
            "extraData",
            alloy_primitives::hex::encode_prefixed(&extra),
            "does not hash to rootClaim",
        ));
    }
    if U256::from(super_root.timestamp) != sequence {
        return Err(invalid(game, "l2SequenceNumber", sequence, "is not the timestamp of the super root in extraData"));
    }
    if super_root.chains.len() != 1 {
        return Err(ContractError::Unsupported {
            game,
            reason: format!(
                "a super root over {} chains (riposte judges one-chain dependency sets: there is no interop yet)",
                super_root.chains.len()
            ),
        });
    }
    let status = call(eth, game, Spdg::statusCall {}).await?;
    Ok(SimpleProposal {
        address: game,
        version,
        root_claim,
        super_root,
        l1_head: call(eth, game, Spdg::l1HeadCall {}).await?,
        proposer: call(eth, game, Spdg::proposerCall {}).await?,
        registry: call(eth, game, Spdg::anchorStateRegistryCall {}).await?,
        status: GameStatus::from_u8(status).map_err(|_| invalid(game, "status", status, "is no GameStatus"))?,
        resolved_at: call(eth, game, Spdg::resolvedAtCall {}).await?,
        respected: call(eth, game, Spdg::wasRespectedGameTypeWhenCreatedCall {}).await?,
    })
}
