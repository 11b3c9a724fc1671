//! L2 output roots from an L2 node, with the message passer's account proof verified by the
//! same code the agent trusts (`riposte_solver::trace::output`).

use alloy::eips::BlockNumberOrTag;
use alloy::primitives::B256;
use alloy::providers::Provider;
use alloy::rpc::types::EIP1186AccountProofResponse;
use riposte_game::{OutputRootProof, output_root_v0};

use crate::{Chain, DevnetError, Result};

pub use riposte_solver::trace::output::L2_TO_L1_MESSAGE_PASSER;

/// Verifies an `eth_getProof` account proof against `state_root` and returns the account's
/// storage root (the empty trie root for an account that does not exist).
pub fn verify_account_proof(state_root: B256, proof: &EIP1186AccountProofResponse) -> Result<B256, String> {
    riposte_solver::trace::output::verify_account_proof(state_root, &riposte_chain::outputs::account_proof(proof))
        .map_err(|e| e.to_string())
}

/// The verified output root of `block` on `l2`.
pub(crate) async fn output_root_of(l2: &Chain, block: u64) -> Result<(B256, OutputRootProof)> {
    let what = format!("L2 eth_getBlockByNumber({block})");
    let header = l2
        .provider()
        .get_block_by_number(BlockNumberOrTag::Number(block))
        .await
        .map_err(|e| l2.rpc_error(what.clone(), e))?
        .ok_or_else(|| DevnetError::Decode { what, reason: "no such L2 block".into() })?
        .header;
    let proof = l2
        .provider()
        .get_proof(L2_TO_L1_MESSAGE_PASSER, Vec::new())
        .number(block)
        .await
        .map_err(|e| l2.rpc_error(format!("L2 eth_getProof({L2_TO_L1_MESSAGE_PASSER}, {block})"), e))?;
    if proof.address != L2_TO_L1_MESSAGE_PASSER {
        return Err(DevnetError::ProofInvalid {
            block,
            address: L2_TO_L1_MESSAGE_PASSER,
            state_root: header.state_root,
            reason: format!("the proof is for {}", proof.address),
        });
    }
    let storage_root = verify_account_proof(header.state_root, &proof).map_err(|reason| DevnetError::ProofInvalid {
        block,
        address: L2_TO_L1_MESSAGE_PASSER,
        state_root: header.state_root,
        reason,
    })?;
    let preimage = OutputRootProof {
        version: B256::ZERO,
        state_root: header.state_root,
        message_passer_storage_root: storage_root,
        latest_blockhash: header.hash,
    };
    Ok((output_root_v0(header.state_root, storage_root, header.hash), preimage))
}
