//! The L1 deployment, as proven step by step with cast. Every transaction is planned with its
//! nonce up front (addresses are `CREATE` addresses of the deployer) and sent back to back;
//! receipts are awaited at the end.
//!
//! - [`Stack::Bedrock`] (npm contracts-bedrock 0.17.3): proxies owned by the deployer and
//!   initialised through `upgradeToAndCall`, the oracle and VMs, two `FaultDisputeGame` 1.2
//!   implementations with their immutables, registered in the factory.
//! - [`Stack::V2`] (op-contracts v4+, e.g. v7.0.0): as a real chain has it, proxies owned by a
//!   `ProxyAdmin` and initialised through `ProxyAdmin.upgradeAndCall`, a `SystemConfig` (whose
//!   pause the registry and DelayedWETH follow), ASR 3.x with its finality delay and one anchor,
//!   `MIPS64`, and `FaultDisputeGame` / `PermissionedDisputeGame` 2.x implementations whose
//!   components are the factory's per-type `gameArgs`.

use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::sol_types::{SolCall, SolValue};
use serde::Serialize;

use crate::artifacts::{Artifact, Artifacts, Stack, V2Artifacts};
use crate::chain::{Chain, PlannedTx};
use crate::options::{
    ALPHABET_GAME_TYPE, CANNON_GAME_TYPE, DevnetOptions, GameParams, PERMISSIONED_GAME_TYPE, SUPER_GAME_TYPE,
    SUPER_PERMISSIONED_GAME_TYPE,
};
use crate::{DevnetError, Result, alphabet};
use riposte_contracts::asr::AnchorStateRegistry as IAnchorStateRegistry;
use riposte_contracts::asr::OutputRoot;
use riposte_contracts::asr::StartingAnchorRoot;
use riposte_contracts::asr::{AnchorStateRegistry3 as IAsr3, Proposal};
use riposte_contracts::dgf::DisputeGameFactory as IDisputeGameFactory;
use riposte_contracts::dgf::{DisputeGameFactoryArgs as IDisputeGameFactoryArgs, GameArgs};
use riposte_contracts::proxy::Proxy as IProxy;
use riposte_contracts::proxy::SuperchainConfig as ISuperchainConfig;
use riposte_contracts::proxy::{
    ProxyAdmin as IProxyAdmin, ResourceConfig, SuperchainConfig2 as ISuperchainConfig2, SystemAddresses,
    SystemConfig as ISystemConfig,
};
use riposte_contracts::weth::{DelayedWETH as IDelayedWETH, DelayedWETH15 as IDelayedWETH15};

/// Addresses of everything deployed on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deployment {
    /// How the release was deployed.
    pub stack: Stack,
    /// `ProxyAdmin` (2.x stacks; zero otherwise).
    pub proxy_admin: Address,
    /// `SystemConfig` proxy (2.x stacks; zero otherwise).
    pub system_config: Address,
    /// `PermissionedDisputeGame` implementation of type 1 (2.x stacks; zero otherwise).
    pub permissioned_game_impl: Address,
    /// The permissioned game's proposer and challenger (dev accounts 1 and 2; zero otherwise).
    pub permissioned_roles: (Address, Address),
    /// `SuperFaultDisputeGame` implementation of type 9 (2.x releases that have it; zero otherwise).
    pub super_game_impl: Address,
    /// The `AnchorStateRegistry` proxy of the super-root games (zero without type 9).
    pub super_anchor_registry: Address,
    /// `SuperPermissionedDisputeGame` implementation of type 5 (0.7 or the simplified 1.0;
    /// zero where the release has none).
    pub super_permissioned_game_impl: Address,
    /// Deployer, proxy admin, owner of every contract and guardian (dev account 0).
    pub owner: Address,
    /// `SuperchainConfig` proxy (not paused).
    pub superchain_config: Address,
    /// `SuperchainConfig` implementation.
    pub superchain_config_impl: Address,
    /// `DelayedWETH` proxy.
    pub delayed_weth: Address,
    /// `DelayedWETH` implementation.
    pub delayed_weth_impl: Address,
    /// `DisputeGameFactory` proxy.
    pub dispute_game_factory: Address,
    /// `DisputeGameFactory` implementation.
    pub dispute_game_factory_impl: Address,
    /// `AnchorStateRegistry` proxy.
    pub anchor_state_registry: Address,
    /// `AnchorStateRegistry` implementation.
    pub anchor_state_registry_impl: Address,
    /// `PreimageOracle`.
    pub preimage_oracle: Address,
    /// `MIPS` (1.x stacks) or `MIPS64` (2.x stacks).
    pub mips: Address,
    /// Our `AlphabetVM`.
    pub alphabet_vm: Address,
    /// `FaultDisputeGame` implementation of type 255 (alphabet).
    pub alphabet_game_impl: Address,
    /// `FaultDisputeGame` implementation of type 0 (Cannon).
    pub cannon_game_impl: Address,
}

