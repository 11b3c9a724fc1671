//! The data-source stages on real batcher data shipped in the kona-derive 0.4.5 package:
//! `testdata/raw_batcher_tx.hex` (a signed batcher transaction, pre-Ecotone calldata) and
//! `testdata/batch.hex` (compressed channel data, hex). Expectations come from the data itself.
// Tests may panic on fixture trouble: that is a failed test, not a daemon crash.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use alloy_consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Address, Bytes};
use kona_genesis::RollupConfig;
use kona_protocol::{Batch, BatchReader, BlockInfo, Frame};
use riposte_core::{
    Error,
    derive::{
        batches::{ChannelBatches, decode_channel},
        calldata::{BatchInbox, frames_from_calldata},
        channel::ChannelAssembler,
    },
};

/// kona-derive's package directory, as `cargo metadata` reports it for our dev-dependency.
fn kona_derive_dir() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--manifest-path", manifest])
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pkg = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kona-derive" && p["version"] == "0.4.5")
        .expect("kona-derive 0.4.5 is a dev-dependency");
    PathBuf::from(pkg["manifest_path"].as_str().unwrap()).parent().unwrap().to_path_buf()
}

fn testdata(name: &str) -> Vec<u8> {
    let path = kona_derive_dir().join("testdata").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn batcher_tx() -> TxEnvelope {
    TxEnvelope::decode_2718(&mut testdata("raw_batcher_tx.hex").as_slice()).unwrap()
}

/// The inbox and batcher as the transaction itself names them (recipient, recovered signer).
fn inbox_of(tx: &TxEnvelope) -> BatchInbox {
    BatchInbox { inbox: tx.to().unwrap(), batcher: tx.recover_signer().unwrap() }
}

fn batch_hex_channel() -> Vec<u8> {
    let text = String::from_utf8(testdata("batch.hex")).unwrap();
    alloy_primitives::hex::decode(text.trim()).unwrap()
}

/// OP chains' 2-second blocks; span batches derive their timestamps from it.
fn rollup_config() -> RollupConfig {
    RollupConfig { block_time: 2, ..Default::default() }
}

/// One L2 block's worth of a batch: (timestamp, epoch, transactions).
fn blocks(batches: &[Batch]) -> Vec<(u64, u64, Vec<Bytes>)> {
    let mut out = Vec::new();
    for batch in batches {
        match batch {
            Batch::Single(b) => out.push((b.timestamp, b.epoch_num, b.transactions.clone())),
            Batch::Span(b) => {
                assert!(!b.batches.is_empty(), "a span batch covers at least one block");
                out.extend(b.batches.iter().map(|e| (e.timestamp, e.epoch_num, e.transactions.clone())));
            }
        }
    }
    out
}

/// What the data must satisfy whatever chain it comes from: one block per `block_time`, an L1
/// origin that never goes back and advances by at most one per L2 block, and transactions that
/// are whole, non-deposit EIP-2718 transactions.
fn check_blocks(batches: &[Batch], cfg: &RollupConfig) -> usize {
    let blocks = blocks(batches);
    assert!(!blocks.is_empty());
    for pair in blocks.windows(2) {
        let ((t0, e0, _), (t1, e1, _)) = (&pair[0], &pair[1]);
        assert_eq!(t1 - t0, cfg.block_time, "blocks at {t0} and {t1} are not one block apart");
        assert!(e1 >= e0, "epoch goes back from {e0} to {e1} at {t1}");
        assert!(e1 - e0 <= 1, "epoch jumps from {e0} to {e1} at {t1}");
    }
    let mut txs = 0;
    for (timestamp, _, transactions) in &blocks {
        for raw in transactions {
            assert_ne!(raw.first(), Some(&0x7e), "deposit in a batch at {timestamp}");
            let mut rest = raw.as_ref();
            TxEnvelope::decode_2718(&mut rest)
                .unwrap_or_else(|e| panic!("block {timestamp}: transaction does not decode: {e}"));
            assert!(rest.is_empty(), "block {timestamp}: bytes after a transaction");
            txs += 1;
        }
    }
    txs
}

/// End offsets of the top-level RLP items of decompressed channel data.
fn rlp_item_ends(data: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let mut probe = rest;
        let Ok(header) = alloy_rlp::Header::decode(&mut probe) else { break };
        let len = rest.len() - probe.len() + header.payload_length;
        if len > rest.len() {
            break;
        }
        rest = &rest[len..];
        ends.push(data.len() - rest.len());
    }
    ends
}

#[test]
fn batcher_calldata_splits_into_frames_of_one_channel_that_account_for_every_byte() {
    let tx = batcher_tx();
    let frames = frames_from_calldata(&tx, &inbox_of(&tx)).unwrap();
    assert!(!frames.is_empty());
    let id = frames[0].id;
    assert!(frames.iter().all(|f| f.id == id), "frames of one transaction share a channel");
    let first = frames[0].number;
    for (i, frame) in frames.iter().enumerate() {
        assert_eq!(usize::from(frame.number), usize::from(first) + i, "frame numbers are consecutive");
        assert!(frame.data.len() <= kona_protocol::MAX_FRAME_LEN);
        assert!(!frame.is_last || i == frames.len() - 1, "only the last frame may close the channel");
    }
    // Version byte, then per frame: id (16), number (2), length (4), data, is_last (1).
    let encoded: usize = frames.iter().map(|f| 16 + 2 + 4 + f.data.len() + 1).sum();
    assert_eq!(1 + encoded, tx.input().len());
    let reencoded: Vec<u8> = std::iter::once(0u8).chain(frames.iter().flat_map(Frame::encode)).collect();
    assert_eq!(reencoded, tx.input().as_ref());
}

