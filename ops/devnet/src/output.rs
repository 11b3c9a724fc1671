//! L2 output roots from an L2 node, with the message passer's account proof verified by the
//! same code the agent trusts (`riposte_solver::trace::output`).

use alloy::primitives::B256;
use alloy::rpc::types::EIP1186AccountProofResponse;

pub use riposte_solver::trace::output::L2_TO_L1_MESSAGE_PASSER;

/// Verifies an `eth_getProof` account proof against `state_root` and returns the account's
/// storage root (the empty trie root for an account that does not exist).
pub fn verify_account_proof(state_root: B256, proof: &EIP1186AccountProofResponse) -> Result<B256, String> {
    riposte_solver::trace::output::verify_account_proof(state_root, &riposte_chain::outputs::account_proof(proof))
        .map_err(|e| e.to_string())
}
