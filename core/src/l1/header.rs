//! L1 header hashing with the fields alloy 1.8's `Header` lacks: Amsterdam's
//! `blockAccessListHash` (EIP-7928) and `slotNumber` (EIP-7843), appended after `requestsHash`.
//! A header fetched as JSON is re-hashed with them when the node serves them, so the hash check
//! keeps working on L1 Sepolia (Amsterdam since 2026-10-06) and on mainnet when it activates.

use alloy_consensus::Header;
use alloy_primitives::{B256, U256, keccak256};
use alloy_rlp::Encodable;
use serde_json::Value;

/// The header fields after Prague that alloy 1.8's `Header` does not carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AmsterdamFields {
    /// EIP-7928's block access list hash.
    pub block_access_list_hash: Option<B256>,
    /// EIP-7843's slot number.
    pub slot_number: Option<u64>,
}

impl AmsterdamFields {
    /// Reads the fields from a JSON block (`eth_getBlockBy*`); absent or null means absent. A
    /// malformed value is named.
    pub fn from_json(block: &Value) -> Result<Self, String> {
        let hash = match block.get("blockAccessListHash") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                serde_json::from_value::<B256>(v.clone())
                    .map_err(|e| format!("blockAccessListHash {v} is not a 32-byte hash: {e}"))?,
            ),
        };
        let slot = match block.get("slotNumber") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                serde_json::from_value::<alloy_primitives::U64>(v.clone())
                    .map_err(|e| format!("slotNumber {v} is not a quantity: {e}"))?
                    .to::<u64>(),
            ),
        };
        if slot.is_some() && hash.is_none() {
            return Err("slotNumber without blockAccessListHash: no header has that shape".into());
        }
        Ok(Self { block_access_list_hash: hash, slot_number: slot })
    }

    /// Whether the header has none of them (every header before Amsterdam).
    pub const fn is_empty(&self) -> bool {
        self.block_access_list_hash.is_none() && self.slot_number.is_none()
    }
}

/// Why a header with Amsterdam fields cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("L1 block {block}: an Amsterdam header must also carry {missing}")]
pub struct HeaderShapeError {
    /// The block number.
    pub block: u64,
    /// The earlier field it lacks.
    pub missing: &'static str,
}

/// The block hash of `header` with `extra` appended: `keccak256(rlp(header ‖ extra))`.
pub fn header_hash(header: &Header, extra: &AmsterdamFields) -> Result<B256, HeaderShapeError> {
    if extra.is_empty() {
        return Ok(header.hash_slow());
    }
    // Optional fields are positional: a later one needs every earlier one.
    if header.requests_hash.is_none() {
        return Err(HeaderShapeError { block: header.number, missing: "requestsHash (Prague)" });
    }
    let mut inner = Vec::with_capacity(header.length() + 48);
    header.encode(&mut inner);
    let mut rest = inner.as_slice();
    let list = alloy_rlp::Header::decode(&mut rest)
        .map_err(|_| HeaderShapeError { block: header.number, missing: "a valid RLP list" })?;
    let mut payload = rest[..list.payload_length].to_vec();
    if let Some(h) = extra.block_access_list_hash {
        h.encode(&mut payload);
    }
    if let Some(slot) = extra.slot_number {
        U256::from(slot).encode(&mut payload);
    }
    let mut out = Vec::with_capacity(payload.len() + 4);
    alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
    out.extend_from_slice(&payload);
    Ok(keccak256(out))
}

