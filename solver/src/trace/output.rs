//! Output roots computed from L2 data riposte verifies itself.
//!
//! An output root v0 commits to a block's state root, its hash, and the storage root of the
//! `L2ToL1MessagePasser`. A node's `eth_getProof` answer for that account is only used once its
//! Merkle proof checks out against the block's state root.

use alloy_primitives::{Address, B256, Bytes, U256, address, keccak256};
use alloy_trie::{EMPTY_ROOT_HASH, KECCAK_EMPTY, Nibbles, TrieAccount, proof::verify_proof};
use riposte_game::output_root_v0;

use crate::TraceError;

/// The `L2ToL1MessagePasser` predeploy.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// An account as `eth_getProof` reports it, with its proof from the state root.
#[derive(Debug, Clone, Copy)]
pub struct AccountProof<'a> {
    /// The account.
    pub address: Address,
    /// Its nonce.
    pub nonce: u64,
    /// Its balance.
    pub balance: U256,
    /// Its storage root.
    pub storage_hash: B256,
    /// Its code hash.
    pub code_hash: B256,
    /// Trie nodes from the state root down to the account.
    pub proof: &'a [Bytes],
}

/// Checks `account` against `state_root` and returns its verified storage root.
///
/// An account that does not exist must come with an exclusion proof and has the empty storage
/// root; any other must come with an inclusion proof of exactly the reported fields.
pub fn verify_account_proof(state_root: B256, account: &AccountProof<'_>) -> Result<B256, TraceError> {
    let key = Nibbles::unpack(keccak256(account.address));
    let no_code = account.code_hash == KECCAK_EMPTY || account.code_hash == B256::ZERO;
    let no_storage = account.storage_hash == EMPTY_ROOT_HASH || account.storage_hash == B256::ZERO;
    let bad = |e: String| TraceError::Unsupported(format!("account proof of {} does not verify: {e}", account.address));
    if account.nonce == 0 && account.balance.is_zero() && no_code && no_storage {
        verify_proof(state_root, key, None, account.proof).map_err(|e| bad(format!("exclusion: {e}")))?;
        return Ok(EMPTY_ROOT_HASH);
    }
    let leaf = TrieAccount {
        nonce: account.nonce,
        balance: account.balance,
        storage_root: account.storage_hash,
        code_hash: account.code_hash,
    };
    verify_proof(state_root, key, Some(alloy_rlp::encode(leaf)), account.proof)
        .map_err(|e| bad(format!("inclusion: {e}")))?;
    Ok(account.storage_hash)
}

/// The output root of a block, from its header fields and a message-passer proof that must
/// verify against the state root.
pub fn verified_output_root(state_root: B256, block_hash: B256, passer: &AccountProof<'_>) -> Result<B256, TraceError> {
    if passer.address != L2_TO_L1_MESSAGE_PASSER {
        return Err(TraceError::Unsupported(format!(
            "output roots need the proof of {L2_TO_L1_MESSAGE_PASSER}, got {}",
            passer.address
        )));
    }
    let storage_root = verify_account_proof(state_root, passer)?;
    Ok(output_root_v0(state_root, storage_root, block_hash))
}

#[cfg(test)]
mod tests {
    use alloy_trie::{HashBuilder, proof::ProofRetainer};

    use super::*;

    /// A state trie holding `accounts`, and the proof nodes for `target`.
    fn trie(accounts: &[(Address, TrieAccount)], target: Address) -> (B256, Vec<Bytes>) {
        let mut leaves: Vec<(Nibbles, Vec<u8>)> =
            accounts.iter().map(|(a, acc)| (Nibbles::unpack(keccak256(a)), alloy_rlp::encode(acc))).collect();
        leaves.sort_by_key(|l| l.0);
        let target = Nibbles::unpack(keccak256(target));
        let mut hb = HashBuilder::default().with_proof_retainer(ProofRetainer::new(vec![target]));
        for (k, v) in &leaves {
            hb.add_leaf(*k, v);
        }
        let root = hb.root();
        let proof = hb.take_proof_nodes().matching_nodes_sorted(&target).into_iter().map(|(_, n)| n).collect();
        (root, proof)
    }

