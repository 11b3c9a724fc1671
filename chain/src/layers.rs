//! Tower layers stacked under every RPC client: a per-request timeout, retries with backoff on
//! transient failures only, a cap on requests in flight, and request/error counting.
//!
//! alloy's `Transport` demands boxed futures and `TransportError`, so these are small layers of
//! our own rather than tower's generic ones (whose errors are boxed).

use std::{
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use alloy::{
    rpc::json_rpc::{RequestPacket, ResponsePacket},
    transports::{TransportError, TransportErrorKind, TransportFut},
};
use tokio::sync::Semaphore;
use tower::{Layer, Service};

use crate::ChainMetrics;

/// Fails a request that takes longer than its method's timeout (the default, or a longer one
/// for methods slow by nature; a batch gets the longest of its methods').
#[derive(Debug, Clone)]
pub struct TimeoutLayer {
    timeout: Duration,
    slow: Arc<[(&'static str, Duration)]>,
}

impl TimeoutLayer {
    /// `timeout` for every method.
    pub fn new(timeout: Duration) -> Self {
        Self { timeout, slow: Arc::new([]) }
    }

    /// Longer timeouts for the given methods.
    pub fn with_methods(mut self, slow: &[(&'static str, Duration)]) -> Self {
        self.slow = slow.into();
        self
    }
}

impl<S> Layer<S> for TimeoutLayer {
    type Service = TimeoutService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        TimeoutService { inner, timeout: self.timeout, slow: self.slow.clone() }
    }
}

/// The service [`TimeoutLayer`] makes.
#[derive(Debug, Clone)]
pub struct TimeoutService<S> {
    inner: S,
    timeout: Duration,
    slow: Arc<[(&'static str, Duration)]>,
}

impl<S> TimeoutService<S> {
    fn timeout_of(&self, req: &RequestPacket) -> Duration {
        let of = |m: &str| self.slow.iter().find(|(name, _)| *name == m).map_or(self.timeout, |(_, t)| *t);
        match req {
            RequestPacket::Single(r) => of(r.method()),
            RequestPacket::Batch(rs) => rs.iter().map(|r| of(r.method())).max().unwrap_or(self.timeout),
        }
    }
}

impl<S> Service<RequestPacket> for TimeoutService<S>
where
    S: Service<RequestPacket, Response = ResponsePacket, Error = TransportError, Future = TransportFut<'static>>,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        let timeout = self.timeout_of(&req);
        let fut = self.inner.call(req);
        Box::pin(async move {
            match tokio::time::timeout(timeout, fut).await {
                Ok(res) => res,
                Err(_) => Err(TransportErrorKind::custom_str(&format!("request timed out after {timeout:?}"))),
            }
        })
    }
}

/// Whether a failure may succeed if sent again: network errors, timeouts, HTTP 408/429/5xx,
/// unparseable answers, and JSON-RPC errors that mean "busy". Never an execution error (a
/// revert) or a request the node rejected as invalid.
pub fn is_transient(err: &TransportError) -> bool {
    use alloy::rpc::json_rpc::RpcError;
    match err {
        RpcError::Transport(kind) => match kind {
            TransportErrorKind::HttpError(http) => {
                http.status == 408 || http.status == 429 || (500..600).contains(&http.status)
            }
            TransportErrorKind::PubsubUnavailable => false,
            // Connection refused/reset, timeouts, a backend that went away, missing batch items.
            _ => true,
        },
        RpcError::DeserError { .. } | RpcError::NullResp => true,
        RpcError::ErrorResp(payload) => payload.is_retry_err(),
        _ => false,
    }
}

/// Retries transient failures with exponential backoff (`base · 2^n`, capped at `max_backoff`).
#[derive(Debug, Clone, Copy)]
pub struct RetryLayer {
    max_retries: u32,
    base: Duration,
    max_backoff: Duration,
}

impl RetryLayer {
    /// At most `max_retries` retries, waiting `base · 2^n` (at most `max_backoff`) before each.
    pub fn new(max_retries: u32, base: Duration, max_backoff: Duration) -> Self {
        Self { max_retries, base, max_backoff }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = RetryService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RetryService { inner, policy: *self }
    }
}

/// The service [`RetryLayer`] makes.
#[derive(Debug, Clone)]
pub struct RetryService<S> {
    inner: S,
    policy: RetryLayer,
}

impl<S> Service<RequestPacket> for RetryService<S>
where
    S: Service<RequestPacket, Response = ResponsePacket, Error = TransportError, Future = TransportFut<'static>>
        + Clone
        + Send
        + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let policy = self.policy;
        Box::pin(async move {
            let mut attempt = 0u32;
            loop {
                let err = match inner.call(req.clone()).await {
                    Ok(resp) => match resp.as_error() {
                        Some(payload) if payload.is_retry_err() => TransportError::ErrorResp(payload.clone()),
                        _ => return Ok(resp),
                    },
                    Err(e) => e,
                };
                if attempt >= policy.max_retries || !is_transient(&err) {
                    return Err(err);
                }
                let backoff = policy.base.saturating_mul(1 << attempt.min(16)).min(policy.max_backoff);
                tracing::warn!(attempt = attempt + 1, ?backoff, error = %err, "RPC request failed, retrying");
                tokio::time::sleep(backoff).await;
                attempt += 1;
            }
        })
    }
}

/// Caps the number of requests in flight to one endpoint.
#[derive(Debug, Clone)]
pub struct ConcurrencyLayer {
    permits: Arc<Semaphore>,
}

impl ConcurrencyLayer {
    /// At most `max_in_flight` requests at once (at least one).
    pub fn new(max_in_flight: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max_in_flight.max(1))) }
    }
}

