//! The batcher's encoding read back by riposte-core's derivation stages (calldata to frames,
//! frames to channels, channels to batches, which use kona-protocol's decoders): singular and
//! span batches, zlib and brotli, several frames per channel; a dropped frame or an altered
//! byte changes what derivation reads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::primitives::{Bytes, TxKind, U256};
use alloy::signers::{SignerSync, local::PrivateKeySigner};
use common::{L1_TIME, advance, key, l1, predeploys, schedule, spec, tx};
use kona_protocol::{Batch, BlockInfo, L2BlockInfo};
use riposte_core::derive::batches::decode_channel;
use riposte_core::derive::calldata::{BatchInbox, frames_from_calldata};
use riposte_core::derive::channel::ChannelAssembler;
use riposte_rollup::batcher::{self, BatchKind, Compression};
use riposte_rollup::genesis::{self, BATCH_INBOX, KarstAt};
use riposte_rollup::sequencer::{L2Block, Sequencer};

fn chain() -> Option<Sequencer> {
    let p = predeploys()?;
    let mut s = spec(KarstAt::Genesis, L1_TIME + 1, p);
    s.batcher = batcher_key().address();
    let g = genesis::build(&s).unwrap();
    let mut seq = Sequencer::new(g, l1(0), schedule()).unwrap();
    let (a, b) = (key(0), key(1));
    for n in 0..14u64 {
        // Some blocks empty, some with one or two transactions.
        let mut mempool = Vec::new();
        for i in 0..(n % 3) {
            mempool.push(tx(
                &a,
                mempool.len() as u64 + nonce_of(&seq, &a),
                TxKind::Call(b.address()),
                i + 1,
                &[],
                21_000,
            ));
        }
        advance(&mut seq, &mempool);
    }
    Some(seq)
}

fn nonce_of(seq: &Sequencer, k: &PrivateKeySigner) -> u64 {
    let root = seq.head().header.state_root;
    riposte_rollup::state::account(seq.store(), root, k.address()).unwrap().map_or(0, |a| a.nonce)
}

fn batcher_key() -> PrivateKeySigner {
    key(9)
}

/// A signed calldata batcher transaction on L1.
fn batcher_tx(data: Bytes) -> TxEnvelope {
    let tx = TxEip1559 {
        chain_id: 900,
        nonce: 0,
        gas_limit: 1_000_000,
        max_fee_per_gas: 1_000_000_000,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(BATCH_INBOX),
        value: U256::ZERO,
        access_list: Default::default(),
        input: data,
    };
    let sig = batcher_key().sign_hash_sync(&tx.signature_hash()).unwrap();
    TxEnvelope::from(tx.into_signed(sig))
}

fn inbox() -> BatchInbox {
    BatchInbox { inbox: BATCH_INBOX, batcher: batcher_key().address() }
}

/// What derivation reads back from the frames, posted as calldata one frame per transaction.
fn read_back(seq: &Sequencer, frames: &[kona_protocol::Frame]) -> Option<Vec<Batch>> {
    let mut assembler = ChannelAssembler::new();
    let mut ready = None;
    for (i, f) in frames.iter().enumerate() {
        let tx = batcher_tx(batcher::payload(std::slice::from_ref(f)));
        let read = frames_from_calldata(&tx, &inbox()).unwrap();
        assert_eq!(read.len(), 1);
        let l1_block = BlockInfo { number: 20 + i as u64, timestamp: L1_TIME + 240, ..Default::default() };
        if let Some(channel) = assembler.add_frame(read.into_iter().next().unwrap(), l1_block).unwrap() {
            ready = Some(channel);
        }
    }
    let channel = ready?;
    let config = &seq.config().kona;
    let decoded = decode_channel(&channel.data, config, L1_TIME + 240).ok()?;
    Some(decoded.batches)
}

fn blocks(seq: &Sequencer) -> Vec<L2Block> {
    seq.blocks()[1..].to_vec()
}

