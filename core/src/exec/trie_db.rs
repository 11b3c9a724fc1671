//! The parent block's state as a revm [`Database`]: accounts and storage read from trie nodes,
//! bytecodes and ancestor headers from the preimage source, all checked hash by hash; after
//! execution the changes are written back into the tries to give the new state root.

use super::{Checked, TrieSource};
use alloy_consensus::{EMPTY_ROOT_HASH, Header, Sealed};
use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_rlp::{Decodable, Encodable};
use alloy_trie::TrieAccount;
use kona_mpt::{NoopTrieHinter, TrieNode, TrieNodeError};
use revm::{
    Database,
    database::BundleState,
    database_interface::DBErrorMarker,
    primitives::{BLOCK_HASH_HISTORY, StorageKey, StorageValue},
    state::{AccountInfo, Bytecode},
};
use std::collections::HashMap;

/// Why the state could not be read or written; the text names the hash or account.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub(crate) struct TrieDbError(pub(crate) String);

impl DBErrorMarker for TrieDbError {}

impl From<TrieNodeError> for TrieDbError {
    fn from(e: TrieNodeError) -> Self {
        Self(e.to_string())
    }
}

/// The state of one block, opened lazily from its state root.
pub(crate) struct TrieDb<'a, S: ?Sized> {
    root: TrieNode,
    storage: HashMap<Address, TrieNode>,
    parent: Sealed<Header>,
    source: Checked<'a, S>,
}

impl<S: TrieSource + ?Sized> std::fmt::Debug for TrieDb<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TrieDb(parent {}, {:?})", self.parent.seal(), self.source)
    }
}

fn path(hash: B256) -> kona_mpt::Nibbles {
    kona_mpt::Nibbles::unpack(hash)
}

impl<'a, S: TrieSource + ?Sized> TrieDb<'a, S> {
    /// The state after `parent`.
    pub(crate) fn new(parent: Sealed<Header>, source: &'a S) -> Self {
        Self {
            root: TrieNode::new_blinded(parent.state_root),
            storage: HashMap::new(),
            parent,
            source: Checked(source),
        }
    }

    fn account(&mut self, address: &Address) -> Result<Option<TrieAccount>, TrieDbError> {
        let Some(rlp) = self.root.open(&path(keccak256(address)), &self.source)? else {
            return Ok(None);
        };
        TrieAccount::decode(&mut rlp.as_ref())
            .map(Some)
            .map_err(|e| TrieDbError(format!("account {address}: its trie leaf does not decode: {e}")))
    }

    /// Writes the bundle's changes into the tries and returns the new state root.
    pub(crate) fn apply(&mut self, bundle: &BundleState) -> Result<B256, TrieDbError> {
        let mut accounts: Vec<_> = bundle.state().iter().map(|(a, acc)| (keccak256(a), *a, acc)).collect();
        accounts.sort_by_key(|(hashed, ..)| *hashed);
        for (hashed, address, account) in accounts {
            if account.status.is_not_modified() {
                continue;
            }
            if account.was_destroyed() {
                self.root.delete(&path(hashed), &self.source, &NoopTrieHinter)?;
                self.storage.remove(&address);
                continue;
            }
            let info = account
                .account_info()
                .ok_or_else(|| TrieDbError(format!("account {address}: changed but has no account info")))?;
            let storage = self.storage.entry(address).or_insert_with(|| TrieNode::new_blinded(EMPTY_ROOT_HASH));
            let mut slots: Vec<_> =
                account.storage.iter().map(|(k, v)| (keccak256(k.to_be_bytes::<32>()), v)).collect();
            slots.sort_by_key(|(hashed, _)| *hashed);
            for (hashed_slot, slot) in slots {
                if !slot.is_changed() {
                    continue;
                }
                if slot.present_value.is_zero() {
                    storage.delete(&path(hashed_slot), &self.source, &NoopTrieHinter)?;
                } else {
                    let mut rlp = Vec::with_capacity(33);
                    slot.present_value.encode(&mut rlp);
                    storage.insert(&path(hashed_slot), rlp.into(), &self.source)?;
                }
            }
            let leaf = TrieAccount {
                nonce: info.nonce,
                balance: info.balance,
                storage_root: storage.blind(),
                code_hash: info.code_hash,
            };
            let mut rlp = Vec::with_capacity(leaf.length());
            leaf.encode(&mut rlp);
            self.root.insert(&path(hashed), rlp.into(), &self.source)?;
        }
        Ok(self.root.blind())
    }

    /// Every trie node open in the state and storage tries (read or written), RLP-encoded. With
    /// the parent's preimages these are enough to open the state this one was updated to.
    pub(crate) fn open_nodes(&self, out: &mut Vec<Bytes>) {
        collect(&self.root, out);
        for node in self.storage.values() {
            collect(node, out);
        }
    }

    /// The storage root of `address` in the current (possibly updated) state, if the source has
    /// the path to it.
    pub(crate) fn storage_root(&mut self, address: &Address) -> Result<Option<B256>, TrieDbError> {
        if let Some(node) = self.storage.get(address) {
            return Ok(Some(node.blind()));
        }
        Ok(self.account(address)?.map(|a| a.storage_root))
    }
}

/// Every open node of the trie under `node` (itself included unless it is blinded or empty),
/// RLP-encoded: what a store keyed by keccak needs to open what `node` holds.
pub fn collect(node: &TrieNode, out: &mut Vec<Bytes>) {
    let mut push = |n: &TrieNode| {
        let mut rlp = Vec::with_capacity(n.length());
        n.encode(&mut rlp);
        out.push(rlp.into());
    };
    match node {
        TrieNode::Empty | TrieNode::Blinded { .. } => {}
        TrieNode::Leaf { .. } => push(node),
        TrieNode::Extension { node: child, .. } => {
            push(node);
            collect(child, out);
        }
        TrieNode::Branch { stack } => {
            push(node);
            for child in stack {
                collect(child, out);
            }
        }
    }
}

impl<S: TrieSource + ?Sized> Database for TrieDb<'_, S> {
    type Error = TrieDbError;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Self::Error> {
        let Some(account) = self.account(&address)? else {
            return Ok(None);
        };
        self.storage.insert(address, TrieNode::new_blinded(account.storage_root));
        Ok(Some(AccountInfo {
            balance: account.balance,
            nonce: account.nonce,
            code_hash: account.code_hash,
            code: None,
            ..Default::default()
        }))
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Self::Error> {
        let code = self.source.get("bytecode", code_hash).map_err(|e| TrieDbError(e.to_string()))?;
        Ok(Bytecode::new_raw(code))
    }

    fn storage(&mut self, address: Address, index: StorageKey) -> Result<StorageValue, Self::Error> {
        let Some(root) = self.storage.get_mut(&address) else {
            // Not an account of the state: revm asks only after `basic`, so it has no storage.
            return Ok(U256::ZERO);
        };
        let hashed = keccak256(index.to_be_bytes::<32>());
        match root.open(&path(hashed), &self.source)? {
            None => Ok(U256::ZERO),
            Some(rlp) => U256::decode(&mut rlp.as_ref())
                .map_err(|e| TrieDbError(format!("account {address} slot {index:#x}: value does not decode: {e}"))),
        }
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        let parent_number = self.parent.number;
        if number > parent_number || parent_number - number > BLOCK_HASH_HISTORY {
            return Ok(B256::ZERO);
        }
        let mut hash = self.parent.seal();
        let mut header = self.parent.inner().clone();
        while header.number > number {
            hash = header.parent_hash;
            header = self.source.header(hash).map_err(|e| TrieDbError(e.to_string()))?;
        }
        Ok(hash)
    }
}
