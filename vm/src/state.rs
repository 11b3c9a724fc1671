//! The VM state of `MIPS.sol` 1.0.1 and its 226-byte witness encoding.

use alloy_primitives::B256;
use riposte_game::VmStatus;

use crate::VmError;
use crate::memory::Memory;

/// Length of the encoded state (`MIPS.State` packed): 32 + 32 + 6·4 + 1 + 1 + 8 + 32·4.
pub const STATE_WITNESS_LEN: usize = 226;

/// One encoded state, as `MIPS.step` takes it in `_stateData`.
pub type StateWitness = [u8; STATE_WITNESS_LEN];

/// The single-threaded 32-bit Cannon VM state (`MIPS.State`).
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The memory; the witness carries its Merkle root.
    pub memory: Memory,
    /// The key last written to the preimage-key fd.
    pub preimage_key: B256,
    /// The read offset into that preimage (counting its 8-byte length prefix).
    pub preimage_offset: u32,
    /// The instruction to execute next.
    pub pc: u32,
    /// The instruction after it; differs from `pc + 4` in a branch delay slot.
    pub next_pc: u32,
    /// The LO register.
    pub lo: u32,
    /// The HI register.
    pub hi: u32,
    /// The next address `mmap` hands out.
    pub heap: u32,
    /// The `exit_group` code, once exited.
    pub exit_code: u8,
    /// Set by `exit_group`; an exited state never changes again.
    pub exited: bool,
    /// Instructions executed.
    pub step: u64,
    /// The 32 general-purpose registers.
    pub registers: [u32; 32],
}

impl State {
    /// The status byte `outputState` writes into the state hash.
    pub fn status(&self) -> VmStatus {
        VmStatus::from_exit(self.exited, self.exit_code)
    }

    /// The packed witness (`MIPS.step`'s `_stateData`).
    pub fn encode(&mut self) -> StateWitness {
        let mut out = [0u8; STATE_WITNESS_LEN];
        out[0..32].copy_from_slice(self.memory.root().as_slice());
        out[32..64].copy_from_slice(self.preimage_key.as_slice());
        let words = [self.preimage_offset, self.pc, self.next_pc, self.lo, self.hi, self.heap];
        for (i, w) in words.iter().enumerate() {
            out[64 + 4 * i..68 + 4 * i].copy_from_slice(&w.to_be_bytes());
        }
        out[88] = self.exit_code;
        out[89] = u8::from(self.exited);
        out[90..98].copy_from_slice(&self.step.to_be_bytes());
        for (i, r) in self.registers.iter().enumerate() {
            out[98 + 4 * i..102 + 4 * i].copy_from_slice(&r.to_be_bytes());
        }
        out
    }

    /// The state hash a claim carries: keccak256 of the witness with the status byte on top.
    pub fn hash(&mut self) -> B256 {
        let status = self.status();
        status.state_hash(&self.encode())
    }
}

/// The fields of an encoded state, without its memory (only the root travels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedState {
    /// Memory Merkle root.
    pub mem_root: B256,
    /// Preimage key.
    pub preimage_key: B256,
    /// Preimage offset.
    pub preimage_offset: u32,
    /// Program counter.
    pub pc: u32,
    /// Next program counter.
    pub next_pc: u32,
    /// LO.
    pub lo: u32,
    /// HI.
    pub hi: u32,
    /// Heap pointer.
    pub heap: u32,
    /// Exit code.
    pub exit_code: u8,
    /// Exited flag (`MIPS.sol` treats any non-zero byte as exited).
    pub exited: u8,
    /// Step counter.
    pub step: u64,
    /// Registers.
    pub registers: [u32; 32],
}

impl DecodedState {
    /// Decodes a witness; it must be exactly [`STATE_WITNESS_LEN`] bytes.
    pub fn decode(witness: &[u8]) -> Result<Self, VmError> {
        if witness.len() != STATE_WITNESS_LEN {
            return Err(VmError::WitnessLength(witness.len()));
        }
        let word = |o: usize| u32::from_be_bytes([witness[o], witness[o + 1], witness[o + 2], witness[o + 3]]);
        let mut registers = [0u32; 32];
        for (i, r) in registers.iter_mut().enumerate() {
            *r = word(98 + 4 * i);
        }
        let mut step = [0u8; 8];
        step.copy_from_slice(&witness[90..98]);
        Ok(Self {
            mem_root: B256::from_slice(&witness[0..32]),
            preimage_key: B256::from_slice(&witness[32..64]),
            preimage_offset: word(64),
            pc: word(68),
            next_pc: word(72),
            lo: word(76),
            hi: word(80),
            heap: word(84),
            exit_code: witness[88],
            exited: witness[89],
            step: u64::from_be_bytes(step),
            registers,
        })
    }
}

impl std::fmt::Display for DecodedState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "step {} pc {:#010x} next {:#010x} lo {:#010x} hi {:#010x} heap {:#010x} exited {} code {}",
            self.step, self.pc, self.next_pc, self.lo, self.hi, self.heap, self.exited, self.exit_code
        )?;
        writeln!(f, "mem root {} preimage key {} offset {}", self.mem_root, self.preimage_key, self.preimage_offset)?;
        for (i, chunk) in self.registers.chunks(8).enumerate() {
            write!(f, "r{:<2}", i * 8)?;
            for r in chunk {
                write!(f, " {r:08x}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn witness_packs_fields_in_contract_order() {
        let mut s = State {
            preimage_key: B256::repeat_byte(0xAA),
            preimage_offset: 0x0102_0304,
            pc: 0x10,
            next_pc: 0x14,
            lo: 5,
            hi: 6,
            heap: 0x2000_0000,
            exit_code: 7,
            exited: true,
            step: 0x0A0B_0C0D_0E0F_1011,
            ..State::default()
        };
        s.registers[31] = 0xCAFE_BABE;
        let w = s.encode();
        assert_eq!(&w[64..68], &[1, 2, 3, 4]);
        assert_eq!(&w[68..72], &[0, 0, 0, 0x10]);
        assert_eq!(&w[84..88], &[0x20, 0, 0, 0]);
        assert_eq!((w[88], w[89]), (7, 1));
        assert_eq!(&w[90..98], &[0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11]);
        assert_eq!(&w[222..226], &[0xCA, 0xFE, 0xBA, 0xBE]);
        let d = DecodedState::decode(&w).unwrap();
        assert_eq!((d.pc, d.next_pc, d.step, d.registers[31]), (0x10, 0x14, s.step, 0xCAFE_BABE));
        // Exit code 7 is a panic.
        assert_eq!(s.hash()[0], VmStatus::Panic as u8);
        assert_eq!(s.hash()[1..], keccak256(w)[1..]);
        assert!(DecodedState::decode(&w[1..]).is_err());
    }
}
