//! L1 data for derivation behind kona's provider traits: headers, receipts and transactions from
//! an L1 execution RPC ([`L1Provider`], a kona `ChainProvider`) and blobs from a beacon API
//! ([`BeaconBlobs`], a kona `BlobProvider`). Each answer is checked against what it must hash to
//! (header hash, with Amsterdam's fields when present; transactions root, receipts root, blob
//! KZG commitment) before kona sees it.
//!
//! The transports are traits ([`RpcClient`], [`BeaconClient`]) so the daemon passes its own
//! layered clients (`riposte-chain`'s RPC providers and beacon client) and tests can replay
//! recorded answers ([`record`]).

pub mod blob;
pub mod header;
pub mod record;

use std::{
    collections::HashMap,
    fmt::Debug,
    sync::{Arc, Mutex},
};

use alloy_consensus::{Header, Receipt, TxEnvelope};
use alloy_eips::eip4844::{Blob, IndexedBlobHash, kzg_to_versioned_hash};
use alloy_primitives::{B256, Log};
use async_trait::async_trait;
use kona_derive::{BlobProvider, ChainProvider, PipelineError, PipelineErrorKind};
use kona_protocol::BlockInfo;
use serde_json::{Value, json};

/// A JSON-RPC endpoint: `call` returns the `result` member or the error as text.
#[async_trait]
pub trait RpcClient: Send + Sync + Debug {
    /// Names the endpoint in errors.
    fn endpoint(&self) -> String;
    /// One call.
    async fn call(&self, method: &str, params: Value) -> Result<Value, String>;
}

/// A beacon API endpoint: `get` returns the JSON body, or `None` when the node does not serve
/// the path (404, 405, 410: an endpoint it lacks or has retired).
#[async_trait]
pub trait BeaconClient: Send + Sync + Debug {
    /// Names the endpoint in errors.
    fn endpoint(&self) -> String;
    /// One GET.
    async fn get(&self, path: &str) -> Result<Option<Value>, String>;
}

/// What went wrong reading L1.
#[derive(Debug, Clone, thiserror::Error)]
pub enum L1Error {
    /// The transport failed.
    #[error("{endpoint}: {call}: {reason}")]
    Transport {
        /// The endpoint.
        endpoint: String,
        /// The call or path.
        call: String,
        /// Why.
        reason: String,
    },
    /// The answer does not parse.
    #[error("{endpoint}: {call}: malformed answer: {reason}")]
    Malformed {
        /// The endpoint.
        endpoint: String,
        /// The call or path.
        call: String,
        /// Why.
        reason: String,
    },
    /// The node does not have what was asked for.
    #[error("{endpoint}: {call}: not found")]
    NotFound {
        /// The endpoint.
        endpoint: String,
        /// The call or path.
        call: String,
    },
    /// The answer parses but does not hash to what it must.
    #[error("{endpoint}: {call}: {what}")]
    Inconsistent {
        /// The endpoint.
        endpoint: String,
        /// The call or path.
        call: String,
        /// What does not match.
        what: String,
    },
}

impl From<L1Error> for PipelineErrorKind {
    fn from(e: L1Error) -> Self {
        PipelineError::Provider(e.to_string()).temp()
    }
}

/// An L1 execution RPC as kona's `ChainProvider`.
#[derive(Debug, Clone)]
pub struct L1Provider<R> {
    rpc: Arc<R>,
    headers: Arc<Mutex<HashMap<B256, Header>>>,
}

/// Headers kept; kona asks for the same few blocks again and again.
const HEADER_CACHE: usize = 1024;

impl<R: RpcClient> L1Provider<R> {
    /// A provider over `rpc`.
    pub fn new(rpc: R) -> Self {
        Self { rpc: Arc::new(rpc), headers: Arc::new(Mutex::new(HashMap::new())) }
    }

    fn err_transport(&self, call: &str, reason: String) -> L1Error {
        L1Error::Transport { endpoint: self.rpc.endpoint(), call: call.to_owned(), reason }
    }

    fn err_malformed(&self, call: &str, reason: String) -> L1Error {
        L1Error::Malformed { endpoint: self.rpc.endpoint(), call: call.to_owned(), reason }
    }

    fn err_inconsistent(&self, call: &str, what: String) -> L1Error {
        L1Error::Inconsistent { endpoint: self.rpc.endpoint(), call: call.to_owned(), what }
    }

