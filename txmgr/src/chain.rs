//! What the responder asks of L1, and its implementation over an alloy provider.

use std::{fmt, future::Future};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, Bytes},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    transports::{TransportError, TransportErrorKind},
};
use riposte_chain::{classify, describe};
use riposte_contracts::{CallError, Revert};

/// Why a gas estimate gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum EstimateError<E> {
    /// The call would revert with this data.
    #[error("reverted: {0}")]
    Reverted(Revert),
    /// The call would revert without data (`revert()`, a missing function, a bare `require`);
    /// the node's error says so in words.
    #[error("{0}")]
    RevertedWithoutData(E),
    /// The node did not answer (transport error, refused request).
    #[error("{0}")]
    Failed(E),
}

/// Why the node did not take a signed transaction.
#[derive(Debug, thiserror::Error)]
pub enum BroadcastError<E> {
    /// The nonce is already used on chain.
    #[error("{0}")]
    NonceTooLow(E),
    /// Any other refusal (fees too low, insufficient funds, transport error, …).
    #[error("{0}")]
    Refused(E),
}

/// The outcome of a mined transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Whether it succeeded (status 1).
    pub success: bool,
    /// The block it was mined in, when the node says.
    pub block: Option<u64>,
}

/// L1 as the responder uses it: reads for nonces, fees and receipts, gas estimates, broadcast,
/// and the replay of a reverted transaction.
pub trait TxChain: Send + Sync {
    /// A failed read or request.
    type Error: std::error::Error + Send + Sync + 'static;

    /// `eth_chainId`.
    fn chain_id(&self) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// `eth_getTransactionCount(who, "pending")`: the next nonce counting the node's pool.
    fn pending_nonce(&self, who: Address) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// `eth_getTransactionCount(who, "latest")`: how many of `who`'s transactions are mined.
    fn mined_nonce(&self, who: Address) -> impl Future<Output = Result<u64, Self::Error>> + Send;

    /// `eth_estimateGas(tx)`, a revert classified.
    fn estimate_gas(
        &self,
        tx: TransactionRequest,
    ) -> impl Future<Output = Result<u64, EstimateError<Self::Error>>> + Send;

    /// The base fee of the latest block; `None` when the block has none (before London). An
    /// error when there is no latest block.
    fn base_fee(&self) -> impl Future<Output = Result<Option<u64>, Self::Error>> + Send;

    /// `eth_maxPriorityFeePerGas`.
    fn max_priority_fee(&self) -> impl Future<Output = Result<u128, Self::Error>> + Send;

    /// `eth_sendRawTransaction(raw)`. A node that already has the transaction answers `Ok`
    /// ([`classify_broadcast`] turns its "already known" into success).
    fn send_raw(&self, raw: &Bytes) -> impl Future<Output = Result<(), BroadcastError<Self::Error>>> + Send;

    /// `eth_getTransactionReceipt(hash)`; `None` while it is not mined (or was reorged out).
    fn receipt(&self, hash: B256) -> impl Future<Output = Result<Option<Receipt>, Self::Error>> + Send;

    /// Why `tx` fails as an `eth_call` at `block`, in words with the custom error decoded; `None`
    /// when the call succeeds there.
    fn replay(&self, tx: TransactionRequest, block: u64) -> impl Future<Output = Option<String>> + Send;
}

/// Sorts a node's refusal of `eth_sendRawTransaction`: "already known" (the node has it) is
/// success, "nonce too low" is [`BroadcastError::NonceTooLow`], anything else a refusal.
pub fn classify_broadcast<E: fmt::Display>(err: E) -> Result<(), BroadcastError<E>> {
    let m = err.to_string().to_ascii_lowercase();
    if m.contains("already known") || m.contains("already imported") || m.contains("known transaction") {
        return Ok(());
    }
    if m.contains("nonce too low") || m.contains("nonce is too low") || m.contains("already been used") {
        return Err(BroadcastError::NonceTooLow(err));
    }
    Err(BroadcastError::Refused(err))
}

impl TxChain for DynProvider {
    type Error = TransportError;

    async fn chain_id(&self) -> Result<u64, Self::Error> {
        Provider::get_chain_id(self).await
    }

    async fn pending_nonce(&self, who: Address) -> Result<u64, Self::Error> {
        Provider::get_transaction_count(self, who).pending().await
    }

    async fn mined_nonce(&self, who: Address) -> Result<u64, Self::Error> {
        Provider::get_transaction_count(self, who).latest().await
    }

    async fn estimate_gas(&self, tx: TransactionRequest) -> Result<u64, EstimateError<Self::Error>> {
        Provider::estimate_gas(self, tx).await.map_err(|e| match classify(&e) {
            CallError::Reverted(r) if !r.data.is_empty() => EstimateError::Reverted(r),
            CallError::Reverted(_) => EstimateError::RevertedWithoutData(e),
            CallError::Transport { .. } => EstimateError::Failed(e),
        })
    }

    async fn base_fee(&self) -> Result<Option<u64>, Self::Error> {
        let block = Provider::get_block_by_number(self, BlockNumberOrTag::Latest)
            .await?
            .ok_or_else(|| TransportErrorKind::custom_str("the L1 node has no latest block"))?;
        Ok(block.header.base_fee_per_gas)
    }

    async fn max_priority_fee(&self) -> Result<u128, Self::Error> {
        Provider::get_max_priority_fee_per_gas(self).await
    }

    async fn send_raw(&self, raw: &Bytes) -> Result<(), BroadcastError<Self::Error>> {
        match Provider::send_raw_transaction(self, raw).await {
            Ok(_) => Ok(()),
            Err(e) => classify_broadcast(e),
        }
    }

    async fn receipt(&self, hash: B256) -> Result<Option<Receipt>, Self::Error> {
        let r = Provider::get_transaction_receipt(self, hash).await?;
        Ok(r.map(|r| Receipt { success: r.status(), block: r.block_number }))
    }

    async fn replay(&self, tx: TransactionRequest, block: u64) -> Option<String> {
        Provider::call(self, tx).block(block.into()).await.err().map(|e| describe(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn already_known_is_success_and_nonce_too_low_is_recognised() {
        assert!(classify_broadcast("already known").is_ok());
        assert!(classify_broadcast("Known transaction: 0xabc").is_ok());
        assert!(classify_broadcast("transaction already imported").is_ok());
        for m in ["nonce too low: next nonce 4, tx nonce 3", "Nonce is too low", "nonce has already been used"] {
            assert!(matches!(classify_broadcast(m), Err(BroadcastError::NonceTooLow(_))), "{m}");
        }
        assert!(matches!(
            classify_broadcast("insufficient funds for gas * price + value"),
            Err(BroadcastError::Refused(_))
        ));
    }
}
