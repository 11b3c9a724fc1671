//! Honest output roots computed from an L2 execution node, verified by riposte, optionally
//! cross-checked against a rollup node or re-executed in process from the node's witness.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{B256, Bytes},
    providers::{DynProvider, Provider},
};
use riposte_core::{RollupConfig, exec::Verdict, l1::AlloyRpc, l2::check_node_block};
use riposte_game::OutputRootProof;
use riposte_solver::{
    TraceError,
    trace::{
        OutputTrace,
        output::{AccountProof, L2_TO_L1_MESSAGE_PASSER, verified_output_root, verify_account_proof},
    },
};
use serde::Deserialize;

use crate::{ChainError, ChainMetrics};

/// How far the L2 node's word is trusted (`verify-outputs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// `eth_getProof` against the node's own state root only.
    None,
    /// Also `optimism_outputAtBlock` of a rollup node.
    Rollup,
    /// Also re-execute each block in process from the node's `debug_executionWitness`.
    Reexecute,
}

/// How the L2 node's word is checked, ready to run.
#[derive(Clone)]
pub enum Check {
    /// `eth_getProof` against the node's own state root only.
    None,
    /// Also `optimism_outputAtBlock` of a rollup node.
    Rollup(DynProvider),
    /// Also re-execute the block from `debug_executionWitness`.
    Reexecute {
        /// The chain's rollup config.
        config: Arc<RollupConfig>,
        /// The L2 node's URL, for logs.
        node: String,
    },
}

/// An `eth_getProof` answer as the proof checker reads it.
pub fn account_proof(p: &alloy::rpc::types::EIP1186AccountProofResponse) -> AccountProof<'_> {
    AccountProof {
        address: p.address,
        nonce: p.nonce,
        balance: p.balance,
        storage_hash: p.storage_hash,
        code_hash: p.code_hash,
        proof: &p.account_proof,
    }
}

/// Output roots of an L2 chain, from `eth_getBlockByNumber` and `eth_getProof`.
#[derive(Clone)]
pub struct L2Outputs {
    l2: DynProvider,
    check: Check,
    metrics: Arc<dyn ChainMetrics>,
    /// Output roots and block hashes already computed.
    cache: Arc<Mutex<HashMap<u64, (B256, B256)>>>,
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
    /// Output roots from `l2`, checked as `check` says.
    pub fn new(l2: DynProvider, check: Check, metrics: Arc<dyn ChainMetrics>) -> Self {
        Self { l2, check, metrics, cache: Arc::new(Mutex::new(HashMap::new())) }
    }

    /// Re-executes `block` from the node's witness and compares with `node_hash`, the hash of the
    /// header the node served. Returns our output root when the block itself gives it (Isthmus).
    pub async fn reexecute(
        &self,
        config: &Arc<RollupConfig>,
        node: &str,
        block: u64,
        node_hash: B256,
    ) -> Result<Option<B256>, TraceError> {
        let rpc = AlloyRpc::new(self.l2.clone(), node.to_owned());
        let started = std::time::Instant::now();
        let verdict = check_node_block(&rpc, Arc::clone(config), block).await;
        let secs = started.elapsed().as_secs_f64();
        let result = match &verdict {
            Ok(Verdict::Agrees(ours)) if ours.block_hash == node_hash => "agree",
            Ok(_) => "disagree",
            Err(_) => "error",
        };
        self.metrics.reexecution(result, secs);
        let verdict = verdict.map_err(|e| source(format!("re-executing L2 block {block} from {node}"), e))?;
        match verdict {
            Verdict::Agrees(ours) if ours.block_hash != node_hash => Err(TraceError::Disagreement(format!(
                "L2 node {node}: block {block} re-executes to {} as debug_getRawBlock gives it, eth_getBlockByNumber says {node_hash}",
                ours.block_hash
            ))),
            Verdict::Agrees(ours) => {
                tracing::debug!(block, hash = %ours.block_hash, gas = ours.gas_used, "re-executed L2 block agrees with the node");
                Ok(ours.output_root)
            }
            Verdict::Disagrees { ours, node_hash, node_state_root } => {
                self.metrics.disagreement();
                tracing::error!(
                    block,
                    node,
                    ours_hash = %ours.block_hash,
                    ours_state_root = %ours.state_root,
                    node_hash = %node_hash,
                    node_state_root = %node_state_root,
                    "re-executing the L2 block gives another block than the node serves; not acting on it"
                );
                Err(TraceError::Disagreement(format!(
                    "L2 block {block}: re-executed state root {} (hash {}), node {node} says {node_state_root} (hash {node_hash})",
                    ours.state_root, ours.block_hash
                )))
            }
        }
    }

