//! Frames to channels: frames are buffered per channel id until their channel is complete.

use std::collections::HashMap;

use alloy_primitives::Bytes;
use kona_protocol::{BlockInfo, Channel, ChannelId, Frame};

use crate::Error;

/// A complete channel: all its frames up to the last one, concatenated in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyChannel {
    /// The channel id shared by its frames.
    pub id: ChannelId,
    /// The compressed channel data.
    pub data: Bytes,
    /// The L1 block holding the channel's first frame.
    pub open_block: BlockInfo,
}

/// Buffers frames until their channel is complete.
///
/// Unlike kona's channel bank it has no size limit or timeout yet: it only assembles.
#[derive(Debug, Default)]
pub struct ChannelAssembler {
    open: HashMap<ChannelId, (Channel, BlockInfo)>,
}

impl ChannelAssembler {
    /// An assembler with no open channel.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a frame included in `l1_block`; returns its channel once that frame completes it.
    pub fn add_frame(&mut self, frame: Frame, l1_block: BlockInfo) -> Result<Option<ReadyChannel>, Error> {
        let (id, number) = (frame.id, frame.number);
        let (channel, _) = self.open.entry(id).or_insert_with(|| (Channel::new(id, l1_block), l1_block));
        channel.add_frame(frame, l1_block).map_err(|source| Error::Frame { id, number, source })?;
        if !channel.is_ready() {
            return Ok(None);
        }
        let Some((channel, open_block)) = self.open.remove(&id) else {
            return Ok(None);
        };
        let data = channel.frame_data().ok_or(Error::EmptyChannel { id })?;
        Ok(Some(ReadyChannel { id, data, open_block }))
    }

    /// The ids of the channels still waiting for frames.
    pub fn pending(&self) -> impl Iterator<Item = &ChannelId> {
        self.open.keys()
    }
}
