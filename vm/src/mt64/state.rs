//! Cannon64's state: the 188-byte state witness and its hash with the status byte, the
//! 298-byte thread encoding, the two thread stacks with their hash-chain roots, and the part of
//! a step that the scheduler decides without executing an instruction (an exited VM, popping an
//! exited thread, pre-empting after [`SCHED_QUANTUM`] steps).

use alloy_primitives::{B256, keccak256};
use riposte_game::VmStatus;

/// Bytes of the encoded state.
pub const STATE64_WITNESS_LEN: usize = 188;
/// Bytes of one encoded thread.
pub const THREAD_WITNESS_LEN: usize = 298;
/// Steps a thread runs before it is pre-empted.
pub const SCHED_QUANTUM: u64 = 100_000;

/// The root of an empty thread stack: keccak256 of 64 zero bytes.
pub fn empty_thread_root() -> B256 {
    keccak256([0u8; 64])
}

/// One thread's registers and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread64 {
    /// Thread id.
    pub id: u64,
    /// Its exit code, once exited.
    pub exit_code: u8,
    /// Whether it exited.
    pub exited: bool,
    /// Program counter.
    pub pc: u64,
    /// The next program counter (branch delay slot).
    pub next_pc: u64,
    /// `lo` of multiply/divide.
    pub lo: u64,
    /// `hi` of multiply/divide.
    pub hi: u64,
    /// The 32 general registers.
    pub registers: [u64; 32],
}

impl Thread64 {
    /// A running thread `id` at `pc` (next PC `pc + 4`), its registers and `lo`/`hi` zero.
    pub fn at(id: u64, pc: u64) -> Self {
        Self { id, exit_code: 0, exited: false, pc, next_pc: pc.wrapping_add(4), lo: 0, hi: 0, registers: [0; 32] }
    }

    /// id ‖ exitCode ‖ exited ‖ pc ‖ nextPC ‖ lo ‖ hi ‖ 32 registers, big-endian.
    pub fn encode(&self) -> [u8; THREAD_WITNESS_LEN] {
        let mut out = [0u8; THREAD_WITNESS_LEN];
        out[..8].copy_from_slice(&self.id.to_be_bytes());
        out[8] = self.exit_code;
        out[9] = u8::from(self.exited);
        for (i, v) in [self.pc, self.next_pc, self.lo, self.hi].into_iter().chain(self.registers).enumerate() {
            out[10 + 8 * i..18 + 8 * i].copy_from_slice(&v.to_be_bytes());
        }
        out
    }

    /// keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// A thread stack, bottom first. Its root folds `root' = keccak(root ‖ keccak(thread))` from
/// [`empty_thread_root`] up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadStack(pub Vec<Thread64>);

impl ThreadStack {
    fn fold(threads: &[Thread64]) -> B256 {
        threads.iter().fold(empty_thread_root(), |root, t| keccak256([root.as_slice(), t.hash().as_slice()].concat()))
    }

    /// The stack's root.
    pub fn root(&self) -> B256 {
        Self::fold(&self.0)
    }

    /// The root of the stack without its top (the "inner root" a step's proof carries).
    pub fn inner_root(&self) -> B256 {
        Self::fold(&self.0[..self.0.len().saturating_sub(1)])
    }