struct Plan {
    txs: Vec<PlannedTx>,
    owner: Address,
    next_nonce: u64,
}

impl Plan {
    fn push(&mut self, what: String, to: TxKind, input: Bytes, gas: u64) -> Address {
        let nonce = self.next_nonce;
        self.next_nonce += 1;
        self.txs.push(PlannedTx { what, from: self.owner, to, input, value: U256::ZERO, gas, nonce });
        self.owner.create(nonce)
    }

    fn create(&mut self, what: &str, artifact: &Artifact, args: Vec<u8>, gas: u64) -> Address {
        let mut code = artifact.bytecode.to_vec();
        code.extend_from_slice(&args);
        self.push(format!("deploy {what}"), TxKind::Create, code.into(), gas)
    }

    fn call<C: SolCall>(&mut self, what: &str, to: Address, call: C) -> Address {
        self.push(format!("{what}({to}).{}", C::SIGNATURE), TxKind::Call(to), call.abi_encode().into(), 1_000_000)
    }

    /// A proxy owned by `admin` (a `ProxyAdmin`), pointed at `implementation` and initialised
    /// with `init` through `ProxyAdmin.upgradeAndCall`.
    fn admin_proxied(
        &mut self,
        name: &str,
        proxy: &Artifact,
        admin: Address,
        implementation: Address,
        init: Vec<u8>,
    ) -> Address {
        let address = self.create(&format!("Proxy for {name}"), proxy, admin.abi_encode(), 1_000_000);
        let call =
            IProxyAdmin::upgradeAndCallCall { _proxy: address, _implementation: implementation, _data: init.into() };
        self.call(&format!("{name} via ProxyAdmin"), admin, call);
        address
    }

    /// Sends every planned transaction back to back, then waits for every receipt.
    async fn send(&self, l1: &Chain) -> Result<()> {
        let mut hashes = Vec::with_capacity(self.txs.len());
        for tx in &self.txs {
            hashes.push(l1.submit(tx).await?);
        }
        for (tx, hash) in self.txs.iter().zip(hashes) {
            let outcome = l1.confirm(tx, hash).await?;
            if tx.to == TxKind::Create && outcome.contract_address.is_none() {
                return Err(DevnetError::Decode {
                    what: tx.what.clone(),
                    reason: "no contract address in receipt".into(),
                });
            }
        }
        Ok(())
    }

    /// A proxy owned by the deployer, pointed at `implementation` and initialised with `init`.
    fn proxied(&mut self, name: &str, proxy: &Artifact, implementation: Address, init: Vec<u8>) -> Address {
        let address = self.create(&format!("Proxy for {name}"), proxy, self.owner.abi_encode(), 1_000_000);
        let call = IProxy::upgradeToAndCallCall { _implementation: implementation, _data: init.into() };
        self.call(&format!("{name} proxy"), address, call);
        address
    }
}

fn game_args(
    game_type: u32,
    prestate: B256,
    p: &GameParams,
    vm: Address,
    weth: Address,
    asr: Address,
    l2_chain_id: u64,
) -> Vec<u8> {
    (
        game_type,
        prestate,
        U256::from(p.max_depth),
        U256::from(p.split_depth),
        p.clock_extension,
        p.max_clock_duration,
        vm,
        weth,
        asr,
        U256::from(l2_chain_id),
    )
        .abi_encode_params()
}