    /// A block by hash or number with its header checked: it must hash to `want` (by hash), or
    /// carry `number` and hash to the hash the node states (by number).
    async fn block(
        &self,
        method: &str,
        id: Value,
        full: bool,
        want: Option<B256>,
    ) -> Result<(Header, B256, alloy_rpc_types_eth::Block), L1Error> {
        let call = format!("{method}({id}, {full})");
        let value = self.rpc.call(method, json!([id, full])).await.map_err(|e| self.err_transport(&call, e))?;
        if value.is_null() {
            return Err(L1Error::NotFound { endpoint: self.rpc.endpoint(), call });
        }
        // alloy 1.8's header type drops Amsterdam's fields; they are read from the JSON first.
        let extra = header::AmsterdamFields::from_json(&value).map_err(|e| self.err_malformed(&call, e))?;
        let block: alloy_rpc_types_eth::Block =
            serde_json::from_value(value).map_err(|e| self.err_malformed(&call, e.to_string()))?;
        let header = block.header.inner.clone();
        let hash = header::header_hash(&header, &extra).map_err(|e| self.err_malformed(&call, e.to_string()))?;
        if hash != want.unwrap_or(block.header.hash) {
            return Err(self.err_inconsistent(
                &call,
                format!("the header hashes to {hash}, the node says {}", want.unwrap_or(block.header.hash)),
            ));
        }
        let mut cache = self.headers.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= HEADER_CACHE {
            cache.clear();
        }
        cache.insert(hash, header.clone());
        Ok((header, hash, block))
    }

    async fn header(&self, hash: B256) -> Result<Header, L1Error> {
        if let Some(h) = self.headers.lock().unwrap_or_else(|p| p.into_inner()).get(&hash) {
            return Ok(h.clone());
        }
        Ok(self.block("eth_getBlockByHash", json!(hash), false, Some(hash)).await?.0)
    }
}

fn info(header: &Header, hash: B256) -> BlockInfo {
    BlockInfo { hash, number: header.number, parent_hash: header.parent_hash, timestamp: header.timestamp }
}

#[async_trait]
impl<R: RpcClient + 'static> ChainProvider for L1Provider<R> {
    type Error = L1Error;

    async fn header_by_hash(&mut self, hash: B256) -> Result<Header, L1Error> {
        self.header(hash).await
    }

    async fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, L1Error> {
        let (header, hash, _) = self.block("eth_getBlockByNumber", json!(format!("{number:#x}")), false, None).await?;
        if header.number != number {
            return Err(self.err_inconsistent(
                &format!("eth_getBlockByNumber({number:#x})"),
                format!("the node answered block {}", header.number),
            ));
        }
        Ok(info(&header, hash))
    }

    async fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, L1Error> {
        let header = self.header(hash).await?;
        let call = format!("eth_getBlockReceipts({hash})");
        let value =
            self.rpc.call("eth_getBlockReceipts", json!([hash])).await.map_err(|e| self.err_transport(&call, e))?;
        if value.is_null() {
            return Err(L1Error::NotFound { endpoint: self.rpc.endpoint(), call });
        }
        let receipts: Vec<alloy_rpc_types_eth::TransactionReceipt> =
            serde_json::from_value(value).map_err(|e| self.err_malformed(&call, e.to_string()))?;
        let envelopes: Vec<alloy_consensus::ReceiptEnvelope<Log>> =
            receipts.into_iter().map(|r| r.into_primitives_receipt().inner).collect();
        let root = alloy_consensus::proofs::calculate_receipt_root(&envelopes);
        if root != header.receipts_root {
            return Err(self.err_inconsistent(
                &call,
                format!("{} receipts hash to root {root}, the header says {}", envelopes.len(), header.receipts_root),
            ));
        }
        Ok(envelopes.into_iter().map(alloy_consensus::ReceiptEnvelope::into_receipt).collect())
    }

    async fn block_info_and_transactions_by_hash(
        &mut self,
        hash: B256,
    ) -> Result<(BlockInfo, Vec<TxEnvelope>), L1Error> {
        let (header, hash, block) = self.block("eth_getBlockByHash", json!(hash), true, Some(hash)).await?;
        let call = format!("eth_getBlockByHash({hash}, true)");
        let txs: Vec<TxEnvelope> = match block.transactions {
            alloy_rpc_types_eth::BlockTransactions::Full(txs) => txs.into_iter().map(|t| t.into_inner()).collect(),
            alloy_rpc_types_eth::BlockTransactions::Hashes(h) if h.is_empty() => Vec::new(),
            _ => return Err(self.err_malformed(&call, "transactions are not full objects".into())),
        };
        let root = alloy_consensus::proofs::calculate_transaction_root(&txs);
        if root != header.transactions_root {
            return Err(self.err_inconsistent(
                &call,
                format!("{} transactions hash to root {root}, the header says {}", txs.len(), header.transactions_root),
            ));
        }
        Ok((info(&header, hash), txs))
    }
}

