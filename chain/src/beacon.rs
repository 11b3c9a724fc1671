//! The beacon API over HTTP, as riposte-core's [`BeaconClient`]: a tower stack of an in-flight
//! cap, retries of transient failures with backoff, a timeout per request, and the same
//! per-method metrics as the RPC clients.

use std::{
    future::Future,
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use async_trait::async_trait;
use riposte_core::l1::BeaconClient;
use serde_json::Value;
use tower::{Service, ServiceBuilder, ServiceExt, limit::ConcurrencyLimit, retry::Retry};

use crate::{ChainError, ChainMetrics};

/// Why one GET failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{reason}")]
pub struct BeaconError {
    reason: String,
    /// Trying again may succeed (connection error, timeout, 5xx, 429).
    transient: bool,
}

/// One GET of the beacon node, the bottom of the stack.
#[derive(Clone)]
struct Get {
    base: String,
    client: reqwest::Client,
    metrics: Arc<dyn ChainMetrics>,
}

/// The path without its block id or query (`/eth/v1/beacon/blob_sidecars/123?indices=0` →
/// `/eth/v1/beacon/blob_sidecars`), as the metric's method label.
fn method_of(path: &str) -> &str {
    let path = path.split('?').next().unwrap_or(path);
    match path.rsplit_once('/') {
        Some((head, last)) if last.starts_with(|c: char| c.is_ascii_digit()) => head,
        _ => path,
    }
}

impl Service<String> for Get {
    type Response = Option<Value>;
    type Error = BeaconError;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Value>, BeaconError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BeaconError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, path: String) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let method = method_of(&path).to_owned();
            this.metrics.rpc_request("beacon", &method);
            let r = this.get(&path).await;
            if r.is_err() {
                this.metrics.rpc_error("beacon", &method);
            }
            r
        })
    }
}

impl Get {
    async fn get(&self, path: &str) -> Result<Option<Value>, BeaconError> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .client
            .get(&url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| BeaconError { reason: e.to_string(), transient: true })?;
        let status = resp.status().as_u16();
        if matches!(status, 404 | 405 | 410) {
            return Ok(None);
        }
        let body = resp.bytes().await.map_err(|e| BeaconError { reason: e.to_string(), transient: true })?;
        match status {
            200..=299 => serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| BeaconError { reason: format!("body is not JSON: {e}"), transient: false }),
            429 | 500..=599 => Err(BeaconError { reason: format!("HTTP {status}"), transient: true }),
            _ => Err(BeaconError {
                reason: format!("HTTP {status}: {}", String::from_utf8_lossy(&body)),
                transient: false,
            }),
        }
    }
}

/// Retries transient failures, waiting `base · 2^n` (at most 5 s) before each.
#[derive(Clone, Copy)]
struct Backoff {
    left: u32,
    attempt: u32,
    base: Duration,
}

impl tower::retry::Policy<String, Option<Value>, BeaconError> for Backoff {
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(&mut self, _: &mut String, result: &mut Result<Option<Value>, BeaconError>) -> Option<Self::Future> {
        match result {
            Err(e) if e.transient && self.left > 0 => {
                let wait = self.base.saturating_mul(1 << self.attempt.min(16)).min(Duration::from_secs(5));
                self.left -= 1;
                self.attempt += 1;
                tracing::warn!(attempt = self.attempt, ?wait, error = %e, "beacon request failed, retrying");
                Some(Box::pin(tokio::time::sleep(wait)))
            }
            _ => None,
        }
    }

    fn clone_request(&mut self, req: &String) -> Option<String> {
        Some(req.clone())
    }
}

/// A beacon node's API with the layers of every riposte client.
#[derive(Clone)]
pub struct Beacon {
    base: String,
    stack: ConcurrencyLimit<Retry<Backoff, Get>>,
}

impl std::fmt::Debug for Beacon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Beacon").field("base", &self.base).finish()
    }
}