    /// The top thread.
    #[inline]
    pub fn top(&self) -> Option<&Thread64> {
        self.0.last()
    }
}

/// Why a step cannot be taken from a state: `MIPS64.step` reverts on it too (or, for the
/// oracle's errors, the program's input is not available), so the trace cannot go on. The
/// state is left as it was before the step.
#[derive(Debug, thiserror::Error)]
pub enum Step64Error {
    /// The active stack is empty (`MIPS64: active thread stack is empty`).
    #[error("the active thread stack is empty")]
    NoActiveThread,
    /// Popping the exited active thread would leave no thread at all ("MIPS64: post-state
    /// active thread stack is empty"; a VM whose last thread exits has exited itself).
    #[error("the only thread exited but the VM did not: no thread is left to run")]
    NoThreadLeft,
    /// The pc is not 4-byte aligned (`InvalidPC()`).
    #[error("unaligned pc {pc:#x}")]
    UnalignedPc {
        /// The pc.
        pc: u64,
    },
    /// An instruction `MIPS64.sol` does not execute ("MIPS64: invalid instruction").
    #[error("invalid instruction {insn:#010x} at pc {pc:#x}")]
    InvalidInstruction {
        /// Address of the instruction.
        pc: u64,
        /// The instruction word.
        insn: u32,
    },
    /// A jump or branch while `nextPC != pc + 4` ("jump in delay slot", "branch in delay slot").
    #[error("jump or branch {insn:#010x} in a delay slot at pc {pc:#x}")]
    DelaySlot {
        /// Address of the instruction.
        pc: u64,
        /// The instruction word.
        insn: u32,
    },
    /// A division by zero ("MIPS64: division by zero").
    #[error("division by zero by {insn:#010x} at pc {pc:#x}")]
    DivisionByZero {
        /// Address of the instruction.
        pc: u64,
        /// The instruction word.
        insn: u32,
    },
    /// A syscall number the contract does not know ("MIPS64: unimplemented syscall").
    #[error("unimplemented syscall {number} at pc {pc:#x}")]
    UnknownSyscall {
        /// Address of the syscall instruction.
        pc: u64,
        /// `$v0`.
        number: u64,
    },
    /// The program read a preimage the oracle does not have.
    #[error("preimage {key} missing, read at pc {pc:#x}")]
    PreimageMissing {
        /// Address of the syscall instruction.
        pc: u64,
        /// The key as the program wrote it (local keys not localized).
        key: B256,
    },
    /// A read at or past the end of the length-prefixed preimage (the on-chain oracle has no
    /// such part).
    #[error("preimage {key} read at offset {offset}, past its {len} bytes (with prefix), at pc {pc:#x}")]
    PreimageOffset {
        /// Address of the syscall instruction.
        pc: u64,
        /// The key.
        key: B256,
        /// The offset read at.
        offset: u64,
        /// Length of the prefixed preimage.
        len: usize,
    },
    /// The preimage source failed on a read or a hint.
    #[error("preimage oracle at pc {pc:#x}: {source}")]
    Oracle {
        /// Address of the syscall instruction.
        pc: u64,
        /// The source's error.
        #[source]
        source: crate::OracleError,
    },
    /// A hint write of more bytes than a hint may have ([`MAX_HINT_WRITE`]).
    #[error("a hint write of {len} bytes at pc {pc:#x} (at most {MAX_HINT_WRITE})")]
    HintTooLong {
        /// Address of the syscall instruction.
        pc: u64,
        /// The count written.
        len: u64,
    },
}

/// The most bytes one `write` to the hint fd may carry: hints name data, they do not carry it.
pub const MAX_HINT_WRITE: u64 = 1 << 24;

/// The VM state: everything the 188-byte witness commits to, with the stacks themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct State64 {
    /// Root of the memory tree.
    pub mem_root: B256,
    /// The preimage key being read.
    pub preimage_key: B256,
    /// The offset read up to in it.
    pub preimage_offset: u64,
    /// The heap's next address.
    pub heap: u64,
    /// LL reservation: 0 none, 1 a 32-bit one, 2 a 64-bit one.
    pub ll_reservation: u8,
    /// The reserved address.
    pub ll_address: u64,
    /// The thread holding the reservation.
    pub ll_owner_thread: u64,
    /// The VM's exit code, once exited.
    pub exit_code: u8,
    /// Whether the VM exited.
    pub exited: bool,
    /// Steps taken.
    pub step: u64,
    /// Steps since the last context switch.
    pub steps_since_context_switch: u64,
    /// Whether the right stack is the active one.
    pub traverse_right: bool,
    /// The left thread stack.
    pub left: ThreadStack,
    /// The right thread stack.
    pub right: ThreadStack,
    /// The id the next new thread gets.
    pub next_thread_id: u64,
}