impl<S> Layer<S> for ConcurrencyLayer {
    type Service = ConcurrencyService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        ConcurrencyService { inner, permits: self.permits.clone() }
    }
}

/// The service [`ConcurrencyLayer`] makes.
#[derive(Debug, Clone)]
pub struct ConcurrencyService<S> {
    inner: S,
    permits: Arc<Semaphore>,
}

impl<S> Service<RequestPacket> for ConcurrencyService<S>
where
    S: Service<RequestPacket, Response = ResponsePacket, Error = TransportError, Future = TransportFut<'static>>
        + Clone
        + Send
        + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        let fresh = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, fresh);
        let permits = self.permits.clone();
        Box::pin(async move {
            let _permit =
                permits.acquire_owned().await.map_err(|_| TransportErrorKind::custom_str("RPC client shut down"))?;
            inner.call(req).await
        })
    }
}

/// Counts requests and failures per method for `/metrics`.
#[derive(Clone)]
pub struct MetricsLayer {
    metrics: Arc<dyn ChainMetrics>,
    endpoint: &'static str,
}

impl MetricsLayer {
    /// Counts into `metrics` under the label `endpoint`.
    pub fn new(metrics: Arc<dyn ChainMetrics>, endpoint: &'static str) -> Self {
        Self { metrics, endpoint }
    }
}

impl<S> Layer<S> for MetricsLayer {
    type Service = MetricsService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        MetricsService { inner, metrics: self.metrics.clone(), endpoint: self.endpoint }
    }
}

/// The service [`MetricsLayer`] makes.
#[derive(Clone)]
pub struct MetricsService<S> {
    inner: S,
    metrics: Arc<dyn ChainMetrics>,
    endpoint: &'static str,
}

fn methods(req: &RequestPacket) -> Vec<String> {
    match req {
        RequestPacket::Single(r) => vec![r.method().to_string()],
        RequestPacket::Batch(rs) => rs.iter().map(|r| r.method().to_string()).collect(),
    }
}

