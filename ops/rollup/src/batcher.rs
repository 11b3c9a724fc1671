//! The batcher's encoding: blocks to singular or span batches, batches to a compressed channel
//! (zlib, or brotli from Fjord), the channel to frames within a size limit, frames to the
//! payload of a calldata or blob batcher transaction. Posting to L1 is the node's job.
//!
//! The formats are the derivation spec's, read by kona-protocol 0.4.5's decoders; this side
//! encodes with kona's batch types and riposte-core's blob encoder.

use alloy_primitives::Bytes;
use alloy_rlp::Encodable;
use kona_protocol::{Batch, ChannelId, Frame, SingleBatch, SpanBatch};
use riposte_core::{RollupConfig, forks::Fork};
use std::io::Write;

use crate::{RollupError, sequencer::L2Block};

/// The derivation version byte in front of a batcher transaction's frames.
pub const DERIVATION_VERSION: u8 = 0;
/// The channel version byte in front of brotli-compressed channel data (from Fjord).
pub const CHANNEL_VERSION_BROTLI: u8 = 1;

/// How blocks are put into batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// One singular batch per block.
    Singular,
    /// One span batch for all blocks (from Delta).
    Span,
}

/// How a channel is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zlib (any fork).
    Zlib,
    /// brotli behind the version byte 1 (from Fjord).
    Brotli,
}

impl Compression {
    /// What the fork at L2 time `timestamp` calls for: brotli from Fjord, zlib before.
    pub fn for_time(config: &RollupConfig, timestamp: u64) -> Self {
        if config.is_active(Fork::Fjord, timestamp) { Self::Brotli } else { Self::Zlib }
    }
}

/// The singular batch of one block (its user transactions; deposits come from L1).
pub fn singular(block: &L2Block) -> SingleBatch {
    SingleBatch {
        parent_hash: block.header.parent_hash,
        epoch_num: block.origin.number,
        epoch_hash: block.origin.hash,
        timestamp: block.header.timestamp,
        transactions: block.user_transactions().to_vec(),
    }
}

/// The uncompressed channel content: each batch as an RLP string of `type ‖ payload`.
pub fn channel_content(blocks: &[L2Block], kind: BatchKind, config: &RollupConfig) -> Result<Vec<u8>, RollupError> {
    let fail = |e: String| RollupError::Batch(e);
    if blocks.is_empty() {
        return Err(fail("no blocks to batch".into()));
    }
    let batches = match kind {
        BatchKind::Singular => blocks.iter().map(|b| Batch::Single(singular(b))).collect(),
        BatchKind::Span => {
            if !config.is_active(Fork::Delta, blocks[0].header.timestamp) {
                return Err(fail(format!("span batches need Delta, block {} is before it", blocks[0].number())));
            }
            let mut span = SpanBatch {
                genesis_timestamp: config.kona.genesis.l2_time,
                chain_id: config.l2_chain_id.id(),
                ..Default::default()
            };
            for pair in blocks.windows(2) {
                if pair[1].number() != pair[0].number() + 1 {
                    return Err(fail(format!(
                        "blocks {} and {} are not consecutive",
                        pair[0].number(),
                        pair[1].number()
                    )));
                }
            }
            for b in blocks {
                span.append_singular_batch(singular(b), b.sequence_number)
                    .map_err(|e| fail(format!("block {} into a span batch: {e}", b.number())))?;
            }
            vec![Batch::Span(span)]
        }
    };
    let mut out = Vec::new();
    for batch in batches {
        let mut encoded = Vec::new();
        batch.encode(&mut encoded).map_err(|e| fail(format!("encoding a batch: {e}")))?;
        Bytes::from(encoded).encode(&mut out);
    }
    Ok(out)
}

/// Compresses channel content.
pub fn compress(content: &[u8], compression: Compression) -> Result<Vec<u8>, RollupError> {
    match compression {
        Compression::Zlib => Ok(miniz_oxide::deflate::compress_to_vec_zlib(content, 9)),
        Compression::Brotli => {
            let mut out = vec![CHANNEL_VERSION_BROTLI];
            {
                let mut w = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                w.write_all(content).map_err(|e| RollupError::Batch(format!("brotli: {e}")))?;
            }
            Ok(out)
        }
    }
}

/// Splits compressed channel data into frames of at most `max_frame_data` data bytes each; the
/// last is marked closing.
pub fn frames(id: ChannelId, data: &[u8], max_frame_data: usize) -> Result<Vec<Frame>, RollupError> {
    if max_frame_data == 0 {
        return Err(RollupError::Batch("frames of 0 data bytes".into()));
    }
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[][..]] } else { data.chunks(max_frame_data).collect() };
    let last = chunks.len() - 1;
    let mut out = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.into_iter().enumerate() {
        let number =
            u16::try_from(i).map_err(|_| RollupError::Batch(format!("a channel of more than {} frames", u16::MAX)))?;
        out.push(Frame { id, number, data: chunk.to_vec(), is_last: i == last });
    }
    Ok(out)
}

/// A batcher transaction's payload: the derivation version byte, then the frames. It is the
/// calldata of a calldata batcher transaction, or the data a blob is encoded from.
pub fn payload(frames: &[Frame]) -> Bytes {
    let mut out = vec![DERIVATION_VERSION];
    for f in frames {
        out.extend_from_slice(&f.encode());
    }
    out.into()
}
