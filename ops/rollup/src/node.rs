//! The rollup node's loops on a real L1: the sequencer builds one block per block time on the
//! L1 origins it reads (with their portal deposits and SystemConfig updates), and the batcher
//! posts the blocks' batches to the inbox (calldata or blob transactions) and moves the safe
//! head once they are included.
//!
//! L1 reorgs are not followed: the devnet's anvil L1 does not reorg under the rollup.

use alloy::{
    eips::{BlockNumberOrTag, eip4844::BlobTransactionSidecar},
    network::{EthereumWallet, TransactionBuilder, TransactionBuilder4844},
    primitives::{Address, B256, Bytes, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use riposte_core::derive::{attributes::L1Origin, system_config::decode_update};
use std::{
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, SystemTime, UNIX_EPOCH},
};
use tokio::task::JoinHandle;

use crate::shared::lock;
pub use crate::shared::{Lies, Posted, Shared};
use crate::{
    RollupError,
    batcher::{self, BatchKind, Compression},
    deposits::user_deposits,
    sequencer::{OriginChoice, Sequencer},
};

/// Which batcher transactions carry the frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataMode {
    /// Calldata only.
    Calldata,
    /// Blobs only (EIP-4844).
    Blobs,
    /// Calldata and blob transactions by turns.
    Alternate,
}

/// How the node runs.
#[derive(Debug, Clone)]
pub struct NodeOptions {
    /// The L1 RPC.
    pub l1_url: String,
    /// The batcher's key (its address must be the system config's batcher).
    pub batcher_key: B256,
    /// A channel is posted once this many blocks are unbatched.
    pub batch_every: u64,
    /// Singular or span batches.
    pub batch_kind: BatchKind,
    /// Calldata, blobs or both.
    pub data: DataMode,
    /// Most data bytes per frame (one frame per batcher transaction).
    pub max_frame_data: usize,
    /// The L2 RPC's port on 127.0.0.1 (0: any free port).
    pub rpc_port: u16,
}

/// The running node; its loops stop when it is dropped.
#[derive(Debug)]
pub struct RollupNode {
    shared: Arc<Mutex<Shared>>,
    url: String,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for RollupNode {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl RollupNode {
    /// Starts the sequencer and batcher loops on `seq` and the L2 RPC.
    pub async fn start(seq: Sequencer, options: NodeOptions) -> Result<Self, RollupError> {
        let url = options.l1_url.parse().map_err(|e| RollupError::Node(format!("L1 URL {}: {e}", options.l1_url)))?;
        let signer = PrivateKeySigner::from_bytes(&options.batcher_key)
            .map_err(|e| RollupError::Node(format!("the batcher key: {e}")))?;
        let batcher = seq.system_config().batcher;
        if signer.address() != batcher {
            return Err(RollupError::Node(format!(
                "the batcher key is for {}, the system config's batcher is {batcher}",
                signer.address()
            )));
        }
        let l1 = ProviderBuilder::new().wallet(EthereumWallet::from(signer)).connect_http(url).erased();
        let shared = Arc::new(Mutex::new(Shared::new(seq)));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.rpc_port))
            .await
            .map_err(|e| RollupError::Node(format!("binding the L2 RPC on 127.0.0.1:{}: {e}", options.rpc_port)))?;
        let addr = listener.local_addr().map_err(|e| RollupError::Node(format!("the L2 RPC's address: {e}")))?;
        let rpc_shared = shared.clone();
        let handler: crate::http::Handler =
            Arc::new(move |method, params| crate::rpc::handle(&mut lock(&rpc_shared), method, params));
        let tasks = vec![
            tokio::spawn(sequence_loop(l1.clone(), shared.clone())),
            tokio::spawn(batch_loop(l1, shared.clone(), options)),
            tokio::spawn(crate::http::serve(listener, handler)),
        ];
        Ok(Self { shared, url: format!("http://{addr}"), tasks })
    }

