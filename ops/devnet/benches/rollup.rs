//! The rollup devnet's costs, printed: start time of L1 + rollup + contracts, the sequencer's
//! throughput with 100 transfers per block, and the L2 RPC's latency for `eth_getProof`.
//!
//! `cargo bench -p riposte-devnet --bench rollup` (`BENCH_RUNS` starts, default 5;
//! `BENCH_BLOCKS` sequenced blocks, default 50).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::Encodable2718;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256, keccak256};
use alloy::providers::Provider;
use alloy::signers::{SignerSync, local::PrivateKeySigner};
use riposte_core::derive::attributes::L1Origin;
use riposte_devnet::{Devnet, DevnetOptions};
use riposte_rollup::genesis::{self, GenesisSpec, KarstAt, Predeploys};
use riposte_rollup::sequencer::Sequencer;
use std::time::{Duration, Instant};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn origin(n: u64) -> L1Origin {
    L1Origin {
        hash: keccak256(n.to_be_bytes()),
        number: n,
        timestamp: 1_700_000_000 + 12 * n,
        base_fee: 10,
        excess_blob_gas: Some(0),
        mix_hash: B256::ZERO,
        parent_beacon_block_root: Some(B256::ZERO),
    }
}

fn transfer(key: &PrivateKeySigner, nonce: u64, to: Address) -> Bytes {
    let tx = TxEip1559 {
        chain_id: genesis::CHAIN_ID,
        nonce,
        gas_limit: 21_000,
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(to),
        value: U256::from(1),
        access_list: Default::default(),
        input: Bytes::new(),
    };
    let sig = key.sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig)).encoded_2718().into()
}

fn sequencer_throughput(blocks: usize) {
    let keys: Vec<PrivateKeySigner> =
        (0..100u8).map(|i| PrivateKeySigner::from_bytes(&B256::repeat_byte(i + 1)).unwrap()).collect();
    let spec = GenesisSpec {
        l1: (origin(0).hash, 0, origin(0).timestamp),
        l1_chain_id: 900,
        l2_time: origin(0).timestamp + 1,
        block_time: 2,
        karst: KarstAt::Genesis,
        batcher: Address::repeat_byte(0xba),
        deposit_contract: Address::repeat_byte(0xdc),
        system_config_contract: Address::repeat_byte(0x5c),
        funded: keys.iter().map(|k| k.address()).collect(),
        balance: U256::from(10u128.pow(22)),
        predeploys: Predeploys::from_devnet_dir(&riposte_devnet::devnet_dir()).unwrap(),
    };
    let mut seq = Sequencer::new(genesis::build(&spec).unwrap(), origin(0), genesis::ANVIL_BLOB_SCHEDULE).unwrap();
    // Sign everything first: the loop times building only.
    let mempools: Vec<Vec<Bytes>> =
        (0..blocks as u64).map(|n| keys.iter().map(|k| transfer(k, n, Address::repeat_byte(0x77))).collect()).collect();
    let started = Instant::now();
    let mut gas = 0u64;
    for mempool in &mempools {
        let head = seq.head().origin;
        let next = origin(head.number + 1);
        let o =
            if seq.choose_origin(Some(&next)) == riposte_rollup::sequencer::OriginChoice::Next { next } else { head };
        let built = seq.build_next(&o, &[], &[], mempool).unwrap();
        assert_eq!(built.included, 100, "{:?}", built.skipped.first());
        gas += seq.head().header.gas_used;
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "sequencer: {blocks} blocks of 100 transfers in {took:.2} s: {:.1} blocks/s, {:.1} Mgas/s, {} preimages in the store",
        blocks as f64 / took,
        gas as f64 / took / 1e6,
        seq.store().len()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs = env("BENCH_RUNS", 5);
    let mut starts = Vec::new();
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let devnet = Devnet::start(DevnetOptions { rollup: true, ..Default::default() }).await.unwrap();
        starts.push(t.elapsed());
        last = Some(devnet);
    }
    let (lo, hi) = (starts.iter().min().unwrap(), starts.iter().max().unwrap());
    println!(
        "start (L1 anvil + rollup with 64 blocks + contracts): median {:.2} s over {runs} runs ({:.2}–{:.2})",
        median(starts.clone()).as_secs_f64(),
        lo.as_secs_f64(),
        hi.as_secs_f64()
    );

    // eth_getProof latency through alloy, the message passer with one slot.
    let devnet = last.unwrap();
    let l2 = devnet.l2().provider().clone();
    let passer = riposte_core::exec::MESSAGE_PASSER;
    let mut times = Vec::new();
    for i in 0..200u64 {
        let t = Instant::now();
        let proof = l2.get_proof(passer, vec![B256::ZERO]).number(1 + i % 60).await.unwrap();
        times.push(t.elapsed());
        assert!(!proof.account_proof.is_empty());
    }
    println!(
        "eth_getProof: median {:.2} ms, max {:.2} ms over 200 calls (debug_executionWitness is not served yet)",
        median(times.clone()).as_secs_f64() * 1e3,
        times.iter().max().unwrap().as_secs_f64() * 1e3
    );
    drop(devnet);

    sequencer_throughput(env("BENCH_BLOCKS", 50));
}