// `eth_getBlockByNumber` answers of a local reth v2.7.0 devnet (extraData "reth/v2.7.0/linux")
// at its Amsterdam fork: block 0xbf, the last before it, and 0xc0, the first after it, with
// the hashes reth gave them. Published as test data in a public repository, found through
// the code index (which does not name the repository); the hashes are the node's.
#[cfg(test)]
pub(crate) const PRAGUE: &str = r#"{"baseFeePerGas": "0x7", "blobGasUsed": "0x0", "difficulty": "0x0", "excessBlobGas": "0x0", "extraData": "0x726574682f76322e372e302f6c696e7578", "gasLimit": "0xbebc200", "gasUsed": "0x0", "hash": "0x2648510bb7819909b36373a3a2ccda82a51a0c8b154d03ff7710ef8d64b689e6", "logsBloom": "0x00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "miner": "0x8943545177806ed17b9f23f0a21ee5948ecaa776", "mixHash": "0x879d6ebf21224bb92a05f0c4d50a2823ae85c1bfda76dd171381184d6f4070c5", "nonce": "0x0000000000000000", "number": "0xbf", "parentBeaconBlockRoot": "0x9bdd621d2614dc45107bc9f80a2221de691a899d7740569523c6e0cc24f4ffd6", "parentHash": "0x74f90ca1c71db6591cc4510eb6e831bdf7fcc7beabcdcbfaa1e7cb0788840153", "receiptsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "requestsHash": "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", "stateRoot": "0xd430244510b470423f038afbfb318f1e8b458357727dd4959845e6b0182fbae8", "timestamp": "0x6abd0dc7", "transactionsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "withdrawalsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"}"#;
#[cfg(test)]
pub(crate) const AMSTERDAM: &str = r#"{"baseFeePerGas": "0x7", "blobGasUsed": "0x0", "blockAccessListHash": "0x1d33a17375e8dd0aef5da65c3f51422043f1c40d52eceaaca238cc92501aa32e", "difficulty": "0x0", "excessBlobGas": "0x0", "extraData": "0x726574682f76322e372e302f6c696e7578", "gasLimit": "0xbebc200", "gasUsed": "0x0", "hash": "0x86e1583ca604ce5de648b44c41fb309b8dfe72ab21b57ad9f12eb0d92ac991f8", "logsBloom": "0x00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "miner": "0x8943545177806ed17b9f23f0a21ee5948ecaa776", "mixHash": "0x27184df4d2e2182675a2310a546d32e0d74a7accd4fbeafa84a903cd489dd40c", "nonce": "0x0000000000000000", "number": "0xc0", "parentBeaconBlockRoot": "0x1214de134cf32c261ff3c2b6f96435016e9b98bf7dcd4870ad0009a2acf79974", "parentHash": "0x2648510bb7819909b36373a3a2ccda82a51a0c8b154d03ff7710ef8d64b689e6", "receiptsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "requestsHash": "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha3Uncles": "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347", "slotNumber": "0xc0", "stateRoot": "0x2338ab0cb5b76db31251fc2352e9142fd8b2bf19de6ac4a3c201b84d6ba737d3", "timestamp": "0x6abd0dcb", "transactionsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421", "withdrawalsRoot": "0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421"}"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(block: &str) -> (Header, AmsterdamFields, B256) {
        let v: Value = serde_json::from_str(block).expect("json");
        let h: Header = serde_json::from_value(v.clone()).expect("header");
        let hash = serde_json::from_value(v["hash"].clone()).expect("hash");
        (h, AmsterdamFields::from_json(&v).expect("fields"), hash)
    }

    #[test]
    fn headers_on_both_sides_of_amsterdam_hash_to_the_nodes_hash() {
        let (prague, none, prague_hash) = parse(PRAGUE);
        assert!(none.is_empty());
        assert_eq!(header_hash(&prague, &none), Ok(prague_hash));
        let (amsterdam, fields, hash) = parse(AMSTERDAM);
        assert_eq!(fields.slot_number, Some(0xc0));
        assert_eq!(header_hash(&amsterdam, &fields), Ok(hash));
        // alloy 1.8's Header alone hashes the Amsterdam block wrong: the reason for this module.
        assert_ne!(amsterdam.hash_slow(), hash);
        assert_eq!(amsterdam.parent_hash, prague_hash);
    }

    #[test]
    fn malformed_or_impossible_fields_are_named() {
        let mut v: Value = serde_json::from_str(AMSTERDAM).expect("json");
        v["slotNumber"] = "soon".into();
        assert!(AmsterdamFields::from_json(&v).expect_err("bad slot").contains("slotNumber \"soon\""));
        v["slotNumber"] = "0x1".into();
        v["blockAccessListHash"] = "0x12".into();
        assert!(AmsterdamFields::from_json(&v).expect_err("bad hash").contains("blockAccessListHash"));
        v["blockAccessListHash"] = Value::Null;
        assert!(AmsterdamFields::from_json(&v).expect_err("slot alone").contains("without blockAccessListHash"));
        let (mut h, fields, _) = parse(AMSTERDAM);
        h.requests_hash = None;
        assert_eq!(header_hash(&h, &fields), Err(HeaderShapeError { block: 0xc0, missing: "requestsHash (Prague)" }));
    }
}
