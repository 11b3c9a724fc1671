//! How riposte reaches chains: L1, L2 and rollup-node RPC clients behind tower layers (timeout
//! per method, retries of transient failures only, an in-flight cap, per-method metrics), the
//! typed stream of new L1 heads, `eth_call` for the contract bindings, and the output-root
//! source with its verification policy (`none`, `rollup`, `reexecute`).
//!
//! Errors say what the caller should do ([`ChainError::is_temporary`], and
//! [`riposte_solver::TraceError::Disagreement`] when two sources of truth differ).
//!
//! Not here: what games are, what moves mean, or sending transactions (`riposte-txmgr`).

pub mod beacon;
pub mod download;
mod eth;
mod heads;
pub mod layers;
mod metrics;
pub mod outputs;
pub mod super_chain;
#[cfg(test)]
mod testserver;

use std::time::Duration;

use alloy::{
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::client::ClientBuilder,
};

pub use eth::{Rpc, classify, describe};
pub use heads::{Head, HeadStream};
pub use metrics::{ChainMetrics, NoMetrics};

/// A failure reaching a chain, by what the caller should do.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The endpoint is misconfigured (a URL that does not parse): fix the configuration.
    #[error("{endpoint} RPC URL {url:?}: {reason}")]
    BadUrl {
        /// Which endpoint (`l1`, `l2`, `rollup`).
        endpoint: &'static str,
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: String,
    },
    /// The endpoint did not answer, or answered with an error; `temporary` says whether trying
    /// again later may help.
    #[error("{what}: {reason}")]
    Rpc {
        /// The request, with the endpoint.
        what: String,
        /// The error in words.
        reason: String,
        /// Whether trying again later may succeed.
        temporary: bool,
    },
    /// The endpoint answered something that cannot be (no latest block, a malformed header).
    #[error("{what}: {reason}")]
    Malformed {
        /// The request, with the endpoint.
        what: String,
        /// What is wrong with the answer.
        reason: String,
    },
}

impl ChainError {
    /// Whether trying again later may succeed.
    pub fn is_temporary(&self) -> bool {
        matches!(self, Self::Rpc { temporary: true, .. })
    }

    pub(crate) fn rpc(what: impl Into<String>, e: &alloy::transports::TransportError) -> Self {
        Self::Rpc { what: what.into(), reason: e.to_string(), temporary: layers::is_transient(e) }
    }
}

/// How every RPC client behaves.
#[derive(Debug, Clone)]
pub struct RpcOptions {
    /// Per-request timeout.
    pub timeout: Duration,
    /// Longer timeouts for methods that are slow by nature (a block's `debug_executionWitness`
    /// can take tens of seconds where `eth_blockNumber` takes milliseconds).
    pub slow_methods: Vec<(&'static str, Duration)>,
    /// Retries of transient failures.
    pub retries: u32,
    /// Requests in flight per endpoint.
    pub max_in_flight: usize,
    /// Interval at which alloy polls for receipts and filters.
    pub poll_interval: Duration,
}

impl Default for RpcOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            slow_methods: default_slow_methods(),
            retries: 5,
            max_in_flight: 32,
            poll_interval: Duration::from_secs(1),
        }
    }
}

/// The methods that take long by nature, with their timeouts: building a block's execution
/// witness. Everything the daemon asks per head keeps the short timeout, so a node that hangs on
/// one request costs one timeout, not a round of play.
pub fn default_slow_methods() -> Vec<(&'static str, Duration)> {
    vec![("debug_executionWitness", Duration::from_secs(120)), ("debug_getRawBlock", Duration::from_secs(30))]
}

/// A provider for `url` (http(s) or ws(s)) with timeout, retry, concurrency and metrics layers.
pub async fn connect(
    url: &str,
    endpoint: &'static str,
    opts: &RpcOptions,
    metrics: std::sync::Arc<dyn ChainMetrics>,
) -> Result<DynProvider, ChainError> {
    let parsed: url::Url = url.parse().map_err(|e: url::ParseError| ChainError::BadUrl {
        endpoint,
        url: url.into(),
        reason: e.to_string(),
    })?;
    let builder = ClientBuilder::default()
        .layer(layers::RetryLayer::new(opts.retries, Duration::from_millis(200), Duration::from_secs(5)))
        .layer(layers::ConcurrencyLayer::new(opts.max_in_flight))
        .layer(layers::TimeoutLayer::new(opts.timeout).with_methods(&opts.slow_methods))
        .layer(layers::MetricsLayer::new(metrics, endpoint));
    let client = match parsed.scheme() {
        "ws" | "wss" => tokio::time::timeout(opts.timeout, builder.ws(alloy::providers::WsConnect::new(url)))
            .await
            .map_err(|_| ChainError::Rpc {
                what: format!("{endpoint} RPC {url}"),
                reason: format!("no WebSocket connection after {:?}", opts.timeout),
                temporary: true,
            })?
            .map_err(|e| ChainError::rpc(format!("{endpoint} RPC {url}: WebSocket connection"), &e))?,
        "http" | "https" => builder.http(parsed),
        other => {
            return Err(ChainError::BadUrl {
                endpoint,
                url: url.into(),
                reason: format!("scheme {other:?} is not http(s) or ws(s)"),
            });
        }
    }
    .with_poll_interval(opts.poll_interval);
    Ok(ProviderBuilder::new().disable_recommended_fillers().connect_client(client).erased())
}

/// The latest block's header, read once.
pub async fn latest_head(provider: &DynProvider) -> Result<Head, ChainError> {
    let block = provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .map_err(|e| ChainError::rpc("eth_getBlockByNumber(latest)", &e))?
        .ok_or_else(|| ChainError::Malformed {
            what: "eth_getBlockByNumber(latest)".into(),
            reason: "the node has no latest block".into(),
        })?;
    Ok(Head::of(&block.header))
}
