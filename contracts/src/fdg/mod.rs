//! `FaultDisputeGame` per version behind one seam, [`DisputeGame`], and the detection of the
//! family a game belongs to.
//!
//! A game's `version()` alone does not say which code it runs (a fork may report another
//! line's version string), so [`detect`] also probes the getters that tell the families apart.
//! Only the 1.2 family ([`v1_2`]) is implemented; other versions are refused by name.

pub mod v1_2;

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use riposte_game::{Claim, ClockParams, GameDepth, GameStatus, Position};
use riposte_solver::Action;

use crate::{BoxFuture, CallError, ContractError, EthCall, TxCall, call};

/// The code lines of dispute games, as far as playing them differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GameFamily {
    /// `FaultDisputeGame` 1.2.x (npm `@eth-optimism/contracts-bedrock@0.17.3`): constructor
    /// immutables, one-phase bonds, `l2BlockNumber`.
    FaultV1_2,
}

impl std::fmt::Display for GameFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::FaultV1_2 => f.write_str("FaultDisputeGame 1.2"),
        }
    }
}

/// A game's fixed facts, as its getters give them, checked against the rules its constructor
/// enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameParams {
    /// `version()`.
    pub version: String,
    /// `gameType()`.
    pub game_type: u32,
    /// `rootClaim()`.
    pub root_claim: B256,
    /// `l1Head()`.
    pub l1_head: B256,
    /// `l2BlockNumber()`.
    pub l2_block_number: u64,
    /// `startingBlockNumber()`.
    pub starting_block: u64,
    /// `startingRootHash()`.
    pub starting_root: B256,
    /// `maxGameDepth()` and `splitDepth()`.
    pub depth: GameDepth,
    /// `maxClockDuration()` and `clockExtension()`.
    pub clocks: ClockParams,
    /// `status()`.
    pub status: GameStatus,
    /// `absolutePrestate()`.
    pub absolute_prestate: B256,
    /// `l2ChainId()`.
    pub l2_chain_id: u64,
    /// `vm()`.
    pub vm: Address,
    /// `weth()`.
    pub weth: Address,
    /// `anchorStateRegistry()`.
    pub anchor_registry: Address,
}

/// What riposte reads from and sends to one dispute game, whatever its version.
pub trait DisputeGame: Send + Sync {
    /// The game's address.
    fn address(&self) -> Address;

    /// The family the game was detected to be.
    fn family(&self) -> GameFamily;

    /// Every fixed parameter, read and checked.
    fn parameters(&self) -> BoxFuture<'_, Result<GameParams, ContractError>>;

    /// `status()`.
    fn status(&self) -> BoxFuture<'_, Result<GameStatus, ContractError>>;

    /// The PreimageOracle of the game's VM (`vm().oracle()`), read once.
    fn oracle(&self) -> BoxFuture<'_, Result<Address, ContractError>>;

    /// How many claims the game holds.
    fn claim_count(&self) -> BoxFuture<'_, Result<u64, ContractError>>;

    /// The claims at `indexes`, in that order.
    fn claims(&self, indexes: Vec<u64>) -> BoxFuture<'_, Result<Vec<Claim>, ContractError>>;

    /// Whether the subgame rooted at each of `indexes` is resolved.
    fn resolved_subgames(&self, indexes: Vec<u64>) -> BoxFuture<'_, Result<Vec<bool>, ContractError>>;

    /// The credit `who` can claim from the game.
    fn credit(&self, who: Address) -> BoxFuture<'_, Result<U256, ContractError>>;

    /// `getRequiredBond(position)`.
    fn required_bond(&self, position: Position) -> BoxFuture<'_, Result<U256, ContractError>>;

    /// The transactions `action` is made of, in order (a preimage load before its step), each
    /// keyed by what it does so it is sent once.
    fn calls_for<'a>(&'a self, action: &'a Action) -> BoxFuture<'a, Result<Vec<TxCall>, ContractError>>;

    /// `claimCredit(recipient)`.
    fn claim_credit(&self, recipient: Address) -> TxCall;
}

/// The event topics that mean a game of any family riposte plays changed (a move, a
/// resolution): one `eth_getLogs` filtered by them tells which games to look at.
pub fn change_topics() -> Vec<B256> {
    v1_2::change_topics()
}

/// Whether a probe of a getter says the function does not exist (a revert without data, as a
/// contract without the selector and without a fallback answers).
async fn answers<C: SolCall>(eth: &dyn EthCall, game: Address, c: C) -> Result<bool, ContractError> {
    match call(eth, game, c).await {
        Ok(_) => Ok(true),
        Err(ContractError::Call { source: CallError::Reverted(r), .. }) if r.data.is_empty() => Ok(false),
        Err(ContractError::Decode { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

/// The family of the game at `game`: its `version()` must name a line riposte plays, and the
/// getters that tell the lines apart must answer as that line's do.
pub async fn detect(eth: &dyn EthCall, game: Address) -> Result<GameFamily, ContractError> {
    let version = call(eth, game, v1_2::FaultDisputeGame::versionCall {}).await?;
    let mut parts = version.split(['.', '-']);
    match (parts.next(), parts.next()) {
        (Some("1"), Some("2")) => {
            // Later lines added these getters; a game that answers one is not 1.2 code.
            for (probe, answered) in [
                ("bondDistributionMode()", answers(eth, game, v1_2::Probe::bondDistributionModeCall {}).await?),
                ("l2SequenceNumber()", answers(eth, game, v1_2::Probe::l2SequenceNumberCall {}).await?),
            ] {
                if answered {
                    return Err(ContractError::Unsupported {
                        game,
                        reason: format!(
                            "reports version {version:?} but answers {probe}, which FaultDisputeGame 1.2 does not have"
                        ),
                    });
                }
            }
            Ok(GameFamily::FaultV1_2)
        }
        _ => Err(ContractError::Unsupported {
            game,
            reason: format!(
                "FaultDisputeGame version {version:?} is not supported (riposte plays 1.2.x; 1.3+ changes local data, \
                 clock extensions and the bond flow)"
            ),
        }),
    }
}

/// The game at `game` as `family`.
pub fn open(family: GameFamily, eth: Arc<dyn EthCall>, game: Address) -> Arc<dyn DisputeGame> {
    match family {
        GameFamily::FaultV1_2 => Arc::new(v1_2::Game::new(eth, game)),
    }
}

/// Detects the game's family, then opens it.
pub async fn detect_and_open(eth: Arc<dyn EthCall>, game: Address) -> Result<Arc<dyn DisputeGame>, ContractError> {
    let family = detect(eth.as_ref(), game).await?;
    Ok(open(family, eth, game))
}

/// The game read through the getters every `FaultDisputeGame` version keeps with the same
/// selectors, whatever its version: to look at a game (list it, draw its tree), never to act.
pub fn open_for_reading(eth: Arc<dyn EthCall>, game: Address) -> Arc<dyn DisputeGame> {
    Arc::new(v1_2::Game::new(eth, game))
}

#[cfg(test)]
mod tests;