fn assert_same_blocks(seq: &Sequencer, batches: &[Batch], kind: BatchKind) {
    let blocks = blocks(seq);
    let singles = match (kind, batches) {
        (BatchKind::Singular, _) => batches
            .iter()
            .map(|b| match b {
                Batch::Single(s) => s.clone(),
                Batch::Span(_) => panic!("a span batch in a singular channel"),
            })
            .collect::<Vec<_>>(),
        (BatchKind::Span, [Batch::Span(span)]) => {
            let origins: Vec<BlockInfo> = (0..=blocks.last().unwrap().origin.number)
                .map(|n| BlockInfo { hash: l1(n).hash, number: n, timestamp: l1(n).timestamp, ..Default::default() })
                .collect();
            let genesis = &seq.blocks()[0];
            let safe = L2BlockInfo {
                block_info: BlockInfo { timestamp: genesis.header.timestamp, ..Default::default() },
                ..Default::default()
            };
            span.get_singular_batches(&origins, safe).unwrap()
        }
        (BatchKind::Span, other) => panic!("expected one span batch, got {}", other.len()),
    };
    assert_eq!(singles.len(), blocks.len());
    for (s, b) in singles.iter().zip(&blocks) {
        assert_eq!(s.timestamp, b.header.timestamp);
        assert_eq!(s.epoch_num, b.origin.number);
        assert_eq!(s.epoch_hash, b.origin.hash);
        assert_eq!(s.transactions, b.user_transactions().to_vec(), "block {}", b.number());
        if kind == BatchKind::Singular {
            assert_eq!(s.parent_hash, b.header.parent_hash);
        }
    }
}

#[test]
fn singular_and_span_batches_in_zlib_and_brotli_channels_read_back_as_the_blocks() {
    let Some(seq) = chain() else { return };
    assert!(blocks(&seq).iter().map(|b| b.user_transactions().len()).sum::<usize>() >= 10);
    for kind in [BatchKind::Singular, BatchKind::Span] {
        for compression in [Compression::Zlib, Compression::Brotli] {
            let content = batcher::channel_content(&blocks(&seq), kind, seq.config()).unwrap();
            let data = batcher::compress(&content, compression).unwrap();
            let frames = batcher::frames([7u8; 16], &data, 200).unwrap();
            assert!(frames.len() > 2, "{kind:?}/{compression:?}: {} bytes in {} frames", data.len(), frames.len());
            assert!(frames.iter().all(|f| f.data.len() <= 200));
            let batches = read_back(&seq, &frames).expect("the channel completes and decodes");
            assert_same_blocks(&seq, &batches, kind);
        }
    }
    assert_eq!(Compression::for_time(seq.config(), L1_TIME + 1), Compression::Brotli, "Fjord is active");
}

#[test]
fn a_dropped_frame_leaves_the_channel_incomplete_and_an_altered_byte_changes_the_batches() {
    let Some(seq) = chain() else { return };
    let content = batcher::channel_content(&blocks(&seq), BatchKind::Singular, seq.config()).unwrap();
    let data = batcher::compress(&content, Compression::Zlib).unwrap();
    let mut frames = batcher::frames([1u8; 16], &data, 150).unwrap();
    // Without frame 1 the channel never becomes ready: derivation reads nothing from it.
    let mut dropped = frames.clone();
    dropped.remove(1);
    assert!(read_back(&seq, &dropped).is_none());
    // One byte of compressed data flipped: zlib's checksum or the RLP breaks, and what is read
    // is not the blocks (at most a prefix of their batches).
    frames[1].data[10] ^= 0x01;
    let original = batcher::frames([1u8; 16], &data, 150).unwrap();
    let good = read_back(&seq, &original).unwrap();
    match read_back(&seq, &frames) {
        None => {}
        Some(batches) => {
            assert_ne!(batches, good);
            assert!(batches.len() < good.len() && good.starts_with(&batches), "only a prefix survives");
        }
    }
}

#[test]
fn bad_batcher_input_is_refused_by_name() {
    let Some(seq) = chain() else { return };
    let err = batcher::channel_content(&[], BatchKind::Span, seq.config()).unwrap_err().to_string();
    assert!(err.contains("no blocks"), "{err}");
    let gap = vec![seq.block(1).unwrap().clone(), seq.block(3).unwrap().clone()];
    let err = batcher::channel_content(&gap, BatchKind::Span, seq.config()).unwrap_err().to_string();
    assert!(err.contains("not consecutive"), "{err}");
    assert!(batcher::frames([0u8; 16], b"abc", 0).is_err());
    // Frames from someone else than the batcher are not read.
    let frames = batcher::frames([0u8; 16], b"abc", 10).unwrap();
    let mut tx = batcher_tx(batcher::payload(&frames));
    if let TxEnvelope::Eip1559(signed) = &tx {
        let other = key(3).sign_hash_sync(&signed.signature_hash()).unwrap();
        tx = TxEnvelope::from(signed.tx().clone().into_signed(other));
    }
    assert!(frames_from_calldata(&tx, &inbox()).unwrap_err().to_string().contains("batcher"));
}
