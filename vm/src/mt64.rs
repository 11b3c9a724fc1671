//! The state of Cannon64, the multithreaded 64-bit MIPS VM of `MIPS64.sol` 1.10 (state version
//! 8, `multithreaded64-5`): the 188-byte state witness and its hash with the status byte, the
//! 298-byte thread encoding, the two thread stacks with their hash-chain roots, and the part of
//! a step that the scheduler decides without executing an instruction (an exited VM, popping an
//! exited thread, pre-empting after [`SCHED_QUANTUM`] steps).
//!
//! Also the memory: [`Memory64`], 32-byte leaves under a 59-level keccak tree, with the
//! 60 × 32-byte proofs `MIPS64.step` reads; and [`State64::no_op_step`], the post-state of an
//! instruction that changes nothing but the program counter (the common tail of every step).
//!
//! Not here yet: instruction execution, syscalls, LL/SC, futexes, the preimage fds. Until then
//! nothing plays a live game with this module.

use std::collections::BTreeMap;

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
    pub fn top(&self) -> Option<&Thread64> {
        self.0.last()
    }
}

/// Levels of the memory tree above its 32-byte leaves (64-bit addresses, 5 bits per leaf).
pub const MEMORY_TREE_DEPTH: usize = 59;
/// Bytes of one memory proof: the leaf, then one sibling per level, bottom-up.
pub const MEMORY_PROOF_LEN: usize = 32 * (MEMORY_TREE_DEPTH + 1);

/// Sparse memory: 32-byte leaves by index (`address >> 5`); absent leaves are zero.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory64 {
    leaves: BTreeMap<u64, [u8; 32]>,
}

impl Memory64 {
    /// Writes the 4 bytes of `value` at `address` (4-aligned), big-endian.
    pub fn write_u32(&mut self, address: u64, value: u32) {
        let leaf = self.leaves.entry(address >> 5).or_insert([0; 32]);
        let at = (address & 31) as usize & !3;
        leaf[at..at + 4].copy_from_slice(&value.to_be_bytes());
    }

    /// The 4 bytes at `address` (4-aligned), big-endian.
    pub fn read_u32(&self, address: u64) -> u32 {
        let at = (address & 31) as usize & !3;
        self.leaves.get(&(address >> 5)).map_or(0, |l| u32::from_be_bytes([l[at], l[at + 1], l[at + 2], l[at + 3]]))
    }

    /// The hashes of empty subtrees: level 0 is a zero leaf.
    fn zeros() -> [B256; MEMORY_TREE_DEPTH + 1] {
        let mut z = [B256::ZERO; MEMORY_TREE_DEPTH + 1];
        for i in 1..=MEMORY_TREE_DEPTH {
            z[i] = keccak256([z[i - 1].as_slice(), z[i - 1].as_slice()].concat());
        }
        z
    }

    /// Every non-empty node, level by level from the leaves up.
    fn levels(&self) -> Vec<BTreeMap<u64, B256>> {
        let zeros = Self::zeros();
        let mut levels = vec![self.leaves.iter().map(|(i, l)| (*i, B256::from(*l))).collect::<BTreeMap<_, _>>()];
        for level in 0..MEMORY_TREE_DEPTH {
            let below = &levels[level];
            let mut up = BTreeMap::new();
            for &i in below.keys() {
                let parent = i >> 1;
                if up.contains_key(&parent) {
                    continue;
                }
                let left = below.get(&(i & !1)).copied().unwrap_or(zeros[level]);
                let right = below.get(&(i | 1)).copied().unwrap_or(zeros[level]);
                up.insert(parent, keccak256([left.as_slice(), right.as_slice()].concat()));
            }
            levels.push(up);
        }
        levels
    }

    /// The root of the memory tree.
    pub fn root(&self) -> B256 {
        self.levels()[MEMORY_TREE_DEPTH].get(&0).copied().unwrap_or(Self::zeros()[MEMORY_TREE_DEPTH])
    }

    /// The proof of the leaf holding `address`: the leaf, then its siblings bottom-up.
    pub fn proof(&self, address: u64) -> Vec<u8> {
        let (zeros, levels) = (Self::zeros(), self.levels());
        let index = address >> 5;
        let mut out = Vec::with_capacity(MEMORY_PROOF_LEN);
        out.extend_from_slice(&self.leaves.get(&index).copied().unwrap_or([0; 32]));
        for (level, nodes) in levels.iter().enumerate().take(MEMORY_TREE_DEPTH) {
            let sibling = nodes.get(&((index >> level) ^ 1)).copied().unwrap_or(zeros[level]);
            out.extend_from_slice(sibling.as_slice());
        }
        out
    }
}

/// Why a step cannot be taken from a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Step64Error {
    /// The active stack is empty (`MIPS64: active thread stack is empty`).
    #[error("the active thread stack is empty")]
    NoActiveThread,
}

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

    fn active(&self) -> &ThreadStack {
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
        if self.exited {
            return Ok(Some(self.clone()));
        }
        let top = self.active().top().cloned().ok_or(Step64Error::NoActiveThread)?;
        let mut next = self.clone();
        next.step += 1;
        if top.exited {
            let active = if next.traverse_right { &mut next.right } else { &mut next.left };
            active.0.pop();
            next.flip_if_active_empty();
            next.steps_since_context_switch = 0;
            return Ok(Some(next));
        }
        if self.steps_since_context_switch >= SCHED_QUANTUM {
            let (from, to) =
                if next.traverse_right { (&mut next.right, &mut next.left) } else { (&mut next.left, &mut next.right) };
            from.0.pop();
            to.0.push(top);
            next.flip_if_active_empty();
            next.steps_since_context_switch = 0;
            return Ok(Some(next));
        }
        Ok(None)
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
        next.step += 1;
        next.steps_since_context_switch += 1;
        Ok(next)
    }

    fn flip_if_active_empty(&mut self) {
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
    fn memory_proofs_fold_to_the_root() {
        let mut m = Memory64::default();
        assert_eq!(m.root(), Memory64::zeros()[MEMORY_TREE_DEPTH]);
        m.write_u32(0x10_0004, 0xdead_beef);
        m.write_u32(0xffff_ffff_ffff_fff8, 7);
        assert_eq!((m.read_u32(0x10_0004), m.read_u32(0x10_0000)), (0xdead_beef, 0));
        for addr in [0x10_0004u64, 0xffff_ffff_ffff_fff8, 0x4000] {
            let p = m.proof(addr);
            assert_eq!(p.len(), MEMORY_PROOF_LEN);
            let mut node = B256::from_slice(&p[..32]);
            for (i, sibling) in p[32..].chunks(32).enumerate() {
                node = if (addr >> 5 >> i) & 1 == 0 {
                    keccak256([node.as_slice(), sibling].concat())
                } else {
                    keccak256([sibling, node.as_slice()].concat())
                };
            }
            assert_eq!(node, m.root(), "{addr:#x}");
        }
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
        assert_eq!(state(vec![], vec![b]).scheduled_step(), Err(Step64Error::NoActiveThread));
    }
}