impl State64 {
    /// The packed big-endian witness `MIPS64.step` reads.
    pub fn witness(&self) -> [u8; STATE64_WITNESS_LEN] {
        let mut w = Vec::with_capacity(STATE64_WITNESS_LEN);
        w.extend_from_slice(self.mem_root.as_slice());
        w.extend_from_slice(self.preimage_key.as_slice());
        w.extend_from_slice(&self.preimage_offset.to_be_bytes());
        w.extend_from_slice(&self.heap.to_be_bytes());
        w.push(self.ll_reservation);
        w.extend_from_slice(&self.ll_address.to_be_bytes());
        w.extend_from_slice(&self.ll_owner_thread.to_be_bytes());
        w.push(self.exit_code);
        w.push(u8::from(self.exited));
        w.extend_from_slice(&self.step.to_be_bytes());
        w.extend_from_slice(&self.steps_since_context_switch.to_be_bytes());
        w.push(u8::from(self.traverse_right));
        w.extend_from_slice(self.left.root().as_slice());
        w.extend_from_slice(self.right.root().as_slice());
        w.extend_from_slice(&self.next_thread_id.to_be_bytes());
        let mut out = [0u8; STATE64_WITNESS_LEN];
        out.copy_from_slice(&w);
        out
    }

    /// The claim: keccak256 of the witness with the status byte on top.
    pub fn hash(&self) -> B256 {
        VmStatus::from_exit(self.exited, self.exit_code).state_hash(&self.witness())
    }

    /// The active thread stack.
    #[inline]
    pub fn active(&self) -> &ThreadStack {
        if self.traverse_right { &self.right } else { &self.left }
    }

    /// The thread part of a step's proof: the active thread ‖ the active stack's inner root
    /// (memory proofs follow it when an instruction executes).
    pub fn thread_proof(&self) -> Result<Vec<u8>, Step64Error> {
        let top = self.active().top().ok_or(Step64Error::NoActiveThread)?;
        let mut out = top.encode().to_vec();
        out.extend_from_slice(self.active().inner_root().as_slice());
        Ok(out)
    }

    /// The post-state of one step when the scheduler decides it without an instruction: an
    /// exited VM stays as it is; an exited active thread is popped; a thread that ran
    /// [`SCHED_QUANTUM`] steps is moved to the other stack. `Ok(None)`: an instruction executes.
    pub fn scheduled_step(&self) -> Result<Option<Self>, Step64Error> {
        let mut next = self.clone();
        Ok(next.schedule()?.then_some(next))
    }

    /// [`State64::scheduled_step`] in place: `true` when the scheduler decided the step (and
    /// took it), `false` when an instruction is to execute (nothing changed).
    #[inline]
    pub(crate) fn schedule(&mut self) -> Result<bool, Step64Error> {
        if self.exited {
            return Ok(true);
        }
        let top = self.active().top().ok_or(Step64Error::NoActiveThread)?;
        if top.exited {
            if self.thread_count() == 1 {
                return Err(Step64Error::NoThreadLeft);
            }
            self.step = self.step.wrapping_add(1);
            self.active_mut().0.pop();
            self.flip_if_active_empty();
            self.steps_since_context_switch = 0;
            return Ok(true);
        }
        if self.steps_since_context_switch >= SCHED_QUANTUM {
            self.step = self.step.wrapping_add(1);
            self.preempt();
            return Ok(true);
        }
        Ok(false)
    }

    /// Moves the active thread to the other stack (flipping when the active one empties) and
    /// resets the switch counter.
    pub(crate) fn preempt(&mut self) {
        let (from, to) =
            if self.traverse_right { (&mut self.right, &mut self.left) } else { (&mut self.left, &mut self.right) };
        if let Some(t) = from.0.pop() {
            to.0.push(t);
        }
        self.flip_if_active_empty();
        self.steps_since_context_switch = 0;
    }

    pub(crate) fn active_mut(&mut self) -> &mut ThreadStack {
        if self.traverse_right { &mut self.right } else { &mut self.left }
    }

    /// The number of threads, both stacks.
    pub fn thread_count(&self) -> usize {
        self.left.0.len() + self.right.0.len()
    }

