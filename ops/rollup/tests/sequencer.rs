//! The sequencer on the devnet genesis: blocks with transfers, a contract, invalid
//! transactions, epochs and Karst's activation block, each block re-executed by riposte-core's
//! verifying path from the sequencer's store and found identical.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy::primitives::{B256, TxKind, U256, keccak256};
use common::{L1_TIME, advance, key, l1, predeploys, schedule, spec, tx};
use riposte_core::derive::l1_info::L1_BLOCK;
use riposte_core::exec::{execute_block, payload_from_block};
use riposte_rollup::genesis::{self, GAS_LIMIT, KarstAt};
use riposte_rollup::sequencer::{OriginChoice, Sequencer};
use riposte_rollup::state;

/// Re-executes every block through the verifying path and compares hashes and output roots.
fn verify_all(seq: &Sequencer) {
    for pair in seq.blocks().windows(2) {
        let (parent, block) = (&pair[0], &pair[1]);
        let attrs = payload_from_block(seq.config(), block.header.inner(), block.transactions.clone()).unwrap();
        let ours = execute_block(seq.config(), parent.header.inner(), attrs, seq.store()).unwrap();
        assert_eq!(ours.block_hash, block.hash(), "block {}", block.number());
        assert_eq!(ours.output_root, Some(block.output_root), "block {}", block.number());
    }
}

#[test]
fn blocks_with_transfers_contracts_and_invalid_transactions_reexecute_identically() {
    let Some(p) = predeploys() else { return };
    let g = genesis::build(&spec(KarstAt::Genesis, L1_TIME + 1, p)).unwrap();
    assert_eq!(g.config.kona.genesis.l2.hash, g.header.hash());
    let mut seq = Sequencer::new(g, l1(0), schedule()).unwrap();
    let (a, b) = (key(0), key(1));
    let to_b = TxKind::Call(b.address());

    // Block 1: two transfers, a nonce gap and a sender with no funds (both left out).
    let mempool = vec![
        tx(&a, 0, to_b, 1_000, &[], 21_000),
        tx(&a, 1, to_b, 2_000, &[], 21_000),
        tx(&a, 5, to_b, 1, &[], 21_000),
        tx(&key(7), 0, TxKind::Call(a.address()), 1, &[], 21_000),
    ];
    let built = advance(&mut seq, &mempool);
    assert_eq!(built.included, 2);
    let skipped: Vec<usize> = built.skipped.iter().map(|(i, _)| *i).collect();
    assert_eq!(skipped, vec![2, 3], "{:?}", built.skipped);
    assert!(built.skipped[0].1.contains("nonce"), "{}", built.skipped[0].1);

    // Block 2: deploy a contract that stores calldata word 0 in slot 0; block 3 calls it.
    let runtime = [0x60, 0x00, 0x35, 0x60, 0x00, 0x55, 0x00];
    let mut init = vec![0x60, 0x07, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x07, 0x60, 0x00, 0xf3];
    init.extend_from_slice(&runtime);
    assert_eq!(advance(&mut seq, &[tx(&a, 2, TxKind::Create, 0, &init, 200_000)]).included, 1);
    let contract = a.address().create(2);
    let word = B256::repeat_byte(0x42);
    assert_eq!(advance(&mut seq, &[tx(&a, 3, TxKind::Call(contract), 0, word.as_slice(), 100_000)]).included, 1);

    // Blocks 4..=20: a transfer each, across several epochs.
    for n in 0..17 {
        assert_eq!(advance(&mut seq, &[tx(&b, n, to_b, 1, &[], 21_000)]).included, 1);
    }
    let head = seq.head().clone();
    assert_eq!(head.number(), 20);
    assert!(head.origin.number >= 3, "20 blocks of 2 s cross L1 blocks of 12 s: origin {}", head.origin.number);

    let root = head.header.state_root;
    let store = seq.store();
    assert_eq!(state::storage(store, root, contract, U256::ZERO).unwrap(), U256::from_be_bytes(word.0));
    let code = state::account(store, root, contract).unwrap().unwrap().code_hash;
    assert_eq!(code, keccak256(runtime));
    assert_eq!(state::account(store, root, a.address()).unwrap().unwrap().nonce, 4);
    assert_eq!(state::account(store, root, b.address()).unwrap().unwrap().nonce, 17);
    // The L1Block predeploy took the Jovian L1-info call: number, sequence number, scalars.
    let slot = |s: u64| state::storage(store, root, L1_BLOCK, U256::from(s)).unwrap();
    assert_eq!(slot(0) & U256::from(u64::MAX), U256::from(head.origin.number));
    assert_eq!(slot(0) >> 64, U256::from(head.origin.timestamp));
    assert_eq!(slot(1), U256::from(head.origin.base_fee));
    assert_eq!(slot(2), U256::from_be_bytes(head.origin.hash.0));
    assert_eq!(slot(3) & U256::from(u64::MAX), U256::from(head.sequence_number));
    assert_eq!((slot(3) >> 96) & U256::from(u32::MAX), U256::from(1368u32), "base fee scalar");
    assert_eq!((slot(3) >> 64) & U256::from(u32::MAX), U256::from(810_949u32), "blob base fee scalar");
    assert_eq!(slot(8) >> 96, U256::from(400u16), "Jovian's default DA footprint scalar");
    // op-revm charged the L1 data fee from those values into the L1FeeVault.
    let l1_fee_vault = alloy::primitives::address!("420000000000000000000000000000000000001a");
    let vault = state::account(store, root, l1_fee_vault).unwrap().expect("the L1 fee vault was paid");
    assert!(vault.balance > U256::ZERO);

    // Account and storage proofs verify against the state root, for present and absent keys.
    use alloy_trie::{Nibbles, proof::verify_proof};
    for address in [a.address(), b.address(), contract, L1_BLOCK, alloy::primitives::Address::repeat_byte(0x99)] {
        let key = keccak256(address);
        let (proof, value) = state::proof(store, root, key).unwrap();
        assert_eq!(value.is_some(), state::account(store, root, address).unwrap().is_some());
        verify_proof(root, Nibbles::unpack(key), value, &proof).unwrap();
    }
    let storage_root = state::account(store, root, L1_BLOCK).unwrap().unwrap().storage_root;
    for slot in [0u64, 3, 8, 9] {
        let key = keccak256(U256::from(slot).to_be_bytes::<32>());
        let (proof, value) = state::proof(store, storage_root, key).unwrap();
        assert_eq!(value.is_some(), slot != 9, "slot {slot}");
        verify_proof(storage_root, Nibbles::unpack(key), value, &proof).unwrap();
    }

    verify_all(&seq);
}

