//! Jovian and Karst blocks built by riposte's builder on a small chain made here: a genesis state
//! (a funded account, L1Block with a DA footprint scalar, two contracts, the message passer) as
//! hash-keyed trie nodes, then blocks whose gas, header and fees are checked against the values
//! the specs and EIPs give (CLZ costs 5, P256VERIFY 3,450 → 6,900, the 2^24 transaction gas cap,
//! the DA footprint, the minimum base fee).
// Tests may panic on setup trouble: that is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::{
    consensus::{EMPTY_ROOT_HASH, Header, SignableTransaction, TxEip1559},
    network::TxSignerSync,
    signers::local::PrivateKeySigner,
};
use alloy_eips::{Encodable2718, eip7685::EMPTY_REQUESTS_HASH};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use alloy_trie::{HashBuilder, Nibbles, TrieAccount, proof::ProofRetainer};
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use riposte_core::{
    RollupConfig,
    exec::{
        ExecError, Executed, MemoryStore, Verdict,
        fees::{FeeDefaults, next_base_fee},
        output_root_v0, verify_block,
    },
    forks::Fork,
};

const CHAIN: u64 = 901;
const L1_BLOCK: Address = address!("4200000000000000000000000000000000000015");
const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");
const CLZ_CONTRACT: Address = address!("00000000000000000000000000000000000000c1");
const P256_CALLER: Address = address!("00000000000000000000000000000000000000c2");
const DEPOSITOR: Address = address!("00000000000000000000000000000000000000d0");
const DA_SCALAR: u16 = 20_000;
const MIN_BASE_FEE: u64 = 1_000_000;
const GAS_LIMIT: u64 = 30_000_000;

/// PUSH1 0xff, CLZ, PUSH1 0, SSTORE, STOP: stores clz(0xff) = 248 (an invalid opcode before Karst).
const CLZ_CODE: [u8; 7] = [0x60, 0xff, 0x1e, 0x60, 0x00, 0x55, 0x00];
/// STATICCALL P256VERIFY (0x100) with 160 zero bytes (an invalid signature: empty output, gas charged).
const P256_CODE: [u8; 15] = [0x60, 0x20, 0x60, 0x00, 0x60, 0xa0, 0x60, 0x00, 0x61, 0x01, 0x00, 0x5a, 0xfa, 0x50, 0x00];

/// A trie of (hashed key, RLP value) leaves: its root and every node, filed by hash.
fn trie(leaves: &mut [(B256, Vec<u8>)], store: &mut MemoryStore) -> B256 {
    leaves.sort_by_key(|(k, _)| *k);
    let targets = leaves.iter().map(|(k, _)| Nibbles::unpack(k)).collect();
    let mut hb = HashBuilder::default().with_proof_retainer(ProofRetainer::new(targets));
    for (k, v) in leaves.iter() {
        hb.add_leaf(Nibbles::unpack(k), v);
    }
    let root = hb.root();
    for (_, node) in hb.take_proof_nodes().into_inner() {
        store.insert(node);
    }
    root
}

struct Chain {
    store: MemoryStore,
    genesis: Header,
    alice: PrivateKeySigner,
}

fn account(balance: U256, storage_root: B256, code_hash: B256) -> Vec<u8> {
    alloy_rlp::encode(TrieAccount { nonce: 0, balance, storage_root, code_hash })
}

