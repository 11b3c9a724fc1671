//! The node on a real anvil L1: the sequencer follows L1 origins, the batcher posts span batches
//! by turns in calldata and blobs, and the chain is derived back from L1 alone: kona's
//! `EthereumDataSource` (through riposte-core's hash-checked L1 and beacon providers) yields
//! the batcher data, riposte-core's stages turn it into batches, the attributes are rebuilt from
//! the L1 origins read from L1, and riposte-core's builder re-executes every block to the
//! sequencer's hash and output root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy::primitives::{B256, TxKind};
use alloy::providers::{Provider, ProviderBuilder};
use common::{key, predeploys, tx};
use kona_derive::{DataAvailabilityProvider, EthereumDataSource, PipelineError, PipelineErrorKind};
use kona_protocol::{Batch, BlockInfo, Frame, L2BlockInfo};
use riposte_core::derive::attributes::{BlockInputs, L1Origin, build_attributes};
use riposte_core::derive::batches::decode_channel;
use riposte_core::derive::channel::ChannelAssembler;
use riposte_core::exec::execute_block;
use riposte_core::l1::{AlloyRpc, BeaconBlobs, BlockIdRule, L1Provider};
use riposte_rollup::batcher::BatchKind;
use riposte_rollup::genesis::{self, GenesisSpec, KarstAt};
use riposte_rollup::node::{DataMode, NodeOptions, RollupNode};
use riposte_rollup::sequencer::Sequencer;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// anvil's second default account (public knowledge): the batcher.
const BATCHER_KEY: &str = "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

struct Anvil(Child);

impl Drop for Anvil {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn anvil() -> Option<(Anvil, String)> {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../devnet/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    if !bin.exists() {
        println!("NOT RUN: anvil is not installed at {} (ops/devnet/setup.sh installs it)", bin.display());
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--chain-id", "900", "--block-time", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    Some((Anvil(child), format!("http://127.0.0.1:{port}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_is_derived_back_from_l1_calldata_and_blobs_to_the_sequencers_blocks() {
    let Some(p) = predeploys() else { return };
    let Some((_anvil, url)) = anvil() else { return };
    let l1 = ProviderBuilder::new().connect_http(url.parse().unwrap()).erased();
    let started = Instant::now();
    let head = loop {
        match l1.get_block_by_number(alloy::eips::BlockNumberOrTag::Latest).await {
            Ok(Some(b)) => break b,
            _ if started.elapsed() < Duration::from_secs(20) => tokio::time::sleep(Duration::from_millis(100)).await,
            other => panic!("anvil did not answer: {other:?}"),
        }
    };
    let batcher_key: B256 = BATCHER_KEY.parse().unwrap();
    let batcher = alloy::signers::local::PrivateKeySigner::from_bytes(&batcher_key).unwrap().address();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let spec = GenesisSpec {
        l1: (head.header.hash, head.header.number, head.header.timestamp),
        l1_chain_id: 900,
        l2_time: now.max(head.header.timestamp),
        block_time: 1,
        karst: KarstAt::Genesis,
        batcher,
        deposit_contract: alloy::primitives::Address::repeat_byte(0xdc),
        system_config_contract: alloy::primitives::Address::repeat_byte(0x5c),
        funded: (0..2).map(|i| key(i).address()).collect(),
        balance: alloy::primitives::U256::from(10u128.pow(22)),
        predeploys: p,
    };
    let genesis = genesis::build(&spec).unwrap();
    let schedule = genesis::ANVIL_BLOB_SCHEDULE;
    let seq = Sequencer::new(genesis, L1Origin::of(&head.header.inner, head.header.hash), schedule).unwrap();
    let config = seq.config().clone();
    let options = NodeOptions {
        l1_url: url.clone(),
        batcher_key,
        batch_every: 3,
        batch_kind: BatchKind::Span,
        data: DataMode::Alternate,
        max_frame_data: 100_000,
        rpc_port: 0,
    };
    let node = RollupNode::start(seq, options).await.unwrap();
    let l2 = ProviderBuilder::new().connect_http(node.url().parse().unwrap()).erased();
    assert_eq!(l2.get_chain_id().await.unwrap(), genesis::CHAIN_ID);

