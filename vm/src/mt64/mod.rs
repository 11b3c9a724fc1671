//! Cannon64, the multithreaded 64-bit MIPS VM of `MIPS64.sol` 1.10 (state version 8,
//! `multithreaded64-5`), the VM every live Cannon game steps on.
//!
//! - [`State64`], [`Thread64`], [`ThreadStack`]: the 188-byte state witness and its hash with
//!   the status byte, the 298-byte threads, the two stacks' hash-chain roots, and the steps the
//!   scheduler decides alone (an exited VM, popping an exited thread, pre-emption).
//! - [`Memory64`]: 32-byte leaves under a 59-level keccak tree, sparse 4 KiB pages with cached
//!   nodes, and the 60 × 32-byte proofs `MIPS64.step` reads.
//! - [`Cannon64`]: the machine: every instruction the contract executes (a [`Step64Error`]
//!   naming pc and instruction for those it reverts on), its syscalls with their return values,
//!   LL/SC and LLD/SCD, futex and yield pre-emption, the preimage fds, and any step's witness.
//!   It implements [`FaultVm`](crate::FaultVm) as VM kind [`Mips64`].
//!
//! - [`load_elf`], [`patch_stack`], [`Snapshot64::encode`] / [`Snapshot64::decode`]: programs
//!   and prestates as `cannon load-elf` makes them, in cannon's binary snapshot format.
//!
//! Not here yet: prestate lookup by hash (`--prestates-dir`/`--prestates-url`), the CLI.

mod exec;
mod machine;
mod memory;
mod program;
mod state;

pub use machine::{Cannon64, Mips64, Snapshot64, splitmix64, sys};
pub use memory::{MEMORY_PROOF_LEN, MEMORY_TREE_DEPTH, Memory64, PAGE_SIZE, proof_root};
pub use program::{HEAP_START, Load64Error, MAX_SNAPSHOT_BYTES, STACK_TOP, STATE_VERSION, load_elf, patch_stack};
pub use state::*;

#[cfg(test)]
mod tests;
