//! The sources of the super-root trace for a one-chain dependency set
//! ([`riposte_solver::trace::super_root::SuperChain`]): the block at an L2 timestamp from the
//! chain's genesis and block time, its output root from the L2 node (checked as
//! [`L2Outputs`] checks it), and whether it was safe by a game's L1 head, from a rollup node's
//! safe-head database (`optimism_safeHeadAtL1Block`), once that node has read L1 past the head;
//! and a super-root node's own answer (`superroot_atTimestamp`) to cross-check with.

use std::sync::{Arc, OnceLock};

use alloy::{
    primitives::B256,
    providers::{DynProvider, Provider},
};
use riposte_core::RollupConfig;
use riposte_solver::{TraceError, trace::super_root::SuperChain};
use serde::Deserialize;

use crate::{ChainError, outputs::L2Outputs};

/// When a chain's blocks are: its id, genesis block and time, and block time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainTimes {
    /// The L2 chain id.
    pub chain_id: u64,
    /// `genesis.l2.number`.
    pub genesis_block: u64,
    /// `genesis.l2_time`.
    pub genesis_time: u64,
    /// `block_time`, seconds.
    pub block_time: u64,
}

impl ChainTimes {
    /// The times a rollup.json gives (a file, or a rollup node's `optimism_rollupConfig`),
    /// reading only `l2_chain_id`, `block_time`, `genesis.l2_time` and `genesis.l2.number`: a
    /// config naming forks riposte does not know yet still gives its chain's times. `what`
    /// names the source in errors.
    pub fn from_json(v: &serde_json::Value, what: &str) -> Result<Self, ChainError> {
        let field = |path: &[&str]| {
            let mut at = v;
            for p in path {
                at = &at[*p];
            }
            at.as_u64().ok_or_else(|| ChainError::Malformed {
                what: what.to_owned(),
                reason: format!("{} is missing or not an unsigned number", path.join(".")),
            })
        };
        let times = Self {
            chain_id: field(&["l2_chain_id"])?,
            genesis_block: field(&["genesis", "l2", "number"])?,
            genesis_time: field(&["genesis", "l2_time"])?,
            block_time: field(&["block_time"])?,
        };
        if times.block_time == 0 {
            return Err(ChainError::Malformed { what: what.to_owned(), reason: "block_time is 0".into() });
        }
        Ok(times)
    }

    /// The times of the chain `rollup` (a rollup node) follows, from `optimism_rollupConfig`.
    pub async fn of_node(rollup: &DynProvider) -> Result<Self, ChainError> {
        let what = "optimism_rollupConfig of the rollup node";
        let v: serde_json::Value =
            rollup.raw_request("optimism_rollupConfig".into(), ()).await.map_err(|e| ChainError::rpc(what, &e))?;
        Self::from_json(&v, what)
    }

    /// The times of the chain `config` (a rollup.json) describes.
    pub fn of(config: &RollupConfig) -> Self {
        Self {
            chain_id: config.l2_chain_id.id(),
            genesis_block: config.genesis.l2.number,
            genesis_time: config.genesis.l2_time,
            block_time: config.block_time,
        }
    }
}

#[derive(Debug, Deserialize)]
struct L1Ref {
    number: u64,
}

#[derive(Debug, Deserialize)]
struct SyncStatus {
    current_l1: L1Ref,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SafeHeadAtL1 {
    safe_head: L1Ref,
}

/// A number as op-node's JSON may give it: plain, or a 0x-prefixed hex string.
fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Plain(u64),
        Text(String),
    }
    match N::deserialize(d)? {
        N::Plain(n) => Ok(n),
        N::Text(t) => {
            let parsed = match t.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => t.parse(),
            };
            parsed.map_err(serde::de::Error::custom)
        }
    }
}

#[derive(Debug, Deserialize)]
struct BlockRef {
    #[serde(deserialize_with = "number")]
    number: u64,
}

#[derive(Debug, Deserialize)]
struct SuperRootData {
    verified_required_l1: BlockRef,
    super_root: B256,
}

#[derive(Debug, Deserialize)]
struct SuperRootResponse {
    current_l1: BlockRef,
    data: Option<SuperRootData>,
}

/// What a super-root node (`superroot_atTimestamp` of op-node ≥ 1.19 with its safe-head
/// database, or op-supernode) says of one timestamp, as seen from a game's L1 head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeSuperRoot {
    /// The node has not read L1 up to the game's L1 head: its word is not taken yet.
    Behind {
        /// The last L1 block it has read.
        current_l1: u64,
    },
    /// The super root, safe by the game's L1 head.
    Safe(B256),
    /// No safe super root by the game's L1 head: the honest claim is `invalid`.
    Invalid,
}