    /// The post-state of a step whose instruction changes nothing but the program counter (a
    /// `nop`): the active thread moves to its next PC, the step counters advance. Not decided by
    /// the scheduler alone: call it only when [`State64::scheduled_step`] gave `None`.
    pub fn no_op_step(&self) -> Result<Self, Step64Error> {
        let mut next = self.clone();
        let active = if next.traverse_right { &mut next.right } else { &mut next.left };
        let top = active.0.last_mut().ok_or(Step64Error::NoActiveThread)?;
        top.pc = top.next_pc;
        top.next_pc = top.next_pc.wrapping_add(4);
        next.step = next.step.wrapping_add(1);
        next.steps_since_context_switch = next.steps_since_context_switch.wrapping_add(1);
        Ok(next)
    }

    pub(crate) fn flip_if_active_empty(&mut self) {
        if self.active().0.is_empty() {
            self.traverse_right = !self.traverse_right;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use alloy_primitives::b256;

    use super::*;

    pub(crate) fn thread(id: u64, exited: bool) -> Thread64 {
        let mut registers = [0u64; 32];
        for (i, r) in registers.iter_mut().enumerate() {
            *r = (id << 32) | i as u64;
        }
        Thread64 {
            id,
            exit_code: u8::from(exited),
            exited,
            pc: 0x1000 + id * 8,
            next_pc: 0x1004 + id * 8,
            lo: 7,
            hi: 9,
            registers,
        }
    }

    pub(crate) fn state(left: Vec<Thread64>, right: Vec<Thread64>) -> State64 {
        State64 {
            mem_root: B256::repeat_byte(0x11),
            preimage_key: B256::repeat_byte(0x22),
            preimage_offset: 8,
            heap: 0x1_0000_0000,
            ll_reservation: 0,
            ll_address: 0,
            ll_owner_thread: 0,
            exit_code: 0,
            exited: false,
            step: 41,
            steps_since_context_switch: 5,
            traverse_right: false,
            left: ThreadStack(left),
            right: ThreadStack(right),
            next_thread_id: 3,
        }
    }

    #[test]
    fn encodings_have_the_contracts_sizes_and_the_empty_root() {
        assert_eq!(empty_thread_root(), b256!("ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"));
        let t = thread(1, false);
        let e = t.encode();
        assert_eq!(&e[..8], &1u64.to_be_bytes());
        assert_eq!(&e[10..18], &t.pc.to_be_bytes());
        assert_eq!(&e[290..298], &t.registers[31].to_be_bytes());
        let s = state(vec![t], vec![]);
        let w = s.witness();
        assert_eq!(&w[180..188], &3u64.to_be_bytes());
        assert_eq!(&w[116..148], s.left.root().as_slice());
        assert_eq!(&w[148..180], empty_thread_root().as_slice());
        assert_eq!(s.hash()[0], 3, "running: UNFINISHED");
        let exited = State64 { exited: true, exit_code: 1, ..s };
        assert_eq!(exited.hash()[0], 1);
    }

    #[test]
    fn the_scheduler_pops_exited_threads_and_preempts_after_the_quantum() {
        let (a, b) = (thread(1, false), thread(2, true));
        // The top of the left stack exited: popped, the left stack keeps thread 1.
        let s = state(vec![a.clone(), b.clone()], vec![]);
        let n = s.scheduled_step().unwrap().unwrap();
        assert_eq!((n.left.0.clone(), n.step, n.traverse_right), (vec![a.clone()], 42, false));
        // The last thread of the active stack exited: the other stack becomes active.
        let s = state(vec![b.clone()], vec![a.clone()]);
        let n = s.scheduled_step().unwrap().unwrap();
        assert!(n.left.0.is_empty() && n.traverse_right);
        // After the quantum the top moves to the other stack.
        let s = State64 { steps_since_context_switch: SCHED_QUANTUM, ..state(vec![a.clone()], vec![]) };
        let n = s.scheduled_step().unwrap().unwrap();
        assert_eq!((n.right.0.clone(), n.traverse_right, n.steps_since_context_switch), (vec![a.clone()], true, 0));
        // Otherwise an instruction runs (not decided here); an exited VM never changes.
        assert_eq!(state(vec![a.clone()], vec![]).scheduled_step().unwrap(), None);
        let done = State64 { exited: true, ..state(vec![a], vec![]) };
        assert_eq!(done.scheduled_step().unwrap(), Some(done.clone()));
        assert!(matches!(state(vec![], vec![b]).scheduled_step(), Err(Step64Error::NoActiveThread)));
    }
}