    /// The newest L2 block the node calls safe (`eth_getBlockByNumber("safe")`).
    pub async fn safe_head(&self) -> Result<u64, TraceError> {
        let b = self
            .l2
            .get_block_by_number(BlockNumberOrTag::Safe)
            .await
            .map_err(|e| source("the L2 safe head".into(), e))?
            .ok_or_else(|| {
                let e = ChainError::Malformed { what: "eth_getBlockByNumber(safe)".into(), reason: "no block".into() };
                source("the L2 safe head".into(), e)
            })?;
        Ok(b.header.number)
    }

    /// The header of L2 block `block`, read for `what`.
    async fn header(&self, block: u64, what: impl Fn() -> String) -> Result<alloy::rpc::types::Header, TraceError> {
        let b = self
            .l2
            .get_block_by_number(BlockNumberOrTag::Number(block))
            .await
            .map_err(|e| source(what(), e))?
            .ok_or_else(|| {
                let e = ChainError::Rpc {
                    what: format!("eth_getBlockByNumber({block})"),
                    reason: "the L2 node does not have the block yet".into(),
                    temporary: true,
                };
                source(what(), e)
            })?;
        Ok(b.header)
    }

    /// `eth_getProof` of the message passer at L2 block `block`.
    async fn passer_proof(&self, block: u64) -> Result<alloy::rpc::types::EIP1186AccountProofResponse, TraceError> {
        self.l2
            .get_proof(L2_TO_L1_MESSAGE_PASSER, vec![])
            .block_id(block.into())
            .await
            .map_err(|e| source(format!("eth_getProof of the message passer at L2 block {block}"), e))
    }

    /// What `challengeRootL2Block` takes for `block`: the preimage of its output root (checked
    /// against the node's state root) and its RLP-encoded header (checked to hash to the block).
    pub async fn output_preimage(&self, block: u64) -> Result<(OutputRootProof, Bytes), TraceError> {
        let what = || format!("the output root preimage of L2 block {block}");
        let header = self.header(block, what).await?;
        let rlp = Bytes::from(alloy::rlp::encode(&header.inner));
        if alloy::primitives::keccak256(&rlp) != header.hash {
            let e = ChainError::Malformed {
                what: format!("eth_getBlockByNumber({block})"),
                reason: format!("the header's fields do not hash to its hash {}", header.hash),
            };
            return Err(source(what(), e));
        }
        let proof = self.passer_proof(block).await?;
        let storage_root = verify_account_proof(header.state_root, &account_proof(&proof))?;
        let preimage = OutputRootProof {
            version: B256::ZERO,
            state_root: header.state_root,
            message_passer_storage_root: storage_root,
            latest_blockhash: header.hash,
        };
        Ok((preimage, rlp))
    }

    /// The output root of `block`, checked as the policy says, and the block's hash (cached).
    pub async fn output_and_hash(&self, block: u64) -> Result<(B256, B256), TraceError> {
        if let Some(known) = self.cache.lock().ok().and_then(|c| c.get(&block).copied()) {
            return Ok(known);
        }
        let known = self.compute(block).await?;
        if let Ok(mut c) = self.cache.lock() {
            c.insert(block, known);
        }
        Ok(known)
    }

    async fn compute(&self, block: u64) -> Result<(B256, B256), TraceError> {
        let header = self.header(block, || format!("output root of L2 block {block}")).await?;
        let proof = self.passer_proof(block).await?;
        let root = verified_output_root(header.state_root, header.hash, &account_proof(&proof))?;
        if let Check::Reexecute { config, node } = &self.check
            && let Some(ours) = self.reexecute(config, node, block, header.hash).await?
            && ours != root
        {
            self.metrics.disagreement();
            tracing::error!(block, node, ours = %ours, proof = %root, "re-executed output root differs from the proven one; not acting on it");
            return Err(TraceError::Disagreement(format!(
                "output root of L2 block {block}: re-executed {ours}, eth_getProof of node {node} gives {root}"
            )));
        }
        if let Check::Rollup(rollup) = &self.check {
            let theirs: RollupOutput = rollup
                .raw_request("optimism_outputAtBlock".into(), (format!("{block:#x}"),))
                .await
                .map_err(|e| source(format!("optimism_outputAtBlock({block})"), e))?;
            if theirs.output_root != root {
                self.metrics.disagreement();
                tracing::error!(block, ours = %root, rollup = %theirs.output_root, "rollup node disagrees with the output root riposte computed; not acting on it");
                return Err(TraceError::Disagreement(format!(
                    "output root of L2 block {block}: computed {root}, rollup node says {}",
                    theirs.output_root
                )));
            }
        }
        Ok((root, header.hash))
    }
}