/// How a beacon `block_id` is found for an L1 block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockIdRule {
    /// The slot, from the block's timestamp, the beacon genesis time and `SECONDS_PER_SLOT`
    /// (real beacon nodes).
    Slot,
    /// The L1 block number (anvil's beacon endpoints number slots by block).
    BlockNumber,
}

/// A beacon API as kona's `BlobProvider`: blobs are recommitted with KZG and matched to the
/// versioned hashes the L1 transactions carry.
#[derive(Debug, Clone)]
pub struct BeaconBlobs<B> {
    beacon: Arc<B>,
    rule: BlockIdRule,
    slots: Arc<Mutex<Option<(u64, u64)>>>,
}

impl<B: BeaconClient> BeaconBlobs<B> {
    /// A blob provider over `beacon`.
    pub fn new(beacon: B, rule: BlockIdRule) -> Self {
        Self { beacon: Arc::new(beacon), rule, slots: Arc::new(Mutex::new(None)) }
    }

    fn err(&self, call: &str, what: String) -> L1Error {
        L1Error::Inconsistent { endpoint: self.beacon.endpoint(), call: call.to_owned(), what }
    }

    async fn get(&self, path: &str) -> Result<Option<Value>, L1Error> {
        self.beacon.get(path).await.map_err(|reason| L1Error::Transport {
            endpoint: self.beacon.endpoint(),
            call: path.to_owned(),
            reason,
        })
    }

    fn number(&self, v: &Value, path: &str, field: &str) -> Result<u64, L1Error> {
        let s = v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string()));
        s.and_then(|s| s.parse().ok()).ok_or_else(|| L1Error::Malformed {
            endpoint: self.beacon.endpoint(),
            call: path.to_owned(),
            reason: format!("{field} is {v}, not a number"),
        })
    }

    /// (genesis time, seconds per slot), fetched once.
    async fn slot_clock(&self) -> Result<(u64, u64), L1Error> {
        if let Some(c) = *self.slots.lock().unwrap_or_else(|p| p.into_inner()) {
            return Ok(c);
        }
        let missing = |call: &str| L1Error::NotFound { endpoint: self.beacon.endpoint(), call: call.to_owned() };
        let genesis = self.get("/eth/v1/beacon/genesis").await?.ok_or_else(|| missing("/eth/v1/beacon/genesis"))?;
        let genesis_time = self.number(&genesis["data"]["genesis_time"], "/eth/v1/beacon/genesis", "genesis_time")?;
        let spec = self.get("/eth/v1/config/spec").await?.ok_or_else(|| missing("/eth/v1/config/spec"))?;
        let per_slot = self.number(&spec["data"]["SECONDS_PER_SLOT"], "/eth/v1/config/spec", "SECONDS_PER_SLOT")?;
        if per_slot == 0 {
            return Err(self.err("/eth/v1/config/spec", "SECONDS_PER_SLOT is 0".into()));
        }
        *self.slots.lock().unwrap_or_else(|p| p.into_inner()) = Some((genesis_time, per_slot));
        Ok((genesis_time, per_slot))
    }

    async fn block_id(&self, block: &BlockInfo) -> Result<u64, L1Error> {
        match self.rule {
            BlockIdRule::BlockNumber => Ok(block.number),
            BlockIdRule::Slot => {
                let (genesis, per_slot) = self.slot_clock().await?;
                let since = block.timestamp.checked_sub(genesis).ok_or_else(|| {
                    self.err(
                        "/eth/v1/beacon/genesis",
                        format!("L1 block {} is older than beacon genesis {genesis}", block.number),
                    )
                })?;
                Ok(since / per_slot)
            }
        }
    }

    /// The blobs of a block as the node serves them: `/blobs` first, `/blob_sidecars` for nodes
    /// that lack it.
    async fn served_blobs(&self, id: u64, hashes: &[IndexedBlobHash]) -> Result<(String, Vec<Value>), L1Error> {
        let list: Vec<String> = hashes.iter().map(|h| h.hash.to_string()).collect();
        let path = format!("/eth/v1/beacon/blobs/{id}?versioned_hashes={}", list.join(","));
        if let Some(v) = self.get(&path).await? {
            let items = v["data"].as_array().cloned().ok_or_else(|| L1Error::Malformed {
                endpoint: self.beacon.endpoint(),
                call: path.clone(),
                reason: "no data list".into(),
            })?;
            return Ok((path, items));
        }
        let path = format!("/eth/v1/beacon/blob_sidecars/{id}");
        let v = self
            .get(&path)
            .await?
            .ok_or_else(|| L1Error::NotFound { endpoint: self.beacon.endpoint(), call: path.clone() })?;
        let items = v["data"]
            .as_array()
            .ok_or_else(|| L1Error::Malformed {
                endpoint: self.beacon.endpoint(),
                call: path.clone(),
                reason: "no data list".into(),
            })?
            .iter()
            .map(|s| s["blob"].clone())
            .collect();
        Ok((path, items))
    }
}

