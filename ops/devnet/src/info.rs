//! A serialisable description of a running devnet (what the `riposte-devnet` bin writes).

use std::collections::BTreeMap;

use alloy::primitives::{Address, B256, U256};
use serde::Serialize;

use crate::options::{ALPHABET_GAME_TYPE, CANNON_GAME_TYPE};
use crate::{Deployment, Devnet, Result, alphabet};
use riposte_contracts::asr::AnchorStateRegistry as IAnchorStateRegistry;
use riposte_contracts::dgf::DisputeGameFactory as IDisputeGameFactory;
use riposte_contracts::fdg::fault::FaultDisputeGame as IFaultDisputeGame;
use riposte_contracts::oracle::PreimageOracle as IPreimageOracle;
use riposte_contracts::proxy::SuperchainConfig as ISuperchainConfig;
use riposte_contracts::vm::Mips as IMips;
use riposte_contracts::weth::DelayedWETH as IDelayedWETH;

/// One chain's endpoint.
#[derive(Debug, Clone, Serialize)]
pub struct ChainInfo {
    /// HTTP JSON-RPC URL.
    pub rpc_url: String,
    /// Chain id.
    pub chain_id: u64,
}

/// One registered game type.
#[derive(Debug, Clone, Serialize)]
pub struct GameTypeInfo {
    /// The game type.
    pub game_type: u32,
    /// Its `FaultDisputeGame` implementation.
    pub implementation: Address,
    /// Its VM.
    pub vm: Address,
    /// `absolutePrestate`.
    pub absolute_prestate: B256,
    /// `maxGameDepth`.
    pub max_depth: u8,
    /// `splitDepth`.
    pub split_depth: u8,
    /// `clockExtension`, seconds.
    pub clock_extension: u64,
    /// `maxClockDuration`, seconds.
    pub max_clock_duration: u64,
    /// `initBonds(gameType)` in wei.
    pub init_bond: U256,
}

/// A dev account with its key.
#[derive(Debug, Clone, Serialize)]
pub struct AccountInfo {
    /// Address.
    pub address: Address,
    /// Private key.
    pub private_key: B256,
}

/// The Rust rollup L2, when the devnet runs it.
#[derive(Debug, Clone, Serialize)]
pub struct RollupInfo {
    /// Its `rollup.json` (`--rollup-config` for tools that need one).
    pub rollup_config: std::path::PathBuf,
    /// The batcher (dev account 8), the genesis system config's.
    pub batcher: Address,
    /// The L1 batch inbox.
    pub batch_inbox: Address,
    /// The L2 RPC, which also answers op-node's `optimism_` methods (`--rollup-rpc`).
    pub rollup_rpc_url: String,
}

/// Everything a client needs to use the devnet.
#[derive(Debug, Clone, Serialize)]
pub struct DevnetInfo {
    /// The L1 anvil.
    pub l1: ChainInfo,
    /// The L2: an anvil, or the Rust rollup's RPC.
    pub l2: ChainInfo,
    /// The Rust rollup, when the L2 is it.
    pub rollup: Option<RollupInfo>,
    /// Every L1 contract address.
    pub addresses: Deployment,
    /// `version()` of each contract, read on chain.
    pub versions: BTreeMap<String, String>,
    /// The registered game types.
    pub games: Vec<GameTypeInfo>,
    /// The starting anchor of both game types: output root and L2 block.
    pub anchor_root: B256,
    /// The anchor's L2 block.
    pub anchor_l2_block: u64,
    /// `DelayedWETH.delay()`, seconds.
    pub weth_delay: u64,
    /// The funded dev accounts (account 0 owns every contract).
    pub accounts: Vec<AccountInfo>,
    /// Seconds spent starting and deploying.
    pub startup_seconds: f64,
}

impl Devnet {
    /// Describes the devnet, reading versions and game parameters on chain.
    pub async fn info(&self) -> Result<DevnetInfo> {
        let d = self.deployment();
        let l1 = self.l1();
        let mut versions = BTreeMap::new();
        versions.insert(
            "SuperchainConfig".into(),
            l1.call("SuperchainConfig", d.superchain_config, &ISuperchainConfig::versionCall {}).await?,
        );
        versions
            .insert("DelayedWETH".into(), l1.call("DelayedWETH", d.delayed_weth, &IDelayedWETH::versionCall {}).await?);
        versions.insert(
            "DisputeGameFactory".into(),
            l1.call("DisputeGameFactory", d.dispute_game_factory, &IDisputeGameFactory::versionCall {}).await?,
        );
        versions.insert(
            "AnchorStateRegistry".into(),
            l1.call("AnchorStateRegistry", d.anchor_state_registry, &IAnchorStateRegistry::versionCall {}).await?,
        );
        versions.insert(
            "PreimageOracle".into(),
            l1.call("PreimageOracle", d.preimage_oracle, &IPreimageOracle::versionCall {}).await?,
        );
        versions.insert("MIPS".into(), l1.call("MIPS", d.mips, &IMips::versionCall {}).await?);
        versions.insert(
            "FaultDisputeGame".into(),
            l1.call("FaultDisputeGame", d.alphabet_game_impl, &IFaultDisputeGame::versionCall {}).await?,
        );

        let o = self.options();
        let mut games = Vec::new();
        for (game_type, implementation, vm, absolute_prestate, p) in [
            (ALPHABET_GAME_TYPE, d.alphabet_game_impl, d.alphabet_vm, alphabet::absolute_prestate(), o.alphabet),
            (CANNON_GAME_TYPE, d.cannon_game_impl, d.mips, o.cannon_absolute_prestate, o.cannon),
        ] {
            let call = IDisputeGameFactory::initBondsCall { gameType: game_type };
            let init_bond = l1.call("DisputeGameFactory", d.dispute_game_factory, &call).await?;
            games.push(GameTypeInfo {
                game_type,
                implementation,
                vm,
                absolute_prestate,
                max_depth: p.max_depth,
                split_depth: p.split_depth,
                clock_extension: p.clock_extension,
                max_clock_duration: p.max_clock_duration,
                init_bond,
            });
        }
        let (anchor_root, anchor_l2_block) = self.anchor();
        Ok(DevnetInfo {
            l1: ChainInfo { rpc_url: self.l1_url().to_string(), chain_id: l1.chain_id() },
            l2: ChainInfo { rpc_url: self.l2_url().to_string(), chain_id: self.l2().chain_id() },
            rollup: self.rollup_config().map(|(path, batcher)| RollupInfo {
                rollup_config: path.to_owned(),
                batcher,
                batch_inbox: riposte_rollup::genesis::BATCH_INBOX,
                rollup_rpc_url: self.l2_url().to_string(),
            }),
            addresses: *d,
            versions,
            games,
            anchor_root,
            anchor_l2_block,
            weth_delay: self.options().weth_delay,
            accounts: self
                .accounts()
                .iter()
                .map(|a| AccountInfo { address: a.address, private_key: a.private_key })
                .collect(),
            startup_seconds: self.startup_time().as_secs_f64(),
        })
    }
}
