//! The node's JSON-RPC answers, computed from the shared chain: the `eth_` methods riposte and
//! the tests use, the raw-block `debug_` methods and op-node's `optimism_` methods, with the
//! error codes geth and op-node give (so alloy reports them as usual). Serving them over HTTP
//! is [`crate::http`]'s job.
//!
//! Finality is not tracked: `finalized` is the safe head.

use alloy::{
    consensus::{Transaction as _, transaction::SignerRecoverable},
    eips::Decodable2718,
    primitives::{Address, B256, Bytes, U256},
    rlp::Encodable,
};
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope};
use serde_json::{Value, json};

use crate::{sequencer::L2Block, shared::Shared, state};

/// A JSON-RPC error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// The code (-32601 unknown method, -32602 bad params, -32000 a node's refusal).
    pub code: i64,
    /// The message.
    pub message: String,
}

impl RpcError {
    fn params(message: impl Into<String>) -> Self {
        Self { code: -32602, message: message.into() }
    }

    fn refused(message: impl Into<String>) -> Self {
        Self { code: -32000, message: message.into() }
    }
}

type Answer = Result<Value, RpcError>;

fn hex(n: u64) -> String {
    format!("{n:#x}")
}

fn param<'a>(params: &'a Value, i: usize, what: &str) -> Result<&'a Value, RpcError> {
    params.get(i).ok_or_else(|| RpcError::params(format!("missing value for required argument {i} ({what})")))
}

fn parse<T: serde::de::DeserializeOwned>(params: &Value, i: usize, what: &str) -> Result<T, RpcError> {
    serde_json::from_value(param(params, i, what)?.clone())
        .map_err(|e| RpcError::params(format!("invalid argument {i} ({what}): {e}")))
}

fn quantity(v: &str) -> Option<u64> {
    u64::from_str_radix(v.strip_prefix("0x")?, 16).ok()
}

/// The block a tag, number or EIP-1898 object names: `None` when it is not built yet.
fn block_of<'a>(s: &'a Shared, tag: &Value) -> Result<Option<&'a L2Block>, RpcError> {
    let seq = &s.seq;
    let n = match tag {
        Value::Null => seq.head().number(),
        Value::String(t) => match t.as_str() {
            "latest" | "pending" => seq.head().number(),
            "safe" | "finalized" => s.safe_head,
            "earliest" => 0,
            raw => quantity(raw).ok_or_else(|| RpcError::params(format!("invalid block number or tag {raw:?}")))?,
        },
        _ => {
            if let Some(h) = tag.get("blockHash") {
                let hash: B256 = serde_json::from_value(h.clone()).map_err(|e| RpcError::params(e.to_string()))?;
                return Ok(seq.blocks().iter().find(|b| b.hash() == hash));
            }
            let raw = tag.get("blockNumber").and_then(Value::as_str).unwrap_or_default();
            quantity(raw).ok_or_else(|| RpcError::params(format!("invalid block reference {tag}")))?
        }
    };
    Ok(seq.block(n))
}

/// The header as the RPC serves it: altered when the node is told to lie about this block.
fn served_header(s: &Shared, b: &L2Block) -> Option<alloy::consensus::Sealed<alloy::consensus::Header>> {
    s.lies.wrong_state_root_from.filter(|from| b.number() >= *from).map(|_| {
        let mut header = b.header.inner().clone();
        header.state_root = alloy::primitives::keccak256(header.state_root);
        alloy::consensus::Sealable::seal_slow(header)
    })
}

/// The block as the RPC serves it (see [`served_header`]).
fn served(s: &Shared, b: &L2Block) -> L2Block {
    let mut b = b.clone();
    if let Some(header) = served_header(s, &b) {
        b.header = header;
    }
    b
}

fn known<'a>(s: &'a Shared, tag: &Value) -> Result<&'a L2Block, RpcError> {
    block_of(s, tag)?.ok_or_else(|| RpcError::refused("header not found"))
}

fn l2_ref(b: &L2Block) -> Value {
    json!({
        "hash": b.hash(),
        "number": b.number(),
        "parentHash": b.header.parent_hash,
        "timestamp": b.header.timestamp,
        "l1origin": { "hash": b.origin.hash, "number": b.origin.number },
        "sequenceNumber": b.sequence_number,
    })
}

