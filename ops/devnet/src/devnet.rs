//! The devnet: an L1 and an L2 anvil, the L1 contracts, and the helpers tests need.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::primitives::{Address, B256, Bytes, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolValue;
use alloy::transports::http::reqwest::Url;
use riposte_game::OutputRootProof;

use crate::anvil::Anvil;
use crate::artifacts::{Artifacts, Paths, devnet_dir};
use crate::chain::{Chain, TxOutcome};
use crate::deploy::{Anchors, Deployment, deploy};
use crate::game::FaultGame;
use crate::options::DevnetOptions;
use crate::output::output_root_of;
use crate::rollup::{L2Times, RollupNode};
use crate::{DevnetError, Result};
use riposte_contracts::asr::{AnchorStateRegistry as IAnchorStateRegistry, AnchorStateRegistry3 as IAsr3};
use riposte_contracts::dgf::DisputeGameFactory as IDisputeGameFactory;
use riposte_contracts::proxy::SuperchainConfig2 as ISuperchainConfig2;
use riposte_contracts::weth::DelayedWETH as IDelayedWETH;

/// The private keys of anvil's default accounts (mnemonic `test test … junk`); public knowledge.
const DEV_KEYS: [&str; 10] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
    "8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
    "92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
    "4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
    "dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
    "2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

/// One funded dev account (10 000 ETH on both chains).
#[derive(Debug, Clone)]
pub struct DevAccount {
    /// Its address.
    pub address: Address,
    /// Its private key.
    pub private_key: B256,
}

/// A running devnet. Both anvils die when it is dropped, or when this process dies.
#[derive(Debug)]
pub struct Devnet {
    l1: Chain,
    l2: Chain,
    l1_url: Url,
    l2_url: Url,
    accounts: Vec<DevAccount>,
    deployment: Deployment,
    options: DevnetOptions,
    anchor_root: B256,
    times: L2Times,
    super_anchor: (B256, u64),
    rollup: RollupNode,
    startup: Duration,
    l1_anvil: Anvil,
    l2_anvil: Option<Anvil>,
    rollup_l2: Option<crate::l2::RollupL2>,
    // Dropped last: holds the anvil logs.
    _logs: tempfile::TempDir,
}

fn dev_accounts() -> Result<(Vec<DevAccount>, HashMap<Address, PrivateKeySigner>)> {
    let mut accounts = Vec::new();
    let mut signers = HashMap::new();
    for key in DEV_KEYS {
        let private_key: B256 =
            key.parse().map_err(|e| DevnetError::Decode { what: "dev key".into(), reason: format!("{key}: {e}") })?;
        let signer = PrivateKeySigner::from_bytes(&private_key)
            .map_err(|e| DevnetError::Decode { what: "dev key".into(), reason: e.to_string() })?;
        accounts.push(DevAccount { address: signer.address(), private_key });
        signers.insert(signer.address(), signer);
    }
    Ok((accounts, signers))
}

