//! A batcher transaction's calldata to frames (the pre-Ecotone calldata data source).

use alloy_consensus::{Transaction, TxEnvelope, transaction::SignerRecoverable};
use alloy_primitives::Address;
use kona_protocol::Frame;

use crate::Error;

/// Where batches are posted on L1 and who may post them (the rollup config's batch inbox and
/// the system config's batcher address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchInbox {
    /// The batch inbox address transactions are sent to.
    pub inbox: Address,
    /// The only sender whose transactions count.
    pub batcher: Address,
}

/// The frames carried in the calldata of a batcher transaction.
///
/// The transaction must be sent to the inbox by the batcher; its calldata must be the derivation
/// version byte followed by whole frames with nothing left over.
pub fn frames_from_calldata(tx: &TxEnvelope, inbox: &BatchInbox) -> Result<Vec<Frame>, Error> {
    let hash = *tx.tx_hash();
    if tx.is_eip4844() {
        return Err(Error::BlobTransaction { tx: hash });
    }
    let to = tx.to();
    if to != Some(inbox.inbox) {
        return Err(Error::NotToInbox { tx: hash, to, inbox: inbox.inbox });
    }
    let from = tx.recover_signer().map_err(|e| Error::BadSignature { tx: hash, reason: e.to_string() })?;
    if from != inbox.batcher {
        return Err(Error::NotFromBatcher { tx: hash, from, batcher: inbox.batcher });
    }
    let data = tx.input();
    Frame::parse_frames(data).map_err(|source| Error::Frames { tx: hash, len: data.len(), source })
}