fn tx_json(b: &L2Block, index: usize) -> Value {
    let raw = &b.transactions[index];
    let Ok(tx) = OpTxEnvelope::decode_2718(&mut raw.as_ref()) else { return Value::Null };
    let from = match &tx {
        OpTxEnvelope::Deposit(d) => Some(d.from),
        other => other.recover_signer().ok(),
    };
    let base_fee = b.header.base_fee_per_gas.unwrap_or_default();
    let mut v = serde_json::to_value(&tx).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("hash".into(), json!(tx.tx_hash()));
        m.insert("blockHash".into(), json!(b.hash()));
        m.insert("blockNumber".into(), json!(hex(b.number())));
        m.insert("transactionIndex".into(), json!(hex(index as u64)));
        m.insert("from".into(), json!(from.unwrap_or_default()));
        m.insert("gasPrice".into(), json!(hex(tx.effective_gas_price(Some(base_fee)) as u64)));
    }
    v
}

fn block_json(b: &L2Block, full: bool) -> Value {
    let header = alloy::rpc::types::Header {
        hash: b.hash(),
        inner: b.header.inner().clone(),
        total_difficulty: Some(U256::ZERO),
        size: Some(U256::from(raw_block(b).len())),
    };
    let mut v = serde_json::to_value(header).unwrap_or(Value::Null);
    let txs: Vec<Value> = if full {
        (0..b.transactions.len()).map(|i| tx_json(b, i)).collect()
    } else {
        b.transactions.iter().map(|t| json!(alloy::primitives::keccak256(t))).collect()
    };
    if let Value::Object(m) = &mut v {
        m.insert("transactions".into(), Value::Array(txs));
        m.insert("uncles".into(), json!([]));
        m.insert("withdrawals".into(), json!([]));
    }
    v
}

/// The block as RLP: header, transactions, no ommers, no withdrawals.
fn raw_block(b: &L2Block) -> Vec<u8> {
    let mut body = Vec::new();
    b.header.inner().encode(&mut body);
    // Typed transactions go into the block list as RLP strings of their 2718 encoding.
    let mut list = Vec::new();
    for t in &b.transactions {
        if t.first().is_some_and(|x| *x >= 0xc0) {
            list.extend_from_slice(t);
        } else {
            t.encode(&mut list);
        }
    }
    alloy::rlp::Header { list: true, payload_length: list.len() }.encode(&mut body);
    body.extend_from_slice(&list);
    alloy::rlp::Header { list: true, payload_length: 0 }.encode(&mut body);
    alloy::rlp::Header { list: true, payload_length: 0 }.encode(&mut body);
    let mut out = Vec::new();
    alloy::rlp::Header { list: true, payload_length: body.len() }.encode(&mut out);
    out.extend_from_slice(&body);
    out
}

fn receipt_json(b: &L2Block, index: usize) -> Value {
    let Some(receipt) = b.receipts.get(index) else { return Value::Null };
    let tx = tx_json(b, index);
    let previous = index.checked_sub(1).and_then(|i| b.receipts.get(i)).map_or(0, |r| r.cumulative_gas_used());
    let logs_before: usize = b.receipts[..index].iter().map(|r| r.logs().len()).sum();
    let logs: Vec<Value> = receipt
        .logs()
        .iter()
        .enumerate()
        .map(|(i, l)| {
            json!({
                "address": l.address, "topics": l.data.topics(), "data": l.data.data,
                "blockHash": b.hash(), "blockNumber": hex(b.number()), "blockTimestamp": hex(b.header.timestamp),
                "transactionHash": tx["hash"], "transactionIndex": hex(index as u64),
                "logIndex": hex((logs_before + i) as u64), "removed": false,
            })
        })
        .collect();
    let contract = match (&tx["to"], tx["from"].as_str()) {
        (Value::Null, Some(from)) => from.parse::<Address>().ok().map(|f| {
            let nonce = tx["nonce"].as_str().and_then(quantity).unwrap_or_default();
            f.create(nonce)
        }),
        _ => None,
    };
    let mut v = json!({
        "type": hex(u64::from(receipt.tx_type() as u8)),
        "status": hex(u64::from(receipt.status())),
        "cumulativeGasUsed": hex(receipt.cumulative_gas_used()),
        "gasUsed": hex(receipt.cumulative_gas_used() - previous),
        "logs": logs,
        "logsBloom": receipt.logs_bloom(),
        "transactionHash": tx["hash"],
        "transactionIndex": hex(index as u64),
        "blockHash": b.hash(),
        "blockNumber": hex(b.number()),
        "from": tx["from"],
        "to": tx["to"],
        "effectiveGasPrice": tx["gasPrice"],
        "contractAddress": contract,
    });
    if let (OpReceiptEnvelope::Deposit(d), Value::Object(m)) = (receipt, &mut v) {
        m.insert("depositNonce".into(), json!(d.receipt.deposit_nonce.map(hex)));
        m.insert("depositReceiptVersion".into(), json!(d.receipt.deposit_receipt_version.map(hex)));
    }
    v
}