/// Where the games start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Anchors {
    /// Output-root games: (output root, L2 block).
    pub output: (B256, u64),
    /// Super-root games (2.x stacks with type 9): (super root, L2 timestamp).
    pub super_root: (B256, u64),
}

/// Deploys everything from `owner` with the anchors of the game types at `anchors`, as the
/// release's stack is deployed.
pub(crate) async fn deploy(
    l1: &Chain,
    arts: &Artifacts,
    opts: &DevnetOptions,
    owner: Address,
    roles: (Address, Address),
    anchors: Anchors,
) -> Result<Deployment> {
    match (&arts.v2, arts.stack) {
        (Some(v2), Stack::V2) => deploy_v2(l1, arts, v2, opts, owner, roles, anchors).await,
        _ => deploy_bedrock(l1, arts, opts, owner, anchors.output).await,
    }
}

async fn deploy_bedrock(
    l1: &Chain,
    arts: &Artifacts,
    opts: &DevnetOptions,
    owner: Address,
    anchor: (B256, u64),
) -> Result<Deployment> {
    let next_nonce = l1.nonce(owner).await?;
    let mut plan = Plan { txs: Vec::new(), owner, next_nonce };
    let p = &mut plan;

    let superchain_config_impl = p.create("SuperchainConfig", &arts.superchain_config, Vec::new(), 2_000_000);
    let init = ISuperchainConfig::initializeCall { _guardian: owner, _paused: false }.abi_encode();
    let superchain_config = p.proxied("SuperchainConfig", &arts.proxy, superchain_config_impl, init);

    let delay = U256::from(opts.weth_delay).abi_encode();
    let delayed_weth_impl = p.create("DelayedWETH", &arts.delayed_weth, delay, 2_500_000);
    let init = IDelayedWETH::initializeCall { _owner: owner, _config: superchain_config }.abi_encode();
    let delayed_weth = p.proxied("DelayedWETH", &arts.proxy, delayed_weth_impl, init);

    let dispute_game_factory_impl = p.create("DisputeGameFactory", &arts.factory, Vec::new(), 2_500_000);
    let init = IDisputeGameFactory::initializeCall { _owner: owner }.abi_encode();
    let dispute_game_factory = p.proxied("DisputeGameFactory", &arts.proxy, dispute_game_factory_impl, init);

    let args = dispute_game_factory.abi_encode();
    let anchor_state_registry_impl = p.create("AnchorStateRegistry", &arts.anchor_state_registry, args, 2_000_000);
    let root = OutputRoot { root: anchor.0, l2BlockNumber: U256::from(anchor.1) };
    let anchors = [ALPHABET_GAME_TYPE, CANNON_GAME_TYPE]
        .map(|game_type| StartingAnchorRoot { gameType: game_type, outputRoot: root.clone() })
        .to_vec();
    let init = IAnchorStateRegistry::initializeCall { _startingAnchorRoots: anchors }.abi_encode();
    let anchor_state_registry = p.proxied("AnchorStateRegistry", &arts.proxy, anchor_state_registry_impl, init);

    let args =
        (U256::from(opts.oracle_min_proposal_size), U256::from(opts.oracle_challenge_period)).abi_encode_params();
    let preimage_oracle = p.create("PreimageOracle", &arts.preimage_oracle, args, 5_000_000);
    let mips = p.create("MIPS", &arts.mips, preimage_oracle.abi_encode(), 3_000_000);
    let args = (alphabet::absolute_prestate(), preimage_oracle).abi_encode_params();
    let alphabet_vm = p.create("AlphabetVM", &arts.alphabet_vm, args, 1_000_000);

    let (weth, asr, l2) = (delayed_weth, anchor_state_registry, opts.l2_chain_id);
    let prestate = alphabet::absolute_prestate();
    let args = game_args(ALPHABET_GAME_TYPE, prestate, &opts.alphabet, alphabet_vm, weth, asr, l2);
    let alphabet_game_impl = p.create("FaultDisputeGame (type 255)", &arts.fault_dispute_game, args, 7_000_000);
    let prestate = opts.cannon_absolute_prestate;
    let args = game_args(CANNON_GAME_TYPE, prestate, &opts.cannon, mips, weth, asr, l2);
    let cannon_game_impl = p.create("FaultDisputeGame (type 0)", &arts.fault_dispute_game, args, 7_000_000);

    for (game_type, implementation) in [(ALPHABET_GAME_TYPE, alphabet_game_impl), (CANNON_GAME_TYPE, cannon_game_impl)]
    {
        let set = IDisputeGameFactory::setImplementationCall { _gameType: game_type, _impl: implementation };
        p.call("DisputeGameFactory", dispute_game_factory, set);
        let bond = IDisputeGameFactory::setInitBondCall { _gameType: game_type, _initBond: opts.init_bond };
        p.call("DisputeGameFactory", dispute_game_factory, bond);
    }

    plan.send(l1).await?;

    Ok(Deployment {
        stack: Stack::Bedrock,
        proxy_admin: Address::ZERO,
        system_config: Address::ZERO,
        permissioned_game_impl: Address::ZERO,
        permissioned_roles: (Address::ZERO, Address::ZERO),
        super_game_impl: Address::ZERO,
        super_anchor_registry: Address::ZERO,
        super_permissioned_game_impl: Address::ZERO,
        owner,
        superchain_config,
        superchain_config_impl,
        delayed_weth,
        delayed_weth_impl,
        dispute_game_factory,
        dispute_game_factory_impl,
        anchor_state_registry,
        anchor_state_registry_impl,
        preimage_oracle,
        mips,
        alphabet_vm,
        alphabet_game_impl,
        cannon_game_impl,
    })
}

