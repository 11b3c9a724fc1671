//! The devnet's L2 when it is the Rust rollup (`DevnetOptions::rollup`): genesis on L1 block 0,
//! the sequencer catching up from a genesis in the past (L1 anvil's clock is set back by the
//! same amount), the batcher posting from dev account 8, and the L2 RPC in this process.
//!
//! The L1 side has no OptimismPortal or SystemConfig yet: the rollup config names placeholder
//! addresses for them, so no deposit comes from L1 and the genesis system config never changes.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use alloy::primitives::{Address, U256};
use alloy::providers::{Provider, RootProvider};
use alloy::transports::http::reqwest::Url;
use riposte_core::derive::attributes::L1Origin;
use riposte_rollup::batcher::BatchKind;
use riposte_rollup::genesis::{self, GenesisSpec, KarstAt, Predeploys};
use riposte_rollup::node::{DataMode, NodeOptions, RollupNode};
use riposte_rollup::sequencer::Sequencer;

use crate::{DevAccount, DevnetError, Result};

/// The dev account that posts batches.
pub const BATCHER_ACCOUNT: usize = 8;
/// Where the rollup config says deposits come from (nothing is deployed there yet).
pub const PORTAL_PLACEHOLDER: Address = Address::repeat_byte(0xd0);
/// Where the rollup config says the SystemConfig is (nothing is deployed there yet).
pub const SYSTEM_CONFIG_PLACEHOLDER: Address = Address::repeat_byte(0x5c);

/// The running rollup and what devnet.json tells about it.
#[derive(Debug)]
pub(crate) struct RollupL2 {
    pub(crate) node: RollupNode,
    pub(crate) url: Url,
    pub(crate) provider: RootProvider,
    pub(crate) rollup_config: PathBuf,
    pub(crate) batcher: Address,
}

fn failed(what: &str) -> impl Fn(riposte_rollup::RollupError) -> DevnetError + '_ {
    move |e| DevnetError::Rollup(format!("{what}: {e}"))
}

/// Starts the rollup on `l1` (whose block 0 is its genesis origin), waits until `blocks` blocks
/// are built and `safe` of them are batched on L1.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn start(
    l1: &RootProvider,
    l1_url: &Url,
    dir: &Path,
    out_dir: &Path,
    accounts: &[DevAccount],
    block_time: u64,
    blocks: u64,
    safe: u64,
    port: u16,
    timeout: Duration,
) -> Result<RollupL2> {
    let rpc = |e: alloy::transports::TransportError| DevnetError::Rollup(format!("reading L1 block 0: {e}"));
    let l1_genesis = l1
        .get_block_by_number(0.into())
        .await
        .map_err(rpc)?
        .ok_or_else(|| DevnetError::Rollup("L1 has no block 0".into()))?;
    let batcher = accounts
        .get(BATCHER_ACCOUNT)
        .ok_or_else(|| DevnetError::Rollup(format!("no dev account {BATCHER_ACCOUNT} for the batcher")))?;
    let spec = GenesisSpec {
        l1: (l1_genesis.header.hash, 0, l1_genesis.header.timestamp),
        l1_chain_id: l1.get_chain_id().await.map_err(rpc)?,
        l2_time: l1_genesis.header.timestamp,
        block_time,
        karst: KarstAt::Genesis,
        batcher: batcher.address,
        deposit_contract: PORTAL_PLACEHOLDER,
        system_config_contract: SYSTEM_CONFIG_PLACEHOLDER,
        funded: accounts.iter().map(|a| a.address).collect(),
        balance: U256::from(10_000u64) * U256::from(10u64).pow(U256::from(18)),
        predeploys: Predeploys::from_devnet_dir(dir).map_err(failed("the predeploys"))?,
    };
    let g = genesis::build(&spec).map_err(failed("the L2 genesis"))?;
    let rollup_config = out_dir.join("rollup.json");
    let text = serde_json::to_string_pretty(&g.rollup_json)
        .map_err(|e| DevnetError::Rollup(format!("encoding rollup.json: {e}")))?;
    std::fs::write(&rollup_config, text)
        .map_err(|source| DevnetError::Io { what: format!("writing {}", rollup_config.display()), source })?;
    let origin = L1Origin::of(&l1_genesis.header.inner, l1_genesis.header.hash);
    let seq = Sequencer::new(g, origin, genesis::ANVIL_BLOB_SCHEDULE).map_err(failed("the sequencer"))?;
    let options = NodeOptions {
        l1_url: l1_url.to_string(),
        batcher_key: batcher.private_key,
        batch_every: 4,
        batch_kind: BatchKind::Span,
        data: DataMode::Alternate,
        max_frame_data: 100_000,
        rpc_port: port,
    };
    let node = RollupNode::start(seq, options).await.map_err(failed("the rollup node"))?;
    let started = Instant::now();
    loop {
        let (head, safe_head, error) = {
            let s = node.state();
            (s.seq.head().number(), s.safe_head, s.last_error.clone())
        };
        if head >= blocks && safe_head >= safe {
            break;
        }
        if started.elapsed() > timeout {
            return Err(DevnetError::Rollup(format!(
                "{head} of {blocks} L2 blocks built and {safe_head} of {safe} safe after {:?}; last error: {}",
                started.elapsed(),
                error.unwrap_or_else(|| "none".into())
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let url: Url = node.url().parse().map_err(|e| DevnetError::Rollup(format!("the L2 RPC URL: {e}")))?;
    let provider = RootProvider::new_http(url.clone());
    Ok(RollupL2 { node, url, provider, rollup_config, batcher: batcher.address })
}
