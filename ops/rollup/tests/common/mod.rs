//! Helpers shared by the rollup's tests: a synthetic L1, dev keys, the genesis spec, signed
//! transactions.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unreachable_pub)]

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::Encodable2718;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy::signers::{SignerSync, local::PrivateKeySigner};
use riposte_core::derive::attributes::L1Origin;
use riposte_core::derive::blob_fee::BlobSchedule;
use riposte_rollup::genesis::{self, GenesisSpec, KarstAt, Predeploys};
use riposte_rollup::sequencer::{OriginChoice, Sequencer};
use std::path::PathBuf;

pub const L1_TIME: u64 = 1_700_000_000;
pub const L1_BLOCK_TIME: u64 = 12;

pub fn predeploys() -> Option<Predeploys> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../devnet");
    match Predeploys::from_devnet_dir(&dir) {
        Ok(p) => Some(p),
        Err(e) => {
            println!("NOT RUN: the predeploys' artifacts are missing ({e}); ops/devnet/setup.sh installs them");
            None
        }
    }
}

/// L1 block `n` of a synthetic L1 (12 s blocks).
pub fn l1(n: u64) -> L1Origin {
    L1Origin {
        hash: keccak256(n.to_be_bytes()),
        number: n,
        timestamp: L1_TIME + n * L1_BLOCK_TIME,
        base_fee: 7 + n,
        excess_blob_gas: Some(0),
        mix_hash: keccak256([n as u8; 3]),
        parent_beacon_block_root: Some(keccak256([n as u8; 5])),
    }
}

pub fn key(i: u8) -> PrivateKeySigner {
    PrivateKeySigner::from_bytes(&B256::repeat_byte(i + 1)).unwrap()
}

pub fn spec(karst: KarstAt, l2_time: u64, p: Predeploys) -> GenesisSpec {
    GenesisSpec {
        l1: (l1(0).hash, 0, l1(0).timestamp),
        l1_chain_id: 900,
        l2_time,
        block_time: 2,
        karst,
        batcher: Address::repeat_byte(0xba),
        deposit_contract: Address::repeat_byte(0xdc),
        system_config_contract: Address::repeat_byte(0x5c),
        funded: (0..3).map(|i| key(i).address()).collect(),
        balance: U256::from(10u128.pow(22)),
        predeploys: p,
    }
}

pub fn schedule() -> BlobSchedule {
    genesis::ANVIL_BLOB_SCHEDULE
}

pub fn tx(from: &PrivateKeySigner, nonce: u64, to: TxKind, value: u64, input: &[u8], gas: u64) -> Bytes {
    let tx = TxEip1559 {
        chain_id: genesis::CHAIN_ID,
        nonce,
        gas_limit: gas,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000,
        to,
        value: U256::from(value),
        access_list: Default::default(),
        input: Bytes::copy_from_slice(input),
    };
    let sig = from.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

/// Runs the chain forward, moving to the next L1 block whenever the sequencer would.
pub fn advance(seq: &mut Sequencer, mempool: &[Bytes]) -> riposte_rollup::sequencer::Built {
    let head = seq.head().origin;
    let next = l1(head.number + 1);
    let origin = match seq.choose_origin(Some(&next)) {
        OriginChoice::Next => next,
        _ => head,
    };
    seq.build_next(&origin, &[], &[], mempool).unwrap()
}
