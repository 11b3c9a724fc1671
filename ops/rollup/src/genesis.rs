//! The devnet's L2 genesis: its rollup config (chain 901, every fork live chains run active from
//! genesis through Jovian, Karst at genesis or at a later block), the predeploys execution
//! touches and the funded dev accounts, hashed into a state trie whose nodes go into the
//! sequencer's store.

use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, EMPTY_ROOT_HASH, Header, Sealable, Sealed};
use alloy_eips::{eip2935, eip4788, eip7685::EMPTY_REQUESTS_HASH};
use alloy_primitives::{Address, B64, B256, Bytes, U256, address, keccak256};
use alloy_rlp::Encodable;
use alloy_trie::TrieAccount;
use kona_mpt::{NoopTrieProvider, TrieNode};
use riposte_core::{
    RollupConfig,
    derive::{l1_info::L1_BLOCK, system_config::SystemConfig, upgrades::UpgradeBundle},
    exec::{MESSAGE_PASSER, MemoryStore, fees, open_trie_nodes, output_root_v0},
    forks::Fork,
};
use serde_json::json;
use std::collections::BTreeMap;

use crate::RollupError;

/// The devnet's L2 chain id.
pub const CHAIN_ID: u64 = 901;
/// The GasPriceOracle predeploy.
pub const GAS_PRICE_ORACLE: Address = address!("420000000000000000000000000000000000000F");
/// The batch inbox on L1 (the devnet's own choice, in the registry's `0xff…<chain id>` style).
pub const BATCH_INBOX: Address = address!("ff00000000000000000000000000000000000901");
/// The L2 genesis gas limit.
pub const GAS_LIMIT: u64 = 60_000_000;
/// The genesis base fee (op-geth's default for a new chain, 1 gwei).
pub const GENESIS_BASE_FEE: u64 = 1_000_000_000;

/// The blob schedule of an anvil L1, which runs the newest L1 fork from its genesis.
pub const ANVIL_BLOB_SCHEDULE: riposte_core::derive::blob_fee::BlobSchedule =
    riposte_core::derive::blob_fee::BlobSchedule {
        cancun: Some(0),
        prague: Some(0),
        osaka: Some(0),
        bpo1: None,
        bpo2: None,
    };

/// When Karst activates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KarstAt {
    /// With every other fork, at genesis.
    Genesis,
    /// At the block with this number (≥ 1): its activation block runs the devnet's own upgrade
    /// bundle and admits deposits only.
    Block(u64),
}

/// The runtime code of the predeploys, read from contract artifacts by the caller.
#[derive(Debug, Clone)]
pub struct Predeploys {
    /// At 0x4200…0015: an L1Block that takes the Isthmus and Jovian L1-info calls (the npm
    /// package's 2024 L1Block stops at Ecotone; the devnet's own `DevnetL1Block` stands in).
    pub l1_block: Bytes,
    /// At 0x4200…000F: npm contracts-bedrock's GasPriceOracle, Ecotone and Fjord set.
    pub gas_price_oracle: Bytes,
    /// At 0x4200…0016: npm contracts-bedrock's L2ToL1MessagePasser.
    pub message_passer: Bytes,
}

impl Predeploys {
    /// Reads the runtime code from ops/devnet after its setup: `build/DevnetL1Block.json` (our
    /// own contract, compiled by setup.sh) and npm contracts-bedrock's forge artifacts.
    pub fn from_devnet_dir(dir: &std::path::Path) -> Result<Self, RollupError> {
        let forge = dir.join("node_modules/@eth-optimism/contracts-bedrock/forge-artifacts");
        Ok(Self {
            l1_block: runtime_code(&dir.join("build/DevnetL1Block.json"), "/deployedBytecode")?,
            gas_price_oracle: runtime_code(
                &forge.join("GasPriceOracle.sol/GasPriceOracle.json"),
                "/deployedBytecode/object",
            )?,
            message_passer: runtime_code(
                &forge.join("L2ToL1MessagePasser.sol/L2ToL1MessagePasser.json"),
                "/deployedBytecode/object",
            )?,
        })
    }
}

fn runtime_code(path: &std::path::Path, pointer: &str) -> Result<Bytes, RollupError> {
    let fail = |what: String| RollupError::Genesis(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("{e} (run ops/devnet/setup.sh)")))?;
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| fail(format!("not JSON: {e}")))?;
    let hex = json.pointer(pointer).and_then(serde_json::Value::as_str).ok_or_else(|| fail(format!("no {pointer}")))?;
    let code: Bytes = hex.parse().map_err(|e| fail(format!("{pointer} is not hex: {e}")))?;
    if code.is_empty() {
        return Err(fail(format!("{pointer} is empty")));
    }
    Ok(code)
}

