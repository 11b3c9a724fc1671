//! What the responder reports to the caller's metrics.

/// Counters and histograms the responder feeds; the daemon maps them onto its Prometheus
/// registry (`riposte_actions_total{kind}`, `riposte_tx_inclusion_seconds`, …).
pub trait TxMetrics: Send + Sync {
    /// An intent of `kind` was mined and succeeded, `inclusion_secs` after its attempt was signed.
    fn action_sent(&self, kind: &str, inclusion_secs: f64);
    /// An intent of `kind` failed: reverted in simulation or on chain, or refused by the node.
    fn action_failed(&self, kind: &str);
    /// A move's bond was sent, in wei.
    fn bond_posted(&self, wei: f64);
}

/// Metrics that go nowhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMetrics;

impl TxMetrics for NoMetrics {
    fn action_sent(&self, _kind: &str, _inclusion_secs: f64) {}
    fn action_failed(&self, _kind: &str) {}
    fn bond_posted(&self, _wei: f64) {}
}
