//! What a VM contract's `step(stateData, proof, localContext)` needs to execute one
//! instruction, and the preimage part that must be in the `PreimageOracle` first.

use std::sync::Arc;

use alloy_primitives::{Address, B256, keccak256};
use riposte_game::VmStatus;

use crate::oracle::{LOCAL_KEY_TYPE, localize, preimage_part};

/// The preimage part a step reads from fd 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreimageRead {
    /// The key as the program wrote it (a local key is not localized).
    pub key: B256,
    /// The part offset read at: the pre-state's `preimageOffset`.
    pub offset: u64,
    /// The whole preimage, without its length prefix.
    pub data: Arc<[u8]>,
}

impl PreimageRead {
    /// `true` for local data (type 1), which the game loads with `addLocalData`.
    pub fn is_local(&self) -> bool {
        self.key[0] == LOCAL_KEY_TYPE
    }

    /// The key the on-chain oracle stores the part under: local keys are localized to the
    /// caller of `MIPS.step` and the local context.
    pub fn oracle_key(&self, caller: Address, local_context: B256) -> B256 {
        if self.is_local() { localize(self.key, caller, local_context) } else { self.key }
    }

    /// The 32-byte part at `offset` and its length (`readPreimage`'s `dat`, `datLen`).
    pub fn part(&self) -> ([u8; 32], usize) {
        preimage_part(&self.data, self.offset).unwrap_or(([0; 32], 0))
    }
}

/// The witness of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepWitness {
    /// The encoded pre-state (`_stateData`; a [`StateWitness`](crate::StateWitness) for MIPS32).
    pub state: Vec<u8>,
    /// The pre-state's status (the contract ignores it; the claim carries it).
    pub pre_status: VmStatus,
    /// `_proof` (MIPS32: the instruction's memory proof then the data access's, 28 words each).
    pub proof: Vec<u8>,
    /// The preimage part the step reads, if any.
    pub preimage: Option<PreimageRead>,
}

impl StepWitness {
    /// The pre-state hash with its status byte.
    pub fn state_hash(&self) -> B256 {
        self.pre_status.stamp(keccak256(&self.state))
    }
}
