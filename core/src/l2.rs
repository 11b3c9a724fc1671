//! An L2 node's block checked by re-executing it: the block and its parent from the node, the
//! execution witness from `debug_executionWitness`, our own build compared with the node's header.

use std::sync::Arc;

use crate::RollupConfig;
use alloy_consensus::Header;
use alloy_primitives::{B256, Bytes};
use serde_json::json;

use crate::{
    exec::{Verdict, decode_raw_block, verify_block},
    l1::RpcClient,
    witness::witness_store,
};

/// Why a node's block could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum L2Error {
    /// A call failed or the node lacks the method.
    #[error("L2 node {node}: {call}: {reason}")]
    Rpc {
        /// The node.
        node: String,
        /// The call.
        call: String,
        /// Why.
        reason: String,
    },
    /// An answer is malformed or inconsistent with another.
    #[error("L2 node {node}: {what}")]
    Bad {
        /// The node.
        node: String,
        /// What is wrong.
        what: String,
    },
    /// The block could not be re-executed.
    #[error("L2 node {node}: re-executing block {block}: {reason}")]
    Reexecution {
        /// The node.
        node: String,
        /// The block.
        block: u64,
        /// Why.
        reason: String,
    },
}

/// Fetches block `number` with its parent and witness from the node behind `rpc`, re-executes
/// it in a blocking task and says whether the node's header is the one we build.
pub async fn check_node_block<R: RpcClient + ?Sized>(
    rpc: &R,
    config: Arc<RollupConfig>,
    number: u64,
) -> Result<Verdict, L2Error> {
    let node = rpc.endpoint();
    let tag = format!("{number:#x}");
    let call = |method: &str| format!("{method}({number})");
    let raw = rpc.call("debug_getRawBlock", json!([tag])).await.map_err(|reason| L2Error::Rpc {
        node: node.clone(),
        call: call("debug_getRawBlock"),
        reason,
    })?;
    let raw: Bytes = serde_json::from_value(raw).map_err(|e| L2Error::Bad {
        node: node.clone(),
        what: format!("debug_getRawBlock({number}) is not hex: {e}"),
    })?;
    let (header, txs) =
        decode_raw_block(number, &raw).map_err(|e| L2Error::Bad { node: node.clone(), what: e.to_string() })?;
    let parent_number = number
        .checked_sub(1)
        .ok_or_else(|| L2Error::Bad { node: node.clone(), what: "block 0 has no parent to execute on".into() })?;
    let parent = rpc
        .call("debug_getRawHeader", json!([format!("{parent_number:#x}")]))
        .await
        .map_err(|reason| L2Error::Rpc { node: node.clone(), call: call("debug_getRawHeader"), reason })?;
    let parent: Bytes = serde_json::from_value(parent).map_err(|e| L2Error::Bad {
        node: node.clone(),
        what: format!("debug_getRawHeader({parent_number}) is not hex: {e}"),
    })?;
    let parent = <Header as alloy_rlp::Decodable>::decode(&mut parent.as_ref()).map_err(|e| L2Error::Bad {
        node: node.clone(),
        what: format!("debug_getRawHeader({parent_number}) does not decode: {e}"),
    })?;
    let witness = rpc.call("debug_executionWitness", json!([tag])).await.map_err(|reason| L2Error::Rpc {
        node: node.clone(),
        call: call("debug_executionWitness"),
        reason,
    })?;
    let store =
        witness_store(number, &node, &witness).map_err(|e| L2Error::Bad { node: node.clone(), what: e.to_string() })?;
    let failed = |reason: String| L2Error::Reexecution { node: node.clone(), block: number, reason };
    tokio::task::spawn_blocking(move || verify_block(&config, &parent, &header, txs, &store))
        .await
        .map_err(|e| failed(format!("the execution task ended: {e}")))?
        .map_err(|e| failed(e.to_string()))
}

/// The output root of block `number`, recomputed in process: the node's block must re-execute to
/// the node's header, and the block must carry the message passer's storage root (Isthmus and
/// later). Before Isthmus the caller proves that root itself (`eth_getProof` against the state
/// root this check has confirmed).
pub async fn output_root_at<R: RpcClient + ?Sized>(
    rpc: &R,
    config: Arc<RollupConfig>,
    number: u64,
) -> Result<B256, L2Error> {
    let node = rpc.endpoint();
    match check_node_block(rpc, config, number).await? {
        Verdict::Agrees(ours) => ours.output_root.ok_or_else(|| L2Error::Bad {
            node,
            what: format!(
                "block {number} is before Isthmus: its header does not commit to the message passer's storage"
            ),
        }),
        Verdict::Disagrees { ours, node_hash, node_state_root } => Err(L2Error::Bad {
            node,
            what: format!(
                "block {number}: re-executed state root {} (hash {}), the node says {node_state_root} (hash {node_hash})",
                ours.state_root, ours.block_hash
            ),
        }),
    }
}