/// The versioned hash of a blob, recommitted from its contents.
pub fn versioned_hash(blob: &Blob) -> Result<B256, String> {
    use alloy_eips::eip4844::{c_kzg, env_settings::EnvKzgSettings};
    let kzg_blob = c_kzg::Blob::from_bytes(blob.as_slice()).map_err(|e| e.to_string())?;
    let commitment = EnvKzgSettings::Default.get().blob_to_kzg_commitment(&kzg_blob).map_err(|e| e.to_string())?;
    Ok(kzg_to_versioned_hash(commitment.to_bytes().as_slice()))
}

#[async_trait]
impl<B: BeaconClient + 'static> BlobProvider for BeaconBlobs<B> {
    type Error = L1Error;

    async fn get_blobs(&mut self, block: &BlockInfo, hashes: &[IndexedBlobHash]) -> Result<Vec<Box<Blob>>, L1Error> {
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let id = self.block_id(block).await?;
        let (path, items) = self.served_blobs(id, hashes).await?;
        let mut by_hash: HashMap<B256, Box<Blob>> = HashMap::new();
        for (i, item) in items.iter().enumerate() {
            let bytes: alloy_primitives::Bytes = item
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| self.err(&path, format!("blob {i} is not hex")))?;
            let blob = Blob::try_from(bytes.as_ref()).map_err(|_| {
                self.err(&path, format!("blob {i} is {} bytes, not {}", bytes.len(), Blob::len_bytes()))
            })?;
            let hash = versioned_hash(&blob).map_err(|e| self.err(&path, format!("blob {i}: {e}")))?;
            by_hash.insert(hash, Box::new(blob));
        }
        hashes
            .iter()
            .map(|h| {
                by_hash.get(&h.hash).cloned().ok_or_else(|| {
                    self.err(
                        &path,
                        format!(
                            "L1 block {} (id {id}): no served blob commits to versioned hash {} (blob index {}); {} served",
                            block.number,
                            h.hash,
                            h.index,
                            items.len()
                        ),
                    )
                })
            })
            .collect()
    }
}

/// An alloy provider as an [`RpcClient`] (the daemon passes its layered providers).
#[derive(Debug, Clone)]
pub struct AlloyRpc<P> {
    provider: P,
    name: String,
}

impl<P> AlloyRpc<P> {
    /// Wraps `provider`, called `name` in errors.
    pub fn new(provider: P, name: impl Into<String>) -> Self {
        Self { provider, name: name.into() }
    }
}

#[async_trait]
impl<P: alloy_provider::Provider + Debug + Send + Sync> RpcClient for AlloyRpc<P> {
    fn endpoint(&self) -> String {
        self.name.clone()
    }

