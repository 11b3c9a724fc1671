//! A fault-injecting HTTP proxy for JSON-RPC, on loopback, between an agent and an anvil.
//!
//! Each request is forwarded untouched, or (with the configured probability) answered by a
//! fault: the connection dropped, HTTP 500, a body that is not JSON, a delay, or a hang past
//! any sane timeout. The fault sequence comes from a seeded generator, so a run can be
//! replayed.

use std::{
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

use crate::{DevnetError, Result};

/// What the proxy does to a request it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without answering.
    Drop,
    /// Answer HTTP 500.
    ServerError,
    /// Answer 200 with a body that is not JSON.
    Garbage,
    /// Forward, but only after a delay.
    Delay(Duration),
    /// Never answer (until the client gives up).
    Hang,
}

/// How often and how the proxy fails.
#[derive(Debug, Clone)]
pub struct FaultPlan {
    /// Share of requests that get a fault (0.0 to 1.0).
    pub rate: f64,
    /// Faults chosen from, in turn at random.
    pub faults: Vec<Fault>,
    /// Seed of the fault sequence.
    pub seed: u64,
}

impl FaultPlan {
    /// `rate` of requests fail, with every kind of fault.
    pub fn all_kinds(rate: f64, seed: u64) -> Self {
        Self {
            rate,
            faults: vec![
                Fault::Drop,
                Fault::ServerError,
                Fault::Garbage,
                Fault::Delay(Duration::from_millis(300)),
                Fault::Hang,
            ],
            seed,
        }
    }
}

/// Counts of what the proxy did.
#[derive(Debug, Default)]
pub struct FaultStats {
    /// Requests forwarded untouched.
    pub forwarded: AtomicU64,
    /// Requests that got a fault.
    pub faulted: AtomicU64,
}

/// A running proxy; stops when dropped.
#[derive(Debug)]
pub struct FaultyProxy {
    addr: SocketAddr,
    stats: Arc<FaultStats>,
    task: JoinHandle<()>,
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// xorshift64*: enough randomness for fault injection, reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl FaultyProxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`).
    pub async fn start(upstream: SocketAddr, plan: FaultPlan) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|source| DevnetError::Io { what: "binding the fault proxy".into(), source })?;
        let addr =
            listener.local_addr().map_err(|source| DevnetError::Io { what: "fault proxy address".into(), source })?;
        let stats = Arc::new(FaultStats::default());
        let rng = Arc::new(Mutex::new(Rng(plan.seed | 1)));
        let plan = Arc::new(plan);
        let st = stats.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let (plan, rng, st) = (plan.clone(), rng.clone(), st.clone());
                tokio::spawn(async move {
                    let _ = serve(sock, upstream, &plan, &rng, &st).await;
                });
            }
        });
        Ok(Self { addr, stats, task })
    }

    /// The proxy's URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it has done so far.
    pub fn stats(&self) -> &FaultStats {
        &self.stats
    }
}

pub(crate) use riposte_rollup::http::read_request;

async fn serve(
    mut sock: TcpStream,
    upstream: SocketAddr,
    plan: &FaultPlan,
    rng: &Mutex<Rng>,
    stats: &FaultStats,
) -> std::io::Result<()> {
    // One request per connection: every answer says `connection: close`.
    let Some(req) = read_request(&mut sock).await? else { return Ok(()) };
    {
        let fault = {
            let mut r = rng.lock().map_err(|_| std::io::Error::other("rng poisoned"))?;
            if !plan.faults.is_empty() && r.unit() < plan.rate {
                let i = (r.next() % plan.faults.len() as u64) as usize;
                Some(plan.faults[i])
            } else {
                None
            }
        };
        match fault {
            Some(Fault::Drop) => {
                stats.faulted.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            Some(Fault::ServerError) => {
                stats.faulted.fetch_add(1, Ordering::Relaxed);
                let body = "injected fault";
                let resp = format!(
                    "HTTP/1.1 500 Internal Server Error\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                sock.write_all(resp.as_bytes()).await?;
                return Ok(());
            }
            Some(Fault::Garbage) => {
                stats.faulted.fetch_add(1, Ordering::Relaxed);
                let body = "{\"jsonrpc\":\"2.0\",\"id\":";
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                sock.write_all(resp.as_bytes()).await?;
                return Ok(());
            }
            Some(Fault::Hang) => {
                stats.faulted.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return Ok(());
            }
            Some(Fault::Delay(d)) => {
                stats.faulted.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(d).await;
            }
            None => {
                stats.forwarded.fetch_add(1, Ordering::Relaxed);
            }
        }
        let resp = forward(upstream, &req).await?;
        sock.write_all(&resp).await?;
    }
    Ok(())
}

/// Sends the request upstream on a fresh connection and returns the whole response, marked
/// `connection: close` so the client opens a new connection for its next request.
async fn forward(upstream: SocketAddr, req: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(req).await?;
    let mut resp = Vec::new();
    let mut chunk = [0u8; 16384];
    loop {
        let n = up.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        resp.extend_from_slice(&chunk[..n]);
        if let Some(end) = resp.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&resp[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)));
            if let Some(len) = len
                && resp.len() >= end + 4 + len
            {
                let mut head = String::from_utf8_lossy(&resp[..end]).into_owned();
                head = head
                    .lines()
                    .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                    .collect::<Vec<_>>()
                    .join("\r\n");
                let mut out = format!("{head}\r\nconnection: close\r\n\r\n").into_bytes();
                out.extend_from_slice(&resp[end + 4..end + 4 + len]);
                return Ok(out);
            }
        }
    }
    Ok(resp)
}