/// `SystemConfig`'s default resource config (`Constants.DEFAULT_RESOURCE_CONFIG`).
fn default_resource_config() -> ResourceConfig {
    ResourceConfig {
        maxResourceLimit: 20_000_000,
        elasticityMultiplier: 10,
        baseFeeMaxChangeDenominator: 8,
        minimumBaseFee: 1_000_000_000,
        systemTxMaxGas: 1_000_000,
        maximumBaseFee: u128::MAX,
    }
}

/// The 2.x stack (op-contracts v4+; sequence proven with cast against v7.0.0's artifacts).
async fn deploy_v2(
    l1: &Chain,
    arts: &Artifacts,
    v2: &V2Artifacts,
    opts: &DevnetOptions,
    owner: Address,
    roles: (Address, Address),
    anchors: Anchors,
) -> Result<Deployment> {
    let anchor = anchors.output;
    let next_nonce = l1.nonce(owner).await?;
    let mut plan = Plan { txs: Vec::new(), owner, next_nonce };
    let p = &mut plan;

    let admin = p.create("ProxyAdmin", &v2.proxy_admin, owner.abi_encode(), 2_000_000);

    let superchain_config_impl = p.create("SuperchainConfig", &arts.superchain_config, Vec::new(), 1_500_000);
    let init = ISuperchainConfig2::initializeCall { _guardian: owner }.abi_encode();
    let superchain_config = p.admin_proxied("SuperchainConfig", &arts.proxy, admin, superchain_config_impl, init);

    let system_config_impl = p.create("SystemConfig", &v2.system_config, Vec::new(), 4_000_000);
    let init = ISystemConfig::initializeCall {
        _owner: owner,
        _basefeeScalar: 0,
        _blobbasefeeScalar: 0,
        _batcherHash: B256::left_padding_from(owner.as_slice()),
        _gasLimit: 30_000_000,
        _unsafeBlockSigner: Address::ZERO,
        _config: default_resource_config(),
        _batchInbox: Address::ZERO,
        _addresses: SystemAddresses {
            l1CrossDomainMessenger: Address::ZERO,
            l1ERC721Bridge: Address::ZERO,
            l1StandardBridge: Address::ZERO,
            optimismPortal: Address::ZERO,
            optimismMintableERC20Factory: Address::ZERO,
            delayedWETH: Address::ZERO,
            opcm: Address::ZERO,
        },
        _l2ChainId: U256::from(opts.l2_chain_id),
        _superchainConfig: superchain_config,
    }
    .abi_encode();
    let system_config = p.admin_proxied("SystemConfig", &arts.proxy, admin, system_config_impl, init);

    let delay = U256::from(opts.weth_delay).abi_encode();
    let delayed_weth_impl = p.create("DelayedWETH", &arts.delayed_weth, delay, 2_000_000);
    let init = IDelayedWETH15::initializeCall { _systemConfig: system_config }.abi_encode();
    let delayed_weth = p.admin_proxied("DelayedWETH", &arts.proxy, admin, delayed_weth_impl, init);

    let dispute_game_factory_impl = p.create("DisputeGameFactory", &arts.factory, Vec::new(), 2_500_000);
    let init = IDisputeGameFactory::initializeCall { _owner: owner }.abi_encode();
    let dispute_game_factory =
        p.admin_proxied("DisputeGameFactory", &arts.proxy, admin, dispute_game_factory_impl, init);

    let finality = U256::from(opts.finality_delay).abi_encode();
    let anchor_state_registry_impl = p.create("AnchorStateRegistry", &arts.anchor_state_registry, finality, 2_500_000);
    let init = IAsr3::initializeCall {
        _systemConfig: system_config,
        _disputeGameFactory: dispute_game_factory,
        _startingAnchorRoot: Proposal { root: anchor.0, l2SequenceNumber: U256::from(anchor.1) },
        _startingRespectedGameType: ALPHABET_GAME_TYPE,
    }
    .abi_encode();
    let anchor_state_registry =
        p.admin_proxied("AnchorStateRegistry", &arts.proxy, admin, anchor_state_registry_impl, init);

    let args =
        (U256::from(opts.oracle_min_proposal_size), U256::from(opts.oracle_challenge_period)).abi_encode_params();
    let preimage_oracle = p.create("PreimageOracle", &arts.preimage_oracle, args, 5_000_000);
    // MIPS64 1.10 accepts only state version 8.
    let args = (preimage_oracle, U256::from(8)).abi_encode_params();
    let mips = p.create("MIPS64", &arts.mips, args, 6_500_000);
    let args = (alphabet::absolute_prestate(), preimage_oracle).abi_encode_params();
    let alphabet_vm = p.create("AlphabetVM", &arts.alphabet_vm, args, 1_000_000);

    // 2.x constructors take only the depths and clocks; everything else is gameArgs.
    let constructor = |g: &GameParams| {
        (U256::from(g.max_depth), U256::from(g.split_depth), g.clock_extension, g.max_clock_duration)
            .abi_encode_params()
    };
    let alphabet_game_impl =
        p.create("FaultDisputeGame (type 255)", &arts.fault_dispute_game, constructor(&opts.alphabet), 7_000_000);
    let permissioned_game_impl =
        p.create("PermissionedDisputeGame (type 1)", &v2.permissioned_game, constructor(&opts.alphabet), 7_000_000);
    let cannon_game_impl =
        p.create("FaultDisputeGame (type 0)", &arts.fault_dispute_game, constructor(&opts.cannon), 7_000_000);
    let super_game_impl = v2
        .super_game
        .as_ref()
        .map(|a| p.create("SuperFaultDisputeGame (type 9)", a, constructor(&opts.super_game), 7_500_000));
    // Super-root games start from a super root at a timestamp: their own registry, as chains
    // that run them have (the same implementation, another anchor, type 9 respected).
    let super_anchor_registry = super_game_impl.map(|_| {
        let init = IAsr3::initializeCall {
            _systemConfig: system_config,
            _disputeGameFactory: dispute_game_factory,
            _startingAnchorRoot: Proposal {
                root: anchors.super_root.0,
                l2SequenceNumber: U256::from(anchors.super_root.1),
            },
            _startingRespectedGameType: SUPER_GAME_TYPE,
        }
        .abi_encode();
        p.admin_proxied("AnchorStateRegistry (super roots)", &arts.proxy, admin, anchor_state_registry_impl, init)
    });

    let l2_chain_id = U256::from(opts.l2_chain_id);
    let args = |prestate: B256, vm: Address, roles: Option<(Address, Address)>| {
        GameArgs {
            absolute_prestate: prestate,
            vm,
            anchor_registry: anchor_state_registry,
            weth: delayed_weth,
            l2_chain_id,
            roles,
        }
        .encode()
    };
    let alphabet_prestate = alphabet::absolute_prestate();
    let mut types = vec![
        (ALPHABET_GAME_TYPE, alphabet_game_impl, args(alphabet_prestate, alphabet_vm, None)),
        (PERMISSIONED_GAME_TYPE, permissioned_game_impl, args(alphabet_prestate, alphabet_vm, Some(roles))),
        (CANNON_GAME_TYPE, cannon_game_impl, args(opts.cannon_absolute_prestate, mips, None)),
    ];
    if let Some(implementation) = super_game_impl {
        // A super-root game carries no chain id in its arguments (`NoChainIdNeeded`).
        let a = GameArgs {
            absolute_prestate: alphabet_prestate,
            vm: alphabet_vm,
            anchor_registry: super_anchor_registry.unwrap_or(anchor_state_registry),
            weth: delayed_weth,
            l2_chain_id: U256::ZERO,
            roles: None,
        };
        types.push((SUPER_GAME_TYPE, implementation, a.encode()));
    }
    // The super-root permissioned game (type 5) where the release has it, proposer-only as U20
    // installs it: the simplified 1.0 takes (registry ‖ proposer) as its arguments and no
    // constructor; 0.7 is the bisection game with both roles.
    let super_permissioned_game_impl = match (&v2.super_permissioned_game, super_anchor_registry) {
        (Some(a), Some(registry)) if v2.simple_super_permissioned() => {
            let implementation = p.create("SuperPermissionedDisputeGame 1.0 (type 5)", a, Vec::new(), 3_000_000);
            let mut args = registry.to_vec();
            args.extend_from_slice(roles.0.as_slice());
            types.push((SUPER_PERMISSIONED_GAME_TYPE, implementation, args.into()));
            implementation
        }
        (Some(a), Some(registry)) => {
            let implementation =
                p.create("SuperPermissionedDisputeGame 0.7 (type 5)", a, constructor(&opts.super_game), 7_500_000);
            let args = GameArgs {
                absolute_prestate: alphabet_prestate,
                vm: alphabet_vm,
                anchor_registry: registry,
                weth: delayed_weth,
                l2_chain_id: U256::ZERO,
                roles: Some(roles),
            };
            types.push((SUPER_PERMISSIONED_GAME_TYPE, implementation, args.encode()));
            implementation
        }
        _ => Address::ZERO,
    };
    for (game_type, implementation, args) in types {
        let set =
            IDisputeGameFactoryArgs::setImplementationCall { _gameType: game_type, _impl: implementation, _args: args };
        p.call("DisputeGameFactory", dispute_game_factory, set);
        let bond = IDisputeGameFactory::setInitBondCall { _gameType: game_type, _initBond: opts.init_bond };
        p.call("DisputeGameFactory", dispute_game_factory, bond);
    }
    plan.send(l1).await?;

    Ok(Deployment {
        stack: Stack::V2,
        proxy_admin: admin,
        system_config,
        permissioned_game_impl,
        permissioned_roles: roles,
        super_game_impl: super_game_impl.unwrap_or_default(),
        super_anchor_registry: super_anchor_registry.unwrap_or_default(),
        super_permissioned_game_impl,
        owner,
        superchain_config,
        superchain_config_impl,
        delayed_weth,
        delayed_weth_impl,
        dispute_game_factory,
        dispute_game_factory_impl,
        anchor_state_registry,
        anchor_state_registry_impl,
        preimage_oracle,
        mips,
        alphabet_vm,
        alphabet_game_impl,
        cannon_game_impl,
    })
}
