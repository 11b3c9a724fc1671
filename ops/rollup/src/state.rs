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
