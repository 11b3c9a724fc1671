//! An L2 node's execution witness (`debug_executionWitness`) as a [`TrieSource`].
//!
//! op-reth answers with lists of hex strings (`state`, `codes`, `keys`, RLP `headers`); op-geth
//! has answered with maps keyed by hash and headers as JSON objects. Both shapes are read; keys are
//! ignored, since every value is filed under the hash we compute ourselves.

use crate::exec::{MemoryStore, TrieSource};
use alloy_consensus::Header;
use alloy_primitives::{B256, Bytes};
use alloy_rlp::Encodable;
use serde_json::Value;

/// Why a witness cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("execution witness of L2 block {block} from {node}: {what}")]
pub struct WitnessError {
    /// The block the witness is for.
    pub block: u64,
    /// The node that served it.
    pub node: String,
    /// What is wrong.
    pub what: String,
}

/// The preimages of one block's execution witness.
#[derive(Debug, Clone)]
pub struct WitnessStore {
    inner: MemoryStore,
    /// Trie nodes read from `state`.
    pub nodes: usize,
    /// Bytecodes read from `codes`.
    pub codes: usize,
    /// Headers read from `headers`.
    pub headers: usize,
}

impl TrieSource for WitnessStore {
    fn describe(&self) -> String {
        self.inner.describe()
    }

    fn preimage(&self, hash: &B256) -> Option<Bytes> {
        self.inner.preimage(hash)
    }
}

/// The values of a list or of a map.
fn values<'a>(
    v: Option<&'a Value>,
    field: &str,
    fail: &dyn Fn(String) -> WitnessError,
) -> Result<Vec<&'a Value>, WitnessError> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.iter().collect()),
        Some(Value::Object(map)) => Ok(map.values().collect()),
        Some(other) => Err(fail(format!("`{field}` is neither a list nor a map: {}", kind(other)))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn hex_value(
    v: &Value,
    field: &str,
    index: usize,
    fail: &dyn Fn(String) -> WitnessError,
) -> Result<Bytes, WitnessError> {
    let s = v.as_str().ok_or_else(|| fail(format!("`{field}`[{index}] is {}, not a hex string", kind(v))))?;
    s.parse::<Bytes>().map_err(|e| fail(format!("`{field}`[{index}] is not hex: {e}")))
}

/// Reads the JSON result of `debug_executionWitness` for `block`, served by `node`.
pub fn witness_store(block: u64, node: &str, result: &Value) -> Result<WitnessStore, WitnessError> {
    let fail = |what: String| WitnessError { block, node: node.to_owned(), what };
    let obj = result.as_object().ok_or_else(|| fail(format!("the result is {}, not an object", kind(result))))?;
    let mut inner = MemoryStore::new(format!("the execution witness of L2 block {block} from {node}"));
    let state = values(obj.get("state"), "state", &fail)?;
    if state.is_empty() {
        return Err(fail("`state` is empty: no trie node to execute from".into()));
    }
    for (i, v) in state.iter().enumerate() {
        inner.insert(hex_value(v, "state", i, &fail)?);
    }
    let codes = values(obj.get("codes"), "codes", &fail)?;
    for (i, v) in codes.iter().enumerate() {
        inner.insert(hex_value(v, "codes", i, &fail)?);
    }
    let headers = values(obj.get("headers"), "headers", &fail)?;
    for (i, v) in headers.iter().enumerate() {
        let rlp = if v.is_string() {
            hex_value(v, "headers", i, &fail)?
        } else {
            let header: Header = serde_json::from_value((*v).clone())
                .map_err(|e| fail(format!("`headers`[{i}] is not a header: {e}")))?;
            let mut out = Vec::new();
            header.encode(&mut out);
            Bytes::from(out)
        };
        inner.insert(rlp);
    }
    Ok(WitnessStore { inner, nodes: state.len(), codes: codes.len(), headers: headers.len() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn both_shapes_file_values_under_their_own_hash() {
        let node = "0xc28080";
        let list = serde_json::json!({ "state": [node], "codes": ["0x6000"], "keys": [], "headers": [] });
        let map = serde_json::json!({ "state": { "0xignored": node }, "codes": {}, "headers": [] });
        for v in [list, map] {
            let store = witness_store(7, "http://l2", &v).expect("valid witness");
            let hash = keccak256(alloy_primitives::hex::decode(node).expect("hex"));
            assert!(store.preimage(&hash).is_some());
            assert!(store.describe().contains("L2 block 7 from http://l2"));
        }
    }

    #[test]
    fn malformed_witnesses_are_named() {
        for (v, needle) in [
            (serde_json::json!("0x"), "not an object"),
            (serde_json::json!({ "state": [] }), "`state` is empty"),
            (serde_json::json!({ "state": [1] }), "`state`[0] is a number"),
            (serde_json::json!({ "state": ["zz"] }), "`state`[0] is not hex"),
            (serde_json::json!({ "state": ["0x80"], "codes": 3 }), "`codes` is neither"),
            (serde_json::json!({ "state": ["0x80"], "headers": [{ "number": "x" }] }), "`headers`[0] is not a header"),
        ] {
            let e = witness_store(9, "http://l2", &v).expect_err(needle);
            assert!(e.to_string().contains(needle) && e.to_string().contains("L2 block 9"), "{e}");
        }
    }
}
