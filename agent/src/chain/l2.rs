//! Honest output roots computed from an L2 execution node, verified by riposte, optionally
//! cross-checked against a rollup node.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::B256,
    providers::{DynProvider, Provider},
};
use riposte_solver::{
    TraceError,
    trace::{
        OutputTrace,
        output::{AccountProof, L2_TO_L1_MESSAGE_PASSER, verified_output_root},
    },
};
use serde::Deserialize;

use crate::metrics::Metrics;

/// Output roots of an L2 chain, from `eth_getBlockByNumber` and `eth_getProof`.
#[derive(Clone)]
pub(crate) struct L2Outputs {
    l2: DynProvider,
    rollup: Option<DynProvider>,
    metrics: Metrics,
    cache: Arc<Mutex<HashMap<u64, B256>>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RollupOutput {
    output_root: B256,
}

fn source(what: String, e: impl std::error::Error + Send + Sync + 'static) -> TraceError {
    TraceError::Source { what, source: Box::new(e) }
}

impl L2Outputs {
    pub(crate) fn new(l2: DynProvider, rollup: Option<DynProvider>, metrics: Metrics) -> Self {
        Self { l2, rollup, metrics, cache: Arc::new(Mutex::new(HashMap::new())) }
    }

    async fn compute(&self, block: u64) -> Result<B256, TraceError> {
        let what = || format!("output root of L2 block {block}");
        let b = self
            .l2
            .get_block_by_number(BlockNumberOrTag::Number(block))
            .await
            .map_err(|e| source(what(), e))?
            .ok_or_else(|| TraceError::Unsupported(format!("L2 node does not have block {block} yet")))?;
        let header = &b.header;
        let proof = self
            .l2
            .get_proof(L2_TO_L1_MESSAGE_PASSER, vec![])
            .block_id(block.into())
            .await
            .map_err(|e| source(format!("eth_getProof of the message passer at L2 block {block}"), e))?;
        let account = AccountProof {
            address: proof.address,
            nonce: proof.nonce,
            balance: proof.balance,
            storage_hash: proof.storage_hash,
            code_hash: proof.code_hash,
            proof: &proof.account_proof,
        };
        let root = verified_output_root(header.state_root, header.hash, &account)?;
        if let Some(rollup) = &self.rollup {
            let theirs: RollupOutput = rollup
                .raw_request("optimism_outputAtBlock".into(), (format!("{block:#x}"),))
                .await
                .map_err(|e| source(format!("optimism_outputAtBlock({block})"), e))?;
            if theirs.output_root != root {
                self.metrics.disagreement();
                tracing::error!(block, ours = %root, rollup = %theirs.output_root, "rollup node disagrees with the output root riposte computed; not acting on it");
                return Err(TraceError::Unsupported(format!(
                    "output root of L2 block {block}: computed {root}, rollup node says {}",
                    theirs.output_root
                )));
            }
        }
        Ok(root)
    }
}

impl OutputTrace for L2Outputs {
    async fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        if let Some(root) = self.cache.lock().ok().and_then(|c| c.get(&block).copied()) {
            return Ok(root);
        }
        let root = self.compute(block).await?;
        if let Ok(mut c) = self.cache.lock() {
            c.insert(block, root);
        }
        Ok(root)
    }
}