impl Devnet {
    /// Starts both anvils, mines `l2_blocks` on L2, deploys the contracts on L1 with the
    /// anchors at the real output root of `anchor_block`.
    pub async fn start(options: DevnetOptions) -> Result<Self> {
        let started = Instant::now();
        if options.anchor_block == 0 {
            // anvil's genesis header carries the empty-trie state root whatever its accounts,
            // so no account proof of block 0 verifies.
            return Err(DevnetError::Options(
                "anchor block 0: anvil's genesis header has no real state root, use a block ≥ 1".into(),
            ));
        }
        if options.anchor_block > options.l2_blocks {
            return Err(DevnetError::Options(format!(
                "anchor block {} is above the {} L2 blocks mined",
                options.anchor_block, options.l2_blocks
            )));
        }
        let dir = options.devnet_dir.clone().unwrap_or_else(devnet_dir);
        let paths = Paths::locate(&dir)?;
        let logs = tempfile::Builder::new()
            .prefix("riposte-devnet-")
            .tempdir()
            .map_err(|source| DevnetError::Io { what: "creating a temp dir for anvil logs".into(), source })?;

        let mut l1_args = vec!["--chain-id".to_owned(), options.l1_chain_id.to_string()];
        if options.l2_block_time == 0 {
            return Err(DevnetError::Options("l2_block_time 0: L2 blocks need distinct timestamps".into()));
        }
        // L2 block n at genesis + n · block time, the last one a few seconds ago.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| DevnetError::Options(format!("the system clock is before 1970: {e}")))?
            .as_secs();
        let genesis_time = now.saturating_sub(options.l2_blocks * options.l2_block_time + 10);
        let times = L2Times { chain_id: options.l2_chain_id, genesis_time, block_time: options.l2_block_time };
        let l2_args = vec![
            "--chain-id".to_owned(),
            options.l2_chain_id.to_string(),
            "--optimism".to_owned(),
            "--timestamp".to_owned(),
            genesis_time.to_string(),
        ];
        if options.rollup {
            if options.l2_chain_id != riposte_rollup::genesis::CHAIN_ID {
                return Err(DevnetError::Options(format!(
                    "the rollup L2 is chain {}, not {}",
                    riposte_rollup::genesis::CHAIN_ID,
                    options.l2_chain_id
                )));
            }
            // L1 block 0 is the rollup's genesis origin, at the L2 genesis time: L1's clock runs
            // that far behind, and the sequencer catches up to now on it.
            l1_args.extend(["--timestamp".to_owned(), genesis_time.to_string()]);
        }
        let mut l1_anvil =
            Anvil::spawn("L1 anvil", &paths.anvil, options.l1_port.unwrap_or(0), &l1_args, logs.path().join("l1.log"))?;
        let mut l2_anvil = match options.rollup {
            true => None,
            false => Some(Anvil::spawn(
                "L2 anvil",
                &paths.anvil,
                options.l2_port.unwrap_or(0),
                &l2_args,
                logs.path().join("l2.log"),
            )?),
        };

        // Parse the artifacts while the anvils boot.
        let loader = tokio::task::spawn_blocking(move || Artifacts::load(&paths));
        let timeout = options.ready_timeout;
        let l2_ready = async {
            match l2_anvil.as_mut() {
                Some(a) => a.wait_ready(options.l2_chain_id, timeout).await.map(Some),
                None => Ok(None),
            }
        };
        let (l1_ready, l2_ready) = tokio::join!(l1_anvil.wait_ready(options.l1_chain_id, timeout), l2_ready);
        let ((l1_url, l1_provider), l2_ready) = (l1_ready?, l2_ready?);
        let arts = loader.await.map_err(|e| DevnetError::Task(format!("the artifact loader task failed: {e}")))??;

        let (accounts, signers) = dev_accounts()?;
        let (rollup_l2, (l2_url, l2_provider)) = match l2_ready {
            Some(ready) => (None, ready),
            None => {
                let r = crate::l2::start(
                    &l1_provider,
                    &l1_url,
                    &dir,
                    logs.path(),
                    &accounts,
                    options.l2_block_time,
                    options.l2_blocks,
                    options.anchor_block,
                    options.l2_port.unwrap_or(0),
                    timeout.max(Duration::from_secs(30)),
                )
                .await?;
                let ready = (r.url.clone(), r.provider.clone());
                (Some(r), ready)
            }
        };
        let signers = Arc::new(signers);
        let l1 = Chain::new("L1", options.l1_chain_id, l1_provider, signers.clone());
        let l2 = Chain::new("L2", options.l2_chain_id, l2_provider, signers);

        if rollup_l2.is_none() {
            for n in 1..=options.l2_blocks {
                let _: serde_json::Value = l2.rpc("evm_mine", (U256::from(times.time_of(n)),)).await?;
            }
        }
        let (anchor_root, _) = output_root_of(&l2, options.anchor_block).await?;
        let anchor_time = times.time_of(options.anchor_block);
        let super_anchor_root = options.super_anchor_root.unwrap_or_else(|| {
            riposte_solver::trace::super_root::SuperRoot::single(anchor_time, options.l2_chain_id, anchor_root).hash()
        });
        let super_anchor = (super_anchor_root, anchor_time);
        let owner = accounts[0].address;
        let roles = (accounts[1].address, accounts[2].address);
        let anchors = Anchors { output: (anchor_root, options.anchor_block), super_root: super_anchor };
        let deployment = deploy(&l1, &arts, &options, owner, roles, anchors).await?;
        let rollup = RollupNode::start(times, l1.clone(), l2.clone(), options.l2_blocks).await?;
        if options.multicall {
            install_batcher(&l1, &arts, owner).await?;
        }
        if deployment.stack == crate::Stack::V2 {
            // ASR 3.x's initialize sets the retirement time to that block's timestamp: a game
            // created in the same second would be retired (closed into refund mode).
            let _: serde_json::Value = l1.rpc("evm_increaseTime", (U256::from(1),)).await?;
            let _: serde_json::Value = l1.rpc("evm_mine", ()).await?;
        }

        Ok(Self {
            l1,
            l2,
            l1_url,
            l2_url,
            accounts,
            deployment,
            options,
            anchor_root,
            times,
            super_anchor,
            rollup,
            startup: started.elapsed(),
            l1_anvil,
            l2_anvil,
            rollup_l2,
            _logs: logs,
        })
    }