#[test]
fn karst_activation_block_takes_its_bundle_and_no_user_transactions() {
    let Some(p) = predeploys() else { return };
    let g = genesis::build(&spec(KarstAt::Block(3), L1_TIME + 1, p)).unwrap();
    let bundle_gas = genesis::karst_bundle().unwrap().upgrade_gas;
    let mut seq = Sequencer::new(g, l1(0), schedule()).unwrap();
    let a = key(0);
    let mut nonce = 0;
    for n in 1..=5u64 {
        let built = advance(&mut seq, &[tx(&a, nonce, TxKind::Call(a.address()), 1, &[], 21_000)]);
        let block = seq.block(n).unwrap();
        if n == 3 {
            assert_eq!(built.included, 0);
            assert!(built.skipped[0].1.contains("activation block"), "{}", built.skipped[0].1);
            assert_eq!(block.header.gas_limit, GAS_LIMIT + bundle_gas);
            // L1-info, then the bundle's one deposit.
            assert_eq!(block.deposit_count(), 2);
        } else {
            assert_eq!(built.included, 1, "block {n}: {:?}", built.skipped);
            assert_eq!(block.header.gas_limit, GAS_LIMIT);
            nonce += 1;
        }
    }
    // The bundle's deposit created the marker (code: STOP).
    let marker = riposte_rollup::genesis::karst_marker_address();
    let root = seq.head().header.state_root;
    let account = state::account(seq.store(), root, marker).unwrap().expect("the marker is deployed");
    assert_eq!(account.code_hash, keccak256([0u8]));
    verify_all(&seq);
}