impl OutputTrace for L2Outputs {
    async fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        Ok(self.output_and_hash(block).await?.0)
    }
}

/// Why the configured output check cannot run.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    /// The rollup config does not load.
    #[error("{0}")]
    RollupConfig(String),
    /// The rollup config is for another chain than the L2 node serves.
    #[error("rollup-config {path} is for L2 chain {config}, the L2 node {node} is chain {node_chain}")]
    WrongChain {
        /// The rollup config's path.
        path: String,
        /// Its chain id.
        config: u64,
        /// The L2 node's URL.
        node: String,
        /// The node's chain id.
        node_chain: u64,
    },
    /// The L2 node does not answer what re-execution needs.
    #[error(
        "verify-outputs reexecute: the L2 node {node} does not serve {method} ({reason}); use an op-reth or op-geth node with the debug API, or verify-outputs rollup or none"
    )]
    Unserved {
        /// The L2 node's URL.
        node: String,
        /// The method it does not serve.
        method: &'static str,
        /// Its answer.
        reason: String,
    },
    /// `rollup` without a rollup node.
    #[error("verify-outputs rollup needs rollup-rpc")]
    NoRollupNode,
    /// A plain RPC failure while probing.
    #[error("verify-outputs: {0}")]
    Rpc(String),
}

/// Loads a rollup config (a `rollup.json`, or a built-in one by name) and checks that it is for
/// the chain the L2 node serves; without one, riposte's built-in config for the node's chain.
pub async fn rollup_config_of(
    path: Option<&std::path::Path>,
    l2: &DynProvider,
    l2_url: &str,
) -> Result<RollupConfig, CheckError> {
    let node_chain = l2.get_chain_id().await.map_err(|e| CheckError::Rpc(format!("eth_chainId of {l2_url}: {e}")))?;
    let Some(path) = path else {
        return RollupConfig::builtin(node_chain).ok_or_else(|| {
            CheckError::RollupConfig(format!(
                "rollup-config is not set and riposte carries none for L2 chain {node_chain} of {l2_url} \
                 (built in: OP Mainnet 10, OP Sepolia 11155420)"
            ))
        });
    };
    let config = RollupConfig::load_or_named(path).map_err(|e| CheckError::RollupConfig(e.to_string()))?;
    if node_chain != config.l2_chain_id.id() {
        return Err(CheckError::WrongChain {
            path: path.display().to_string(),
            config: config.l2_chain_id.id(),
            node: l2_url.to_owned(),
            node_chain,
        });
    }
    Ok(config)
}

/// Builds the configured check, probing the L2 node once so a missing method fails at start.
pub async fn output_check(
    mode: Policy,
    l2: &DynProvider,
    l2_url: &str,
    rollup: Option<DynProvider>,
    rollup_config: Option<&std::path::Path>,
) -> Result<Check, CheckError> {
    match mode {
        Policy::None => Ok(Check::None),
        Policy::Rollup => rollup.map(Check::Rollup).ok_or(CheckError::NoRollupNode),
        Policy::Reexecute => {
            let config = rollup_config_of(rollup_config, l2, l2_url).await?;
            let head = l2
                .get_block_number()
                .await
                .map_err(|e| CheckError::Rpc(format!("eth_blockNumber of {l2_url}: {e}")))?;
            for method in ["debug_getRawBlock", "debug_getRawHeader", "debug_executionWitness"] {
                l2.raw_request::<_, serde_json::Value>(method.into(), (format!("{head:#x}"),))
                    .await
                    .map_err(|e| CheckError::Unserved { node: l2_url.to_owned(), method, reason: e.to_string() })?;
            }
            Ok(Check::Reexecute { config: Arc::new(config), node: l2_url.to_owned() })
        }
    }
}

