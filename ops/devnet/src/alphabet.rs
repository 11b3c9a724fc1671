//! op-challenger's alphabet trace as our `AlphabetVM` proves it: the honest claims and step
//! data of the execution subgames of an alphabet game (type 255).
//!
//! For disputed L2 block `B` (local data ident 4) let `S = 16·(B−1)`. The state at local trace
//! index `i` is `abi.encode(S+i+1, 0x60+S+i+1)`; its claim is keccak256 of that with status
//! byte INVALID (1). The absolute prestate is `abi.encode(0x60)` with status UNFINISHED (3), and
//! one VM step maps `(t, v)` to `(t+1, v+1)`, the prestate to index 0.

use alloy::primitives::{B256, Bytes, U256};
use alloy::sol_types::SolValue;
use riposte_game::{Claim, ClaimTree, GameDepth, Position, VmStatus};

use crate::Result;

/// The word the absolute prestate holds (`0x60`, the letter before `a`).
pub const PRESTATE_VALUE: u64 = 0x60;

/// The absolute prestate's preimage, `abi.encode(uint256(0x60))`: the state data of a step
/// from the prestate.
pub fn prestate_data() -> Bytes {
    U256::from(PRESTATE_VALUE).abi_encode().into()
}

/// The alphabet game's `absolutePrestate`: keccak256 of [`prestate_data`] with status 3.
pub fn absolute_prestate() -> B256 {
    VmStatus::Unfinished.state_hash(&prestate_data())
}

/// `S = 16·(B−1)`: where the trace of disputed block `B` starts.
pub fn trace_start(disputed_block: u64) -> u64 {
    disputed_block.saturating_sub(1) << 4
}

/// The state at local trace index `i` of the subgame disputing block `B`:
/// `abi.encode(S+i+1, 0x60+S+i+1)`.
pub fn state(disputed_block: u64, i: u64) -> Bytes {
    let t = trace_start(disputed_block) + i + 1;
    (U256::from(t), U256::from(PRESTATE_VALUE + t)).abi_encode_params().into()
}

/// The honest claim at local trace index `i` of the subgame disputing block `B`.
pub fn claim(disputed_block: u64, i: u64) -> B256 {
    VmStatus::Invalid.state_hash(&state(disputed_block, i))
}

/// The state data a step needs to prove the claim at local trace index `i` (the pre-state):
/// the prestate preimage for `i = 0`, else the state at `i − 1`. An attack-step on the leaf at
/// `i` uses `step_data(B, i)`; a defend-step uses `step_data(B, i + 1)`.
pub fn step_data(disputed_block: u64, i: u64) -> Bytes {
    match i.checked_sub(1) {
        None => prestate_data(),
        Some(prev) => state(disputed_block, prev),
    }
}

/// The L2 block the execution subgame holding claim `index` disputes, as `addLocalData`
/// ident 4 computes it: `startingBlock + traceIndex(disputedPos, split) + 1`, at most
/// `clamp_to` (the proposal's block, from 1.3 on; [`crate::FaultGame::clamp`]).
pub fn disputed_block(
    tree: &ClaimTree,
    index: usize,
    depth: GameDepth,
    starting_block: u64,
    anchor_root: B256,
    clamp_to: Option<u64>,
) -> Result<u64> {
    let outputs = tree.exec_outputs(index, depth.split(), anchor_root)?;
    let block = depth.unclamped_output_block(outputs.disputed_position, starting_block)?;
    Ok(clamp_to.map_or(block, |c| block.min(c)))
}

/// The honest alphabet claim for a move against claim `parent_index` that lands below the
/// split depth (including a new execution-subgame root), with the subgame's disputed block
/// found as the contract finds it.
pub fn honest_exec_claim(
    tree: &ClaimTree,
    parent_index: usize,
    is_attack: bool,
    depth: GameDepth,
    starting_block: u64,
    anchor_root: B256,
    clamp_to: Option<u64>,
) -> Result<B256> {
    let parent = tree.get(parent_index)?;
    let position: Position = depth.check_move(parent_index, parent.position, is_attack)?;
    let mut with_move = tree.clone();
    let index = with_move.push(Claim {
        parent_index: u32::try_from(parent_index).unwrap_or(u32::MAX),
        position,
        countered_by: Default::default(),
        claimant: Default::default(),
        bond: 0,
        value: B256::ZERO,
        clock: Default::default(),
    })?;
    let block = disputed_block(&with_move, index, depth, starting_block, anchor_root, clamp_to)?;
    let i = u64::try_from(depth.exec_trace_index(position)?).unwrap_or(u64::MAX);
    Ok(claim(block, i))
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{b256, keccak256};

    use super::*;

    #[test]
    fn matches_the_proven_values() {
        // From the devnet notes: the FDG's absolutePrestate and op-challenger's claims.
        assert_eq!(absolute_prestate(), b256!("03c7ae758795765c6664a5d39bf63841c71ff191e9189522bad8ebff5d4eca98"));
        assert_eq!(claim(1, 0), b256!("011df87655270cca8679a17b67633ee2b543008690b0796de679e3a57bc8f5b5"));
        assert_eq!(claim(3, 0), b256!("016253d525b367821e06ed0c5987a2c48bf496cf627759937b38a78f0593a042"));
        // Index 7 of block 1 is keccak(abi.encode(8, 0x68)) with status 1.
        let mut h = keccak256((U256::from(8), U256::from(0x68)).abi_encode_params());
        h[0] = 1;
        assert_eq!(claim(1, 7), h);
        assert_eq!(step_data(3, 0), prestate_data());
        assert_eq!(step_data(3, 1), (U256::from(33), U256::from(0x81)).abi_encode_params());
    }
}