    // Transfers through eth_sendRawTransaction while the chain runs, until 12 blocks are safe.
    let a = key(0);
    let mut nonce = 0;
    let mut sent = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (safe, error, waiting) = {
            let s = node.state();
            (s.safe_head, s.last_error.clone(), s.mempool.len())
        };
        if safe >= 12 {
            break;
        }
        assert!(Instant::now() < deadline, "12 safe blocks in 60 s: safe {safe}, last error {error:?}");
        if waiting == 0 {
            let raw = tx(&a, nonce, TxKind::Call(key(1).address()), 1, &[], 21_000);
            sent.push(*l2.send_raw_transaction(&raw).await.unwrap().tx_hash());
            nonce += 1;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    rpc_answers(&l2, &node, &sent, nonce).await;
    let (blocks, posted) = {
        let s = node.state();
        (s.seq.blocks().to_vec(), s.posted.clone())
    };
    drop(node);
    let safe = posted.iter().filter_map(|p| p.blocks).map(|(_, last)| last).max().unwrap();
    assert!(posted.iter().any(|p| p.blob) && posted.iter().any(|p| !p.blob), "both kinds posted: {posted:?}");
    let with_txs = blocks[1..=safe as usize].iter().filter(|b| !b.user_transactions().is_empty()).count();
    assert!(with_txs >= 3, "{with_txs} of the safe blocks carry transfers");
    let epochs: std::collections::BTreeSet<u64> = blocks[1..=safe as usize].iter().map(|b| b.origin.number).collect();
    assert!(epochs.len() >= 3, "the sequencer followed L1: epochs {epochs:?}");

    // Derive: every L1 block from the genesis origin to the last batch's, through kona's source.
    let rpc = AlloyRpc::new(l1.clone(), format!("L1 RPC {url}"));
    let mut provider = L1Provider::new(rpc);
    let beacon = riposte_chain::beacon::Beacon::new(
        &url,
        Duration::from_secs(5),
        2,
        8,
        std::sync::Arc::new(riposte_chain::NoMetrics),
    )
    .unwrap();
    let blobs = BeaconBlobs::new(beacon, BlockIdRule::BlockNumber);
    let mut source = EthereumDataSource::new_from_parts(provider.clone(), blobs, &config.kona);
    let last_l1 = posted.iter().map(|p| p.l1_block).max().unwrap();
    let mut assembler = ChannelAssembler::new();
    let mut batches = Vec::new();
    use kona_derive::ChainProvider;
    for n in head.header.number + 1..=last_l1 {
        let info = provider.block_info_by_number(n).await.unwrap();
        loop {
            match source.next(&info, batcher).await {
                Ok(data) => {
                    for frame in Frame::parse_frames(&data).unwrap() {
                        if let Some(ch) = assembler.add_frame(frame, info).unwrap() {
                            let decoded = decode_channel(&ch.data, &config.kona, info.timestamp).unwrap();
                            assert!(decoded.stopped.is_none(), "{:?}", decoded.stopped);
                            batches.extend(decoded.batches);
                        }
                    }
                }
                Err(PipelineErrorKind::Temporary(PipelineError::Eof)) => break,
                Err(e) => panic!("L1 block {n}: {e}"),
            }
        }
        source.clear();
    }

    // Span batches to per-block batches, each checked against its L1 origin read from L1.
    let mut origins = Vec::new();
    for n in head.header.number..=last_l1 {
        origins.push(provider.block_info_by_number(n).await.unwrap());
    }
    let mut derived = Vec::new();
    let mut safe_info = L2BlockInfo {
        block_info: BlockInfo { timestamp: blocks[0].header.timestamp, ..Default::default() },
        ..Default::default()
    };
    for batch in batches {
        let Batch::Span(span) = batch else { panic!("the node posts span batches") };
        let singles = span.get_singular_batches(&origins, safe_info).unwrap();
        safe_info.block_info.timestamp = singles.last().unwrap().timestamp;
        derived.extend(singles);
    }
    assert_eq!(derived.len() as u64, safe, "every safe block is in a batch, once");

    // Attributes from L1 alone, executed on the derived parent: the sequencer's blocks.
    let mut parent = blocks[0].header.clone();
    let mut sequence_number = 0;
    let mut epoch = head.header.number;
    // Only genesis's state to start from; each derived block adds what its re-execution wrote.
    let fresh = genesis::build(&spec).unwrap();
    let (mut store, system_config) = (fresh.store, fresh.system_config);
    for (i, single) in derived.iter().enumerate() {
        let ours = &blocks[i + 1];
        let origin_header = provider.header_by_hash(single.epoch_hash).await.unwrap();
        let origin = L1Origin::of(&origin_header, single.epoch_hash);
        if origin.number == epoch {
            sequence_number += 1;
        } else {
            sequence_number = 0;
            epoch = origin.number;
        }
        let inputs = BlockInputs {
            config: &config,
            blob_schedule: &schedule,
            parent_timestamp: parent.timestamp,
            timestamp: single.timestamp,
            origin: &origin,
            sequence_number,
            system_config: &system_config,
            deposits: &[],
            upgrades: &[],
        };
        let attrs = build_attributes(&inputs, single.transactions.clone()).unwrap();
        let built = riposte_core::exec::sequence_block(&config, parent.inner(), attrs, &[], &store).unwrap();
        for v in built.preimages {
            store.insert(v);
        }
        assert_eq!(built.executed.block_hash, ours.hash(), "derived block {}", ours.number());
        assert_eq!(built.executed.output_root, Some(ours.output_root));
        // The verifying path agrees too.
        let again = execute_block(
            &config,
            parent.inner(),
            riposte_core::exec::payload_from_block(&config, built.executed.header.inner(), built.transactions.clone())
                .unwrap(),
            &store,
        )
        .unwrap();
        assert_eq!(again.block_hash, ours.hash());
        parent = built.executed.header;
    }
}

/// What the node's RPC says matches its chain, read through alloy as riposte reads a node.
async fn rpc_answers(l2: &alloy::providers::DynProvider, node: &RollupNode, sent: &[B256], nonce: u64) {
    use alloy::primitives::U256;
    let (blocks, safe) = {
        let s = node.state();
        (s.seq.blocks().to_vec(), s.safe_head)
    };
    let n = l2.get_block_number().await.unwrap();
    assert!(n >= 12);
    let five = l2.get_block_by_number(5.into()).await.unwrap().expect("block 5");
    assert_eq!(five.header.hash, blocks[5].hash());
    assert_eq!(five.header.inner, *blocks[5].header.inner());
    let receipt = l2.get_transaction_receipt(sent[0]).await.unwrap().expect("the first transfer is mined");
    assert!(receipt.status());
    assert_eq!(receipt.from, key(0).address());
    let included = blocks.iter().find(|b| b.hash() == receipt.block_hash.unwrap()).unwrap();
    assert!(included.transactions.iter().any(|t| alloy::primitives::keccak256(t) == sent[0]));
    let raw: alloy::primitives::Bytes = l2.raw_request("debug_getRawHeader".into(), ("0x5",)).await.unwrap();
    assert_eq!(raw, alloy::rlp::encode(blocks[5].header.inner()));
    let output: serde_json::Value = l2.raw_request("optimism_outputAtBlock".into(), ("0x5",)).await.unwrap();
    assert_eq!(output["outputRoot"], serde_json::json!(blocks[5].output_root));
    let status: serde_json::Value = l2.raw_request("optimism_syncStatus".into(), ()).await.unwrap();
    assert!(status["safe_l2"]["number"].as_u64().unwrap() >= safe);
    let config: serde_json::Value = l2.raw_request("optimism_rollupConfig".into(), ()).await.unwrap();
    assert_eq!(config["l2_chain_id"], 901);
    // Balances and nonces at a block, storage of the L1Block predeploy.
    let b = key(1).address();
    let balance = l2.get_balance(b).number(n).await.unwrap();
    assert!(balance > U256::from(10u128.pow(22)), "key 1 received transfers: {balance}");
    assert!(l2.get_transaction_count(key(0).address()).await.unwrap() <= nonce);
    let l1_block = riposte_core::derive::l1_info::L1_BLOCK;
    assert!(!l2.get_code_at(l1_block).await.unwrap().is_empty());
    let number = l2.get_storage_at(l1_block, U256::ZERO).await.unwrap() & U256::from(u64::MAX);
    let head = blocks.iter().rev().find(|blk| blk.number() <= n).unwrap();
    assert!(number >= U256::from(blocks[1].origin.number) && number <= U256::from(head.origin.number + 1));
    // eth_getProof as alloy reads it: the message passer's storage root is the output root's.
    let passer = riposte_core::exec::MESSAGE_PASSER;
    let proof = l2.get_proof(passer, vec![B256::ZERO]).number(5).await.unwrap();
    let want = riposte_core::exec::output_root_v0(blocks[5].header.state_root, proof.storage_hash, blocks[5].hash());
    assert_eq!(want, blocks[5].output_root);
    assert!(!proof.account_proof.is_empty());
    // debug_executionWitness: riposte-core re-executes block 5 from the node's witness alone
    // (what `--verify-outputs reexecute` does) and agrees with the node's header.
    let config = std::sync::Arc::new(node.state().seq.config().clone());
    let rpc = AlloyRpc::new(l2.clone(), "the rollup's L2 RPC".to_owned());
    for number in [1, 5, blocks.len() as u64 - 1] {
        match riposte_core::l2::check_node_block(&rpc, config.clone(), number).await.unwrap() {
            riposte_core::exec::Verdict::Agrees(ours) => assert_eq!(ours.block_hash, blocks[number as usize].hash()),
            other => panic!("block {number}: {other:?}"),
        }
    }
    // superroot_atTimestamp: the one-chain super root of the block at a timestamp once it is
    // safe, with the L1 block that made it so; nothing yet for a timestamp past the safe head.
    let t = blocks[5].header.timestamp;
    let answer: serde_json::Value = l2.raw_request("superroot_atTimestamp".into(), (format!("{t:#x}"),)).await.unwrap();
    let want = riposte_solver::trace::super_root::SuperRoot::single(t, 901, blocks[5].output_root).hash();
    assert_eq!(answer["data"]["super_root"], serde_json::json!(want));
    let required = answer["data"]["verified_required_l1"]["number"].as_u64().unwrap();
    assert!(node.state().safe_by_l1.iter().any(|(l1, safe)| *l1 == required && *safe >= 5));
    let later = blocks[0].header.timestamp + 10_000;
    let answer: serde_json::Value =
        l2.raw_request("superroot_atTimestamp".into(), (format!("{later:#x}"),)).await.unwrap();
    assert!(answer["data"].is_null() && answer["current_l1"]["number"].is_u64());
    // The fault switch: a header with a wrong state root is caught by re-execution, a wrong
    // optimism_outputAtBlock by the output root proven from the header and eth_getProof.
    node.state().lies = riposte_rollup::node::Lies { wrong_state_root_from: Some(5), wrong_output_root: true };
    match riposte_core::l2::check_node_block(&rpc, config.clone(), 5).await.unwrap() {
        riposte_core::exec::Verdict::Disagrees { ours, node_state_root, .. } => {
            assert_eq!(ours.block_hash, blocks[5].hash());
            assert_ne!(node_state_root, blocks[5].header.state_root);
        }
        other => panic!("the lie was not caught: {other:?}"),
    }
    let told: serde_json::Value = l2.raw_request("optimism_outputAtBlock".into(), ("0x4",)).await.unwrap();
    let header4 = l2.get_block_by_number(4.into()).await.unwrap().unwrap().header;
    let proof4 = l2.get_proof(passer, vec![]).number(4).await.unwrap();
    let proven = riposte_core::exec::output_root_v0(header4.inner.state_root, proof4.storage_hash, header4.hash);
    assert_eq!(proven, blocks[4].output_root, "block 4's header is honest");
    assert_ne!(told["outputRoot"], serde_json::json!(proven), "the told root is the lie");
    node.state().lies = Default::default();
    // Refusals with the codes nodes use.
    let low = tx(&key(0), 0, TxKind::Call(b), 1, &[], 21_000);
    let err = l2.send_raw_transaction(&low).await.unwrap_err().to_string();
    assert!(err.contains("nonce too low"), "{err}");
    let err = l2.send_raw_transaction(&[0x02, 0x01]).await.unwrap_err().to_string();
    assert!(err.contains("does not decode"), "{err}");
    let err = l2.raw_request::<_, serde_json::Value>("eth_noSuchMethod".into(), ()).await.unwrap_err().to_string();
    assert!(err.contains("-32601") && err.contains("does not exist"), "{err}");
    assert!(l2.get_block_by_number(1_000_000.into()).await.unwrap().is_none());
}
