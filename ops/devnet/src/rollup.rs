//! A stand-in rollup node for the devnet's super-root games: the few methods riposte reads of
//! one (`optimism_rollupConfig`, `optimism_syncStatus`, `optimism_safeHeadAtL1Block`,
//! `optimism_outputAtBlock` (the output root computed from the devnet's L2), and a
//! super-root node's `superroot_atTimestamp`), answered from the devnet's own facts.
//!
//! The devnet's L2 (`anvil --optimism`) is not derived from L1, so no L2 block is "safe" in the
//! derivation sense: the safe head this node reports is the devnet's declaration, every mined L2
//! block unless a test sets it lower (to make later timestamps undecidable by a game's L1 head).
//! The L1 block it has "read" is L1's latest. This is test scaffolding, not a rollup node.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicU64, Ordering},
};

use alloy::primitives::B256;
use alloy::providers::Provider;
use serde_json::{Value, json};
use tokio::{io::AsyncWriteExt, net::TcpListener, task::JoinHandle};

use crate::{Chain, DevnetError, Result, faulty::read_request};

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
    lie: Arc<Mutex<Option<B256>>>,
    task: JoinHandle<()>,
}

/// What the answers are computed from.
#[derive(Clone)]
struct Facts {
    times: L2Times,
    l1: Chain,
    l2: Chain,
    safe: Arc<AtomicU64>,
    lie: Arc<Mutex<Option<B256>>>,
}

impl Drop for RollupNode {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl RollupNode {
    /// Serves `times`, with L1 and L2 read from `l1` and `l2` and every L2 block up to `safe`
    /// safe.
    pub(crate) async fn start(times: L2Times, l1: Chain, l2: Chain, safe: u64) -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|source| DevnetError::Io { what: "binding the rollup node".into(), source })?;
        let addr =
            listener.local_addr().map_err(|source| DevnetError::Io { what: "rollup node address".into(), source })?;
        let safe = Arc::new(AtomicU64::new(safe));
        let lie = Arc::new(Mutex::new(None));
        let facts = Facts { times, l1, l2, safe: Arc::clone(&safe), lie: Arc::clone(&lie) };
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let facts = facts.clone();
                tokio::spawn(async move {
                    let Ok(Some(req)) = read_request(&mut sock).await else { return };
                    let body = match req.windows(4).position(|w| w == b"\r\n\r\n") {
                        Some(end) => &req[end + 4..],
                        None => &[][..],
                    };
                    let req: Value = serde_json::from_slice(body).unwrap_or_default();
                    let answer = answer(&req, &facts).await;
                    let text = answer.to_string();
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
                        text.len()
                    );
                    let _ = sock.write_all(resp.as_bytes()).await;
                });
            }
        });
        Ok(Self { url: format!("http://{addr}"), safe, lie, task })
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

    /// Makes `superroot_atTimestamp` answer `root` for every timestamp (`None`: the truth).
    pub fn lie_about_super_roots(&self, root: Option<B256>) {
        if let Ok(mut l) = self.lie.lock() {
            *l = root;
        }
    }
}

fn block_ref(number: u64) -> Value {
    json!({ "number": number, "hash": format!("{:#066x}", number) })
}

async fn answer(req: &Value, f: &Facts) -> Value {
    let id = req["id"].clone();
    let safe = f.safe.load(Ordering::SeqCst);
    let times = f.times;
    let param = req["params"][0].as_str().unwrap_or_default();
    let number = |raw: &str| u64::from_str_radix(raw.trim_start_matches("0x"), 16).map_err(|e| format!("{raw:?}: {e}"));
    let result = match req["method"].as_str().unwrap_or_default() {
        "optimism_rollupConfig" => Ok(json!({
            "genesis": { "l2": block_ref(0), "l2_time": times.genesis_time },
            "block_time": times.block_time,
            "l2_chain_id": times.chain_id,
        })),
        "optimism_syncStatus" => match f.l1.provider().get_block_number().await {
            Ok(n) => {
                Ok(json!({ "current_l1": block_ref(n), "safe_l2": block_ref(safe), "finalized_l2": block_ref(safe) }))
            }
            Err(e) => Err(format!("reading L1: {e}")),
        },
        "optimism_safeHeadAtL1Block" => {
            number(param).map(|n| json!({ "l1Block": block_ref(n), "safeHead": block_ref(safe) }))
        }
        "superroot_atTimestamp" => super_root_at(f, number(param), safe).await,
        "optimism_outputAtBlock" => match number(param) {
            Ok(block) => crate::output::output_root_of(&f.l2, block)
                .await
                .map(|(root, _)| json!({ "version": B256::ZERO, "outputRoot": root }))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        },
        other => Err(format!("the method {other} does not exist on the devnet's rollup node")),
    };
    match result {
        Ok(r) => json!({ "jsonrpc": "2.0", "id": id, "result": r }),
        Err(message) => json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": message } }),
    }
}

/// op-node's answer shape: the L1 block read, and the super root if its block is safe (its
/// required L1 block is then 0: on the devnet every safe block is safe at every L1 block).
async fn super_root_at(
    f: &Facts,
    t: std::result::Result<u64, String>,
    safe: u64,
) -> std::result::Result<Value, String> {
    let t = t?;
    let current = f.l1.provider().get_block_number().await.map_err(|e| format!("reading L1: {e}"))?;
    let lie = f.lie.lock().ok().and_then(|l| *l);
    let block = f.times.block_at(t).ok_or_else(|| format!("timestamp {t} is before the L2 genesis"))?;
    let root = match lie {
        Some(r) => Some(r),
        None if block <= safe => {
            let (output, _) = crate::output::output_root_of(&f.l2, block).await.map_err(|e| e.to_string())?;
            Some(riposte_solver::trace::super_root::SuperRoot::single(t, f.times.chain_id, output).hash())
        }
        None => None,
    };
    let data = root.map(|r| json!({ "verified_required_l1": block_ref(0), "super_root": r }));
    Ok(json!({ "current_l1": block_ref(current), "data": data }))
}
