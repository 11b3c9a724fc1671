//! The alphabet execution trace of test games (type 255), in op-challenger's convention.
//!
//! A state is `abi.encode(uint256 step, uint256 letter)`. The absolute prestate is
//! `abi.encode(uint256(0x60))` with status UNFINISHED. In the subgame whose disputed output is
//! at L2 block `B`, with `S = 16·(B − 1)`, the state after instruction `i` is
//! `(S + i + 1, 0x60 + S + i + 1)`, every state hash carrying status INVALID. The VM learns `B`
//! from local data ident 4, so the step out of the prestate needs it in the oracle.

use alloy_primitives::{B256, Bytes, U256, keccak256};
use riposte_game::VmStatus;

use super::{ExecSubgame, ExecTrace, Preimage, StepData};
use crate::TraceError;

/// The letter the absolute prestate holds.
pub const PRESTATE_LETTER: u64 = 0x60;

/// Local data ident of the disputed L2 block number.
pub const DISPUTED_L2_BLOCK_IDENT: u64 = 4;

/// The alphabet trace; it needs nothing but the subgame's disputed block.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlphabetTrace;

/// The 32-byte absolute prestate witness.
pub fn prestate_witness() -> Bytes {
    Bytes::from(U256::from(PRESTATE_LETTER).to_be_bytes::<32>().to_vec())
}

/// The absolute prestate claim: the prestate witness's hash with status UNFINISHED.
pub fn absolute_prestate() -> B256 {
    VmStatus::Unfinished.state_hash(&prestate_witness())
}

fn witness(step: U256, letter: U256) -> Bytes {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&step.to_be_bytes::<32>());
    out.extend_from_slice(&letter.to_be_bytes::<32>());
    Bytes::from(out)
}

fn base(disputed_block: u64) -> Result<U256, TraceError> {
    let b = disputed_block
        .checked_sub(1)
        .ok_or_else(|| TraceError::Unsupported("alphabet subgame with disputed L2 block 0".into()))?;
    Ok(U256::from(b) << 4)
}

/// The state witness after instruction `index` of the subgame disputing `disputed_block`.
pub fn state_witness(disputed_block: u64, index: u128) -> Result<Bytes, TraceError> {
    let n = base(disputed_block)? + U256::from(index) + U256::from(1);
    Ok(witness(n, n + U256::from(PRESTATE_LETTER)))
}

/// The claim after instruction `index` of the subgame disputing `disputed_block`.
pub fn state_hash(disputed_block: u64, index: u128) -> Result<B256, TraceError> {
    Ok(VmStatus::Invalid.stamp(keccak256(state_witness(disputed_block, index)?)))
}

impl ExecTrace for AlphabetTrace {
    async fn state_at(&self, subgame: &ExecSubgame, index: u128) -> Result<B256, TraceError> {
        state_hash(subgame.disputed_block, index)
    }

    async fn step_data(&self, subgame: &ExecSubgame, index: u128) -> Result<StepData, TraceError> {
        if index == 0 {
            // Out of the prestate the VM reads the disputed block from the oracle.
            return Ok(StepData {
                state_data: prestate_witness(),
                proof: Bytes::new(),
                preimage: Some(Preimage::Local { ident: DISPUTED_L2_BLOCK_IDENT, offset: 0 }),
            });
        }
        Ok(StepData {
            state_data: state_witness(subgame.disputed_block, index - 1)?,
            proof: Bytes::new(),
            preimage: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    #[test]
    fn prestate_matches_the_deployed_convention() {
        // keccak256(abi.encode(0x60)) with status byte 3, as deployed on the devnet.
        assert_eq!(absolute_prestate(), b256!("0x03c7ae758795765c6664a5d39bf63841c71ff191e9189522bad8ebff5d4eca98"));
    }

    #[test]
    fn state_after_first_instruction_is_one_past_the_prestate() {
        // Block 1: S = 0, index 0 is (1, 0x61).
        let w = state_witness(1, 0).unwrap();
        assert_eq!(&w[..32], U256::from(1).to_be_bytes::<32>().as_slice());
        assert_eq!(&w[32..], U256::from(0x61).to_be_bytes::<32>().as_slice());
        // Block 3: S = 32, index 0 is (33, 0x81).
        let w = state_witness(3, 0).unwrap();
        assert_eq!(&w[..32], U256::from(33).to_be_bytes::<32>().as_slice());
        assert_eq!(&w[32..], U256::from(0x81).to_be_bytes::<32>().as_slice());
        let h = state_hash(3, 7).unwrap();
        assert_eq!(h[0], VmStatus::Invalid as u8);
        assert_eq!(h[1..], keccak256(state_witness(3, 7).unwrap())[1..]);
        assert!(state_hash(0, 0).is_err());
    }
}