/// `superroot_atTimestamp(t)` of `node`, judged at L1 block `l1_head` (a super root whose
/// required L1 block is past the head was not safe then).
pub async fn node_super_root(node: &DynProvider, t: u64, l1_head: u64) -> Result<NodeSuperRoot, TraceError> {
    let r: SuperRootResponse = node
        .raw_request("superroot_atTimestamp".into(), (format!("{t:#x}"),))
        .await
        .map_err(|e| source(format!("superroot_atTimestamp({t})"), e))?;
    if r.current_l1.number <= l1_head {
        return Ok(NodeSuperRoot::Behind { current_l1: r.current_l1.number });
    }
    Ok(match r.data {
        Some(d) if d.verified_required_l1.number <= l1_head => NodeSuperRoot::Safe(d.super_root),
        _ => NodeSuperRoot::Invalid,
    })
}

/// One chain's super-root sources for a game whose L1 head is block `l1_head`. Clones share
/// the safe head, read once: the safe head at a given L1 block no longer changes once the node
/// has read past it.
#[derive(Clone)]
pub struct L2SuperChain {
    times: ChainTimes,
    outputs: L2Outputs,
    rollup: DynProvider,
    l1_head: u64,
    safe_head: Arc<OnceLock<u64>>,
}

fn source(what: String, e: impl std::error::Error + Send + Sync + 'static) -> TraceError {
    TraceError::Source { what, source: Box::new(e) }
}

impl L2SuperChain {
    /// The sources: output roots and block hashes from `outputs`, safety from the rollup node
    /// `rollup`, judged at L1 block `l1_head` (the game's).
    pub fn new(times: ChainTimes, outputs: L2Outputs, rollup: DynProvider, l1_head: u64) -> Self {
        Self { times, outputs, rollup, l1_head, safe_head: Arc::new(OnceLock::new()) }
    }

    /// The L1 block safety is judged at.
    pub fn l1_head(&self) -> u64 {
        self.l1_head
    }
}

impl SuperChain for L2SuperChain {
    fn chain_id(&self) -> u64 {
        self.times.chain_id
    }

    fn block_at(&self, t: u64) -> Option<u64> {
        let ChainTimes { genesis_block, genesis_time, block_time, .. } = self.times;
        riposte_solver::trace::super_root::block_at(genesis_block, genesis_time, block_time, t)
    }

    async fn output(&self, block: u64) -> Result<(B256, B256), TraceError> {
        self.outputs.output_and_hash(block).await
    }

    async fn safe_by_l1_head(&self, block: u64) -> Result<bool, TraceError> {
        Ok(block <= self.safe_head().await?)
    }
}

