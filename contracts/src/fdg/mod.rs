//! `FaultDisputeGame` per version behind one seam, [`DisputeGame`], and the detection of the
//! family a game belongs to.
//!
//! A game's `version()` alone does not say which code it runs (a fork may report another
//! line's version string, a `PermissionedDisputeGame` 2.4.0 carries 2.4.2's code), so
//! [`detect`] also probes the getters that tell the families apart. [`fault`] reads and plays
//! `FaultDisputeGame` and `PermissionedDisputeGame` of every line from 1.2 to 2.x; any other
//! version is refused by name.

pub mod fault;
pub mod simple;

use std::sync::Arc;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use riposte_game::{
    BondMode, Claim, ClockParams, Closing, CreditState, GameDepth, GameStatus, Line, Position, Standing,
};
use riposte_solver::Action;

use crate::{BoxFuture, ContractError, EthCall, TxCall, call};

/// Which contract a game is, as far as playing it differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GameKind {
    /// `FaultDisputeGame`: anyone may move.
    Fault,
    /// `PermissionedDisputeGame`: only its proposer and challenger may move and step.
    Permissioned,
    /// `SuperFaultDisputeGame` 0.7 (type 9): a super root at an L2 timestamp; anyone may move.
    SuperFault,
    /// `SuperPermissionedDisputeGame` 0.7: as `SuperFault`, moves by its proposer and challenger.
    SuperPermissioned,
}

impl GameKind {
    /// The game's root is a super root and its sequence numbers are timestamps.
    pub const fn is_super(self) -> bool {
        matches!(self, Self::SuperFault | Self::SuperPermissioned)
    }

    /// Only the game's proposer and challenger may move.
    pub const fn is_permissioned(self) -> bool {
        matches!(self, Self::Permissioned | Self::SuperPermissioned)
    }
}

/// The code a game runs: its contract and its line of rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GameFamily {
    /// The contract.
    pub kind: GameKind,
    /// The line whose rules apply.
    pub line: Line,
}

impl GameFamily {
    /// `FaultDisputeGame` 1.2 (npm `@eth-optimism/contracts-bedrock@0.17.3`).
    pub const FAULT_V1_2: Self = Self { kind: GameKind::Fault, line: Line::V1_2 };
}

impl std::fmt::Display for GameFamily {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            GameKind::Fault => write!(f, "FaultDisputeGame {}", self.line),
            GameKind::Permissioned => write!(f, "PermissionedDisputeGame {}", self.line),
            GameKind::SuperFault => f.write_str("SuperFaultDisputeGame 0.7"),
            GameKind::SuperPermissioned => f.write_str("SuperPermissionedDisputeGame 0.7"),
        }
    }
}

/// A permissioned game's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Roles {
    /// `proposer()`: created the game; may defend it.
    pub proposer: Address,
    /// `challenger()`: may challenge it.
    pub challenger: Address,
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
    /// `l2BlockNumber()`; for super-root games `l2SequenceNumber()`, the proposal's L2 timestamp.
    pub l2_block_number: u64,
    /// `startingBlockNumber()`; for super-root games `startingSequenceNumber()`, a timestamp.
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
    /// `vm().oracle().challengePeriod()` where the line's clocks use it (1.3+), else 0.
    pub oracle_challenge_period: u64,
    /// A permissioned game's roles.
    pub roles: Option<Roles>,
    /// A super-root game's proposal: its `extraData`, checked to hash to the root claim.
    pub super_root: Option<riposte_solver::trace::super_root::SuperRoot>,
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

    /// `claimCredit(recipient)`: the withdrawal (the only call in 1.2/1.3 games, the second in
    /// 1.4+).
    fn claim_credit(&self, recipient: Address) -> TxCall;

    /// The first `claimCredit(recipient)` of a 1.4+ game, which closes the game if needed and
    /// unlocks the credit in DelayedWETH; `None` for lines without it. Keyed apart from the
    /// withdrawal so each is sent once.
    fn unlock_credit(&self, recipient: Address) -> Option<TxCall>;

    /// `closeGame()` of a 1.4+ game; `None` for lines without it.
    fn close_game(&self) -> Option<TxCall>;

    /// `l2BlockNumberChallenged()`: the root was shown to claim the wrong L2 block.
    fn l2_block_challenged(&self) -> BoxFuture<'_, Result<bool, ContractError>>;

    /// `challengeRootL2Block(proof, headerRLP)`: the root's output root is `proof`'s, of the
    /// block whose header is `header_rlp`, whose number is not the claimed one. Sent once per game.
    fn challenge_root_l2_block(
        &self,
        proof: &riposte_game::OutputRootProof,
        header_rlp: alloy_primitives::Bytes,
    ) -> TxCall;

    /// `bondDistributionMode()`, or [`BondMode::Legacy`].
    fn bond_mode(&self) -> BoxFuture<'_, Result<BondMode, ContractError>>;

    /// `who`'s credit in both modes, whether it is unlocked, and since when (DelayedWETH's
    /// `withdrawals(game, who)`).
    fn credit_state(&self, who: Address) -> BoxFuture<'_, Result<CreditState, ContractError>>;

    /// What `closeGame()` depends on: resolution, the registry's finality delay and pause.
    /// Lines without `closeGame` report a zero delay and no pause.
    fn closing(&self) -> BoxFuture<'_, Result<Closing, ContractError>>;

    /// What the registry says of the game's propriety (which mode closing it would choose).
    /// Lines without modes report a proper game.
    fn standing(&self) -> BoxFuture<'_, Result<Standing, ContractError>>;
}

