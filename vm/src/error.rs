use alloy_primitives::B256;

/// What went wrong loading a program or executing a step.
///
/// A step error means `MIPS.step` would revert on the same pre-state: the trace cannot go on.
/// The state is left as it was before the failed instruction.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// The program file is not a static big-endian MIPS32 ELF we can load.
    #[error("ELF: {0}")]
    Elf(String),
    /// An opcode or function code `MIPS.sol` reverts on ("invalid instruction").
    #[error("invalid instruction {insn:#010x} at pc {pc:#010x}")]
    InvalidInstruction {
        /// Address of the instruction.
        pc: u32,
        /// The instruction word.
        insn: u32,
    },
    /// A jump or branch while `nextPC != pc + 4` ("jump in delay slot", "branch in delay slot").
    #[error("jump or branch {insn:#010x} in a delay slot at pc {pc:#010x}")]
    DelaySlotBranch {
        /// Address of the instruction.
        pc: u32,
        /// The instruction word.
        insn: u32,
    },
    /// `div`/`divu` by zero ("MIPS: division by zero").
    #[error("division by zero by {insn:#010x} at pc {pc:#010x}")]
    DivisionByZero {
        /// Address of the instruction.
        pc: u32,
        /// The instruction word.
        insn: u32,
    },
    /// The pc is not 4-byte aligned, so the instruction fetch reverts.
    #[error("unaligned pc {pc:#010x}")]
    UnalignedPc {
        /// The pc.
        pc: u32,
    },
    /// The program read a preimage the oracle does not have.
    #[error("preimage {key} missing, read by {insn:#010x} at pc {pc:#010x}")]
    PreimageMissing {
        /// Address of the syscall instruction.
        pc: u32,
        /// The instruction word.
        insn: u32,
        /// The key as the program wrote it (local keys not localized).
        key: B256,
    },
    /// The preimage source failed.
    #[error("preimage {key} for {insn:#010x} at pc {pc:#010x}: {source}")]
    Oracle {
        /// Address of the syscall instruction.
        pc: u32,
        /// The instruction word.
        insn: u32,
        /// The key asked for.
        key: B256,
        /// The source's error.
        #[source]
        source: crate::OracleError,
    },
    /// A read at an offset past the preimage's end (the on-chain oracle underflows and reverts).
    #[error("preimage {key} read at offset {offset} past its {len} bytes (with prefix) at pc {pc:#010x}")]
    PreimageOffset {
        /// Address of the syscall instruction.
        pc: u32,
        /// The key.
        key: B256,
        /// The offset read at.
        offset: u32,
        /// Length of the prefixed preimage.
        len: usize,
    },
    /// An encoded state of the wrong length.
    #[error("a state witness is 226 bytes, got {0}")]
    WitnessLength(usize),
}
