use alloy_primitives::{Address, B256, keccak256};

use crate::{Clock, Position};

/// `ClaimData.parentIndex` of the root claim: `type(uint32).max`.
pub const ROOT_PARENT_INDEX: u32 = u32::MAX;

/// One entry of the game's `claimData` array, every field in the contract's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Claim {
    /// `parentIndex`: index of the claim this one counters; [`ROOT_PARENT_INDEX`] for the root.
    pub parent_index: u32,
    /// `counteredBy`: set by a successful `step`, or by `resolveClaim` to the winning counter's
    /// claimant (zero when uncountered).
    pub countered_by: Address,
    /// `claimant`: who made the claim (the game creator for the root).
    pub claimant: Address,
    /// `bond`: wei posted with the claim.
    pub bond: u128,
    /// `claim`: an output root (depth ≤ split) or a VM state hash with its status byte.
    pub value: B256,
    /// `position`: the claim's generalized index.
    pub position: Position,
    /// `clock`: the claimant team's used time and the claim's timestamp.
    pub clock: Clock,
}

impl Claim {
    /// The index of the parent claim, or `None` for the root.
    pub const fn parent(&self) -> Option<usize> {
        if self.parent_index == ROOT_PARENT_INDEX { None } else { Some(self.parent_index as usize) }
    }

    /// `true` for the game's root claim.
    pub const fn is_root(&self) -> bool {
        self.parent_index == ROOT_PARENT_INDEX
    }

    /// `true` once `counteredBy` is set (by a step, or by resolution).
    pub fn is_countered(&self) -> bool {
        self.countered_by != Address::ZERO
    }
}

/// `LibClaim.hashClaimPos`: the key of the `claims` mapping that forbids duplicate moves,
/// `keccak256(claim ‖ (position << 128 | challengeIndex mod 2^128))`.
pub fn claim_hash(value: B256, position: Position, challenge_index: u64) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(value.as_slice());
    buf[32..48].copy_from_slice(&position.gindex().to_be_bytes());
    buf[48..].copy_from_slice(&u128::from(challenge_index).to_be_bytes());
    keccak256(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_hash_packs_position_high_and_index_low() {
        let v = B256::repeat_byte(0xab);
        let pos = Position::from_gindex(6).unwrap();
        let mut word = [0u8; 64];
        word[..32].copy_from_slice(v.as_slice());
        word[47] = 6;
        word[63] = 2;
        assert_eq!(claim_hash(v, pos, 2), keccak256(word));
        // Same value and position against another parent is a different key.
        assert_ne!(claim_hash(v, pos, 2), claim_hash(v, pos, 3));
    }
}
