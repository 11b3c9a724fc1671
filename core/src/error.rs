//! The errors of the core: each variant names what failed and with which value.

use alloy_primitives::{Address, B256};
use kona_protocol::{BatchDecodingError, BrotliDecompressionError, ChannelError, ChannelId, FrameParseError};

/// What went wrong while turning L1 data into L2 batches.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The transaction is not sent to the batch inbox.
    #[error("transaction {tx} is sent to {to:?}, not to the batch inbox {inbox}")]
    NotToInbox {
        /// The transaction hash.
        tx: B256,
        /// Its recipient (`None` for a contract creation).
        to: Option<Address>,
        /// The configured batch inbox.
        inbox: Address,
    },
    /// The transaction's signature does not recover to an address.
    #[error("transaction {tx}: cannot recover the sender: {reason}")]
    BadSignature {
        /// The transaction hash.
        tx: B256,
        /// The recovery error.
        reason: String,
    },
    /// The transaction is not signed by the batcher.
    #[error("transaction {tx} is sent by {from}, not by the batcher {batcher}")]
    NotFromBatcher {
        /// The transaction hash.
        tx: B256,
        /// The recovered sender.
        from: Address,
        /// The configured batcher.
        batcher: Address,
    },
    /// The transaction carries its data in blobs, which the calldata source does not read.
    #[error("transaction {tx} is a blob transaction; its frames are in blobs, not calldata")]
    BlobTransaction {
        /// The transaction hash.
        tx: B256,
    },
    /// The calldata is not a well-formed sequence of frames.
    #[error("transaction {tx}: calldata of {len} bytes is not valid frame data: {source}")]
    Frames {
        /// The transaction hash.
        tx: B256,
        /// The calldata length.
        len: usize,
        /// kona's parse error.
        source: FrameParseError,
    },
    /// A frame cannot be added to its channel (duplicate, past the last frame, ...).
    #[error("channel {}: frame {number} rejected: {source}", alloy_primitives::hex::encode(id))]
    Frame {
        /// The channel id.
        id: ChannelId,
        /// The frame number.
        number: u16,
        /// kona's channel error.
        source: ChannelError,
    },
    /// A ready channel has no data to read.
    #[error("channel {} is ready but has no data", alloy_primitives::hex::encode(id))]
    EmptyChannel {
        /// The channel id.
        id: ChannelId,
    },
    /// The channel data is empty.
    #[error("the channel data is empty")]
    EmptyChannelData,
    /// The channel data starts with a byte that names no known compression.
    #[error("channel data starts with {0:#04x}, which is neither zlib nor the brotli version byte")]
    UnknownCompression(u8),
    /// The zlib stream is corrupt (not merely cut short).
    #[error("zlib stream corrupt after {inflated} inflated bytes: {status}")]
    Zlib {
        /// How many bytes were inflated before the failure.
        inflated: usize,
        /// miniz_oxide's status.
        status: String,
    },
    /// The brotli stream cannot be decompressed.
    #[error("brotli channel data cannot be decompressed: {0}")]
    Brotli(BrotliDecompressionError),
    /// The decompressed channel is larger than the rollup config allows.
    #[error("the channel decompresses to more than {max} bytes")]
    ChannelTooLarge {
        /// The limit at the channel's L1 origin.
        max: usize,
    },
    /// Brotli-compressed channel data found for a batch before Fjord.
    #[error("batch {index} at timestamp {timestamp} is brotli-compressed before Fjord")]
    BrotliBeforeFjord {
        /// The batch index in the channel.
        index: usize,
        /// The batch timestamp.
        timestamp: u64,
    },
    /// The decompressed channel holds something that is not an RLP byte string.
    #[error("batch {index} at offset {offset} of the decompressed channel is not RLP bytes: {source}")]
    BatchRlp {
        /// The batch index in the channel.
        index: usize,
        /// The byte offset in the decompressed channel.
        offset: usize,
        /// The RLP error.
        source: alloy_rlp::Error,
    },
    /// A batch has an unknown type byte.
    #[error("batch {index} at offset {offset} has unknown type {ty:#04x}")]
    UnknownBatchType {
        /// The batch index in the channel.
        index: usize,
        /// The byte offset in the decompressed channel.
        offset: usize,
        /// The type byte (0 is single, 1 is span).
        ty: u8,
    },
    /// A batch of a known type does not decode.
    #[error("batch {index} at offset {offset} does not decode: {source}")]
    Batch {
        /// The batch index in the channel.
        index: usize,
        /// The byte offset in the decompressed channel.
        offset: usize,
        /// kona's decoding error.
        source: BatchDecodingError,
    },
    /// An RLP string is followed by bytes that are not part of it.
    #[error("batch {index} at offset {offset} leaves {trailing} undecoded bytes in its RLP string")]
    TrailingBatchBytes {
        /// The batch index in the channel.
        index: usize,
        /// The byte offset in the decompressed channel.
        offset: usize,
        /// How many bytes were left.
        trailing: usize,
    },
}