    async fn call(&self, method: &str, params: Value) -> Result<Value, String> {
        self.provider.raw_request::<_, Value>(method.to_owned().into(), params).await.map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::{record::Exchange, *};

    fn block_at(timestamp: u64) -> BlockInfo {
        BlockInfo { hash: B256::repeat_byte(1), number: 77, parent_hash: B256::ZERO, timestamp }
    }

    /// Blobs are 128 KiB values: debug builds want a roomier stack than a test thread's 2 MiB.
    fn on_big_stack(f: impl std::future::Future<Output = ()> + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(32 << 20)
            .spawn(move || tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f))
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn slot_from_time_and_the_sidecars_fallback() {
        on_big_stack(slot_from_time_and_the_sidecars_fallback_inner());
    }

    async fn slot_from_time_and_the_sidecars_fallback_inner() {
        let blob = blob::encode(b"\x00some frames").unwrap();
        let hash = versioned_hash(&blob).unwrap();
        let other = versioned_hash(&blob::encode(b"other").unwrap()).unwrap();
        let hex = |b: &Blob| alloy_primitives::hex::encode_prefixed(b.as_slice());
        let exchanges = vec![
            Exchange { call: "/eth/v1/beacon/genesis".into(), answer: json!({"data": {"genesis_time": "1000"}}) },
            Exchange { call: "/eth/v1/config/spec".into(), answer: json!({"data": {"SECONDS_PER_SLOT": "12"}}) },
            // An older node: no /blobs, only /blob_sidecars.
            Exchange { call: format!("/eth/v1/beacon/blobs/5?versioned_hashes={hash}"), answer: Value::Null },
            Exchange {
                call: "/eth/v1/beacon/blob_sidecars/5".into(),
                answer: json!({"data": [{"index": "0", "blob": hex(&blob)}]}),
            },
            Exchange { call: format!("/eth/v1/beacon/blobs/5?versioned_hashes={other}"), answer: Value::Null },
        ];
        let mut blobs = BeaconBlobs::new(record::Replay::new("beacon", exchanges), BlockIdRule::Slot);
        let got = blobs.get_blobs(&block_at(1000 + 12 * 5 + 3), &[IndexedBlobHash { index: 0, hash }]).await.unwrap();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_slice(), blob.as_slice());
        // A hash the served blobs do not commit to is named.
        let err =
            blobs.get_blobs(&block_at(1000 + 60), &[IndexedBlobHash { index: 3, hash: other }]).await.unwrap_err();
        assert!(err.to_string().contains(&other.to_string()) && err.to_string().contains("blob index 3"), "{err}");
        // A block older than beacon genesis.
        assert!(blobs.get_blobs(&block_at(999), &[IndexedBlobHash { index: 0, hash }]).await.is_err());
    }

    #[tokio::test]
    async fn an_amsterdam_header_is_checked_with_its_new_fields() {
        let block: Value = serde_json::from_str(header::AMSTERDAM).unwrap();
        let hash: B256 = serde_json::from_value(block["hash"].clone()).unwrap();
        let mut answer = block.clone();
        answer["transactions"] = json!([]);
        answer["uncles"] = json!([]);
        let exchanges =
            vec![Exchange { call: format!("eth_getBlockByHash [\"{hash}\",false]"), answer: answer.clone() }];
        let mut l1 = L1Provider::new(record::Replay::new("L1", exchanges));
        assert_eq!(l1.header_by_hash(hash).await.unwrap().number, 0xc0);
        // The same block with its slot number altered no longer hashes to its hash.
        answer["slotNumber"] = json!("0xc1");
        let exchanges = vec![Exchange { call: format!("eth_getBlockByHash [\"{hash}\",false]"), answer }];
        let mut l1 = L1Provider::new(record::Replay::new("L1", exchanges));
        let err = l1.header_by_hash(hash).await.unwrap_err().to_string();
        assert!(err.contains("the header hashes to"), "{err}");
    }

    #[tokio::test]
    async fn a_header_that_does_not_hash_to_the_asked_hash_is_refused() {
        let header = Header { number: 5, ..Header::default() };
        let real = header.hash_slow();
        let asked = B256::repeat_byte(9);
        let block = json!({
            "hash": asked, "parentHash": header.parent_hash, "sha3Uncles": header.ommers_hash,
            "miner": header.beneficiary, "stateRoot": header.state_root,
            "transactionsRoot": header.transactions_root, "receiptsRoot": header.receipts_root,
            "logsBloom": header.logs_bloom, "difficulty": "0x0", "number": "0x5", "gasLimit": "0x0",
            "gasUsed": "0x0", "timestamp": "0x0", "extraData": "0x", "mixHash": header.mix_hash,
            "nonce": header.nonce, "transactions": [], "uncles": [],
        });
        let exchanges = vec![Exchange { call: format!("eth_getBlockByHash [\"{asked}\",false]"), answer: block }];
        let mut l1 = L1Provider::new(record::Replay::new("L1", exchanges));
        let err = l1.header_by_hash(asked).await.unwrap_err().to_string();
        assert!(err.contains(&format!("the header hashes to {real}")), "{err}");
        let err = l1.header_by_hash(real).await.unwrap_err().to_string();
        assert!(err.contains("was not recorded"), "{err}");
    }
}