#[test]
fn past_the_drift_without_a_next_origin_the_block_has_no_user_transactions() {
    let Some(p) = predeploys() else { return };
    // Genesis 1799 s after its origin: block 1 (at +1801) is past Fjord's 1800 s drift.
    let g = genesis::build(&spec(KarstAt::Genesis, L1_TIME + 1799, p)).unwrap();
    let mut seq = Sequencer::new(g, l1(0), schedule()).unwrap();
    assert_eq!(seq.choose_origin(None), OriginChoice::SameWithoutTransactions);
    let a = key(0);
    let built = seq.build_next(&l1(0), &[], &[], &[tx(&a, 0, TxKind::Call(a.address()), 1, &[], 21_000)]).unwrap();
    assert_eq!(built.included, 0);
    // With the next L1 block known, it moves on (L1 block 1 is at +12 s, long before).
    assert_eq!(seq.choose_origin(Some(&l1(1))), OriginChoice::Next);
    // A skipped origin or a later one is refused.
    assert!(seq.build_next(&l1(2), &[], &[], &[]).is_err());
    verify_all(&seq);
}

/// A `TransactionDeposited` log as the portal emits it (version 0).
fn deposit_log(
    portal: alloy::primitives::Address,
    from: alloy::primitives::Address,
    to: alloy::primitives::Address,
    mint: u128,
    value: u128,
) -> alloy::primitives::Log {
    let mut opaque = Vec::new();
    opaque.extend_from_slice(&U256::from(mint).to_be_bytes::<32>());
    opaque.extend_from_slice(&U256::from(value).to_be_bytes::<32>());
    opaque.extend_from_slice(&100_000u64.to_be_bytes());
    opaque.push(0);
    let mut data = U256::from(32).to_be_bytes::<32>().to_vec();
    data.extend_from_slice(&U256::from(opaque.len()).to_be_bytes::<32>());
    data.extend_from_slice(&opaque);
    data.resize(data.len().div_ceil(32) * 32, 0);
    let topics = vec![kona_protocol::DEPOSIT_EVENT_ABI_HASH, from.into_word(), to.into_word(), B256::ZERO];
    alloy::primitives::Log::new(portal, topics, data.into()).unwrap()
}

#[test]
fn portal_deposits_of_the_origin_run_in_the_first_block_of_its_epoch() {
    use alloy::consensus::{Eip658Value, Receipt};
    use alloy::primitives::Address;
    use riposte_rollup::deposits::user_deposits;
    let Some(p) = predeploys() else { return };
    let s = spec(KarstAt::Genesis, L1_TIME + 1, p);
    let portal = s.deposit_contract;
    let mut seq = Sequencer::new(genesis::build(&s).unwrap(), l1(0), schedule()).unwrap();
    while seq.choose_origin(Some(&l1(1))) != OriginChoice::Next {
        advance(&mut seq, &[]);
    }
    let (from, to) = (Address::repeat_byte(0xf1), Address::repeat_byte(0x70));
    let receipt = |ok: bool, logs| Receipt { status: Eip658Value::Eip658(ok), cumulative_gas_used: 0, logs };
    let receipts = vec![
        // A reverted transaction's log and another contract's log do not count.
        receipt(false, vec![deposit_log(portal, from, to, 5, 5)]),
        receipt(true, vec![deposit_log(Address::repeat_byte(1), from, to, 7, 7)]),
        receipt(true, vec![deposit_log(portal, from, to, 10u128.pow(18), 4 * 10u128.pow(17))]),
    ];
    let deposits = user_deposits(l1(1).hash, &receipts, portal).unwrap();
    assert_eq!(deposits.len(), 1);
    let built = seq.build_next(&l1(1), &deposits, &[], &[]).unwrap();
    let block = seq.block(built.number).unwrap();
    assert_eq!(block.sequence_number, 0);
    assert_eq!(block.deposit_count(), 2, "L1-info, then the user deposit");
    assert_eq!(block.transactions[1], deposits[0]);
    let root = block.header.state_root;
    let balance = |a| state::account(seq.store(), root, a).unwrap().map_or(U256::ZERO, |acc| acc.balance);
    assert_eq!(balance(to), U256::from(4 * 10u128.pow(17)));
    assert_eq!(balance(from), U256::from(6 * 10u128.pow(17)));
    // Deposits belong to an epoch's first block only.
    assert!(seq.build_next(&l1(1), &deposits, &[], &[]).is_err());
    // A portal log that is not a deposit stops derivation, and is named.
    let mut bad = deposit_log(portal, from, to, 1, 1);
    bad.data = alloy::primitives::LogData::new_unchecked(bad.data.topics().to_vec(), vec![0u8; 33].into());
    let err = user_deposits(l1(1).hash, &[receipt(true, vec![bad])], portal).unwrap_err().to_string();
    assert!(err.contains("log 0") && err.contains("portal"), "{err}");
    verify_all(&seq);
}