/// What the genesis is made of.
#[derive(Debug, Clone)]
pub struct GenesisSpec {
    /// The L1 block the chain starts at: hash, number and timestamp.
    pub l1: (B256, u64, u64),
    /// The L1 chain id.
    pub l1_chain_id: u64,
    /// L2 genesis timestamp.
    pub l2_time: u64,
    /// Seconds between L2 blocks.
    pub block_time: u64,
    /// Karst's activation.
    pub karst: KarstAt,
    /// The batcher's address (the genesis system config's).
    pub batcher: Address,
    /// The L1 OptimismPortal deposits come from.
    pub deposit_contract: Address,
    /// The L1 SystemConfig.
    pub system_config_contract: Address,
    /// Accounts funded at genesis.
    pub funded: Vec<Address>,
    /// Each funded account's balance.
    pub balance: U256,
    /// The predeploys' code.
    pub predeploys: Predeploys,
}

/// The genesis: the rollup config and block 0 with its state in a store.
#[derive(Debug, Clone)]
pub struct Genesis {
    /// The chain's rollup config (its `genesis.l2.hash` is block 0's).
    pub config: RollupConfig,
    /// The config as `rollup.json`.
    pub rollup_json: serde_json::Value,
    /// Block 0.
    pub header: Sealed<Header>,
    /// Its output root.
    pub output_root: B256,
    /// The genesis system config.
    pub system_config: SystemConfig,
    /// Upgrade bundles for forks activated after genesis.
    pub upgrades: Vec<UpgradeBundle>,
    /// The state's trie nodes and bytecodes, and block 0's header.
    pub store: MemoryStore,
}

struct Account {
    balance: U256,
    code: Option<Bytes>,
    storage: BTreeMap<U256, U256>,
}

/// The devnet's own Karst upgrade bundle, in the NUT format the real one uses: one deposit that
/// deploys a contract whose code is the single byte STOP. (Karst's real bundle deploys OP's
/// contracts and is not carried here.) Its gas is the activation block's upgrade gas.
pub fn karst_bundle() -> Result<UpgradeBundle, RollupError> {
    // Init code: PUSH1 1, PUSH1 0x0c, PUSH1 0, CODECOPY, PUSH1 1, PUSH1 0, RETURN, then 0x00.
    let bundle = json!({
        "metadata": { "version": "1.0.0" },
        "transactions": [{
            "intent": "Deploy the devnet marker",
            "from": KARST_DEPLOYER,
            "to": null,
            "data": "0x6001600c60003960016000f300",
            "gasLimit": 100_000
        }]
    });
    UpgradeBundle::from_nut_json("Karst", &bundle, "the devnet's Karst bundle")
        .map_err(|e| RollupError::Genesis(e.to_string()))
}

/// The account that sends the devnet's Karst bundle deposit.
pub const KARST_DEPLOYER: Address = address!("4210000000000000000000000000000000000901");

/// Where the devnet's Karst bundle deploys its marker contract.
pub fn karst_marker_address() -> Address {
    KARST_DEPLOYER.create(0)
}

/// The rollup config as op-node writes `rollup.json`, with a placeholder L2 genesis hash.
fn rollup_json(spec: &GenesisSpec, l2_hash: B256) -> serde_json::Value {
    let karst_time = match spec.karst {
        KarstAt::Genesis => spec.l2_time,
        KarstAt::Block(n) => spec.l2_time + n * spec.block_time,
    };
    let t = spec.l2_time;
    json!({
        "genesis": {
            "l1": { "hash": spec.l1.0, "number": spec.l1.1 },
            "l2": { "hash": l2_hash, "number": 0 },
            "l2_time": t,
            "system_config": {
                "batcherAddr": spec.batcher,
                "overhead": B256::ZERO,
                // Ecotone scalars (version 1): blob base fee scalar 810949, base fee scalar 1368.
                "scalar": "0x010000000000000000000000000000000000000000000000000c5fc500000558",
                "gasLimit": GAS_LIMIT
            }
        },
        "block_time": spec.block_time,
        "max_sequencer_drift": 600,
        "seq_window_size": 3600,
        "channel_timeout": 300,
        "granite_channel_timeout": 50,
        "l1_chain_id": spec.l1_chain_id,
        "l2_chain_id": CHAIN_ID,
        "regolith_time": t, "canyon_time": t, "delta_time": t, "ecotone_time": t, "fjord_time": t,
        "granite_time": t, "holocene_time": t, "isthmus_time": t, "jovian_time": t,
        "karst_time": karst_time,
        "batch_inbox_address": BATCH_INBOX,
        "deposit_contract_address": spec.deposit_contract,
        "l1_system_config_address": spec.system_config_contract,
        "chain_op_config": {
            "eip1559Elasticity": 6,
            "eip1559Denominator": 50,
            "eip1559DenominatorCanyon": 250
        }
    })
}