/// Where a transaction is: (block, index).
fn find_tx(s: &Shared, hash: B256) -> Option<(&L2Block, usize)> {
    s.seq
        .blocks()
        .iter()
        .rev()
        .find_map(|b| b.transactions.iter().position(|t| alloy::primitives::keccak256(t) == hash).map(|i| (b, i)))
}

/// `eth_sendRawTransaction`: decoded, for this chain, not a deposit, not below the sender's
/// nonce and affordable at the head; then into the mempool (a nonce ahead waits there).
fn send_raw(s: &mut Shared, raw: Bytes) -> Answer {
    let tx = OpTxEnvelope::decode_2718(&mut raw.as_ref())
        .map_err(|e| RpcError::refused(format!("rlp: transaction does not decode: {e}")))?;
    if tx.is_deposit() {
        return Err(RpcError::refused("transaction type not supported: deposits come from L1"));
    }
    let chain = s.seq.config().l2_chain_id.id();
    if let Some(id) = tx.chain_id()
        && id != chain
    {
        return Err(RpcError::refused(format!("invalid chain id for signer: have {id} want {chain}")));
    }
    let from = tx.recover_signer().map_err(|e| RpcError::refused(format!("invalid sender: {e}")))?;
    let head = s.seq.head();
    let account = state::account(s.seq.store(), head.header.state_root, from)
        .map_err(|e| RpcError::refused(e.to_string()))?
        .unwrap_or_default();
    if tx.nonce() < account.nonce {
        return Err(RpcError::refused(format!(
            "nonce too low: address {from}, tx: {} state: {}",
            tx.nonce(),
            account.nonce
        )));
    }
    let cost = U256::from(tx.gas_limit()) * U256::from(tx.max_fee_per_gas()) + tx.value();
    if cost > account.balance {
        return Err(RpcError::refused(format!(
            "insufficient funds for gas * price + value: address {from} have {} want {cost}",
            account.balance
        )));
    }
    if tx.gas_limit() > head.header.gas_limit {
        return Err(RpcError::refused("exceeds block gas limit"));
    }
    let hash = *tx.tx_hash();
    if !s.mempool.contains(&raw) {
        s.mempool.push(raw);
    }
    Ok(json!(hash))
}

