//! A stand-in rollup node for the devnet's super-root games: the few `optimism_*` methods
//! riposte reads of one (`optimism_rollupConfig`, `optimism_syncStatus`,
//! `optimism_safeHeadAtL1Block`), answered from the devnet's own facts.
//!
//! The devnet's L2 (`anvil --optimism`) is not derived from L1, so no L2 block is "safe" in the
//! derivation sense: the safe head this node reports is the devnet's declaration, every mined L2
//! block unless a test sets it lower (to make later timestamps undecidable by a game's L1 head).
//! The L1 block it has "read" is L1's latest. This is test scaffolding, not a rollup node.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use alloy::providers::{Provider, RootProvider};
use serde_json::{Value, json};
use tokio::{io::AsyncWriteExt, net::TcpListener, task::JoinHandle};

use crate::{DevnetError, Result, faulty::read_request};

/// The chain facts the node reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Times {
    /// The L2 chain id.
    pub chain_id: u64,
    /// L2 genesis timestamp (block 0).
    pub genesis_time: u64,
    /// Seconds between L2 blocks.
    pub block_time: u64,
}

impl L2Times {
    /// The L2 block at timestamp `t`: the last one at or before it.
    pub fn block_at(&self, t: u64) -> Option<u64> {
        riposte_solver::trace::super_root::block_at(0, self.genesis_time, self.block_time, t)
    }

    /// The timestamp of L2 block `n`.
    pub fn time_of(&self, n: u64) -> u64 {
        self.genesis_time + n * self.block_time
    }
}

/// The stand-in rollup node, on a loopback port; stops when dropped.
#[derive(Debug)]
pub struct RollupNode {
    url: String,
    safe: Arc<AtomicU64>,
    task: JoinHandle<()>,
}

impl Drop for RollupNode {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RollupNode {
    /// Serves `times`, with L1 read from `l1` and every L2 block up to `safe` safe.
    pub async fn start(times: L2Times, l1: RootProvider, safe: u64) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|source| DevnetError::Io { what: "binding the rollup node".into(), source })?;
        let addr =
            listener.local_addr().map_err(|source| DevnetError::Io { what: "rollup node address".into(), source })?;
        let safe = Arc::new(AtomicU64::new(safe));
        let head = Arc::clone(&safe);
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let (l1, head) = (l1.clone(), Arc::clone(&head));
                tokio::spawn(async move {
                    let Ok(Some(req)) = read_request(&mut sock).await else { return };
                    let body = match req.windows(4).position(|w| w == b"\r\n\r\n") {
                        Some(end) => &req[end + 4..],
                        None => &[][..],
                    };
                    let req: Value = serde_json::from_slice(body).unwrap_or_default();
                    let answer = answer(&req, times, &l1, head.load(Ordering::SeqCst)).await;
                    let text = answer.to_string();
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                });
            }
        });
        Ok(Self { url: format!("http://{addr}"), safe, task })
    }

    /// Its URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Declares L2 blocks up to `block` safe (at every L1 block).
    pub fn set_safe(&self, block: u64) {
        self.safe.store(block, Ordering::SeqCst);
    }

    /// The L2 block declared safe.
    pub fn safe(&self) -> u64 {
        self.safe.load(Ordering::SeqCst)
    }
}

fn block_ref(number: u64) -> Value {
    json!({ "number": number, "hash": format!("{:#066x}", number) })
}

async fn answer(req: &Value, times: L2Times, l1: &RootProvider, safe: u64) -> Value {
    let id = req["id"].clone();
    let result = match req["method"].as_str().unwrap_or_default() {
        "optimism_rollupConfig" => Ok(json!({
            "genesis": { "l2": block_ref(0), "l2_time": times.genesis_time },
            "block_time": times.block_time,
            "l2_chain_id": times.chain_id,
        })),
        "optimism_syncStatus" => match l1.get_block_number().await {
            Ok(n) => {
                Ok(json!({ "current_l1": block_ref(n), "safe_l2": block_ref(safe), "finalized_l2": block_ref(safe) }))
            }
            Err(e) => Err(format!("reading L1: {e}")),
        },
        "optimism_safeHeadAtL1Block" => {
            let raw = req["params"][0].as_str().unwrap_or_default();
            match u64::from_str_radix(raw.trim_start_matches("0x"), 16) {
                Ok(n) => Ok(json!({ "l1Block": block_ref(n), "safeHead": block_ref(safe) })),
                Err(e) => Err(format!("L1 block number {raw:?}: {e}")),
            }
        }
        other => Err(format!("the method {other} does not exist on the devnet's rollup node")),
    };
    match result {
        Ok(r) => json!({ "jsonrpc": "2.0", "id": id, "result": r }),
        Err(message) => json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": message } }),
    }
}
