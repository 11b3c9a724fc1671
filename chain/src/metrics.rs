//! What the chain clients report; the daemon's metrics registry implements it.

/// Counters the clients and the output source update. Every method defaults to doing nothing.
pub trait ChainMetrics: Send + Sync + 'static {
    /// A JSON-RPC request was sent.
    fn rpc_request(&self, _endpoint: &str, _method: &str) {}
    /// A JSON-RPC request failed (after the transport answered or gave up).
    fn rpc_error(&self, _endpoint: &str, _method: &str) {}
    /// A block was re-executed: `result` is `agree`, `disagree` or `error`.
    fn reexecution(&self, _result: &str, _seconds: f64) {}
    /// Two sources of truth disagreed on an output root.
    fn disagreement(&self) {}
}

/// Reports nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl ChainMetrics for NoMetrics {}