impl Beacon {
    /// A client of the beacon node at `base` (e.g. `http://127.0.0.1:5052`): `timeout` per
    /// request, `retries` of transient failures, at most `max_in_flight` requests at once.
    pub fn new(
        base: &str,
        timeout: Duration,
        retries: u32,
        max_in_flight: usize,
        metrics: Arc<dyn ChainMetrics>,
    ) -> Result<Self, ChainError> {
        let bad = |reason: String| ChainError::BadUrl { endpoint: "beacon", url: base.to_owned(), reason };
        let parsed: url::Url = base.parse().map_err(|e: url::ParseError| bad(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(bad(format!("scheme {:?} is not http(s)", parsed.scheme())));
        }
        let client = reqwest::Client::builder().timeout(timeout).build().map_err(|e| bad(e.to_string()))?;
        let base = base.trim_end_matches('/').to_owned();
        let get = Get { base: base.clone(), client, metrics };
        let stack = ServiceBuilder::new()
            .concurrency_limit(max_in_flight.max(1))
            .layer(tower::retry::RetryLayer::new(Backoff {
                left: retries,
                attempt: 0,
                base: Duration::from_millis(200),
            }))
            .service(get);
        Ok(Self { base, stack })
    }
}

#[async_trait]
impl BeaconClient for Beacon {
    fn endpoint(&self) -> String {
        format!("beacon API {}", self.base)
    }

    async fn get(&self, path: &str) -> Result<Option<Value>, String> {
        self.stack.clone().oneshot(path.to_owned()).await.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::{
        Mutex,
        atomic::{AtomicUsize, Ordering},
    };

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Answers each request with the next status of `script` (the last one for ever after).
    async fn beacon_node(script: Vec<(u16, &'static str)>) -> (String, Arc<AtomicUsize>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let served = Arc::new(AtomicUsize::new(0));
        let count = served.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let (status, body) = script[n.min(script.len() - 1)];
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let resp = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            }
        });
        (url, served)
    }

    #[derive(Default)]
    struct Counted(Mutex<Vec<(String, String, bool)>>);

    impl ChainMetrics for Counted {
        fn rpc_request(&self, endpoint: &str, method: &str) {
            self.0.lock().unwrap().push((endpoint.into(), method.into(), true));
        }
        fn rpc_error(&self, endpoint: &str, method: &str) {
            self.0.lock().unwrap().push((endpoint.into(), method.into(), false));
        }
    }

    fn client(url: &str, metrics: Arc<Counted>) -> Beacon {
        Beacon::new(url, Duration::from_secs(2), 3, 4, metrics).unwrap()
    }

    #[tokio::test]
    async fn transient_failures_are_retried_until_an_answer() {
        let (url, served) = beacon_node(vec![(503, "{}"), (500, "{}"), (200, r#"{"data":[]}"#)]).await;
        let m = Arc::new(Counted::default());
        let got = client(&url, m.clone()).get("/eth/v1/beacon/blob_sidecars/123").await.unwrap();
        assert_eq!(got, Some(serde_json::json!({"data": []})));
        assert_eq!(served.load(Ordering::SeqCst), 3);
        let seen = m.0.lock().unwrap().clone();
        assert_eq!(seen.iter().filter(|(_, _, req)| *req).count(), 3, "{seen:?}");
        assert!(seen.iter().all(|(e, m, _)| e == "beacon" && m == "/eth/v1/beacon/blob_sidecars"), "{seen:?}");
    }

    #[tokio::test]
    async fn a_refused_request_is_not_retried_and_a_missing_path_is_none() {
        let (url, served) = beacon_node(vec![(400, "bad block id")]).await;
        let err = client(&url, Arc::default()).get("/eth/v1/beacon/blobs/x").await.unwrap_err();
        assert!(err.contains("HTTP 400") && err.contains("bad block id"), "{err}");
        assert_eq!(served.load(Ordering::SeqCst), 1);
        let (url, served) = beacon_node(vec![(404, "{}")]).await;
        assert_eq!(client(&url, Arc::default()).get("/eth/v1/beacon/blobs/7").await.unwrap(), None);
        assert_eq!(served.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn retries_stop_after_the_limit() {
        let (url, served) = beacon_node(vec![(502, "{}")]).await;
        let err = client(&url, Arc::default()).get("/eth/v1/node/version").await.unwrap_err();
        assert!(err.contains("HTTP 502"), "{err}");
        assert_eq!(served.load(Ordering::SeqCst), 4, "one try and three retries");
    }

    #[test]
    fn a_url_that_is_not_http_is_refused_by_name() {
        let err = Beacon::new("ws://x:1", Duration::from_secs(1), 1, 1, Arc::new(crate::NoMetrics)).unwrap_err();
        assert!(err.to_string().contains("beacon") && err.to_string().contains("ws"), "{err}");
    }
}