fn chain() -> Chain {
    let mut store = MemoryStore::new("the fork-rules test chain");
    let alice = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x11)).unwrap();
    // L1Block slot 8 holds the DA footprint gas scalar in bytes 18..20.
    let mut slot8 = [0u8; 32];
    slot8[18..20].copy_from_slice(&DA_SCALAR.to_be_bytes());
    let l1_block_root = trie(
        &mut [(keccak256(U256::from(8).to_be_bytes::<32>()), alloy_rlp::encode(U256::from_be_bytes(slot8)))],
        &mut store,
    );
    let clz_hash = store.insert(Bytes::from_static(&CLZ_CODE));
    let p256_hash = store.insert(Bytes::from_static(&P256_CODE));
    let empty_code = keccak256([]);
    let eth = U256::from(10).pow(U256::from(21));
    let mut accounts = vec![
        (keccak256(alice.address()), account(eth, EMPTY_ROOT_HASH, empty_code)),
        (keccak256(L1_BLOCK), account(U256::ZERO, l1_block_root, empty_code)),
        (keccak256(MESSAGE_PASSER), account(U256::ZERO, EMPTY_ROOT_HASH, empty_code)),
        (keccak256(CLZ_CONTRACT), account(U256::ZERO, EMPTY_ROOT_HASH, clz_hash)),
        (keccak256(P256_CALLER), account(U256::ZERO, EMPTY_ROOT_HASH, p256_hash)),
    ];
    let state_root = trie(&mut accounts, &mut store);
    let mut extra = vec![1u8];
    extra.extend_from_slice(&250u32.to_be_bytes());
    extra.extend_from_slice(&6u32.to_be_bytes());
    extra.extend_from_slice(&MIN_BASE_FEE.to_be_bytes());
    let genesis = Header {
        state_root,
        gas_limit: GAS_LIMIT,
        base_fee_per_gas: Some(1_000),
        extra_data: extra.into(),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        withdrawals_root: Some(EMPTY_ROOT_HASH),
        requests_hash: Some(EMPTY_REQUESTS_HASH),
        parent_beacon_block_root: Some(B256::ZERO),
        ..Default::default()
    };
    Chain { store, genesis, alice }
}

/// Every fork through Jovian from genesis; Karst from genesis too when `karst`.
fn config(karst: bool) -> RollupConfig {
    let mut kona = kona_genesis::RollupConfig { l2_chain_id: CHAIN.into(), block_time: 2, ..Default::default() };
    let h = &mut kona.hardforks;
    for t in [
        &mut h.regolith_time,
        &mut h.canyon_time,
        &mut h.delta_time,
        &mut h.ecotone_time,
        &mut h.fjord_time,
        &mut h.granite_time,
        &mut h.holocene_time,
        &mut h.isthmus_time,
        &mut h.jovian_time,
    ] {
        *t = Some(0);
    }
    let mut config = RollupConfig::from(kona);
    config.karst_time = karst.then_some(0);
    config
}

fn deposit() -> Bytes {
    let tx = TxDeposit {
        source_hash: B256::repeat_byte(0xde),
        from: DEPOSITOR,
        to: TxKind::Call(DEPOSITOR),
        mint: 0,
        value: U256::ZERO,
        // Above Karst's 2^24 cap: deposits are exempt.
        gas_limit: 20_000_000,
        is_system_transaction: false,
        input: Bytes::new(),
    };
    OpTxEnvelope::Deposit(alloy_primitives::Sealed::new(tx)).encoded_2718().into()
}

fn user_tx(alice: &PrivateKeySigner, nonce: u64, to: Address, gas_limit: u64) -> Bytes {
    let mut tx = TxEip1559 {
        chain_id: CHAIN,
        nonce,
        gas_limit,
        max_fee_per_gas: 10_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(to),
        ..Default::default()
    };
    let sig = alice.sign_transaction_sync(&mut tx).unwrap();
    OpTxEnvelope::Eip1559(tx.into_signed(sig)).encoded_2718().into()
}

fn attrs(transactions: Vec<Bytes>) -> OpPayloadAttributes {
    OpPayloadAttributes {
        payload_attributes: alloy_rpc_types_engine::PayloadAttributes {
            timestamp: 2,
            prev_randao: B256::repeat_byte(0x7a),
            suggested_fee_recipient: address!("4200000000000000000000000000000000000011"),
            withdrawals: Some(Vec::new()),
            parent_beacon_block_root: Some(B256::repeat_byte(0xbe)),
        },
        transactions: Some(transactions),
        no_tx_pool: Some(true),
        gas_limit: Some(GAS_LIMIT),
        eip_1559_params: Some(alloy_primitives::B64::ZERO),
        min_base_fee: Some(MIN_BASE_FEE),
    }
}

fn build(c: &Chain, karst: bool, txs: Vec<Bytes>) -> Result<Executed, ExecError> {
    riposte_core::exec::execute_block(&config(karst), &c.genesis, attrs(txs), &c.store)
}

