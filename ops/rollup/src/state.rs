//! Reading an account or a storage slot of any built block's state from the store, every node
//! checked against its hash: what the node's RPC answers `eth_getBalance` and its kin from.

use alloy_primitives::{Address, B256, U256, keccak256};
use alloy_rlp::Decodable;
use alloy_trie::TrieAccount;
use kona_mpt::{Nibbles, TrieNode};
use riposte_core::exec::{Checked, TrieSource};

use crate::RollupError;

fn open<S: TrieSource>(store: &S, root: B256, key: B256, what: &str) -> Result<Option<Vec<u8>>, RollupError> {
    let mut node = TrieNode::new_blinded(root);
    let found = node
        .open(&Nibbles::unpack(key), &Checked(store))
        .map_err(|e| RollupError::State(format!("{what} under root {root}: {e}")))?;
    Ok(found.map(|v| v.to_vec()))
}

/// The account at `address` in the state with root `state_root`, `None` if it has none.
pub fn account<S: TrieSource>(
    store: &S,
    state_root: B256,
    address: Address,
) -> Result<Option<TrieAccount>, RollupError> {
    let what = format!("account {address}");
    let Some(rlp) = open(store, state_root, keccak256(address), &what)? else {
        return Ok(None);
    };
    TrieAccount::decode(&mut rlp.as_slice())
        .map(Some)
        .map_err(|e| RollupError::State(format!("{what}: its leaf does not decode: {e}")))
}

/// The value of `slot` of `address` in the state with root `state_root` (zero if unset).
pub fn storage<S: TrieSource>(store: &S, state_root: B256, address: Address, slot: U256) -> Result<U256, RollupError> {
    let Some(account) = account(store, state_root, address)? else {
        return Ok(U256::ZERO);
    };
    let what = format!("slot {slot:#x} of {address}");
    match open(store, account.storage_root, keccak256(slot.to_be_bytes::<32>()), &what)? {
        None => Ok(U256::ZERO),
        Some(rlp) => U256::decode(&mut rlp.as_slice())
            .map_err(|e| RollupError::State(format!("{what}: its value does not decode: {e}"))),
    }
}

/// The nodes on the path to `key` in the trie with root `root` (EIP-1186 order: root first;
/// nodes inlined in their parent are not listed), and the leaf's value if the key is there.
pub fn proof<S: TrieSource>(
    store: &S,
    root: B256,
    key: B256,
) -> Result<(Vec<alloy_primitives::Bytes>, Option<Vec<u8>>), RollupError> {
    use alloy_rlp::{Decodable, Encodable};
    enum Next {
        Hash(B256),
        Inline(Vec<u8>),
    }
    let path = Nibbles::unpack(key);
    let mut at = 0;
    let mut out = Vec::new();
    if root == alloy_trie::EMPTY_ROOT_HASH {
        return Ok((out, None));
    }
    let mut next = Next::Hash(root);
    loop {
        let rlp = match next {
            Next::Hash(h) => {
                let value = store
                    .preimage(&h)
                    .ok_or_else(|| RollupError::State(format!("trie node {h} is not in the store")))?;
                if alloy_primitives::keccak256(&value) != h {
                    return Err(RollupError::State(format!("the store's trie node {h} does not hash to its key")));
                }
                out.push(value.clone());
                value.to_vec()
            }
            Next::Inline(v) => v,
        };
        let node = TrieNode::decode(&mut rlp.as_slice())
            .map_err(|e| RollupError::State(format!("a trie node under root {root} does not decode: {e}")))?;
        let rest = path.slice(at..);
        match node {
            TrieNode::Leaf { prefix, value } => return Ok((out, (prefix == rest).then(|| value.to_vec()))),
            TrieNode::Extension { prefix, node } => {
                if !rest.starts_with(&prefix) {
                    return Ok((out, None));
                }
                at += prefix.len();
                next = child(*node);
            }
            TrieNode::Branch { mut stack } => {
                let Some(&nibble) = rest.first().as_ref() else { return Ok((out, None)) };
                at += 1;
                next = child(std::mem::replace(&mut stack[usize::from(nibble)], TrieNode::Empty));
            }
            TrieNode::Empty | TrieNode::Blinded { .. } => return Ok((out, None)),
        }
        if let Next::Inline(v) = &next
            && v.as_slice() == [alloy_rlp::EMPTY_STRING_CODE]
        {
            return Ok((out, None));
        }
        fn child(node: TrieNode) -> Next {
            match node {
                TrieNode::Blinded { commitment } => Next::Hash(commitment),
                other => {
                    let mut v = Vec::with_capacity(other.length());
                    other.encode(&mut v);
                    Next::Inline(v)
                }
            }
        }
    }
}