#[test]
fn calldata_from_another_sender_or_to_another_inbox_is_refused_by_name() {
    let tx = batcher_tx();
    let real = inbox_of(&tx);
    let stranger = Address::repeat_byte(0x11);
    match frames_from_calldata(&tx, &BatchInbox { batcher: stranger, ..real }) {
        Err(Error::NotFromBatcher { from, batcher, tx: hash }) => {
            assert_eq!((from, batcher, hash), (real.batcher, stranger, *tx.tx_hash()));
        }
        other => panic!("expected NotFromBatcher, got {other:?}"),
    }
    match frames_from_calldata(&tx, &BatchInbox { inbox: stranger, ..real }) {
        Err(Error::NotToInbox { to, inbox, .. }) => assert_eq!((to, inbox), (Some(real.inbox), stranger)),
        other => panic!("expected NotToInbox, got {other:?}"),
    }
}

/// Assembles the transaction's frames; the channel is ready exactly when they run from 0 to a
/// closing frame.
fn batcher_tx_channel() -> Option<Bytes> {
    let tx = batcher_tx();
    let frames = frames_from_calldata(&tx, &inbox_of(&tx)).unwrap();
    let complete = frames[0].number == 0 && frames.last().unwrap().is_last;
    let mut assembler = ChannelAssembler::new();
    let mut ready = None;
    for frame in frames.iter().cloned() {
        if let Some(channel) = assembler.add_frame(frame, BlockInfo::default()).unwrap() {
            assert!(ready.is_none(), "a channel completes once");
            ready = Some(channel);
        }
    }
    assert_eq!(ready.is_some(), complete);
    assert_eq!(assembler.pending().count(), usize::from(!complete));
    ready.map(|channel| {
        assert_eq!(channel.id, frames[0].id);
        assert_eq!(channel.data.len(), frames.iter().map(|f| f.data.len()).sum::<usize>());
        channel.data
    })
}

#[test]
fn batcher_channel_yields_every_batch_its_unterminated_zlib_stream_holds_in_full() {
    let Some(data) = batcher_tx_channel() else {
        return; // the transaction opens a channel it does not close: nothing to decode
    };
    let cfg = rollup_config();
    let ChannelBatches { batches, decompressed, stopped } = decode_channel(&data, &cfg, 0).unwrap();
    // Every RLP item the inflated bytes hold in full is a batch; a cut one ends the read.
    let whole = rlp_item_ends(&decompressed.data);
    assert!(!whole.is_empty());
    assert_eq!(batches.len(), whole.len());
    assert_eq!(stopped.is_none(), whole.last() == Some(&decompressed.data.len()));
    let txs = check_blocks(&batches, &cfg);
    assert!(txs > 0);
    println!(
        "batcher channel: {} compressed bytes, {} inflated, stream complete: {}, {} batches, {txs} transactions",
        data.len(),
        decompressed.data.len(),
        decompressed.stream_complete,
        batches.len()
    );
    if !decompressed.stream_complete {
        // kona's BatchReader inflates in one go: it reads nothing from this channel.
        let mut kona = BatchReader::new(data.to_vec(), decompressed.data.len() * 2);
        assert!(kona.next_batch(&cfg).is_none());
    }
}

#[test]
fn batch_hex_decodes_to_consecutive_blocks_with_whole_transactions() {
    let data = batch_hex_channel();
    let cfg = rollup_config();
    let ChannelBatches { batches, decompressed, stopped } = decode_channel(&data, &cfg, 0).unwrap();
    assert!(decompressed.stream_complete, "batch.hex is a whole zlib stream");
    assert!(stopped.is_none(), "{stopped:?}");
    assert_eq!(batches.len(), rlp_item_ends(&decompressed.data).len());
    let blocks = blocks(&batches).len();
    let txs = check_blocks(&batches, &cfg);
    assert!(txs >= blocks, "every block of this channel carries user transactions");
    println!("batch.hex: {} batches, {blocks} blocks, {txs} transactions", batches.len());
}

#[test]
fn batch_hex_cut_short_keeps_exactly_the_batches_it_holds_in_full() {
    let data = batch_hex_channel();
    let cfg = rollup_config();
    let full = decode_channel(&data, &cfg, 0).unwrap();
    let ends = rlp_item_ends(&full.decompressed.data);
    for cut in [data.len() / 4, data.len() / 2, data.len() - 10] {
        let part = decode_channel(&data[..cut], &cfg, 0).unwrap();
        assert!(!part.decompressed.stream_complete);
        assert!(full.decompressed.data.starts_with(&part.decompressed.data));
        let held = ends.iter().filter(|&&end| end <= part.decompressed.data.len()).count();
        assert_eq!(part.batches.len(), held, "cut at {cut}");
        assert_eq!(part.batches, full.batches[..held]);
        if held < ends.len() {
            assert!(matches!(part.stopped, Some(Error::BatchRlp { index, .. }) if index == held));
        }
    }
}

#[test]
fn corrupt_channel_data_is_an_error_or_a_stop_never_a_panic() {
    let data = batch_hex_channel();
    let cfg = rollup_config();
    assert!(matches!(decode_channel(&[], &cfg, 0), Err(Error::EmptyChannelData)));
    assert!(matches!(decode_channel(&[0x42, 1, 2], &cfg, 0), Err(Error::UnknownCompression(0x42))));
    for at in [2, data.len() / 3, data.len() / 2] {
        let mut bad = data.clone();
        bad[at] ^= 0xff;
        match decode_channel(&bad, &cfg, 0) {
            Err(Error::Zlib { .. }) => {}
            // The adler32 checksum catches any change that still inflates to the end.
            Ok(read) => assert!(read.stopped.is_some() || !read.decompressed.stream_complete),
            Err(other) => panic!("byte {at}: unexpected {other}"),
        }
    }
}