#[test]
fn karst_prices_and_admits_what_jovian_does_not() {
    let c = chain();
    let gas = |karst: bool, extra: Option<Bytes>| {
        let mut txs = vec![deposit()];
        txs.extend(extra);
        build(&c, karst, txs).unwrap_or_else(|e| panic!("karst={karst}: {e}")).gas_used
    };
    for karst in [false, true] {
        assert_eq!(gas(karst, None), 21_000, "the deposit alone");
    }
    // CLZ: invalid before Karst (the call burns its 100,000 gas); in Karst 21,000 + PUSH1 3 +
    // CLZ 5 + PUSH1 3 + a cold zero-to-nonzero SSTORE 22,100.
    let clz = Some(user_tx(&c.alice, 0, CLZ_CONTRACT, 100_000));
    assert_eq!(gas(false, clz.clone()) - 21_000, 100_000);
    assert_eq!(gas(true, clz) - 21_000, 43_111);
    // P256VERIFY costs 3,450 before Karst and 6,900 in it; the rest of the call is the same.
    let p256 = Some(user_tx(&c.alice, 0, P256_CALLER, 100_000));
    assert_eq!(gas(true, p256.clone()) - gas(false, p256), 3_450);
    // A user transaction above 2^24 gas is refused in Karst, allowed before.
    let big = user_tx(&c.alice, 0, CLZ_CONTRACT, (1 << 24) + 1);
    assert!(gas(false, Some(big.clone())) > 21_000);
    let err = build(&c, true, vec![deposit(), big]).expect_err("over the cap");
    assert!(matches!(err, ExecError::Execution { .. }), "{err}");
    assert!(err.to_string().to_lowercase().contains("cap"), "{err}");
}

#[test]
fn jovian_headers_carry_the_da_footprint_and_the_minimum_base_fee() {
    let c = chain();
    let users: Vec<Bytes> = (0..3).map(|n| user_tx(&c.alice, n, P256_CALLER, 100_000)).collect();
    let mut txs = vec![deposit()];
    txs.extend(users.iter().cloned());
    for karst in [false, true] {
        let built = build(&c, karst, txs.clone()).unwrap();
        let h = built.header.inner();
        // The DA footprint: each user transaction's estimated compressed size (at least 100
        // bytes) times the scalar in L1Block; deposits count nothing.
        let footprint: u64 =
            users.iter().map(|tx| op_revm::estimate_tx_compressed_size(tx) / 1_000_000 * u64::from(DA_SCALAR)).sum();
        assert_eq!(footprint, 3 * 100 * u64::from(DA_SCALAR), "small transactions count the 100-byte minimum");
        assert_eq!(h.blob_gas_used, Some(footprint));
        assert_eq!(h.excess_blob_gas, Some(0));
        // The parent's 1,000 wei would fall further; its minimum base fee holds it at 1,000,000.
        assert_eq!(h.base_fee_per_gas, Some(MIN_BASE_FEE));
        let mut extra = vec![1u8, 0, 0, 0, 250, 0, 0, 0, 6];
        extra.extend_from_slice(&MIN_BASE_FEE.to_be_bytes());
        assert_eq!(h.extra_data.as_ref(), extra.as_slice(), "v1 with the Canyon defaults for zero params");
        assert_eq!(h.withdrawals_root, Some(EMPTY_ROOT_HASH), "the message passer's storage is empty");
        assert_eq!(h.requests_hash, Some(EMPTY_REQUESTS_HASH));
        assert_eq!(built.output_root, Some(output_root_v0(built.state_root, EMPTY_ROOT_HASH, built.block_hash)));
        // The footprint (6M) is above the gas target (5M) while the gas used is far below: the
        // next base fee rises by 1,000,000 × 1M / 5M / 250 = 800.
        assert!(h.gas_used < 1_000_000);
        let cfg = config(karst);
        let next = next_base_fee(&cfg.forks(), &FeeDefaults::of_rollup(&cfg), h, 4).unwrap();
        assert_eq!(next, MIN_BASE_FEE + 800);
        // The header read back into a payload rebuilds to itself.
        match verify_block(&cfg, &c.genesis, h, txs.clone(), &c.store).unwrap() {
            Verdict::Agrees(ours) => assert_eq!(ours.block_hash, built.block_hash),
            Verdict::Disagrees { .. } => panic!("a block we built disagrees with itself"),
        }
        assert_eq!(cfg.forks().fork_at(2), if karst { Fork::Karst } else { Fork::Jovian });
    }
    // The DA footprint limit: a block whose footprint (6M) exceeds its gas limit (5M) is refused.
    let mut attrs_small = attrs(users);
    attrs_small.gas_limit = Some(5_000_000);
    let err = riposte_core::exec::execute_block(&config(false), &c.genesis, attrs_small, &c.store).unwrap_err();
    assert!(err.to_string().contains("DA footprint"), "{err}");
}
