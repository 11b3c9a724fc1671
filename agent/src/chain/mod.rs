//! Chain access: RPC clients behind tower layers, contract bindings per version, and the
//! readers and writers built on them.

pub(crate) mod bindings;
pub(crate) mod game;
pub(crate) mod l2;
pub(crate) mod layers;
pub(crate) mod revert;

use std::time::Duration;

use alloy::{
    eips::BlockId,
    network::TransactionBuilder,
    primitives::{Address, Bytes},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::{client::ClientBuilder, types::TransactionRequest},
    sol_types::SolCall,
};
use anyhow::{Context, Result, anyhow};

use crate::metrics::Metrics;

/// How every RPC client behaves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RpcOptions {
    /// Per-request timeout.
    pub(crate) timeout: Duration,
    /// Retries of transient failures.
    pub(crate) retries: u32,
    /// Requests in flight per endpoint.
    pub(crate) max_in_flight: usize,
    /// Interval at which alloy polls for receipts and filters.
    pub(crate) poll_interval: Duration,
}

impl Default for RpcOptions {
    fn default() -> Self {
        Self { timeout: Duration::from_secs(10), retries: 5, max_in_flight: 32, poll_interval: Duration::from_secs(1) }
    }
}

/// A provider for `url` (http(s) or ws(s)) with timeout, retry, concurrency and metrics layers.
pub(crate) async fn connect(
    url: &str,
    endpoint: &'static str,
    opts: RpcOptions,
    metrics: &Metrics,
) -> Result<DynProvider> {
    let parsed: url::Url = url.parse().with_context(|| format!("{endpoint} RPC URL {url:?}"))?;
    let builder = ClientBuilder::default()
        .layer(layers::RetryLayer::new(opts.retries, Duration::from_millis(200), Duration::from_secs(5)))
        .layer(layers::ConcurrencyLayer::new(opts.max_in_flight))
        .layer(layers::TimeoutLayer::new(opts.timeout))
        .layer(layers::MetricsLayer::new(metrics.clone(), endpoint));
    let client = match parsed.scheme() {
        "ws" | "wss" => tokio::time::timeout(opts.timeout, builder.ws(alloy::providers::WsConnect::new(url)))
            .await
            .map_err(|_| anyhow!("{endpoint} RPC {url}: no WebSocket connection after {:?}", opts.timeout))?
            .with_context(|| format!("{endpoint} RPC {url}: WebSocket connection"))?,
        _ => builder.http(parsed),
    }
    .with_poll_interval(opts.poll_interval);
    Ok(ProviderBuilder::new().disable_recommended_fillers().connect_client(client).erased())
}

/// Wakes `notify` on every new L1 head announced over a WebSocket subscription, resubscribing
/// after an error; returns at once on an HTTP provider (which is polled instead).
pub(crate) async fn watch_heads(l1: DynProvider, notify: std::sync::Arc<tokio::sync::Notify>) {
    use futures::StreamExt;
    loop {
        match l1.subscribe_blocks().await {
            Ok(sub) => {
                tracing::info!("subscribed to new L1 heads");
                let mut stream = sub.into_stream();
                while stream.next().await.is_some() {
                    notify.notify_one();
                }
                tracing::warn!("L1 head subscription ended; resubscribing");
            }
            Err(e) if e.to_string().contains("subscriptions are not available") => return,
            Err(e) => tracing::warn!(error = %e, "cannot subscribe to L1 heads; retrying in 10 s"),
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
}

/// `eth_call`s of `calls` to `to` at `block`, sent as JSON-RPC batches of at most 100.
pub(crate) async fn batch_call<C: SolCall>(
    provider: &DynProvider,
    to: Address,
    calls: &[C],
    block: BlockId,
) -> Result<Vec<C::Return>> {
    let mut out = Vec::with_capacity(calls.len());
    for chunk in calls.chunks(100) {
        let mut batch = alloy::rpc::client::BatchRequest::new(provider.client());
        let mut waiters = Vec::with_capacity(chunk.len());
        for call in chunk {
            let tx = TransactionRequest::default().with_to(to).with_input(call.abi_encode());
            waiters.push(batch.add_call::<_, Bytes>("eth_call", &(tx, block)).map_err(|e| anyhow!("{e}"))?);
        }
        batch.send().await.with_context(|| format!("batch of {} eth_call to {to}", chunk.len()))?;
        for w in waiters {
            let bytes = w.await.with_context(|| format!("{} on {to}", C::SIGNATURE))?;
            out.push(C::abi_decode_returns(&bytes).with_context(|| format!("decoding {} from {to}", C::SIGNATURE))?);
        }
    }
    Ok(out)
}

/// One `eth_call` of `call` to `to` at the latest block.
pub(crate) async fn call<C: SolCall>(provider: &DynProvider, to: Address, call: C) -> Result<C::Return> {
    let tx = TransactionRequest::default().with_to(to).with_input(call.abi_encode());
    // Explicitly at `latest`: some nodes answer a call without a block tag at `pending`, which
    // may hold claims the batched reads at `latest` do not see yet.
    let bytes = provider
        .call(tx)
        .block(BlockId::latest())
        .await
        .map_err(|e| anyhow!(revert::describe_rpc_error(&e)))
        .with_context(|| format!("{} on {to}", C::SIGNATURE))?;
    C::abi_decode_returns(&bytes).with_context(|| format!("decoding {} from {to}", C::SIGNATURE))
}