    /// How long [`Devnet::start`] took (spawn, readiness, L2 blocks, deployment).
    pub fn startup_time(&self) -> Duration {
        self.startup
    }

    /// The L1 client.
    pub fn l1(&self) -> &Chain {
        &self.l1
    }

    /// The L2 client.
    pub fn l2(&self) -> &Chain {
        &self.l2
    }

    /// The L1 RPC URL.
    pub fn l1_url(&self) -> &Url {
        &self.l1_url
    }

    /// The L2 RPC URL.
    pub fn l2_url(&self) -> &Url {
        &self.l2_url
    }

    /// Process ids of the L1 and L2 anvils (no L2 anvil with the rollup).
    pub fn anvil_pids(&self) -> (u32, Option<u32>) {
        (self.l1_anvil.pid(), self.l2_anvil.as_ref().map(Anvil::pid))
    }

    /// Ports of the L1 and L2 anvils (no L2 anvil with the rollup).
    pub fn anvil_ports(&self) -> (u16, Option<u16>) {
        (self.l1_anvil.port(), self.l2_anvil.as_ref().map(Anvil::port))
    }

    /// The Rust rollup node, when the devnet's L2 is the rollup.
    pub fn rollup_l2(&self) -> Option<&riposte_rollup::node::RollupNode> {
        self.rollup_l2.as_ref().map(|r| &r.node)
    }

    /// The rollup's `rollup.json` and its batcher, when the L2 is the rollup.
    pub fn rollup_config(&self) -> Option<(&std::path::Path, Address)> {
        self.rollup_l2.as_ref().map(|r| (r.rollup_config.as_path(), r.batcher))
    }

    /// The ten funded dev accounts; account 0 deployed and owns everything.
    pub fn accounts(&self) -> &[DevAccount] {
        &self.accounts
    }

    /// Address of dev account `i`. By convention 0 deploys, owns and resolves, 1 proposes,
    /// 2 challenges. Panics if `i >= 10`.
    pub fn account(&self, i: usize) -> Address {
        self.accounts[i].address
    }

    /// What was deployed where.
    pub fn deployment(&self) -> &Deployment {
        &self.deployment
    }

    /// The options the devnet was started with.
    pub fn options(&self) -> &DevnetOptions {
        &self.options
    }

    /// The starting anchor of both game types: the output root of `anchor_block`.
    pub fn anchor(&self) -> (B256, u64) {
        (self.anchor_root, self.options.anchor_block)
    }

    /// When the L2 blocks are: block `n` at `genesis_time + n · block_time`.
    pub fn l2_times(&self) -> L2Times {
        self.times
    }

    /// The super-root games' starting anchor: (super root, timestamp of the anchor block).
    pub fn super_anchor(&self) -> (B256, u64) {
        self.super_anchor
    }

    /// The stand-in rollup node super-root games are judged with (see [`RollupNode`]).
    pub fn rollup(&self) -> &RollupNode {
        &self.rollup
    }

    /// The honest one-chain super root at L2 timestamp `t`: the output root of the last L2
    /// block at or before `t`.
    pub async fn super_root_at(&self, t: u64) -> Result<riposte_solver::trace::super_root::SuperRoot> {
        let block = self
            .times
            .block_at(t)
            .ok_or_else(|| DevnetError::Options(format!("L2 timestamp {t} is before the L2 genesis")))?;
        let (root, _) = self.output_root(block).await?;
        Ok(riposte_solver::trace::super_root::SuperRoot::single(t, self.options.l2_chain_id, root))
    }

    /// Moves L1 time forward by `secs` and mines a block; returns its timestamp.
    pub async fn increase_time(&self, secs: u64) -> Result<u64> {
        let _: serde_json::Value = self.l1.rpc("evm_increaseTime", (U256::from(secs),)).await?;
        self.mine().await
    }

    /// Makes the next L1 block carry `timestamp` (it must be above the latest one).
    pub async fn set_next_block_timestamp(&self, timestamp: u64) -> Result<()> {
        let _: serde_json::Value = self.l1.rpc("evm_setNextBlockTimestamp", (U256::from(timestamp),)).await?;
        Ok(())
    }