impl L2SuperChain {
    /// The L2 safe head at the game's L1 head, from a rollup node that has read past it.
    async fn safe_head(&self) -> Result<u64, TraceError> {
        if let Some(safe) = self.safe_head.get() {
            return Ok(*safe);
        }
        let status: SyncStatus = self
            .rollup
            .raw_request("optimism_syncStatus".into(), ())
            .await
            .map_err(|e| source("optimism_syncStatus of the rollup node".into(), e))?;
        if status.current_l1.number < self.l1_head {
            // Never call a block unsafe on a node that has not read that far: wait.
            let e = ChainError::Rpc {
                what: "optimism_syncStatus".into(),
                reason: format!(
                    "the rollup node has read L1 up to block {}, not yet the game's L1 head {}",
                    status.current_l1.number, self.l1_head
                ),
                temporary: true,
            };
            return Err(source("the safety of L2 blocks by the game's L1 head".into(), e));
        }
        let at: SafeHeadAtL1 = self
            .rollup
            .raw_request("optimism_safeHeadAtL1Block".into(), (format!("{:#x}", self.l1_head),))
            .await
            .map_err(|e| source(format!("optimism_safeHeadAtL1Block({})", self.l1_head), e))?;
        Ok(*self.safe_head.get_or_init(|| at.safe_head.number))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::{sync::Arc, time::Duration};

    use serde_json::json;

    use super::*;
    use crate::{NoMetrics, RpcOptions, connect, outputs::Check};

    async fn provider(url: &str) -> DynProvider {
        let opts = RpcOptions { timeout: Duration::from_secs(5), retries: 0, ..RpcOptions::default() };
        connect(url, "test", &opts, Arc::new(NoMetrics)).await.unwrap()
    }

    #[test]
    fn op_sepolia_block_at_the_u20_anchor_timestamp() {
        // The rollup config of the OP Sepolia fixtures; U20's anchor: 1788848992 → 48523226
        // (super-roots.md §1.2, from the upgrade task and registry genesis data).
        let path = riposte_core::fixture::executor_fixtures().unwrap().remove(0);
        let config = riposte_core::fixture::Fixture::load(&path).unwrap().json.rollup_config;
        let times = ChainTimes::of(&config);
        assert_eq!((times.chain_id, times.genesis_block, times.block_time), (11_155_420, 0, 2));
        let b = riposte_solver::trace::super_root::block_at(times.genesis_block, times.genesis_time, 2, 1_788_848_992);
        assert_eq!(b, Some(48_523_226));
    }

    #[tokio::test]
    async fn times_come_from_the_four_fields_of_a_rollup_config() {
        // Fields of forks riposte does not know are ignored; a missing one is named.
        let config = json!({
            "genesis": { "l1": { "number": 1 }, "l2": { "number": 105_235_063, "hash": B256::ZERO }, "l2_time": 1_686_068_903 },
            "block_time": 2, "l2_chain_id": 10, "karst_time": 1_783_000_000, "some_fork_time": 1
        });
        let node = crate::testserver::serve(vec![("optimism_rollupConfig".into(), config.clone())]).await;
        let times = ChainTimes::of_node(&provider(&node).await).await.unwrap();
        assert_eq!(
            times,
            ChainTimes { chain_id: 10, genesis_block: 105_235_063, genesis_time: 1_686_068_903, block_time: 2 }
        );
        assert_eq!(ChainTimes::from_json(&config, "rollup.json").unwrap(), times);
        let err = ChainTimes::from_json(&json!({ "block_time": 2, "l2_chain_id": 10 }), "rollup.json").unwrap_err();
        assert!(err.to_string().contains("rollup.json") && err.to_string().contains("genesis.l2.number"), "{err}");
        let zero = json!({ "genesis": { "l2": { "number": 0 }, "l2_time": 5 }, "block_time": 0, "l2_chain_id": 10 });
        assert!(ChainTimes::from_json(&zero, "x").unwrap_err().to_string().contains("block_time"));
    }

    #[tokio::test]
    async fn safety_is_read_at_the_l1_head_only_from_a_node_synced_past_it() {
        let times = ChainTimes { chain_id: 901, genesis_block: 0, genesis_time: 100, block_time: 2 };
        let rollup = crate::testserver::serve(vec![
            ("optimism_syncStatus".into(), json!({ "current_l1": { "number": 50, "hash": B256::ZERO } })),
            (
                "optimism_safeHeadAtL1Block:0x28".into(),
                json!({ "l1Block": { "number": 40, "hash": B256::ZERO }, "safeHead": { "number": 7, "hash": B256::ZERO } }),
            ),
        ])
        .await;
        let rollup = provider(&rollup).await;
        // Output roots are not read here: the L2 node is the rollup node, which has no blocks.
        let outputs = L2Outputs::new(rollup.clone(), Check::None, Arc::new(NoMetrics));
        let chain = L2SuperChain::new(times, outputs.clone(), rollup.clone(), 40);
        assert_eq!((chain.chain_id(), chain.block_at(105)), (901, Some(2)));
        assert!(chain.safe_by_l1_head(7).await.unwrap());
        assert!(!chain.safe_by_l1_head(8).await.unwrap());
        // A game whose L1 head the node has not read yet: an error to wait on, never "unsafe".
        let ahead = L2SuperChain::new(times, outputs, rollup, 60);
        let err = ahead.safe_by_l1_head(1).await.unwrap_err();
        assert!(matches!(err, TraceError::Source { .. }), "{err}");
        assert!(err.to_string().contains("safety"), "{err}");
    }

    #[tokio::test]
    async fn a_super_root_node_is_believed_only_past_the_l1_head() {
        let root = B256::repeat_byte(9);
        let node = crate::testserver::serve(vec![
            // Hex or plain numbers, as op-node's JSON has them.
            (
                "superroot_atTimestamp:0x64".into(),
                json!({ "current_l1": { "number": "0x32" }, "data": { "verified_required_l1": { "number": 30 }, "super_root": root } }),
            ),
            ("superroot_atTimestamp:0x65".into(), json!({ "current_l1": { "number": 50 }, "data": null })),
        ])
        .await;
        let node = provider(&node).await;
        assert_eq!(node_super_root(&node, 100, 40).await.unwrap(), NodeSuperRoot::Safe(root));
        // Required L1 block 30 is past a head at 20: not safe then.
        assert_eq!(node_super_root(&node, 100, 20).await.unwrap(), NodeSuperRoot::Invalid);
        assert_eq!(node_super_root(&node, 101, 40).await.unwrap(), NodeSuperRoot::Invalid);
        // A node that has read only up to block 50 says nothing of a game whose head is 50.
        assert_eq!(node_super_root(&node, 100, 50).await.unwrap(), NodeSuperRoot::Behind { current_l1: 50 });
        assert!(node_super_root(&node, 7, 40).await.is_err(), "an unknown timestamp is an error, not a verdict");
    }
}
