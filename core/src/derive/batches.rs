//! Channel data to batches: decompression (zlib, or brotli from Fjord) and batch decoding.
//!
//! Like op-node, a channel is read as a stream: batches are decoded until the data runs out or
//! stops making sense, and the batches read before that point count. In particular a zlib stream
//! cut short (no final block, no checksum) still yields the batches it holds in full; kona 0.4.5's
//! `BatchReader` inflates in one go and yields nothing from such a channel.

use alloy_primitives::Bytes;
use alloy_rlp::Decodable;
use kona_genesis::RollupConfig;
use kona_protocol::{Batch, BatchDecodingError, BatchReader, SINGLE_BATCH_TYPE, SPAN_BATCH_TYPE, decompress_brotli};
use miniz_oxide::inflate::{
    TINFLStatus,
    core::{DecompressorOxide, decompress, inflate_flags},
};

use crate::Error;

/// A decompressed channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decompressed {
    /// The decompressed bytes: a sequence of RLP-encoded batches.
    pub data: Vec<u8>,
    /// Whether the compressed stream ended properly (zlib: final block and checksum read).
    pub stream_complete: bool,
    /// Whether the stream was brotli (only valid for batches from Fjord on).
    pub brotli: bool,
}

/// The batches of one channel.
#[derive(Debug)]
pub struct ChannelBatches {
    /// The batches decoded in order before reading stopped.
    pub batches: Vec<Batch>,
    /// How the channel was decompressed.
    pub decompressed: Decompressed,
    /// Why reading stopped before the end of the decompressed data, if it did.
    pub stopped: Option<Error>,
}

/// Decompresses channel data, keeping what a zlib stream cut short inflates to.
///
/// `max_rlp` is the rollup config's limit on decompressed bytes per channel.
pub fn decompress_channel(channel_data: &[u8], max_rlp: usize) -> Result<Decompressed, Error> {
    let &first = channel_data.first().ok_or(Error::EmptyChannelData)?;
    if matches!(
        first & 0x0f,
        BatchReader::ZLIB_DEFLATE_COMPRESSION_METHOD | BatchReader::ZLIB_RESERVED_COMPRESSION_METHOD
    ) {
        return inflate_zlib(channel_data, max_rlp);
    }
    if first == BatchReader::CHANNEL_VERSION_BROTLI {
        let data = decompress_brotli(&channel_data[1..], max_rlp).map_err(Error::Brotli)?;
        return Ok(Decompressed { data, stream_complete: true, brotli: true });
    }
    Err(Error::UnknownCompression(first))
}

/// Inflates a zlib stream up to `max` bytes; input that ends early gives what it inflated to.
fn inflate_zlib(input: &[u8], max: usize) -> Result<Decompressed, Error> {
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut out = vec![0; input.len().saturating_mul(2).clamp(1, max.max(1))];
    let mut state = Box::<DecompressorOxide>::default();
    let (mut read, mut written) = (0, 0);
    loop {
        let rest = input.get(read..).unwrap_or_default();
        let (status, used, produced) = decompress(&mut state, rest, &mut out, written, flags);
        read += used;
        written += produced;
        let stream_complete = match status {
            TINFLStatus::Done => true,
            // Without the "more input" flag, running out of input reports as no progress.
            TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => false,
            TINFLStatus::HasMoreOutput if out.len() >= max => {
                return Err(Error::ChannelTooLarge { max });
            }
            TINFLStatus::HasMoreOutput => {
                let grown = out.len().saturating_mul(2).min(max);
                out.resize(grown, 0);
                continue;
            }
            failed => {
                return Err(Error::Zlib { inflated: written, status: format!("{failed:?}") });
            }
        };
        out.truncate(written);
        return Ok(Decompressed { data: out, stream_complete, brotli: false });
    }
}

/// Decompresses a channel's data and decodes its batches, in order.
///
/// `l1_origin_timestamp` is the timestamp of the L1 block that completed the channel: it sets
/// the decompressed size limit (larger from Fjord). Errors only when nothing can be read; a
/// problem after the first bytes ends the list and is reported in [`ChannelBatches::stopped`].
pub fn decode_channel(
    channel_data: &[u8],
    cfg: &RollupConfig,
    l1_origin_timestamp: u64,
) -> Result<ChannelBatches, Error> {
    let max_rlp = usize::try_from(cfg.max_rlp_bytes_per_channel(l1_origin_timestamp)).unwrap_or(usize::MAX);
    let decompressed = decompress_channel(channel_data, max_rlp)?;
    let mut batches = Vec::new();
    let mut rest = decompressed.data.as_slice();
    let mut stopped = None;
    while !rest.is_empty() {
        let offset = decompressed.data.len() - rest.len();
        match decode_one(&mut rest, cfg, batches.len(), offset, decompressed.brotli) {
            Ok(batch) => batches.push(batch),
            Err(e) => {
                stopped = Some(e);
                break;
            }
        }
    }
    Ok(ChannelBatches { batches, decompressed, stopped })
}

fn decode_one(rest: &mut &[u8], cfg: &RollupConfig, index: usize, offset: usize, brotli: bool) -> Result<Batch, Error> {
    let bytes = Bytes::decode(rest).map_err(|source| Error::BatchRlp { index, offset, source })?;
    // kona panics on an unknown type byte: check it before handing the bytes over.
    match bytes.first() {
        Some(&SINGLE_BATCH_TYPE | &SPAN_BATCH_TYPE) => {}
        Some(&ty) => return Err(Error::UnknownBatchType { index, offset, ty }),
        None => {
            let source = BatchDecodingError::EmptyBuffer;
            return Err(Error::Batch { index, offset, source });
        }
    }
    let mut body = bytes.as_ref();
    let batch = Batch::decode(&mut body, cfg).map_err(|source| Error::Batch { index, offset, source })?;
    if !body.is_empty() {
        return Err(Error::TrailingBatchBytes { index, offset, trailing: body.len() });
    }
    if brotli && !cfg.is_fjord_active(batch.timestamp()) {
        return Err(Error::BrotliBeforeFjord { index, timestamp: batch.timestamp() });
    }
    Ok(batch)
}
