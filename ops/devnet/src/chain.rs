//! A chain client for the devnet: contract calls and signed transactions with every revert
//! decoded, receipts awaited without poll delays (anvil mines on arrival).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy::consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy::eips::{BlockId, BlockNumberOrTag, Encodable2718};
use alloy::network::TxSignerSync;
use alloy::primitives::{Address, B256, Bytes, TxKind, U256};
use alloy::providers::{Provider, RootProvider};
use alloy::rpc::types::{TransactionReceipt, TransactionRequest};
use alloy::signers::local::PrivateKeySigner;
use alloy::sol_types::SolCall;
use alloy::transports::{RpcError, TransportErrorKind};

use crate::{DevnetError, Result};

/// `maxFeePerGas` of every transaction: far above anvil's base fee, only what is used is paid.
const MAX_FEE_PER_GAS: u128 = 100_000_000_000;
/// `maxPriorityFeePerGas` of every transaction.
const PRIORITY_FEE_PER_GAS: u128 = 1_000_000_000;
/// How long to wait for a receipt before giving up.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(30);

/// What a mined, successful transaction cost and where it landed.
#[derive(Debug, Clone)]
pub struct TxOutcome {
    /// The transaction hash.
    pub hash: B256,
    /// The block it was mined in.
    pub block_number: u64,
    /// That block's timestamp.
    pub block_timestamp: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Price paid per gas, in wei.
    pub effective_gas_price: u128,
    /// The created contract, for a deployment.
    pub contract_address: Option<Address>,
    /// The full receipt.
    pub receipt: TransactionReceipt,
}

impl TxOutcome {
    /// The fee paid by the sender, in wei.
    pub fn fee(&self) -> U256 {
        U256::from(self.gas_used) * U256::from(self.effective_gas_price)
    }
}

/// An unsigned transaction to send, with the label errors will carry.
#[derive(Debug, Clone)]
pub(crate) struct PlannedTx {
    pub(crate) what: String,
    pub(crate) from: Address,
    pub(crate) to: TxKind,
    pub(crate) input: Bytes,
    pub(crate) value: U256,
    pub(crate) gas: u64,
    pub(crate) nonce: u64,
}

/// RPC access to one anvil with the dev keys and the error table.
#[derive(Debug, Clone)]
pub struct Chain {
    name: &'static str,
    chain_id: u64,
    provider: RootProvider,
    signers: Arc<HashMap<Address, PrivateKeySigner>>,
}

/// The revert data of an RPC error that is an execution revert (empty when it has none).
fn revert_data(err: &RpcError<TransportErrorKind>) -> Option<Bytes> {
    let payload = err.as_error_resp()?;
    if let Some(data) = payload.as_revert_data() {
        return Some(data);
    }
    // A revert without data (`revert()`, or a failed `require` without a message).
    payload.message.contains("revert").then(Bytes::new)
}