/// The event topics that mean a game of any family riposte plays changed (a move, a
/// resolution, a close): one `eth_getLogs` filtered by them tells which games to look at.
pub fn change_topics() -> Vec<B256> {
    fault::change_topics()
}

/// Whether a probe of a getter says the function does not exist (a revert without data, as a
/// contract without the selector and without a fallback answers).
async fn answers<C: SolCall>(eth: &dyn EthCall, game: Address, c: C) -> Result<bool, ContractError> {
    match crate::call_if_present(eth, game, c).await {
        Ok(found) => Ok(found.is_some()),
        // It answered, with something else than the binding expects: the function is there.
        Err(ContractError::Decode { .. }) => Ok(true),
        Err(e) => Err(e),
    }
}

/// The family of the game at `game`: its `version()` must name a line riposte plays, and the
/// getters that tell the lines apart must answer as that line's do.
pub async fn detect(eth: &dyn EthCall, game: Address) -> Result<GameFamily, ContractError> {
    let version = call(eth, game, fault::FaultDisputeGame::versionCall {}).await?;
    if answers(eth, game, fault::Super::startingSequenceNumberCall {}).await? {
        return match Line::of_super_version(&version) {
            Some(line) => {
                let permissioned = answers(eth, game, fault::Permissioned::proposerCall {}).await?;
                let kind = if permissioned { GameKind::SuperPermissioned } else { GameKind::SuperFault };
                Ok(GameFamily { kind, line })
            }
            None => Err(ContractError::Unsupported {
                game,
                reason: format!(
                    "super-root game version {version:?} is not supported (riposte reads SuperFaultDisputeGame and \
                     SuperPermissionedDisputeGame 0.7.x; the simplified SuperPermissionedDisputeGame 1.x has \
                     nothing to play)"
                ),
            }),
        };
    }
    let Some(line) = Line::of_version(&version) else {
        return Err(ContractError::Unsupported {
            game,
            reason: format!(
                "FaultDisputeGame version {version:?} is not supported (riposte plays 1.2.x to 2.x; older games \
                 have another move and resolution interface)"
            ),
        });
    };
    let has_modes = answers(eth, game, fault::Later::bondDistributionModeCall {}).await?;
    if has_modes != line.has_two_phase_bonds() {
        let (has, lacks) = if has_modes { ("answers", "does not have") } else { ("does not answer", "has") };
        return Err(ContractError::Unsupported {
            game,
            reason: format!(
                "reports version {version:?} but {has} bondDistributionMode(), which FaultDisputeGame {line} {lacks}"
            ),
        });
    }
    if !line.has_two_phase_bonds() && answers(eth, game, fault::Later::l2SequenceNumberCall {}).await? {
        return Err(ContractError::Unsupported {
            game,
            reason: format!(
                "reports version {version:?} but answers l2SequenceNumber(), which FaultDisputeGame {line} does not have"
            ),
        });
    }
    let kind = if answers(eth, game, fault::Permissioned::proposerCall {}).await? {
        GameKind::Permissioned
    } else {
        GameKind::Fault
    };
    Ok(GameFamily { kind, line })
}

/// The game at `game` as `family`.
pub fn open(family: GameFamily, eth: Arc<dyn EthCall>, game: Address) -> Arc<dyn DisputeGame> {
    Arc::new(fault::Game::new(eth, game, family))
}

/// Detects the game's family, then opens it.
pub async fn detect_and_open(eth: Arc<dyn EthCall>, game: Address) -> Result<Arc<dyn DisputeGame>, ContractError> {
    let family = detect(eth.as_ref(), game).await?;
    Ok(open(family, eth, game))
}

/// The game read through the getters every `FaultDisputeGame` version keeps with the same
/// selectors, whatever its version: to look at a game (list it, draw its tree), never to act.
pub fn open_for_reading(eth: Arc<dyn EthCall>, game: Address) -> Arc<dyn DisputeGame> {
    Arc::new(fault::Game::new(eth, game, GameFamily::FAULT_V1_2))
}

#[cfg(test)]
mod tests;
