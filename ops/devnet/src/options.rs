//! What the devnet deploys and how: every parameter with its default.

use std::path::PathBuf;
use std::time::Duration;

use alloy::primitives::{B256, U256, b256};
use riposte_game::{ClockParams, GameDepth};
use serde::Serialize;

use crate::Result;

/// Game type of the alphabet game (op-challenger's `alphabet`, our `AlphabetVM`).
pub const ALPHABET_GAME_TYPE: u32 = 255;
/// Game type of the Cannon game (`MIPS`).
pub const CANNON_GAME_TYPE: u32 = 0;
/// Game type of the permissioned alphabet game a 2.x stack also deploys
/// (`PermissionedDisputeGame`; proposer dev account 1, challenger dev account 2).
pub const PERMISSIONED_GAME_TYPE: u32 = 1;
/// Game type of the super-root alphabet game a 2.x stack deploys when its release has
/// `SuperFaultDisputeGame` (type 9 on live chains: `SUPER_CANNON_KONA`).
pub const SUPER_GAME_TYPE: u32 = 9;
/// `SUPER_PERMISSIONED`: the super-root permissioned game (2.x releases that have it).
pub const SUPER_PERMISSIONED_GAME_TYPE: u32 = 5;

/// The immutables of one `FaultDisputeGame` implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GameParams {
    /// `maxGameDepth`.
    pub max_depth: u8,
    /// `splitDepth`.
    pub split_depth: u8,
    /// `clockExtension`, seconds.
    pub clock_extension: u64,
    /// `maxClockDuration`, seconds.
    pub max_clock_duration: u64,
}

impl GameParams {
    /// The depths as the rules crate checks them.
    pub fn depth(&self) -> Result<GameDepth> {
        Ok(GameDepth::new(self.max_depth, self.split_depth)?)
    }

    /// The clock parameters as the rules crate checks them.
    pub fn clocks(&self) -> Result<ClockParams> {
        Ok(ClockParams::new(self.max_clock_duration, self.clock_extension)?)
    }
}

/// Everything [`crate::Devnet::start`] can be told. `Default` gives the devnet the tests use.
#[derive(Debug, Clone)]
pub struct DevnetOptions {
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L2 chain id (also the games' `l2ChainId`).
    pub l2_chain_id: u64,
    /// L1 anvil port; `None` picks a free one.
    pub l1_port: Option<u16>,
    /// L2 anvil port; `None` picks a free one.
    pub l2_port: Option<u16>,
    /// L2 blocks mined before deploying (output roots exist for blocks `0..=l2_blocks`), block
    /// `n` at the L2 genesis time plus `n · l2_block_time`, as a rollup's blocks are.
    pub l2_blocks: u64,
    /// Seconds between L2 blocks.
    pub l2_block_time: u64,
    /// The L2 block whose real output root is the starting anchor of both game types
    /// (≥ 1: anvil's genesis header has no real state root).
    pub anchor_block: u64,
    /// The alphabet game (type 255).
    pub alphabet: GameParams,
    /// The Cannon game (type 0).
    pub cannon: GameParams,
    /// The super-root game (type 9, 2.x releases with `SuperFaultDisputeGame`): deeper than the
    /// alphabet game so its top half spans several seconds (128 leaves per second).
    pub super_game: GameParams,
    /// The super-root games' starting anchor root in their own registry; `None` is the honest
    /// super root of the anchor block's timestamp (another value tests a mismatched start).
    pub super_anchor_root: Option<B256>,
    /// `absolutePrestate` of the Cannon game.
    pub cannon_absolute_prestate: B256,
    /// `DelayedWETH` withdrawal delay, seconds.
    pub weth_delay: u64,
    /// `DisputeGameFactory.initBonds` of both game types, wei.
    pub init_bond: U256,
    /// `PreimageOracle` `minProposalSize`.
    pub oracle_min_proposal_size: u64,
    /// `PreimageOracle` `challengePeriod`, seconds.
    pub oracle_challenge_period: u64,
    /// `AnchorStateRegistry` 3.x `disputeGameFinalityDelaySeconds` (2.x stacks only).
    pub finality_delay: u64,
    /// Put our `Batcher` (Multicall3's `aggregate3`) at Multicall3's address, as chains with
    /// Multicall3 have it; off, L1 has no batcher and riposte resolves claim by claim.
    pub multicall: bool,
    /// How long an anvil may take to answer.
    pub ready_timeout: Duration,
    /// The L2 is the Rust rollup (chain 901, every block derived from L1 batches, forks through
    /// Karst) instead of `anvil --optimism`.
    pub rollup: bool,
    /// Where ops/devnet is; `None` means [`crate::devnet_dir`] (`$RIPOSTE_DEVNET_DIR` or this crate).
    pub devnet_dir: Option<PathBuf>,
}

impl Default for DevnetOptions {
    fn default() -> Self {
        Self {
            l1_chain_id: 900,
            l2_chain_id: 901,
            l1_port: None,
            l2_port: None,
            l2_blocks: 64,
            l2_block_time: 2,
            anchor_block: 4,
            alphabet: GameParams { max_depth: 8, split_depth: 4, clock_extension: 30, max_clock_duration: 300 },
            cannon: GameParams { max_depth: 73, split_depth: 30, clock_extension: 30, max_clock_duration: 300 },
            super_game: GameParams { max_depth: 14, split_depth: 10, clock_extension: 30, max_clock_duration: 300 },
            super_anchor_root: None,
            cannon_absolute_prestate: b256!("0333333333333333333333333333333333333333333333333333333333333333"),
            weth_delay: 60,
            init_bond: U256::from(80_000_000_000_000_000u64),
            oracle_min_proposal_size: 126_000,
            oracle_challenge_period: 120,
            finality_delay: 10,
            multicall: false,
            ready_timeout: Duration::from_secs(10),
            rollup: false,
            devnet_dir: None,
        }
    }
}

impl DevnetOptions {
    /// The parameters of `game_type` (255 or 0; 1 on 2.x stacks).
    pub fn game(&self, game_type: u32) -> Option<GameParams> {
        match game_type {
            ALPHABET_GAME_TYPE | PERMISSIONED_GAME_TYPE => Some(self.alphabet),
            SUPER_GAME_TYPE => Some(self.super_game),
            CANNON_GAME_TYPE => Some(self.cannon),
            _ => None,
        }
    }
}