    /// The L2 RPC's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Locks the shared state.
    pub fn state(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

async fn sequence_loop(l1: DynProvider, shared: Arc<Mutex<Shared>>) {
    loop {
        let next = lock(&shared).seq.next_timestamp();
        let wait = next.saturating_sub(now());
        if wait > 0 {
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
        if let Err(e) = sequence_one(&l1, &shared).await {
            lock(&shared).last_error = Some(e.to_string());
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// Builds the next block: reads the L1 block after the head's origin, moves to it when the
/// sequencer would, with its deposits and SystemConfig updates.
async fn sequence_one(l1: &DynProvider, shared: &Mutex<Shared>) -> Result<(), RollupError> {
    let l1_err = |what: String| move |e: alloy::transports::TransportError| RollupError::L1(format!("{what}: {e}"));
    let (current, portal, system_config) = {
        let s = lock(shared);
        let c = s.seq.config();
        (s.seq.head().origin, c.kona.deposit_contract_address, c.kona.l1_system_config_address)
    };
    let n = current.number + 1;
    let block = l1.get_block_by_number(BlockNumberOrTag::Number(n)).await.map_err(l1_err(format!("L1 block {n}")))?;
    let next = block.map(|b| L1Origin::of(&b.header.inner, b.header.hash));
    let choice = {
        let mut s = lock(shared);
        if let Some(o) = &next {
            s.saw_l1(o.number, o.hash);
        }
        s.seq.choose_origin(next.as_ref())
    };
    let (origin, deposits, updates) = match (choice, next) {
        (OriginChoice::Next, Some(origin)) => {
            let receipts = l1
                .get_block_receipts(origin.hash.into())
                .await
                .map_err(l1_err(format!("receipts of L1 block {n}")))?
                .ok_or_else(|| RollupError::L1(format!("L1 block {n} {} has no receipts", origin.hash)))?;
            let receipts: Vec<alloy::consensus::Receipt> = receipts
                .iter()
                .map(|r| alloy::consensus::Receipt {
                    status: r.status().into(),
                    cumulative_gas_used: r.inner.cumulative_gas_used(),
                    logs: r.inner.logs().iter().map(|l| l.inner.clone()).collect(),
                })
                .collect();
            let deposits = user_deposits(origin.hash, &receipts, portal)?;
            let mut updates = Vec::new();
            for log in receipts.iter().flat_map(|r| &r.logs).filter(|l| l.address == system_config) {
                if let Some(u) = decode_update(log)
                    .map_err(|e| RollupError::L1(format!("a SystemConfig log in L1 block {n}: {e}")))?
                {
                    updates.push(u);
                }
            }
            (origin, deposits, updates)
        }
        _ => (current, Vec::new(), Vec::new()),
    };
    let mut s = lock(shared);
    let mempool = std::mem::take(&mut s.mempool);
    let built = s.seq.build_next(&origin, &deposits, &updates, &mempool)?;
    // A transaction whose nonce is ahead of its sender's waits for the gap to fill.
    let root = s.seq.head().header.state_root;
    for (i, _) in built.skipped {
        let Some(raw) = mempool.get(i) else { continue };
        let Ok(tx) = <op_alloy_consensus::OpTxEnvelope as alloy::eips::Decodable2718>::decode_2718(&mut raw.as_ref())
        else {
            continue;
        };
        let Ok(from) = alloy::consensus::transaction::SignerRecoverable::recover_signer(&tx) else { continue };
        let nonce = crate::state::account(s.seq.store(), root, from)?.map_or(0, |a| a.nonce);
        if alloy::consensus::Transaction::nonce(&tx) > nonce {
            s.mempool.push(raw.clone());
        }
    }
    Ok(())
}

async fn batch_loop(l1: DynProvider, shared: Arc<Mutex<Shared>>, options: NodeOptions) {
    let mut channels = 0u64;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        match batch_one(&l1, &shared, &options, channels).await {
            Ok(true) => channels += 1,
            Ok(false) => {}
            Err(e) => lock(&shared).last_error = Some(e.to_string()),
        }
    }
}

/// Posts the unbatched blocks as one channel when there are enough; `Ok(true)` if it did.
async fn batch_one(
    l1: &DynProvider,
    shared: &Mutex<Shared>,
    options: &NodeOptions,
    channel: u64,
) -> Result<bool, RollupError> {
    let (blocks, payloads, inbox) = {
        let s = lock(shared);
        let head = s.seq.head().number();
        if head < s.safe_head + options.batch_every.max(1) {
            return Ok(false);
        }
        let from = usize::try_from(s.safe_head + 1).unwrap_or(usize::MAX);
        let blocks = s.seq.blocks()[from..].to_vec();
        let config = s.seq.config();
        let content = batcher::channel_content(&blocks, options.batch_kind, config)?;
        let compression = Compression::for_time(config, s.seq.head().header.timestamp);
        let data = batcher::compress(&content, compression)?;
        let mut id = [0u8; 16];
        id.copy_from_slice(&keccak256([blocks[0].hash().as_slice(), &channel.to_be_bytes()].concat())[..16]);
        let frames = batcher::frames(id, &data, options.max_frame_data)?;
        let payloads: Vec<Bytes> = frames.iter().map(|f| batcher::payload(std::slice::from_ref(f))).collect();
        (blocks, payloads, config.kona.batch_inbox_address)
    };
    let range = (blocks[0].number(), blocks[blocks.len() - 1].number());
    let count = payloads.len();
    for (i, payload) in payloads.into_iter().enumerate() {
        let blob = match options.data {
            DataMode::Calldata => false,
            DataMode::Blobs => true,
            DataMode::Alternate => (channel + i as u64) % 2 == 1,
        };
        let posted = post(l1, inbox, payload, blob).await?;
        let last = i + 1 == count;
        let mut s = lock(shared);
        s.posted.push(Posted { l1_block: posted.0, tx: posted.1, blob, blocks: last.then_some(range) });
        s.saw_l1(posted.0, posted.2);
        if last {
            s.safe_head = range.1;
            s.safe_by_l1.push((posted.0, range.1));
        }
    }
    Ok(true)
}

/// Sends one batcher transaction and waits for it: (L1 block, tx hash, L1 block hash).
async fn post(l1: &DynProvider, inbox: Address, payload: Bytes, blob: bool) -> Result<(u64, B256, B256), RollupError> {
    let tx = TransactionRequest::default().with_to(inbox);
    let tx = if blob {
        let blob = riposte_core::l1::blob::encode(&payload).map_err(RollupError::Batch)?;
        let settings = alloy::eips::eip4844::env_settings::EnvKzgSettings::Default;
        let sidecar = BlobTransactionSidecar::try_from_blobs_with_settings(vec![blob], settings.get())
            .map_err(|e| RollupError::Batch(format!("the blob's KZG commitment: {e}")))?;
        tx.with_blob_sidecar(sidecar)
    } else {
        tx.with_input(payload)
    };
    let pending =
        l1.send_transaction(tx).await.map_err(|e| RollupError::L1(format!("sending a batcher transaction: {e}")))?;
    let receipt = pending
        .with_timeout(Some(Duration::from_secs(30)))
        .get_receipt()
        .await
        .map_err(|e| RollupError::L1(format!("the batcher transaction's receipt: {e}")))?;
    if !receipt.status() {
        return Err(RollupError::L1(format!("batcher transaction {} reverted", receipt.transaction_hash)));
    }
    let block = receipt
        .block_number
        .ok_or_else(|| RollupError::L1(format!("batcher transaction {} has no block", receipt.transaction_hash)))?;
    let hash = receipt.block_hash.ok_or_else(|| {
        RollupError::L1(format!("batcher transaction {} has no block hash", receipt.transaction_hash))
    })?;
    Ok((block, receipt.transaction_hash, hash))
}