/// What `verify-block` found: the node's block against riposte's re-execution of it.
#[derive(Debug)]
pub struct BlockCheck {
    /// Whether the node's header is the one riposte builds, with both sides.
    pub verdict: Verdict,
    /// The output root and how it was obtained: from the re-executed header (Isthmus on), or
    /// the message passer proven with `eth_getProof` against the confirmed state root.
    pub output_root: Option<Result<(B256, &'static str), String>>,
}

impl BlockCheck {
    /// Whether the node's block is the one riposte builds.
    pub fn agrees(&self) -> bool {
        matches!(self.verdict, Verdict::Agrees(_))
    }
}

/// Re-executes L2 block `block` in process from the node's execution witness and compares it
/// with the node's header.
pub async fn verify_block(
    l2: &DynProvider,
    l2_url: &str,
    rollup_config: Option<&std::path::Path>,
    block: u64,
) -> Result<BlockCheck, CheckError> {
    let config = rollup_config_of(rollup_config, l2, l2_url).await?;
    let verdict = check_node_block(&AlloyRpc::new(l2.clone(), l2_url.to_owned()), Arc::new(config), block)
        .await
        .map_err(|e| CheckError::Rpc(format!("re-executing L2 block {block} from {l2_url}: {e}")))?;
    let output_root = match &verdict {
        Verdict::Agrees(ours) => Some(match ours.output_root {
            Some(root) => Ok((root, "from the re-executed header")),
            None => {
                use riposte_solver::trace::OutputTrace;
                let outputs = L2Outputs::new(l2.clone(), Check::None, Arc::new(crate::NoMetrics));
                outputs
                    .output_at(block)
                    .await
                    .map(|r| (r, "message passer proven with eth_getProof"))
                    .map_err(|e| e.to_string())
            }
        }),
        Verdict::Disagrees { .. } => None,
    };
    Ok(BlockCheck { verdict, output_root })
}

#[cfg(test)]
mod tests {
    //! The re-execution check against a recorded L2 node: one real OP Sepolia block of
    //! kona-executor's fixtures, served over JSON-RPC as op-reth would serve it.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::{RpcOptions, connect};
    use alloy::consensus::Header;
    use riposte_core::{exec::execute_block, fixture::Fixture};
    use serde_json::{Value, json};
    use std::time::Duration;

    /// Serves `debug_executionWitness`, `debug_getRawBlock`, `eth_getBlockByNumber`,
    /// `eth_chainId` and `eth_blockNumber` for block `header.number` of the fixture.
    async fn recorded_node(fx: &Fixture, header: Header) -> String {
        let number = header.number;
        let block_json = |h: &Header| {
            json!({
                "hash": h.hash_slow(), "parentHash": h.parent_hash, "sha3Uncles": h.ommers_hash,
                "miner": h.beneficiary, "stateRoot": h.state_root, "transactionsRoot": h.transactions_root,
                "receiptsRoot": h.receipts_root, "logsBloom": h.logs_bloom, "difficulty": h.difficulty,
                "number": format!("{:#x}", h.number), "gasLimit": format!("{:#x}", h.gas_limit),
                "gasUsed": format!("{:#x}", h.gas_used), "timestamp": format!("{:#x}", h.timestamp),
                "extraData": h.extra_data, "mixHash": h.mix_hash, "nonce": h.nonce,
                "baseFeePerGas": h.base_fee_per_gas.map(|f| format!("{f:#x}")),
                "withdrawalsRoot": h.withdrawals_root, "blobGasUsed": h.blob_gas_used.map(|f| format!("{f:#x}")),
                "excessBlobGas": h.excess_blob_gas.map(|f| format!("{f:#x}")),
                "parentBeaconBlockRoot": h.parent_beacon_block_root, "requestsHash": h.requests_hash,
                "transactions": [], "uncles": [], "size": "0x0",
            })
        };
        let answers: Vec<(String, Value)> = vec![
            ("eth_chainId".into(), json!(format!("{:#x}", fx.json.rollup_config.l2_chain_id.id()))),
            ("eth_blockNumber".into(), json!(format!("{number:#x}"))),
            (format!("eth_getBlockByNumber:{number:#x}"), block_json(&header)),
            (
                "debug_getRawHeader".into(),
                json!(alloy::primitives::Bytes::from(alloy::rlp::encode(&fx.json.parent_header))),
            ),
            ("debug_getRawBlock".into(), json!(fx.raw_block(&header).unwrap())),
            // Every preimage under `state`: riposte files values by their own hash anyway.
            (
                "debug_executionWitness".into(),
                json!({ "state": fx.store.values(), "codes": [], "keys": [], "headers": [] }),
            ),
        ];
        crate::testserver::serve(answers).await
    }

