//! Why a transaction was not sent or not settled, classified by what the caller should do.

use std::time::Duration;

use riposte_storage::StorageError;

/// A boxed error from a [`TxChain`](crate::TxChain) implementation or the signer.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What the caller should do about a [`TxError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxErrorKind {
    /// Nothing was lost and nothing needs undoing: submit the same intent again on a later cycle
    /// (L1 could not be read, or the transaction is not mined yet and stays `sent`).
    Retry,
    /// The intent was marked `failed` (refused by the node, or its nonce was taken by another
    /// transaction); it may be proposed again later and is then checked for a late receipt first.
    IntentFailed,
    /// The store or the signer failed, or the store breaks the responder's invariants: sending
    /// more could send twice; stop.
    Fatal,
}

/// Why [`Responder`](crate::Responder) could not send or settle an intent.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// L1 did not answer a read; `key` is the intent concerned, if any.
    #[error("{what}{}: {source}", for_key(.key))]
    Chain {
        /// The intent concerned.
        key: Option<String>,
        /// What was being read.
        what: &'static str,
        /// The chain's error.
        #[source]
        source: BoxError,
    },
    /// The intent store failed.
    #[error("storing{}: {source}", for_key(.key))]
    Store {
        /// The intent concerned.
        key: Option<String>,
        /// The store's error.
        #[source]
        source: StorageError,
    },
    /// The gas estimate failed without a revert (transport error); the intent is marked failed.
    #[error("estimating gas for {key}: {source}")]
    Estimate {
        /// The intent.
        key: String,
        /// The chain's error.
        #[source]
        source: BoxError,
    },
    /// The node refused the signed transaction; the intent is marked failed.
    #[error("broadcasting {key}: {source}")]
    Refused {
        /// The intent.
        key: String,
        /// The node's refusal.
        #[source]
        source: BoxError,
    },
    /// The chain's nonce passed the intent's without a receipt for any of its attempts: another
    /// transaction of this signer used it. The intent is marked failed.
    #[error("{key}: nonce {nonce} was used by another transaction")]
    NonceUsed {
        /// The intent.
        key: String,
        /// The nonce taken.
        nonce: u64,
    },
    /// Not mined within the wait limit; the intent stays `sent` and is awaited again later.
    #[error("{key} not mined after {waited:?}; will keep waiting on the next cycle")]
    NotMined {
        /// The intent.
        key: String,
        /// How long this call waited.
        waited: Duration,
    },
    /// The wallet could not sign the transaction.
    #[error("signing {key}: {source}")]
    Signing {
        /// The intent.
        key: String,
        /// The signer's error.
        #[source]
        source: BoxError,
    },
    /// The store says the intent was sent but holds no signed transaction for it.
    #[error("intent {key} is marked sent but has no signed transaction")]
    NoAttempt {
        /// The intent.
        key: String,
    },
    /// The intent disappeared from the store while it was being sent.
    #[error("intent {key} vanished from the store")]
    Vanished {
        /// The intent.
        key: String,
    },
}

impl TxError {
    /// What the caller should do about it.
    pub fn kind(&self) -> TxErrorKind {
        match self {
            Self::Chain { .. } | Self::NotMined { .. } => TxErrorKind::Retry,
            Self::Estimate { .. } | Self::Refused { .. } | Self::NonceUsed { .. } => TxErrorKind::IntentFailed,
            Self::Store { .. } | Self::Signing { .. } | Self::NoAttempt { .. } | Self::Vanished { .. } => {
                TxErrorKind::Fatal
            }
        }
    }
}

fn for_key(key: &Option<String>) -> String {
    key.as_ref().map(|k| format!(" for {k}")).unwrap_or_default()
}
