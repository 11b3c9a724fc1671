//! riposte's L1 providers behind kona's traits, on a real anvil L1 (blocks, receipts, calldata
//! and blob transactions, and anvil's beacon blob endpoint), then on the recorded answers, then on
//! recorded answers edited to lie. kona's own `EthereumDataSource` drives them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::{
    eips::eip4844::BlobTransactionSidecar,
    network::{EthereumWallet, TransactionBuilder, TransactionBuilder4844},
    primitives::{Address, Bytes},
    providers::{Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use kona_derive::{ChainProvider, DataAvailabilityProvider, EthereumDataSource, PipelineErrorKind};
use kona_genesis::RollupConfig;
use kona_protocol::{BlockInfo, Frame};
use riposte_core::l1::{
    AlloyRpc, BeaconBlobs, BlockIdRule, L1Provider, blob,
    record::{Exchange, Recording, Replay},
};
use riposte_devnet::{Devnet, DevnetOptions};
use std::time::Duration;

const INBOX: Address = Address::new([0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x20]);

/// The calldata of kona-derive's real batcher transaction: version byte and frames.
fn real_batcher_calldata() -> Bytes {
    use alloy::{consensus::Transaction, eips::eip2718::Decodable2718};
    let dir = riposte_core::fixture::package_dir(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")),
        "kona-derive",
        "0.4.5",
    )
    .unwrap();
    let raw = std::fs::read(dir.join("testdata/raw_batcher_tx.hex")).unwrap();
    let tx = alloy::consensus::TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap();
    tx.input().clone()
}

fn config(ecotone: bool) -> RollupConfig {
    let mut cfg = RollupConfig { batch_inbox_address: INBOX, ..RollupConfig::default() };
    cfg.hardforks.ecotone_time = Some(if ecotone { 0 } else { u64::MAX });
    cfg
}

/// Everything the data source yields for `block` until it runs dry.
async fn drain<C, B>(
    source: &mut EthereumDataSource<C, B>,
    block: &BlockInfo,
    batcher: Address,
) -> Result<Vec<Bytes>, String>
where
    C: ChainProvider + Send + Sync + Clone + std::fmt::Debug,
    B: kona_derive::BlobProvider + Send + Sync + Clone + std::fmt::Debug,
{
    let mut out = Vec::new();
    loop {
        match source.next(block, batcher).await {
            Ok(data) => out.push(data),
            Err(PipelineErrorKind::Temporary(kona_derive::PipelineError::Eof)) => return Ok(out),
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calldata_and_blob_batches_come_through_kona_from_anvil_and_from_a_recording() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let accounts = devnet.accounts();
    let batcher: PrivateKeySigner = accounts[5].private_key.to_string().parse().unwrap();
    let stranger: PrivateKeySigner = accounts[6].private_key.to_string().parse().unwrap();
    let batcher_addr = batcher.address();
    let url = devnet.l1_url().clone();
    let sender =
        |key: PrivateKeySigner| ProviderBuilder::new().wallet(EthereumWallet::from(key)).connect_http(url.clone());
    let calldata = real_batcher_calldata();

    // Each block is mined by hand so that its transactions land together.
    let l1 = devnet.l1();
    let _: serde_json::Value = l1.rpc("evm_setAutomine", (false,)).await.unwrap();
    let mine_block = || async { l1.rpc::<_, serde_json::Value>("evm_mine", ()).await.unwrap() };

    // Block A: the real batcher calldata from the batcher, the same from a stranger, and the
    // batcher's transaction to another address. Only the first counts.
    let mut pending = Vec::new();
    for (key, to) in [(batcher.clone(), INBOX), (stranger.clone(), INBOX), (batcher.clone(), Address::repeat_byte(7))] {
        let tx = TransactionRequest::default().with_to(to).with_input(calldata.clone());
        pending.push(sender(key).send_transaction(tx).await.unwrap());
    }
    mine_block().await;
    let mut blocks = Vec::new();
    for p in pending {
        blocks.push(p.get_receipt().await.unwrap().block_hash);
    }
    blocks.dedup();
    assert_eq!(blocks.len(), 1, "block A holds all three");
    let block_a = blocks[0];

    // Block B: the same frames in a blob from the batcher, and a stranger's blob.
    let blob_tx = |data: &[u8]| {
        let settings = alloy::eips::eip4844::env_settings::EnvKzgSettings::Default;
        let sidecar =
            BlobTransactionSidecar::try_from_blobs_with_settings(vec![blob::encode(data).unwrap()], settings.get())
                .unwrap();
        TransactionRequest::default().with_to(INBOX).with_blob_sidecar(sidecar)
    };
    let theirs = sender(stranger.clone()).send_transaction(blob_tx(b"\x00not frames")).await.unwrap();
    let mine = sender(batcher.clone()).send_transaction(blob_tx(&calldata)).await.unwrap();
    mine_block().await;
    let block_b = mine.get_receipt().await.unwrap().block_hash;
    assert_eq!(theirs.get_receipt().await.unwrap().block_hash, block_b, "block B holds both blobs");

    let rpc = Recording::new(AlloyRpc::new(devnet.l1().provider().clone(), format!("L1 RPC {url}")));
    let beacon = Recording::new(
        riposte_chain::beacon::Beacon::new(
            url.as_str(),
            Duration::from_secs(5),
            2,
            8,
            std::sync::Arc::new(riposte_chain::NoMetrics),
        )
        .unwrap(),
    );
    let mut l1 = L1Provider::new(rpc.clone());
    let blobs = BeaconBlobs::new(beacon.clone(), BlockIdRule::BlockNumber);

    let mut results = Vec::new();
    for (hash, ecotone) in [(block_a.unwrap(), false), (block_b.unwrap(), true)] {
        let header = l1.header_by_hash(hash).await.unwrap();
        let info = l1.block_info_by_number(header.number).await.unwrap();
        assert_eq!(info.hash, hash);
        let receipts = l1.receipts_by_hash(hash).await.unwrap();
        assert!(receipts.iter().all(|r| r.status.coerce_status()));
        let mut source = EthereumDataSource::new_from_parts(l1.clone(), blobs.clone(), &config(ecotone));
        let got = drain(&mut source, &info, batcher_addr).await.unwrap();
        let lens: Vec<usize> = got.iter().map(|b| b.len()).collect();
        assert!(
            got == vec![calldata.clone()],
            "ecotone {ecotone}: want the batcher's {} bytes, got {lens:?}",
            calldata.len()
        );
        let frames = Frame::parse_frames(&got[0]).unwrap();
        assert_eq!(frames, Frame::parse_frames(&calldata).unwrap());
        results.push((info, got));
    }

    // Replayed from the recording: the same data, with no node at all.
    let rpc_log = rpc.exchanges();
    let beacon_log = beacon.exchanges();
    let replay = |rpc_log: Vec<Exchange>, beacon_log: Vec<Exchange>| {
        (
            L1Provider::new(Replay::new("recorded L1 RPC", rpc_log)),
            BeaconBlobs::new(Replay::new("recorded beacon API", beacon_log), BlockIdRule::BlockNumber),
        )
    };
    for (i, (info, want)) in results.iter().enumerate() {
        let (l1, blobs) = replay(rpc_log.clone(), beacon_log.clone());
        let mut source = EthereumDataSource::new_from_parts(l1, blobs, &config(i == 1));
        assert!(&drain(&mut source, info, batcher_addr).await.unwrap() == want, "replay of block {}", info.number);
    }

    // A lying L1 node: one byte of the batcher's calldata changed in the full block.
    let needle = alloy::hex::encode(&calldata[..40]);
    let mut lie = rpc_log.clone();
    let edited = lie
        .iter_mut()
        .filter(|e| e.call.starts_with("eth_getBlockByHash") && e.call.ends_with(",true]"))
        .find_map(|e| {
            let text = e.answer.to_string();
            text.contains(&needle).then(|| {
                e.answer = serde_json::from_str(&text.replacen(&needle, &needle.replacen("00", "01", 1), 1)).unwrap();
            })
        });
    assert!(edited.is_some(), "the recording holds block A's transactions");
    let (l1, blobs) = replay(lie, beacon_log.clone());
    let mut source = EthereumDataSource::new_from_parts(l1, blobs, &config(false));
    let err = drain(&mut source, &results[0].0, batcher_addr).await.unwrap_err();
    assert!(err.contains("transactions hash to root") && err.contains("recorded L1 RPC"), "{err}");

    // A lying beacon node: one blob byte changed, so it no longer commits to the versioned hash.
    let mut lie = beacon_log.clone();
    let blob_answer =
        lie.iter_mut().find(|e| e.call.starts_with("/eth/v1/beacon/blobs/") && !e.answer.is_null()).unwrap();
    let served = blob_answer.answer["data"][0].as_str().unwrap().to_owned();
    let flipped = format!("{}{}", &served[..70], if &served[70..71] == "1" { "2" } else { "1" }) + &served[71..];
    blob_answer.answer["data"][0] = flipped.into();
    let (l1, blobs) = replay(rpc_log, lie);
    let mut source = EthereumDataSource::new_from_parts(l1, blobs, &config(true));
    let err = drain(&mut source, &results[1].0, batcher_addr).await.unwrap_err();
    assert!(err.contains("no served blob commits to versioned hash"), "{err}");
}
