//! A Cannon-compatible MIPS32 emulator: the single-threaded VM of `MIPS.sol` 1.0.1
//! (`@eth-optimism/contracts-bedrock@0.17.3`), instruction for instruction.
//!
//! It runs a static big-endian MIPS ELF ([`load_elf`]) one instruction at a time ([`Vm`]),
//! hashes its state the way the contract does ([`State::hash`], with the VM status byte),
//! keeps memory as the contract's binary Merkle tree ([`Memory`]), and for any step produces
//! the witness `MIPS.step` checks ([`StepWitness`]): the encoded pre-state, the memory proofs
//! and the preimage part the instruction reads. Preimages come through a
//! [`PreimageOracle`]; this crate does no I/O of its own.
//!
//! VMs sit behind one seam, [`FaultVm`] (state hash, run, step witness, snapshot, the oracle
//! it reads), named by a [`VmKind`] such as [`Mips32`]. With the `trace` feature (default),
//! [`trace::VmTrace`] is the Cannon execution trace the solver plays with
//! (`riposte_solver::trace::ExecTrace`), written once over that seam; the solver does not
//! depend on this crate, this crate implements its trait.
//!
//! Beside it, the multithreaded 64-bit Cannon VM of `MIPS64.sol` 1.10 ([`mt64`]: instructions,
//! syscalls, threads, LL/SC, the preimage fds and step witnesses; VM kind [`mt64::Mips64`]).
//! Not yet for it: ELF loading with PatchStack, cannon's `.bin.gz` snapshots. Not here:
//! cannon's Go-runtime patches of the 32-bit VM.

#[cfg(feature = "cli")]
pub mod cli;
mod elf;
mod error;
mod fault_vm;
pub mod memory;
pub mod mt64;
pub mod oracle;
mod state;
#[cfg(feature = "trace")]
pub mod trace;
mod vm;
mod witness;

pub use elf::{HEAP_START, STACK_TOP, load_elf, patch_stack};
pub use error::VmError;
pub use fault_vm::{FaultVm, VmKind};
pub use memory::Memory;
pub use oracle::{MapOracle, NoOracle, OracleError, PreimageOracle, keccak_key, local_key, localize};
pub use state::{DecodedState, STATE_WITNESS_LEN, State, StateWitness};
pub use vm::{BRK_START, Mips32, Snapshot, Vm};
pub use witness::{PreimageRead, StepWitness};

#[cfg(test)]
mod tests;