    fn account(n: u64) -> TrieAccount {
        TrieAccount {
            nonce: n,
            balance: U256::from(n * 1000),
            storage_root: keccak256(n.to_be_bytes()),
            code_hash: keccak256([n as u8]),
        }
    }

    fn proof_of<'a>(who: Address, acc: &TrieAccount, proof: &'a [Bytes]) -> AccountProof<'a> {
        AccountProof {
            address: who,
            nonce: acc.nonce,
            balance: acc.balance,
            storage_hash: acc.storage_root,
            code_hash: acc.code_hash,
            proof,
        }
    }

    #[test]
    fn inclusion_proof_gives_the_storage_root_and_output() {
        let others: Vec<(Address, TrieAccount)> =
            (1..20u8).map(|i| (Address::repeat_byte(i), account(i.into()))).collect();
        let passer = account(77);
        let mut all = others.clone();
        all.push((L2_TO_L1_MESSAGE_PASSER, passer));
        let (root, proof) = trie(&all, L2_TO_L1_MESSAGE_PASSER);
        let p = proof_of(L2_TO_L1_MESSAGE_PASSER, &passer, &proof);
        assert_eq!(verify_account_proof(root, &p).unwrap(), passer.storage_root);
        let hash = B256::repeat_byte(9);
        assert_eq!(verified_output_root(root, hash, &p).unwrap(), output_root_v0(root, passer.storage_root, hash));
    }

    #[test]
    fn a_lying_node_is_caught() {
        let passer = account(77);
        let all = vec![(Address::repeat_byte(1), account(1)), (L2_TO_L1_MESSAGE_PASSER, passer)];
        let (root, proof) = trie(&all, L2_TO_L1_MESSAGE_PASSER);
        // A different storage root than the trie holds.
        let forged = TrieAccount { storage_root: B256::repeat_byte(0xEE), ..passer };
        assert!(verify_account_proof(root, &proof_of(L2_TO_L1_MESSAGE_PASSER, &forged, &proof)).is_err());
        // The right data against another state root.
        assert!(
            verify_account_proof(B256::repeat_byte(1), &proof_of(L2_TO_L1_MESSAGE_PASSER, &passer, &proof)).is_err()
        );
        // A claim that the account does not exist, while it does.
        let empty =
            TrieAccount { nonce: 0, balance: U256::ZERO, storage_root: EMPTY_ROOT_HASH, code_hash: KECCAK_EMPTY };
        let err = verify_account_proof(root, &proof_of(L2_TO_L1_MESSAGE_PASSER, &empty, &proof)).unwrap_err();
        assert!(err.to_string().contains("0x4200000000000000000000000000000000000016"), "{err}");
    }

    #[test]
    fn absent_account_needs_an_exclusion_proof() {
        let all: Vec<(Address, TrieAccount)> = (1..6u8).map(|i| (Address::repeat_byte(i), account(i.into()))).collect();
        let (root, proof) = trie(&all, L2_TO_L1_MESSAGE_PASSER);
        let empty =
            TrieAccount { nonce: 0, balance: U256::ZERO, storage_root: EMPTY_ROOT_HASH, code_hash: KECCAK_EMPTY };
        assert_eq!(
            verify_account_proof(root, &proof_of(L2_TO_L1_MESSAGE_PASSER, &empty, &proof)).unwrap(),
            EMPTY_ROOT_HASH
        );
        // Claiming the proof for another address is refused by the output helper.
        let other = proof_of(Address::repeat_byte(1), &empty, &proof);
        assert!(verified_output_root(root, B256::ZERO, &other).is_err());
    }
}