impl Chain {
    pub(crate) fn new(
        name: &'static str,
        chain_id: u64,
        provider: RootProvider,
        signers: Arc<HashMap<Address, PrivateKeySigner>>,
    ) -> Self {
        Self { name, chain_id, provider, signers }
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The underlying provider, for requests this client does not wrap.
    pub fn provider(&self) -> &RootProvider {
        &self.provider
    }

    /// Turns an RPC error into a decoded revert if it is one.
    pub(crate) fn rpc_error(&self, what: String, source: RpcError<TransportErrorKind>) -> DevnetError {
        match revert_data(&source) {
            Some(data) => DevnetError::Reverted { what, revert: Box::new(riposte_contracts::Revert::decode(data)) },
            None => DevnetError::Rpc { what, source },
        }
    }

    /// A raw JSON-RPC request (`evm_increaseTime`, `anvil_mine`, …).
    pub async fn rpc<P, R>(&self, method: &'static str, params: P) -> Result<R>
    where
        P: serde::Serialize + Clone + std::fmt::Debug + Send + Sync + Unpin,
        R: serde::de::DeserializeOwned + std::fmt::Debug + Send + Sync + Unpin + 'static,
    {
        self.provider
            .raw_request(method.into(), params)
            .await
            .map_err(|e| self.rpc_error(format!("{} {method}", self.name), e))
    }

    /// `eth_call` of `call` on `to` at `block` (latest when `None`), from `from` (zero address
    /// when `None`), decoded.
    pub async fn call_at<C: SolCall>(
        &self,
        label: &str,
        to: Address,
        call: &C,
        from: Option<Address>,
        block: Option<BlockId>,
    ) -> Result<C::Return> {
        let what = || format!("{label}({to}).{}", C::SIGNATURE);
        let mut tx = TransactionRequest::default().to(to).input(call.abi_encode().into());
        if let Some(from) = from {
            tx = tx.from(from);
        }
        let out = self
            .provider
            .call(tx)
            .block(block.unwrap_or(BlockId::Number(BlockNumberOrTag::Latest)))
            .await
            .map_err(|e| self.rpc_error(what(), e))?;
        C::abi_decode_returns(&out).map_err(|e| DevnetError::Decode { what: what(), reason: e.to_string() })
    }

    /// `eth_call` of `call` on `to` at the latest block.
    pub async fn call<C: SolCall>(&self, label: &str, to: Address, call: &C) -> Result<C::Return> {
        self.call_at(label, to, call, None, None).await
    }

    /// Sends `call` to `to` from `from` with `value`: gas estimated (reverts decoded) and
    /// padded, signed with the dev key, awaited until mined.
    pub async fn send<C: SolCall>(
        &self,
        label: &str,
        from: Address,
        to: Address,
        call: &C,
        value: U256,
    ) -> Result<TxOutcome> {
        let what = format!("{label}({to}).{}", C::SIGNATURE);
        self.send_input(what, from, TxKind::Call(to), call.abi_encode().into(), value).await
    }

    /// Sends arbitrary input (a call, or creation code with `TxKind::Create`).
    pub async fn send_input(
        &self,
        what: String,
        from: Address,
        to: TxKind,
        input: Bytes,
        value: U256,
    ) -> Result<TxOutcome> {
        let mut req = TransactionRequest::default().from(from).input(input.clone().into()).value(value);
        req.to = Some(to);
        let estimate =
            self.provider.estimate_gas(req).await.map_err(|e| self.rpc_error(format!("{what} (gas estimate)"), e))?;
        // Estimates can fall short when the block lands a second later (devnet-facts): pad.
        let gas = estimate.saturating_add(estimate / 4).saturating_add(50_000).min(30_000_000);
        let nonce = self
            .provider
            .get_transaction_count(from)
            .pending()
            .await
            .map_err(|e| self.rpc_error(format!("{what} (nonce of {from})"), e))?;
        let planned = PlannedTx { what, from, to, input, value, gas, nonce };
        let hash = self.submit(&planned).await?;
        self.confirm(&planned, hash).await
    }

    /// Signs and submits a planned transaction; returns its hash without waiting.
    pub(crate) async fn submit(&self, tx: &PlannedTx) -> Result<B256> {
        let signer = self.signers.get(&tx.from).ok_or(DevnetError::UnknownSigner(tx.from))?;
        let mut unsigned = TxEip1559 {
            chain_id: self.chain_id,
            nonce: tx.nonce,
            gas_limit: tx.gas,
            max_fee_per_gas: MAX_FEE_PER_GAS,
            max_priority_fee_per_gas: PRIORITY_FEE_PER_GAS,
            to: tx.to,
            value: tx.value,
            access_list: Default::default(),
            input: tx.input.clone(),
        };
        let signature = signer
            .sign_transaction_sync(&mut unsigned)
            .map_err(|e| DevnetError::Decode { what: format!("{} (signing)", tx.what), reason: e.to_string() })?;
        let envelope = TxEnvelope::from(unsigned.into_signed(signature));
        let pending = self
            .provider
            .send_raw_transaction(&envelope.encoded_2718())
            .await
            .map_err(|e| self.rpc_error(format!("{} (send)", tx.what), e))?;
        Ok(*pending.tx_hash())
    }

    /// Waits for the receipt of a submitted transaction; a failed one is replayed on the
    /// parent block to recover its revert.
    pub(crate) async fn confirm(&self, tx: &PlannedTx, hash: B256) -> Result<TxOutcome> {
        let start = Instant::now();
        let receipt = loop {
            let receipt = self
                .provider
                .get_transaction_receipt(hash)
                .await
                .map_err(|e| self.rpc_error(format!("{} (receipt)", tx.what), e))?;
            if let Some(r) = receipt {
                break r;
            }
            if start.elapsed() > RECEIPT_TIMEOUT {
                return Err(DevnetError::ReceiptTimeout { what: tx.what.clone(), tx: hash, waited: start.elapsed() });
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        };
        let block_number = receipt.block_number.ok_or_else(|| DevnetError::Decode {
            what: format!("{} (receipt)", tx.what),
            reason: "receipt without a block number".into(),
        })?;
        if !receipt.status() {
            let revert = self.replay(tx, block_number.saturating_sub(1)).await;
            return Err(DevnetError::TxFailed { what: tx.what.clone(), tx: hash, revert });
        }
        let block_timestamp = self.block_timestamp(block_number).await?;
        Ok(TxOutcome {
            hash,
            block_number,
            block_timestamp,
            gas_used: receipt.gas_used,
            effective_gas_price: receipt.effective_gas_price,
            contract_address: receipt.contract_address,
            receipt,
        })
    }

    async fn replay(&self, tx: &PlannedTx, block: u64) -> Option<Box<crate::Revert>> {
        let mut req = TransactionRequest::default()
            .from(tx.from)
            .input(tx.input.clone().into())
            .value(tx.value)
            .gas_limit(tx.gas);
        req.to = Some(tx.to);
        match self.provider.call(req).block(BlockId::number(block)).await {
            Ok(_) => None,
            Err(e) => revert_data(&e).map(|d| Box::new(riposte_contracts::Revert::decode(d))),
        }
    }

    /// The timestamp of block `number`.
    pub async fn block_timestamp(&self, number: u64) -> Result<u64> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(|e| self.rpc_error(format!("{} eth_getBlockByNumber({number})", self.name), e))?
            .ok_or_else(|| DevnetError::Decode {
                what: format!("{} eth_getBlockByNumber({number})", self.name),
                reason: "no such block".into(),
            })?;
        Ok(block.header.timestamp)
    }

    /// The latest block's number and timestamp.
    pub async fn latest(&self) -> Result<(u64, u64)> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|e| self.rpc_error(format!("{} eth_getBlockByNumber(latest)", self.name), e))?
            .ok_or_else(|| DevnetError::Decode {
                what: format!("{} eth_getBlockByNumber(latest)", self.name),
                reason: "no latest block".into(),
            })?;
        Ok((block.header.number, block.header.timestamp))
    }

    /// The balance of `who` at the latest block.
    pub async fn balance(&self, who: Address) -> Result<U256> {
        self.provider
            .get_balance(who)
            .await
            .map_err(|e| self.rpc_error(format!("{} eth_getBalance({who})", self.name), e))
    }

    /// The next nonce of `who` (pending).
    pub(crate) async fn nonce(&self, who: Address) -> Result<u64> {
        self.provider
            .get_transaction_count(who)
            .pending()
            .await
            .map_err(|e| self.rpc_error(format!("{} eth_getTransactionCount({who})", self.name), e))
    }
}
