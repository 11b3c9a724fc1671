//! `eth_call` for the contract bindings, over a layered provider.

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    transports::TransportError,
};
use riposte_contracts::{BoxFuture, CallError, EthCall, Revert};

/// A layered provider as the bindings' [`EthCall`]: every call at `latest`, batches as JSON-RPC
/// batches of at most 100.
#[derive(Debug, Clone)]
pub struct Rpc(pub DynProvider);

/// A transport error as the bindings see it: a revert (with its data, empty when the node gave
/// none) or a transport failure that may or may not pass.
pub fn classify(err: &TransportError) -> CallError {
    if let Some(payload) = err.as_error_resp() {
        if let Some(data) = payload.as_revert_data() {
            return CallError::Reverted(Revert::decode(data));
        }
        // A revert without data (`revert()`, a missing function, a `require` without message).
        if payload.message.contains("revert") {
            return CallError::Reverted(Revert::decode(Bytes::new()));
        }
    }
    CallError::Transport { message: err.to_string(), temporary: crate::layers::is_transient(err) }
}

fn request(to: Address, data: Bytes) -> TransactionRequest {
    TransactionRequest::default().with_to(to).with_input(data)
}

impl EthCall for Rpc {
    fn call(&self, to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>> {
        Box::pin(async move {
            // Explicitly at `latest`: some nodes answer a call without a block tag at `pending`,
            // which may hold claims the batched reads at `latest` do not see yet.
            self.0.call(request(to, data)).block(BlockId::latest()).await.map_err(|e| classify(&e))
        })
    }

    fn call_many(&self, to: Address, data: Vec<Bytes>) -> BoxFuture<'_, Result<Vec<Bytes>, CallError>> {
        Box::pin(async move {
            let mut out = Vec::with_capacity(data.len());
            for chunk in data.chunks(100) {
                let mut batch = alloy::rpc::client::BatchRequest::new(self.0.client());
                let mut waiters = Vec::with_capacity(chunk.len());
                for d in chunk {
                    let w = batch
                        .add_call::<_, Bytes>("eth_call", &(request(to, d.clone()), BlockId::latest()))
                        .map_err(|e| CallError::Transport { message: e.to_string(), temporary: false })?;
                    waiters.push(w);
                }
                batch.send().await.map_err(|e| classify(&e))?;
                for w in waiters {
                    out.push(w.await.map_err(|e| classify(&e))?);
                }
            }
            Ok(out)
        })
    }
}

/// An RPC error in words, with the decoded custom error when it is a revert.
pub fn describe(err: &TransportError) -> String {
    match classify(err) {
        CallError::Reverted(r) if !r.data.is_empty() => format!("reverted: {r}"),
        _ => err.to_string(),
    }
}
