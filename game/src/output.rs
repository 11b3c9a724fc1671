use alloy_primitives::{B256, keccak256};

use crate::{GameError, Result};

/// `Types.OutputRootProof`: the preimage of a version-0 output root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct OutputRootProof {
    /// Output root version; only version 0 (all zero) is defined.
    pub version: B256,
    /// The L2 block's state root.
    pub state_root: B256,
    /// Storage root of `L2ToL1MessagePasser` (0x4200…0016) at that block.
    pub message_passer_storage_root: B256,
    /// The L2 block's hash.
    pub latest_blockhash: B256,
}

impl OutputRootProof {
    /// `Hashing.hashOutputRootProof`: keccak256 of the four words.
    pub fn hash(&self) -> B256 {
        let mut buf = [0u8; 128];
        buf[..32].copy_from_slice(self.version.as_slice());
        buf[32..64].copy_from_slice(self.state_root.as_slice());
        buf[64..96].copy_from_slice(self.message_passer_storage_root.as_slice());
        buf[96..].copy_from_slice(self.latest_blockhash.as_slice());
        keccak256(buf)
    }
}

/// Output root v0 = keccak256(bytes32(0) ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash).
pub fn output_root_v0(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> B256 {
    OutputRootProof { version: B256::ZERO, state_root, message_passer_storage_root, latest_blockhash: block_hash }
        .hash()
}

/// `VMStatuses`: the status a VM writes into the top byte of its state hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum VmStatus {
    /// Exited with code 0: the disputed output was derived correctly.
    Valid = 0,
    /// Exited with code 1: the disputed output is wrong.
    Invalid = 1,
    /// Exited with any other code.
    Panic = 2,
    /// Not exited yet.
    Unfinished = 3,
}

impl VmStatus {
    /// The status encoded in a status byte.
    pub fn from_byte(b: u8) -> Result<Self> {
        match b {
            0 => Ok(Self::Valid),
            1 => Ok(Self::Invalid),
            2 => Ok(Self::Panic),
            3 => Ok(Self::Unfinished),
            other => Err(GameError::UnknownVmStatus(other)),
        }
    }

    /// The status of an exited VM with `exit_code` (cannon's `vmStatus`), or
    /// [`VmStatus::Unfinished`] if it has not exited.
    pub const fn from_exit(exited: bool, exit_code: u8) -> Self {
        match (exited, exit_code) {
            (false, _) => Self::Unfinished,
            (true, 0) => Self::Valid,
            (true, 1) => Self::Invalid,
            (true, _) => Self::Panic,
        }
    }

    /// The status carried in the top byte of a claim.
    pub fn of_claim(claim: B256) -> Result<Self> {
        Self::from_byte(claim[0])
    }

    /// `hash` with its top byte replaced by this status (`MIPS.outputState`).
    pub fn stamp(self, hash: B256) -> B256 {
        let mut out = hash;
        out[0] = self as u8;
        out
    }

    /// The state hash of a VM state witness: keccak256 of the witness with the status byte.
    pub fn state_hash(self, witness: &[u8]) -> B256 {
        self.stamp(keccak256(witness))
    }
}

/// `true` if two state hashes are equal ignoring the status byte (how `step` checks a prestate).
pub fn same_state_ignoring_status(a: B256, b: B256) -> bool {
    a[1..] == b[1..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_root_v0_hashes_four_words() {
        let (s, m, h) = (B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3));
        let mut pre = vec![0u8; 32];
        pre.extend_from_slice(s.as_slice());
        pre.extend_from_slice(m.as_slice());
        pre.extend_from_slice(h.as_slice());
        assert_eq!(output_root_v0(s, m, h), keccak256(&pre));
        // Field order matters.
        assert_ne!(output_root_v0(s, m, h), output_root_v0(m, s, h));
    }

    #[test]
    fn vm_status_bytes() {
        for (b, s) in [(0, VmStatus::Valid), (1, VmStatus::Invalid), (2, VmStatus::Panic), (3, VmStatus::Unfinished)] {
            assert_eq!(VmStatus::from_byte(b).unwrap(), s);
            assert_eq!(s as u8, b);
        }
        assert_eq!(VmStatus::from_byte(4), Err(GameError::UnknownVmStatus(4)));
        assert_eq!(VmStatus::from_exit(false, 0), VmStatus::Unfinished);
        assert_eq!(VmStatus::from_exit(true, 0), VmStatus::Valid);
        assert_eq!(VmStatus::from_exit(true, 1), VmStatus::Invalid);
        assert_eq!(VmStatus::from_exit(true, 7), VmStatus::Panic);
        let h = VmStatus::Invalid.state_hash(b"witness");
        assert_eq!(h[0], 1);
        assert_eq!(h[1..], keccak256(b"witness")[1..]);
        assert_eq!(VmStatus::of_claim(h).unwrap(), VmStatus::Invalid);
        assert!(same_state_ignoring_status(h, VmStatus::Unfinished.stamp(h)));
        assert!(!same_state_ignoring_status(h, VmStatus::Invalid.state_hash(b"other")));
    }
}