    /// Mines an empty L1 block; returns its timestamp.
    pub async fn mine(&self) -> Result<u64> {
        let _: serde_json::Value = self.l1.rpc("evm_mine", ()).await?;
        Ok(self.l1.latest().await?.1)
    }

    /// Mines an empty L1 block at `timestamp`; returns its number.
    pub async fn mine_at(&self, timestamp: u64) -> Result<u64> {
        self.set_next_block_timestamp(timestamp).await?;
        let _: serde_json::Value = self.l1.rpc("evm_mine", ()).await?;
        Ok(self.l1.latest().await?.0)
    }

    /// The version-0 output root of L2 block `block` and its preimage, from the block header
    /// and the message passer's account proof, verified against the block's state root.
    pub async fn output_root(&self, block: u64) -> Result<(B256, OutputRootProof)> {
        output_root_of(&self.l2, block).await
    }

    /// Creates a game from the proposer (dev account 1), paying `initBonds(game_type)`;
    /// `extraData` is `abi.encode(l2_block)`. Returns the game.
    pub async fn create_game(&self, game_type: u32, root: B256, l2_block: u64) -> Result<FaultGame<'_>> {
        self.create_game_as(self.account(1), game_type, root, U256::from(l2_block).abi_encode().into()).await
    }

    /// Creates a game from `from` with raw `extra_data`.
    pub async fn create_game_as(
        &self,
        from: Address,
        game_type: u32,
        root: B256,
        extra_data: Bytes,
    ) -> Result<FaultGame<'_>> {
        let factory = self.deployment.dispute_game_factory;
        let bond = self
            .l1
            .call("DisputeGameFactory", factory, &IDisputeGameFactory::initBondsCall { gameType: game_type })
            .await?;
        let create =
            IDisputeGameFactory::createCall { _gameType: game_type, _rootClaim: root, _extraData: extra_data.clone() };
        self.l1.send("DisputeGameFactory", from, factory, &create, bond).await?;
        let games = IDisputeGameFactory::gamesCall { _gameType: game_type, _rootClaim: root, _extraData: extra_data };
        let game = self.l1.call("DisputeGameFactory", factory, &games).await?;
        FaultGame::load(self, game.proxy_).await
    }

    /// Creates a super-root game (type 9, 2.x releases with `SuperFaultDisputeGame`) from the
    /// proposer: `extraData` is the super root's preimage, the root claim its hash.
    pub async fn create_super_game(&self, root: &riposte_solver::trace::super_root::SuperRoot) -> Result<Address> {
        if self.deployment.super_game_impl == Address::ZERO {
            return Err(DevnetError::Options(
                "super-root games need a 2.x release with SuperFaultDisputeGame in RIPOSTE_OP_ARTIFACTS".into(),
            ));
        }
        self.create_super_game_of(crate::SUPER_GAME_TYPE, root).await
    }

    /// Creates a super-root game of `game_type` (9, or 5 where the release has
    /// `SuperPermissionedDisputeGame`) from the proposer (dev account 1).
    pub async fn create_super_game_of(
        &self,
        game_type: u32,
        root: &riposte_solver::trace::super_root::SuperRoot,
    ) -> Result<Address> {
        let factory = self.deployment.dispute_game_factory;
        let (claim, extra) = (root.hash(), Bytes::from(root.encode()));
        let bond = self
            .l1
            .call("DisputeGameFactory", factory, &IDisputeGameFactory::initBondsCall { gameType: game_type })
            .await?;
        let create =
            IDisputeGameFactory::createCall { _gameType: game_type, _rootClaim: claim, _extraData: extra.clone() };
        self.l1.send("DisputeGameFactory", self.account(1), factory, &create, bond).await?;
        let games = IDisputeGameFactory::gamesCall { _gameType: game_type, _rootClaim: claim, _extraData: extra };
        Ok(self.l1.call("DisputeGameFactory", factory, &games).await?.proxy_)
    }

    /// `AnchorStateRegistry.setRespectedGameType` on the super-root registry, from the guardian.
    pub async fn set_super_respected_game_type(&self, game_type: u32) -> Result<TxOutcome> {
        self.require_v2("setting the respected game type")?;
        let call = IAsr3::setRespectedGameTypeCall { _gameType: game_type };
        let asr = self.deployment.super_anchor_registry;
        self.l1.send("AnchorStateRegistry", self.account(0), asr, &call, U256::ZERO).await
    }

    /// A handle on an existing game.
    pub async fn game(&self, address: Address) -> Result<FaultGame<'_>> {
        FaultGame::load(self, address).await
    }

    /// `AnchorStateRegistry.anchors(game_type)`: (root, L2 block).
    pub async fn anchor_of(&self, game_type: u32) -> Result<(B256, u64)> {
        let asr = self.deployment.anchor_state_registry;
        let a = self
            .l1
            .call("AnchorStateRegistry", asr, &IAnchorStateRegistry::anchorsCall { gameType: game_type })
            .await?;
        Ok((a.root, u64::try_from(a.l2BlockNumber).unwrap_or(u64::MAX)))
    }

    /// `DelayedWETH.withdrawals(game, who)`: (amount, unlock timestamp).
    pub async fn weth_withdrawal(&self, game: Address, who: Address) -> Result<(U256, U256)> {
        let weth = self.deployment.delayed_weth;
        let w = self.l1.call("DelayedWETH", weth, &IDelayedWETH::withdrawalsCall { owner: game, guy: who }).await?;
        Ok((w.amount, w.timestamp))
    }

    /// The L1 balance of `who`.
    pub async fn balance(&self, who: Address) -> Result<U256> {
        self.l1.balance(who).await
    }

    fn require_v2(&self, what: &str) -> Result<()> {
        if self.deployment.stack == crate::Stack::V2 {
            Ok(())
        } else {
            Err(DevnetError::Options(format!("{what} needs a 2.x contracts release (RIPOSTE_OP_ARTIFACTS)")))
        }
    }

    /// `AnchorStateRegistry.blacklistDisputeGame(game)` from the guardian (2.x stacks): the
    /// game is improper and closes into refund mode.
    pub async fn blacklist(&self, game: Address) -> Result<TxOutcome> {
        self.require_v2("blacklisting a game")?;
        let call = IAsr3::blacklistDisputeGameCall { _disputeGame: game };
        self.l1
            .send("AnchorStateRegistry", self.account(0), self.deployment.anchor_state_registry, &call, U256::ZERO)
            .await
    }

    /// `AnchorStateRegistry.updateRetirementTimestamp()` from the guardian (2.x stacks): every
    /// game created so far is retired.
    pub async fn retire_games(&self) -> Result<TxOutcome> {
        self.require_v2("retiring games")?;
        let call = IAsr3::updateRetirementTimestampCall {};
        self.l1
            .send("AnchorStateRegistry", self.account(0), self.deployment.anchor_state_registry, &call, U256::ZERO)
            .await
    }

    /// `SuperchainConfig.pause(address(0))` (or `unpause`) from the guardian (2.x stacks): the
    /// registry and DelayedWETH follow the pause.
    pub async fn set_paused(&self, paused: bool) -> Result<TxOutcome> {
        self.require_v2("pausing the system")?;
        let (scc, guardian) = (self.deployment.superchain_config, self.account(0));
        if paused {
            let call = ISuperchainConfig2::pauseCall { _identifier: Address::ZERO };
            self.l1.send("SuperchainConfig", guardian, scc, &call, U256::ZERO).await
        } else {
            let call = ISuperchainConfig2::unpauseCall { _identifier: Address::ZERO };
            self.l1.send("SuperchainConfig", guardian, scc, &call, U256::ZERO).await
        }
    }

    /// Sends plain value on L1 (a smoke test of the signing path).
    pub async fn transfer(&self, from: Address, to: Address, value: U256) -> Result<TxOutcome> {
        self.l1
            .send_input(format!("transfer to {to}"), from, alloy::primitives::TxKind::Call(to), Bytes::new(), value)
            .await
    }
}

/// Deploys our `Batcher` and copies its code to Multicall3's address.
async fn install_batcher(l1: &Chain, arts: &Artifacts, owner: Address) -> Result<()> {
    let out = l1
        .send_input(
            "deploy Batcher".into(),
            owner,
            alloy::primitives::TxKind::Create,
            arts.batcher.bytecode.clone(),
            U256::ZERO,
        )
        .await?;
    let deployed = out
        .contract_address
        .ok_or_else(|| DevnetError::Decode { what: "deploy Batcher".into(), reason: "no contract address".into() })?;
    let code =
        l1.provider().get_code_at(deployed).await.map_err(|e| l1.rpc_error(format!("eth_getCode({deployed})"), e))?;
    let multicall = riposte_contracts::multicall::MULTICALL3;
    let _: serde_json::Value = l1.rpc("anvil_setCode", (multicall, code)).await?;
    Ok(())
}
