//! The L1 deployment, as proven step by step with cast: OP's proxies initialised through
//! `upgradeToAndCall`, the oracle and VMs, two `FaultDisputeGame` implementations, registered
//! in the factory. Every transaction is planned with its nonce up front (addresses are
//! `CREATE` addresses of the deployer) and sent back to back; receipts are awaited at the end.

use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::sol_types::{SolCall, SolValue};
use serde::Serialize;

use crate::artifacts::{Artifact, Artifacts};
use crate::chain::{Chain, PlannedTx};
use crate::options::{ALPHABET_GAME_TYPE, CANNON_GAME_TYPE, DevnetOptions, GameParams};
use crate::{DevnetError, Result, alphabet};
use riposte_contracts::asr::AnchorStateRegistry as IAnchorStateRegistry;
use riposte_contracts::asr::OutputRoot;
use riposte_contracts::asr::StartingAnchorRoot;
use riposte_contracts::dgf::DisputeGameFactory as IDisputeGameFactory;
use riposte_contracts::proxy::Proxy as IProxy;
use riposte_contracts::proxy::SuperchainConfig as ISuperchainConfig;
use riposte_contracts::weth::DelayedWETH as IDelayedWETH;

/// Addresses of everything deployed on L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deployment {
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
    /// `MIPS`.
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

/// Deploys everything from `owner` with the anchors of both game types at `anchor`
/// (output root, L2 block).
pub(crate) async fn deploy(
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

    let mut hashes = Vec::with_capacity(plan.txs.len());
    for tx in &plan.txs {
        hashes.push(l1.submit(tx).await?);
    }
    for (tx, hash) in plan.txs.iter().zip(hashes) {
        let outcome = l1.confirm(tx, hash).await?;
        if tx.to == TxKind::Create && outcome.contract_address.is_none() {
            return Err(DevnetError::Decode { what: tx.what.clone(), reason: "no contract address in receipt".into() });
        }
    }

    Ok(Deployment {
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
