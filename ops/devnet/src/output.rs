//! L2 output roots from an L2 node, with the message passer's account proof verified.

use alloy::consensus::TrieAccount;
use alloy::primitives::{Address, B256, U256, address, keccak256};
use alloy::rpc::types::EIP1186AccountProofResponse;
use alloy::trie::proof::verify_proof;
use alloy::trie::{EMPTY_ROOT_HASH, KECCAK_EMPTY, Nibbles};

/// The `L2ToL1MessagePasser` predeploy, whose storage root is part of every output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// Verifies an `eth_getProof` account proof against `state_root` and returns the account's
/// storage root.
///
/// An account that does not exist (zero nonce and balance, no code, no storage) must come with
/// an exclusion proof; its storage root is the empty trie root. Anything else must come with an
/// inclusion proof of exactly the fields the response claims.
pub fn verify_account_proof(state_root: B256, proof: &EIP1186AccountProofResponse) -> Result<B256, String> {
    let key = Nibbles::unpack(keccak256(proof.address));
    let no_code = proof.code_hash == KECCAK_EMPTY || proof.code_hash == B256::ZERO;
    let no_storage = proof.storage_hash == EMPTY_ROOT_HASH || proof.storage_hash == B256::ZERO;
    let absent = proof.nonce == 0 && proof.balance == U256::ZERO && no_code && no_storage;
    if absent {
        verify_proof(state_root, key, None, &proof.account_proof)
            .map_err(|e| format!("exclusion proof of an empty account: {e}"))?;
        return Ok(EMPTY_ROOT_HASH);
    }
    let account = TrieAccount {
        nonce: proof.nonce,
        balance: proof.balance,
        storage_root: proof.storage_hash,
        code_hash: proof.code_hash,
    };
    verify_proof(state_root, key, Some(alloy::rlp::encode(account)), &proof.account_proof)
        .map_err(|e| format!("inclusion proof: {e}"))?;
    Ok(proof.storage_hash)
}