impl<S> Service<RequestPacket> for MetricsService<S>
where
    S: Service<RequestPacket, Response = ResponsePacket, Error = TransportError, Future = TransportFut<'static>>,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: RequestPacket) -> Self::Future {
        let names = methods(&req);
        let metrics = self.metrics.clone();
        let endpoint = self.endpoint;
        let fut = self.inner.call(req);
        Box::pin(async move {
            for m in &names {
                metrics.rpc_request(endpoint, m);
            }
            let res = fut.await;
            let failed = match &res {
                Err(_) => true,
                Ok(resp) => resp.as_error().is_some(),
            };
            if failed {
                for m in &names {
                    metrics.rpc_error(endpoint, m);
                }
            }
            res
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use alloy::rpc::json_rpc::{Id, Request, Response, ResponsePayload};

    use super::*;

    /// A transport double that fails the first `failures` calls with `make_err`.
    #[derive(Clone)]
    struct Flaky {
        calls: Arc<AtomicU32>,
        failures: u32,
        make_err: fn() -> TransportError,
        delay: Duration,
    }

    impl Service<RequestPacket> for Flaky {
        type Response = ResponsePacket;
        type Error = TransportError;
        type Future = TransportFut<'static>;
        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
            Poll::Ready(Ok(()))
        }
        fn call(&mut self, _: RequestPacket) -> Self::Future {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let this = self.clone();
            Box::pin(async move {
                tokio::time::sleep(this.delay).await;
                if n < this.failures {
                    return Err((this.make_err)());
                }
                let raw = serde_json::value::to_raw_value(&"0x1").map_err(TransportErrorKind::custom)?;
                Ok(ResponsePacket::Single(Response { id: Id::Number(1), payload: ResponsePayload::Success(raw) }))
            })
        }
    }

    fn req() -> RequestPacket {
        let r: Request<()> = Request::new("eth_chainId", Id::Number(1), ());
        RequestPacket::Single(r.serialize().unwrap())
    }

    fn flaky(failures: u32, make_err: fn() -> TransportError) -> Flaky {
        Flaky { calls: Arc::new(AtomicU32::new(0)), failures, make_err, delay: Duration::ZERO }
    }

    fn retry() -> RetryLayer {
        RetryLayer::new(3, Duration::from_millis(1), Duration::from_millis(5))
    }

    #[tokio::test]
    async fn retries_transient_errors_until_success() {
        let f = flaky(2, || TransportErrorKind::http_error(502, "bad gateway".into()));
        let mut svc = retry().layer(f.clone());
        assert!(svc.call(req()).await.is_ok());
        assert_eq!(f.calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn gives_up_after_max_retries() {
        let f = flaky(10, || TransportErrorKind::custom_str("connection refused"));
        let mut svc = retry().layer(f.clone());
        assert!(svc.call(req()).await.is_err());
        assert_eq!(f.calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn never_retries_a_permanent_error() {
        let f = flaky(10, || TransportErrorKind::http_error(400, "bad request".into()));
        let mut svc = retry().layer(f.clone());
        assert!(svc.call(req()).await.is_err());
        assert_eq!(f.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn slow_methods_get_their_own_timeout() {
        let mut f = flaky(0, || TransportErrorKind::custom_str("unused"));
        f.delay = Duration::from_millis(60);
        let layer =
            TimeoutLayer::new(Duration::from_millis(20)).with_methods(&[("eth_chainId", Duration::from_secs(5))]);
        assert!(layer.layer(f.clone()).call(req()).await.is_ok(), "eth_chainId has 5 s");
        let layer = TimeoutLayer::new(Duration::from_millis(20))
            .with_methods(&[("debug_executionWitness", Duration::from_secs(5))]);
        assert!(layer.layer(f).call(req()).await.is_err(), "other methods keep 20 ms");
    }

    #[tokio::test]
    async fn times_out_a_hanging_request_and_retries_it() {
        let mut f = flaky(0, || TransportErrorKind::custom_str("unused"));
        f.delay = Duration::from_millis(200);
        let mut svc = TimeoutLayer::new(Duration::from_millis(20)).layer(f.clone());
        let err = svc.call(req()).await.unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");
        assert!(is_transient(&err));
    }
}