/// Answers one call.
pub fn handle(s: &mut Shared, method: &str, params: &Value) -> Answer {
    let at = |s: &Shared, i: usize| -> Result<B256, RpcError> {
        let tag = params.get(i).cloned().unwrap_or_else(|| json!("latest"));
        Ok(known(s, &tag)?.header.state_root)
    };
    let store_err = |e: crate::RollupError| RpcError::refused(e.to_string());
    match method {
        "eth_chainId" => Ok(json!(hex(s.seq.config().l2_chain_id.id()))),
        "net_version" => Ok(json!(s.seq.config().l2_chain_id.id().to_string())),
        "eth_blockNumber" => Ok(json!(hex(s.seq.head().number()))),
        "eth_gasPrice" => Ok(json!(hex(s.seq.head().header.base_fee_per_gas.unwrap_or_default() + 1_000))),
        "eth_maxPriorityFeePerGas" => Ok(json!(hex(1_000))),
        "eth_getBlockByNumber" => {
            let full: bool = parse(params, 1, "full transactions")?;
            Ok(block_of(s, param(params, 0, "block")?)?.map_or(Value::Null, |b| block_json(&served(s, b), full)))
        }
        "eth_getBlockByHash" => {
            let hash: B256 = parse(params, 0, "block hash")?;
            let full: bool = parse(params, 1, "full transactions")?;
            let b = s.seq.blocks().iter().find(|b| served_header(s, b).map_or(b.hash(), |h| h.hash()) == hash);
            Ok(b.map_or(Value::Null, |b| block_json(&served(s, b), full)))
        }
        "eth_getBalance" | "eth_getTransactionCount" | "eth_getCode" => {
            let address: Address = parse(params, 0, "address")?;
            let root = at(s, 1)?;
            let account = state::account(s.seq.store(), root, address).map_err(store_err)?;
            Ok(match method {
                "eth_getBalance" => json!(account.map(|a| a.balance).unwrap_or_default()),
                "eth_getTransactionCount" => json!(hex(account.map_or(0, |a| a.nonce))),
                _ => {
                    let code = match account {
                        Some(a) if a.code_hash != alloy::consensus::constants::KECCAK_EMPTY => {
                            use riposte_core::exec::TrieSource;
                            s.seq.store().preimage(&a.code_hash).unwrap_or_default()
                        }
                        _ => Bytes::new(),
                    };
                    json!(code)
                }
            })
        }
        "eth_getStorageAt" => {
            let address: Address = parse(params, 0, "address")?;
            let slot: U256 = parse(params, 1, "storage slot")?;
            let root = at(s, 2)?;
            let value = state::storage(s.seq.store(), root, address, slot).map_err(store_err)?;
            Ok(json!(B256::from(value)))
        }
        "eth_getProof" => {
            let address: Address = parse(params, 0, "address")?;
            let slots: Vec<B256> = parse(params, 1, "storage keys")?;
            let root = at(s, 2)?;
            let store = s.seq.store();
            let (account_proof, _) =
                state::proof(store, root, alloy::primitives::keccak256(address)).map_err(store_err)?;
            let account = state::account(store, root, address).map_err(store_err)?.unwrap_or_default();
            let mut storage = Vec::with_capacity(slots.len());
            for slot in slots {
                let (proof, _) =
                    state::proof(store, account.storage_root, alloy::primitives::keccak256(slot)).map_err(store_err)?;
                let value = state::storage(store, root, address, slot.into()).map_err(store_err)?;
                storage.push(json!({ "key": slot, "value": value, "proof": proof }));
            }
            Ok(json!({
                "address": address,
                "accountProof": account_proof,
                "balance": account.balance,
                "codeHash": account.code_hash,
                "nonce": hex(account.nonce),
                "storageHash": account.storage_root,
                "storageProof": storage,
            }))
        }
        "eth_sendRawTransaction" => send_raw(s, parse(params, 0, "raw transaction")?),
        "eth_getTransactionByHash" => {
            let hash: B256 = parse(params, 0, "transaction hash")?;
            Ok(find_tx(s, hash).map_or(Value::Null, |(b, i)| tx_json(b, i)))
        }
        "eth_getTransactionReceipt" => {
            let hash: B256 = parse(params, 0, "transaction hash")?;
            Ok(find_tx(s, hash).map_or(Value::Null, |(b, i)| receipt_json(b, i)))
        }
        "debug_getRawHeader" | "debug_getRawBlock" => {
            let b = served(s, known(s, param(params, 0, "block")?)?);
            let b = &b;
            Ok(json!(Bytes::from(if method == "debug_getRawHeader" {
                alloy::rlp::encode(b.header.inner())
            } else {
                raw_block(b)
            })))
        }
        "debug_executionWitness" => {
            let b = known(s, param(params, 0, "block")?)?;
            execution_witness(s, b)
        }
        "optimism_rollupConfig" => Ok(s.seq.rollup_json().clone()),
        "optimism_outputAtBlock" => {
            let b = known(s, param(params, 0, "block number")?)?;
            let message_passer = state::account(s.seq.store(), b.header.state_root, riposte_core::exec::MESSAGE_PASSER)
                .map_err(store_err)?
                .map(|a| a.storage_root)
                .unwrap_or_default();
            Ok(json!({
                "version": B256::ZERO,
                "outputRoot": if s.lies.wrong_output_root {
                    alloy::primitives::keccak256(b.output_root)
                } else {
                    b.output_root
                },
                "blockRef": l2_ref(b),
                "withdrawalStorageRoot": message_passer,
                "stateRoot": b.header.state_root,
                "syncStatus": sync_status(s),
            }))
        }
        "optimism_syncStatus" => Ok(sync_status(s)),
        "superroot_atTimestamp" => {
            let raw: String = parse(params, 0, "timestamp")?;
            let t = quantity(&raw).ok_or_else(|| RpcError::params(format!("invalid timestamp {raw:?}")))?;
            Ok(super_root_at(s, t))
        }
        "optimism_safeHeadAtL1Block" => {
            let raw: String = parse(params, 0, "L1 block number")?;
            let n = quantity(&raw).ok_or_else(|| RpcError::params(format!("invalid L1 block number {raw:?}")))?;
            let genesis_l1 = s.seq.config().kona.genesis.l1;
            if n < genesis_l1.number {
                return Err(RpcError::refused(format!("no safe head at L1 block {n}: before the rollup's genesis")));
            }
            let safe = s.safe_by_l1.iter().rev().find(|(l1, _)| *l1 <= n).map_or(0, |(_, l2)| *l2);
            let l2 = s.seq.block(safe).map(|b| json!({ "hash": b.hash(), "number": b.number() }));
            let l1 = s.l1_seen.iter().rev().find(|(num, _)| *num <= n).copied();
            Ok(json!({
                "l1Block": { "number": n, "hash": l1.filter(|(num, _)| *num == n).map(|(_, h)| h) },
                "safeHead": l2,
            }))
        }
        other => Err(RpcError { code: -32601, message: format!("the method {other} does not exist/is not available") }),
    }
}