fn alloc(spec: &GenesisSpec) -> BTreeMap<Address, Account> {
    let code = |c: &Bytes| Account { balance: U256::ZERO, code: Some(c.clone()), storage: BTreeMap::new() };
    let mut alloc = BTreeMap::new();
    alloc.insert(L1_BLOCK, code(&spec.predeploys.l1_block));
    // GasPriceOracle slot 0: isEcotone (byte 0) and isFjord (byte 1).
    let mut gpo = code(&spec.predeploys.gas_price_oracle);
    gpo.storage.insert(U256::ZERO, U256::from(0x0101));
    alloc.insert(GAS_PRICE_ORACLE, gpo);
    alloc.insert(MESSAGE_PASSER, code(&spec.predeploys.message_passer));
    // The system contracts of EIP-4788 (Ecotone's block start) and EIP-2935 (Isthmus's).
    alloc.insert(eip4788::BEACON_ROOTS_ADDRESS, code(&eip4788::BEACON_ROOTS_CODE));
    alloc.insert(eip2935::HISTORY_STORAGE_ADDRESS, code(&eip2935::HISTORY_STORAGE_CODE));
    for a in &spec.funded {
        alloc.insert(*a, Account { balance: spec.balance, code: None, storage: BTreeMap::new() });
    }
    alloc
}

fn rlp<T: Encodable>(value: &T) -> Bytes {
    let mut out = Vec::with_capacity(value.length());
    value.encode(&mut out);
    out.into()
}

/// Builds the genesis.
pub fn build(spec: &GenesisSpec) -> Result<Genesis, RollupError> {
    if let KarstAt::Block(0) = spec.karst {
        return Err(RollupError::Genesis("Karst at block 0 is Karst at genesis: use KarstAt::Genesis".into()));
    }
    if spec.block_time == 0 {
        return Err(RollupError::Genesis("block time 0: L2 blocks need distinct timestamps".into()));
    }
    let fail = |what: &str, e: kona_mpt::TrieNodeError| RollupError::Genesis(format!("{what}: {e}"));
    let mut store = MemoryStore::new("the rollup devnet's state");
    let mut nodes = Vec::new();
    let mut state = TrieNode::Empty;
    let mut message_passer_root = EMPTY_ROOT_HASH;
    for (address, account) in alloc(spec) {
        let mut storage = TrieNode::Empty;
        for (slot, value) in &account.storage {
            let key = kona_mpt::Nibbles::unpack(keccak256(slot.to_be_bytes::<32>()));
            storage.insert(&key, rlp(value), &NoopTrieProvider).map_err(|e| fail("a genesis storage slot", e))?;
        }
        open_trie_nodes(&storage, &mut nodes);
        let storage_root = storage.blind();
        if address == MESSAGE_PASSER {
            message_passer_root = storage_root;
        }
        let code_hash = match &account.code {
            Some(code) => store.insert(code.clone()),
            None => alloy_consensus::constants::KECCAK_EMPTY,
        };
        let leaf = TrieAccount { nonce: 0, balance: account.balance, storage_root, code_hash };
        let key = kona_mpt::Nibbles::unpack(keccak256(address));
        state.insert(&key, rlp(&leaf), &NoopTrieProvider).map_err(|e| fail("a genesis account", e))?;
    }
    open_trie_nodes(&state, &mut nodes);
    for node in nodes {
        store.insert(node);
    }
    let state_root = state.blind();

    // Block 0, sealed as a block of its fork is (Karst at genesis, or Jovian before it).
    let fork = match spec.karst {
        KarstAt::Genesis => Fork::Karst,
        KarstAt::Block(_) => Fork::Jovian,
    };
    let canyon = fees::Eip1559 { denominator: 250, elasticity: 6 };
    let extra_data = fees::encode_extra_data(fork, Some(B64::ZERO), Some(0), canyon)
        .map_err(|e| RollupError::Genesis(format!("genesis extraData: {e}")))?;
    let header = Header {
        parent_hash: B256::ZERO,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: Address::ZERO,
        state_root,
        transactions_root: EMPTY_ROOT_HASH,
        receipts_root: EMPTY_ROOT_HASH,
        withdrawals_root: Some(message_passer_root),
        logs_bloom: Default::default(),
        difficulty: U256::ZERO,
        number: 0,
        gas_limit: GAS_LIMIT,
        gas_used: 0,
        timestamp: spec.l2_time,
        mix_hash: B256::ZERO,
        nonce: Default::default(),
        base_fee_per_gas: Some(GENESIS_BASE_FEE),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        extra_data,
    }
    .seal_slow();
    store.insert(rlp(header.inner()));

    let rollup_json = rollup_json(spec, header.hash());
    let config = RollupConfig::from_json(&rollup_json, "the rollup devnet's config")
        .map_err(|e| RollupError::Genesis(e.to_string()))?;
    let system_config = SystemConfig {
        batcher: spec.batcher,
        overhead: U256::ZERO,
        scalar: config.kona.genesis.system_config.map(|s| s.scalar).unwrap_or_default(),
        gas_limit: GAS_LIMIT,
        eip1559: Some((0, 0)),
        operator_fee: Some((0, 0)),
        min_base_fee: Some(0),
        da_footprint_gas_scalar: Some(0),
    };
    let upgrades = match spec.karst {
        KarstAt::Genesis => Vec::new(),
        KarstAt::Block(_) => vec![karst_bundle()?],
    };
    Ok(Genesis {
        output_root: output_root_v0(state_root, message_passer_root, header.hash()),
        config,
        rollup_json,
        header,
        system_config,
        upgrades,
        store,
    })
}