    fn fixture() -> Fixture {
        let paths = riposte_core::fixture::executor_fixtures().unwrap();
        let fx: Vec<Fixture> = paths.iter().map(|p| Fixture::load(p).unwrap()).collect();
        fx.into_iter().min_by_key(|f| f.store.len()).unwrap()
    }

    async fn provider(url: &str, metrics: &Arc<Counted>) -> DynProvider {
        let opts = RpcOptions {
            timeout: Duration::from_secs(10),
            retries: 1,
            max_in_flight: 8,
            poll_interval: Duration::from_millis(100),
            ..RpcOptions::default()
        };
        connect(url, "l2", &opts, metrics.clone()).await.unwrap()
    }

    /// Counts what the output source reports.
    #[derive(Default)]
    struct Counted {
        disagreements: std::sync::atomic::AtomicU64,
        reexecutions: Mutex<Vec<String>>,
    }

    impl ChainMetrics for Counted {
        fn reexecution(&self, result: &str, _seconds: f64) {
            self.reexecutions.lock().unwrap().push(result.to_owned());
        }
        fn disagreement(&self) {
            self.disagreements.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reexecution_agrees_with_an_honest_node_and_catches_a_lying_one() {
        let fx = fixture();
        let json = &fx.json;
        let built =
            execute_block(&json.rollup_config, &json.parent_header, json.executing_payload.clone(), &fx.store).unwrap();
        assert_eq!(built.block_hash, json.expected_block_hash);
        let header = built.header.inner().clone();
        let dir = tempfile::tempdir().unwrap();
        let rollup_json = dir.path().join("rollup.json");
        // As op-node v1.19 writes it: no protocol_versions_address, Karst's fields (scheduled after
        // this block, so its rules are not used).
        let mut op_node = serde_json::to_value(&json.rollup_config).unwrap();
        op_node.as_object_mut().unwrap().remove("protocol_versions_address");
        op_node["karst_time"] = serde_json::json!(1_781_712_001u64);
        op_node["keep_karst_upgrade_gas"] = serde_json::json!(true);
        std::fs::write(&rollup_json, serde_json::to_vec(&op_node).unwrap()).unwrap();
        let metrics = Arc::new(Counted::default());

        // Honest node: the check starts, and the block agrees.
        let url = recorded_node(&fx, header.clone()).await;
        let l2 = provider(&url, &metrics).await;
        let check = output_check(Policy::Reexecute, &l2, &url, None, Some(&rollup_json)).await.unwrap();
        let Check::Reexecute { config, node } = check else { panic!("not a re-execution check") };
        assert_eq!(config.karst_time, Some(1_781_712_001));
        let outputs = L2Outputs::new(l2, Check::None, metrics.clone());
        let ours = outputs.reexecute(&config, &node, header.number, header.hash_slow()).await.unwrap();
        assert_eq!(ours, None, "pre-Isthmus: the block alone does not give the output root");

        // A node whose block claims another state root.
        let mut forged = header.clone();
        forged.state_root = alloy::primitives::keccak256(forged.state_root);
        let url = recorded_node(&fx, forged.clone()).await;
        let outputs = L2Outputs::new(provider(&url, &metrics).await, Check::None, metrics.clone());
        let err = outputs.reexecute(&config, &url, forged.number, forged.hash_slow()).await.unwrap_err().to_string();
        assert!(err.contains(&header.state_root.to_string()) && err.contains(&forged.state_root.to_string()), "{err}");
        assert_eq!(metrics.disagreements.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(*metrics.reexecutions.lock().unwrap(), ["agree", "disagree"]);

        // The operator command on both nodes.
        let honest = recorded_node(&fx, header.clone()).await;
        let p = provider(&honest, &metrics).await;
        let check = verify_block(&p, &honest, Some(&rollup_json), header.number).await.unwrap();
        assert!(check.agrees(), "{check:?}");
        let p = provider(&url, &metrics).await;
        assert!(!verify_block(&p, &url, Some(&rollup_json), forged.number).await.unwrap().agrees());

        // A rollup config for another chain is refused at start, naming both chains.
        let mut other = json.rollup_config.clone();
        other.l2_chain_id = 10u64.into();
        let other_json = dir.path().join("other.json");
        std::fs::write(&other_json, serde_json::to_vec(&other).unwrap()).unwrap();
        let l2 = provider(&url, &metrics).await;
        let err = output_check(Policy::Reexecute, &l2, &url, None, Some(&other_json)).await.err().unwrap();
        assert!(err.to_string().contains("L2 chain 10") && err.to_string().contains("chain 11155420"), "{err}");
    }
}