/// A store that remembers every preimage read through it.
struct Recording<'a, S> {
    inner: &'a S,
    seen: std::cell::RefCell<std::collections::BTreeMap<B256, Bytes>>,
}

impl<S: riposte_core::exec::TrieSource> riposte_core::exec::TrieSource for Recording<'_, S> {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn preimage(&self, hash: &B256) -> Option<Bytes> {
        let v = self.inner.preimage(hash)?;
        self.seen.borrow_mut().insert(*hash, v.clone());
        Some(v)
    }
}

/// `debug_executionWitness` in op-reth's shape: every trie node, bytecode and ancestor header
/// that executing the block on its parent's state reads, found by executing it again.
fn execution_witness(s: &Shared, b: &L2Block) -> Answer {
    let parent = b
        .number()
        .checked_sub(1)
        .and_then(|n| s.seq.block(n))
        .ok_or_else(|| RpcError::refused("block 0 has no execution witness"))?;
    let config = s.seq.config();
    let attrs = riposte_core::exec::payload_from_block(config, b.header.inner(), b.transactions.clone())
        .map_err(|e| RpcError::refused(e.to_string()))?;
    let recording = Recording { inner: s.seq.store(), seen: Default::default() };
    riposte_core::exec::execute_block(config, parent.header.inner(), attrs, &recording)
        .map_err(|e| RpcError::refused(format!("re-executing block {}: {e}", b.number())))?;
    let (mut state, mut codes, mut headers) = (Vec::new(), Vec::new(), Vec::new());
    for value in recording.seen.into_inner().into_values() {
        if <alloy::consensus::Header as alloy::rlp::Decodable>::decode(&mut value.as_ref()).is_ok() {
            headers.push(value);
        } else if matches!(alloy::rlp::Header::decode(&mut value.as_ref()), Ok(h) if h.list) {
            state.push(value);
        } else {
            codes.push(value);
        }
    }
    Ok(json!({ "state": state, "codes": codes, "keys": [], "headers": headers }))
}

/// op-supernode's answer for this one chain: the super root at `t` once the block at `t` is
/// safe, with the L1 block that made it safe; `data` is null before.
fn super_root_at(s: &Shared, t: u64) -> Value {
    let l1 = |n: u64, h: Option<B256>| json!({ "number": n, "hash": h });
    let current = s.l1_seen.last().map(|(n, h)| l1(*n, Some(*h)));
    let config = s.seq.config();
    let block = riposte_solver::trace::super_root::block_at(0, config.kona.genesis.l2_time, config.kona.block_time, t);
    let data = block.filter(|b| *b <= s.safe_head).and_then(|b| {
        let output = s.seq.block(b)?.output_root;
        // The first L1 block after which the block was safe (genesis: safe from the start).
        let required = match b {
            0 => config.kona.genesis.l1.number,
            _ => s.safe_by_l1.iter().find(|(_, safe)| *safe >= b).map(|(n, _)| *n)?,
        };
        let hash = s.l1_seen.iter().find(|(n, _)| *n == required).map(|(_, h)| *h);
        let root = riposte_solver::trace::super_root::SuperRoot::single(t, config.l2_chain_id.id(), output).hash();
        Some(json!({ "verified_required_l1": l1(required, hash), "super_root": root }))
    });
    json!({ "current_l1": current, "data": data })
}

fn sync_status(s: &Shared) -> Value {
    let head = s.seq.head();
    let safe = s.seq.block(s.safe_head).unwrap_or(head);
    let l1 = s.l1_seen.last().map(|(n, h)| json!({ "number": n, "hash": h }));
    json!({
        "current_l1": l1, "head_l1": l1, "safe_l1": l1, "finalized_l1": l1,
        "unsafe_l2": l2_ref(head), "cross_unsafe_l2": l2_ref(head),
        "local_safe_l2": l2_ref(safe), "safe_l2": l2_ref(safe), "finalized_l2": l2_ref(safe),
        "pending_safe_l2": l2_ref(safe),
    })
}
