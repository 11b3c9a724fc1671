//! The whole Cannon64 machine: [`State64`] with its [`Memory64`], the syscalls, LL/SC, the
//! preimage fds, and the witness of any step (`MIPS64.step`'s state data and proof, and the
//! preimage part it reads). Follows `MIPS64.sol` 1.10 (`doStep`, `handleSyscall`,
//! `handleRMWOps`, `MIPS64Syscalls.sol`).

use std::sync::Arc;

use alloy_primitives::B256;
use riposte_game::VmStatus;

use super::exec::{self, Fault, handle_rd, select_sub_word, sign_extend_immediate, update_sub_word};
use super::{MAX_HINT_WRITE, Memory64, State64, Step64Error, Thread64};
use crate::fault_vm::{FaultVm, VmKind};
use crate::oracle::{PreimageOracle, preimage_part};
use crate::witness::{PreimageRead, StepWitness};

/// Syscall numbers (n64) and constants of `MIPS64Syscalls.sol`, named as there.
#[allow(missing_docs)]
pub mod sys {
    pub const MMAP: u64 = 5009;
    pub const BRK: u64 = 5012;
    pub const CLONE: u64 = 5055;
    pub const EXIT_GROUP: u64 = 5205;
    pub const READ: u64 = 5000;
    pub const WRITE: u64 = 5001;
    pub const FCNTL: u64 = 5070;
    pub const EXIT: u64 = 5058;
    pub const SCHED_YIELD: u64 = 5023;
    pub const GETTID: u64 = 5178;
    pub const FUTEX: u64 = 5194;
    pub const OPEN: u64 = 5002;
    pub const NANOSLEEP: u64 = 5034;
    pub const CLOCK_GETTIME: u64 = 5222;
    pub const GETPID: u64 = 5038;
    pub const GETRANDOM: u64 = 5313;
    pub const EVENTFD2: u64 = 5284;
    /// Known syscalls that change nothing but `$v0 = $a3 = 0` (munmap, mprotect, sigaltstack, …).
    pub const NO_OPS: [u64; 31] = [
        5011, 5010, 5196, 5027, 5014, 5129, 5013, 5297, 5003, 5016, 5004, 5005, 5247, 5087, 5257, 5015, 5285, 5287,
        5208, 5272, 5061, 5100, 5102, 5026, 5225, 5095, 5008, 5036, 5216, 5217, 5220,
    ];
    pub const FD_STDIN: u64 = 0;
    pub const FD_STDOUT: u64 = 1;
    pub const FD_STDERR: u64 = 2;
    pub const FD_HINT_READ: u64 = 3;
    pub const FD_HINT_WRITE: u64 = 4;
    pub const FD_PREIMAGE_READ: u64 = 5;
    pub const FD_PREIMAGE_WRITE: u64 = 6;
    pub const FD_EVENTFD: u64 = 100;
    /// `$a3` of a failed syscall; `$v0` then holds the errno.
    pub const ERROR_SIGNAL: u64 = u64::MAX;
    pub const EBADF: u64 = 0x9;
    pub const EINVAL: u64 = 0x16;
    pub const EAGAIN: u64 = 0xb;
    pub const FUTEX_WAIT_PRIVATE: u64 = 128;
    pub const FUTEX_WAKE_PRIVATE: u64 = 129;
    /// Steps per second of the monotonic clock.
    pub const HZ: u64 = 10_000_000;
    pub const PROGRAM_BREAK: u64 = 0x0000_4000_0000_0000;
    pub const HEAP_END: u64 = 0x0000_6000_0000_0000;
    /// VM | FS | FILES | SIGHAND | SYSVSEM | THREAD: the only clone Go's runtime makes.
    pub const VALID_CLONE_FLAGS: u64 = 0x0005_0f00;
    pub const EFD_NONBLOCK: u64 = 0x80;
    /// Exit code of the VM on a clone with other flags (`VMStatuses.PANIC`).
    pub const PANIC_EXIT_CODE: u8 = 2;
}

/// What the witness of a step records while it executes.
#[derive(Default)]
struct Tracker {
    /// Proof of the instruction word.
    insn: Option<Vec<u8>>,
    /// Proofs of the data words, in the order accessed (the second only for clock_gettime).
    data: Vec<Vec<u8>>,
    /// The preimage read: key as written and the pre-state offset.
    read: Option<(B256, u64)>,
}

/// The resumable part of a [`Cannon64`]: state, memory and the partial hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot64 {
    /// The state (its `mem_root` as of the snapshot).
    pub state: State64,
    /// The memory.
    pub memory: Memory64,
    /// Hint bytes written but not yet a whole `u32 len ‖ payload` frame.
    pub last_hint: Vec<u8>,
}

/// The Cannon64 VM over an oracle.
pub struct Cannon64<O> {
    pub(super) state: State64,
    pub(super) memory: Memory64,
    last_hint: Vec<u8>,
    pub(super) oracle: O,
    /// The preimage read last, so a read of many parts asks the oracle once.
    preimage: Option<(B256, Arc<[u8]>)>,
    /// What the program wrote to stdout and stderr, when asked to keep it.
    output: Option<Vec<u8>>,
}

/// The outcome of a syscall, applied after everything fallible was done.
enum Sys {
    /// `$v0`, `$a3`, and on to the next instruction.
    Ret(u64, u64),
    /// Return 0 and pre-empt (sched_yield, nanosleep, futex wait/wake).
    Yield,
    /// A new thread with these flags and stack pointer.
    Clone { flags: u64, sp: u64 },
    /// The VM exits with this code (exit_group).
    ExitGroup(u8),
    /// The thread exits with this code.
    Exit(u8),
}

impl<O: PreimageOracle> Cannon64<O> {
    /// A machine from its snapshot.
    pub fn new(snapshot: Snapshot64, oracle: O) -> Self {
        let Snapshot64 { state, memory, last_hint } = snapshot;
        Self { state, memory, last_hint, oracle, preimage: None, output: None }
    }

    /// The resumable part (cheap: memory pages are shared until written).
    pub fn snapshot(&self) -> Snapshot64 {
        let mut memory = self.memory.clone();
        let state = State64 { mem_root: memory.root(), ..self.state.clone() };
        Snapshot64 { state, memory, last_hint: self.last_hint.clone() }
    }

    /// The state, its memory root brought up to date.
    pub fn state(&mut self) -> &State64 {
        self.sync_root();
        &self.state
    }

    /// The state as it is, its `mem_root` possibly stale (cheap; [`Cannon64::state`] brings the
    /// root up to date).
    pub fn peek(&self) -> &State64 {
        &self.state
    }

    /// The memory.
    pub fn memory(&self) -> &Memory64 {
        &self.memory
    }

    /// Keeps what the program writes to stdout and stderr from now on ([`Cannon64::output`]).
    pub fn capture_output(&mut self) {
        self.output.get_or_insert_with(Vec::new);
    }

    /// What the program wrote to stdout and stderr since [`Cannon64::capture_output`].
    pub fn output(&self) -> &[u8] {
        self.output.as_deref().unwrap_or_default()
    }

    /// The oracle.
    pub fn oracle(&self) -> &O {
        &self.oracle
    }

    /// The claim of the current state.
    pub fn state_hash(&mut self) -> B256 {
        self.sync_root();
        self.state.hash()
    }

    /// `true` once the VM exited.
    pub fn exited(&self) -> bool {
        self.state.exited
    }

    /// Steps taken since the program started.
    pub fn step_count(&self) -> u64 {
        self.state.step
    }

    fn sync_root(&mut self) {
        self.state.mem_root = self.memory.root();
    }

    /// Takes up to `max` steps, stopping at the exit; returns how many were taken.
    pub fn run(&mut self, max: u64) -> Result<u64, Step64Error> {
        let mut n = 0;
        while n < max && !self.state.exited {
            self.step_inner(None)?;
            n += 1;
        }
        Ok(n)
    }

    /// Takes one step (none once exited) and returns what `MIPS64.step` needs to take it:
    /// the pre-state witness, the thread witness ‖ inner root, then the memory proofs the
    /// step reads (instruction word, data word, clock_gettime's second word), and the
    /// preimage part it reads.
    pub fn step_with_witness(&mut self) -> Result<StepWitness, Step64Error> {
        self.sync_root();
        let state = self.state.witness().to_vec();
        let pre_status = VmStatus::from_exit(self.state.exited, self.state.exit_code);
        // An exited VM needs no thread witness; the contract returns before reading one.
        let thread = if self.state.exited { Vec::new() } else { self.state.thread_proof()? };
        let mut tracker = Tracker::default();
        self.step_inner(Some(&mut tracker))?;
        let mut proof = thread;
        for p in tracker.insn.iter().chain(&tracker.data) {
            proof.extend_from_slice(p);
        }
        let preimage = tracker.read.map(|(key, offset)| {
            let data = match &self.preimage {
                Some((k, d)) if *k == key => d.clone(),
                _ => Arc::from(Vec::new()),
            };
            PreimageRead { key, offset, data }
        });
        Ok(StepWitness { state, pre_status, proof, preimage })
    }

    /// The data word at `addr` (aligned), its proof recorded when a witness is being made.
    fn read_data(memory: &mut Memory64, tracker: &mut Option<&mut Tracker>, addr: u64) -> u64 {
        if let Some(t) = tracker.as_deref_mut() {
            t.data.push(memory.proof(addr));
        }
        memory.read_u64_mut(addr)
    }

    /// Writes a data word and drops an LL reservation on it (`handleMemoryUpdate`).
    fn write_data(&mut self, addr: u64, value: u64) {
        self.memory.write_u64(addr, value);
        if addr == self.state.ll_address & !7 {
            self.clear_reservation();
        }
    }

    fn clear_reservation(&mut self) {
        self.state.ll_reservation = 0;
        self.state.ll_address = 0;
        self.state.ll_owner_thread = 0;
    }

    fn step_inner(&mut self, mut tracker: Option<&mut Tracker>) -> Result<(), Step64Error> {
        if self.state.schedule()? {
            return Ok(());
        }
        let Some(top) = self.state.active().top() else {
            return Err(Step64Error::NoActiveThread);
        };
        let pc = top.pc;
        if pc & 3 != 0 {
            return Err(Step64Error::UnalignedPc { pc });
        }
        if let Some(tr) = tracker.as_deref_mut() {
            tr.insn = Some(self.memory.proof(pc));
        }
        let insn = self.memory.read_u32_mut(pc);
        let opcode = insn >> 26;
        let step = self.state.step.wrapping_add(1);
        let since = self.state.steps_since_context_switch.wrapping_add(1);
        if (opcode == 0 && insn & 0x3F == 0xC) || matches!(opcode, 0x30 | 0x34 | 0x38 | 0x3C) {
            // Syscalls and LL/SC touch more than the thread: they work on a copy of it.
            let mut t = top.clone();
            if opcode == 0 {
                return self.syscall(t, step, since, tracker);
            }
            self.rmw(&mut t, insn, tracker);
            self.commit(t, step, since);
            return Ok(());
        }
        // Everything else executes on the thread in place: `core_step` changes nothing when it
        // refuses an instruction.
        let Self { state, memory, .. } = self;
        let active = if state.traverse_right { &mut state.right } else { &mut state.left };
        let Some(t) = active.0.last_mut() else {
            return Err(Step64Error::NoActiveThread);
        };
        let write =
            exec::core_step(t, insn, &mut |addr| Self::read_data(memory, &mut tracker, addr)).map_err(|f| match f {
                Fault::Invalid => Step64Error::InvalidInstruction { pc, insn },
                Fault::JumpInDelaySlot | Fault::BranchInDelaySlot => Step64Error::DelaySlot { pc, insn },
                Fault::DivisionByZero => Step64Error::DivisionByZero { pc, insn },
            })?;
        if let Some((addr, value)) = write {
            self.write_data(addr, value);
        }
        self.state.step = step;
        self.state.steps_since_context_switch = since;
        Ok(())
    }

    /// Puts the executed thread back on top of its stack and moves the counters.
    fn commit(&mut self, t: Thread64, step: u64, since: u64) {
        if let Some(top) = self.state.active_mut().0.last_mut() {
            *top = t;
        }
        self.state.step = step;
        self.state.steps_since_context_switch = since;
    }

    /// LL/SC and LLD/SCD (`handleRMWOps`).
    fn rmw(&mut self, t: &mut Thread64, insn: u32, mut tracker: Option<&mut Tracker>) {
        let opcode = insn >> 26;
        let base = t.registers[((insn >> 21) & 0x1F) as usize];
        let rt_reg = ((insn >> 16) & 0x1F) as usize;
        let addr = base.wrapping_add(sign_extend_immediate(insn));
        let (status, len) = if opcode == 0x34 || opcode == 0x3C { (2, 8) } else { (1, 4) };
        let ret = if opcode == 0x30 || opcode == 0x34 {
            let mem = Self::read_data(&mut self.memory, &mut tracker, addr & !7);
            self.state.ll_reservation = status;
            self.state.ll_address = addr;
            self.state.ll_owner_thread = t.id;
            select_sub_word(addr, mem, len, true)
        } else if self.state.ll_reservation == status
            && self.state.ll_owner_thread == t.id
            && self.state.ll_address == addr
        {
            self.clear_reservation();
            let mem = Self::read_data(&mut self.memory, &mut tracker, addr & !7);
            self.memory.write_u64(addr & !7, update_sub_word(addr, mem, len, t.registers[rt_reg]));
            1
        } else {
            0
        };
        handle_rd(t, rt_reg, ret, true);
    }

    /// The preimage under `key`, from the cache or the oracle.
    fn preimage_data(&mut self, pc: u64, key: B256) -> Result<Arc<[u8]>, Step64Error> {
        if let Some((k, d)) = &self.preimage
            && *k == key
        {
            return Ok(d.clone());
        }
        let data = self
            .oracle
            .preimage(key)
            .map_err(|source| Step64Error::Oracle { pc, source })?
            .ok_or(Step64Error::PreimageMissing { pc, key })?;
        self.preimage = Some((key, data.clone()));
        Ok(data)
    }

    fn syscall(
        &mut self,
        mut t: Thread64,
        step: u64,
        since: u64,
        mut tracker: Option<&mut Tracker>,
    ) -> Result<(), Step64Error> {
        let pc = t.pc;
        let r = t.registers;
        let (number, a0, a1, a2) = (r[2], r[4], r[5], r[6]);
        let err = |errno| Sys::Ret(errno, sys::ERROR_SIGNAL);
        let outcome = match number {
            sys::MMAP => {
                let mut size = a1;
                if size & 4095 != 0 {
                    size = size.wrapping_add(4096 - (size & 4095));
                }
                if a0 == 0 {
                    let heap = self.state.heap;
                    let new_heap = heap.wrapping_add(size);
                    if new_heap > sys::HEAP_END || new_heap < heap || size < a1 {
                        err(sys::EINVAL)
                    } else {
                        self.state.heap = new_heap;
                        Sys::Ret(heap, 0)
                    }
                } else {
                    Sys::Ret(a0, 0)
                }
            }
            sys::BRK => Sys::Ret(sys::PROGRAM_BREAK, 0),
            sys::CLONE => Sys::Clone { flags: a0, sp: a1 },
            sys::EXIT_GROUP => Sys::ExitGroup(a0 as u8),
            sys::EXIT => Sys::Exit(a0 as u8),
            sys::READ => match a0 {
                sys::FD_STDIN => Sys::Ret(0, 0),
                sys::FD_PREIMAGE_READ => {
                    let key = self.state.preimage_key;
                    let offset = self.state.preimage_offset;
                    let data = self.preimage_data(pc, key)?;
                    let len = data.len() + 8;
                    let part = (offset < len as u64).then(|| preimage_part(&data, offset)).flatten();
                    let Some((part, available)) = part else {
                        return Err(Step64Error::PreimageOffset { pc, key, offset, len });
                    };
                    let addr = a1 & !7;
                    let mem = Self::read_data(&mut self.memory, &mut tracker, addr);
                    let alignment = (a1 & 7) as usize;
                    let n = (available as u64).min(8 - alignment as u64).min(a2) as usize;
                    let mut bytes = mem.to_be_bytes();
                    bytes[alignment..alignment + n].copy_from_slice(&part[..n]);
                    self.write_data(addr, u64::from_be_bytes(bytes));
                    self.state.preimage_offset = offset + n as u64;
                    if let Some(tr) = tracker.as_deref_mut() {
                        tr.read = Some((key, offset));
                    }
                    Sys::Ret(n as u64, 0)
                }
                sys::FD_HINT_READ => Sys::Ret(a2, 0),
                sys::FD_EVENTFD => err(sys::EAGAIN),
                _ => err(sys::EBADF),
            },
            sys::WRITE => match a0 {
                sys::FD_STDOUT | sys::FD_STDERR => {
                    if let Some(out) = self.output.as_mut() {
                        out.extend(self.memory.read_range(a1, a2.min(MAX_HINT_WRITE) as usize));
                    }
                    Sys::Ret(a2, 0)
                }
                sys::FD_HINT_WRITE => {
                    self.hint(pc, a1, a2)?;
                    Sys::Ret(a2, 0)
                }
                sys::FD_PREIMAGE_WRITE => {
                    let mem = Self::read_data(&mut self.memory, &mut tracker, a1 & !7);
                    let alignment = (a1 & 7) as usize;
                    let n = a2.min(8 - alignment as u64) as usize;
                    let bytes = mem.to_be_bytes();
                    let mut key = [0u8; 32];
                    key[..32 - n].copy_from_slice(&self.state.preimage_key[n..]);
                    key[32 - n..].copy_from_slice(&bytes[alignment..alignment + n]);
                    self.state.preimage_key = B256::from(key);
                    self.state.preimage_offset = 0;
                    Sys::Ret(n as u64, 0)
                }
                sys::FD_EVENTFD => err(sys::EAGAIN),
                _ => err(sys::EBADF),
            },
            sys::FCNTL => match a1 {
                1 if a0 <= 6 => Sys::Ret(0, 0),
                3 if matches!(a0, sys::FD_STDIN | sys::FD_PREIMAGE_READ | sys::FD_HINT_READ) => Sys::Ret(0, 0),
                3 if matches!(a0, sys::FD_STDOUT | sys::FD_STDERR | sys::FD_PREIMAGE_WRITE | sys::FD_HINT_WRITE) => {
                    Sys::Ret(1, 0)
                }
                1 | 3 => err(sys::EBADF),
                _ => err(sys::EINVAL),
            },
            sys::GETTID => Sys::Ret(t.id, 0),
            sys::FUTEX => {
                let addr = a0 & !3;
                match a1 {
                    sys::FUTEX_WAIT_PRIVATE => {
                        let mem = Self::read_data(&mut self.memory, &mut tracker, addr & !7);
                        if select_sub_word(addr, mem, 4, false) != a2 & 0xFFFF_FFFF {
                            err(sys::EAGAIN)
                        } else {
                            Sys::Yield
                        }
                    }
                    sys::FUTEX_WAKE_PRIVATE => Sys::Yield,
                    _ => err(sys::EINVAL),
                }
            }
            sys::SCHED_YIELD | sys::NANOSLEEP => Sys::Yield,
            sys::OPEN => err(sys::EBADF),
            sys::CLOCK_GETTIME => {
                if a0 == 0 || a0 == 1 {
                    let (secs, nsecs) = if a0 == 1 { (step / sys::HZ, (step % sys::HZ) * 100) } else { (0, 0) };
                    let addr = a1 & !7;
                    Self::read_data(&mut self.memory, &mut tracker, addr);
                    self.write_data(addr, secs);
                    let second = addr.wrapping_add(8);
                    Self::read_data(&mut self.memory, &mut tracker, second);
                    self.write_data(second, nsecs);
                    Sys::Ret(0, 0)
                } else {
                    err(sys::EINVAL)
                }
            }
            sys::GETPID => Sys::Ret(0, 0),
            sys::GETRANDOM => {
                let addr = a0 & !7;
                let mem = Self::read_data(&mut self.memory, &mut tracker, addr);
                let index = a0 - addr;
                let count = a1.min(8 - index);
                let mask =
                    if count == 0 { 0 } else { (u64::MAX >> (64 - count * 8)) << ((8 - count) * 8) >> (index * 8) };
                self.write_data(addr, (mem & !mask) | (splitmix64(step) & mask));
                Sys::Ret(count, 0)
            }
            sys::EVENTFD2 => {
                if a1 & sys::EFD_NONBLOCK == 0 {
                    err(sys::EINVAL)
                } else {
                    Sys::Ret(sys::FD_EVENTFD, 0)
                }
            }
            n if sys::NO_OPS.contains(&n) => Sys::Ret(0, 0),
            number => return Err(Step64Error::UnknownSyscall { pc, number }),
        };
        match outcome {
            Sys::Ret(v0, v1) => {
                syscall_return(&mut t, v0, v1);
                self.commit(t, step, since);
            }
            Sys::Yield => {
                syscall_return(&mut t, 0, 0);
                self.commit(t, step, since);
                self.state.preempt();
            }
            Sys::Clone { flags, sp } => {
                if flags != sys::VALID_CLONE_FLAGS {
                    self.commit(t, step, since);
                    self.state.exited = true;
                    self.state.exit_code = sys::PANIC_EXIT_CODE;
                    return Ok(());
                }
                let id = self.state.next_thread_id;
                let mut child = Thread64 { id, exit_code: 0, exited: false, ..t.clone() };
                child.pc = t.next_pc;
                child.next_pc = t.next_pc.wrapping_add(4);
                child.registers[29] = sp;
                child.registers[2] = 0;
                child.registers[7] = 0;
                self.state.next_thread_id = id.wrapping_add(1);
                syscall_return(&mut t, id, 0);
                self.commit(t, step, 0);
                self.state.active_mut().0.push(child);
            }
            Sys::ExitGroup(code) => {
                self.commit(t, step, since);
                self.state.exited = true;
                self.state.exit_code = code;
            }
            Sys::Exit(code) => {
                t.exited = true;
                t.exit_code = code;
                if self.state.thread_count() == 1 {
                    self.state.exited = true;
                    self.state.exit_code = code;
                }
                self.commit(t, step, since);
            }
        }
        Ok(())
    }

    /// A write of `len` bytes at `addr` to the hint fd: buffered until a whole
    /// `u32 len ‖ payload` frame is there, then handed to the oracle.
    fn hint(&mut self, pc: u64, addr: u64, len: u64) -> Result<(), Step64Error> {
        if len > MAX_HINT_WRITE {
            return Err(Step64Error::HintTooLong { pc, len });
        }
        let mut buf = self.last_hint.clone();
        buf.extend(self.memory.read_range(addr, len as usize));
        let mut at = 0;
        while buf.len() - at >= 4 {
            let n = u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]) as usize;
            if buf.len() - at - 4 < n {
                break;
            }
            self.oracle.hint(&buf[at + 4..at + 4 + n]).map_err(|source| Step64Error::Oracle { pc, source })?;
            at += 4 + n;
        }
        buf.drain(..at);
        self.last_hint = buf;
        Ok(())
    }
}

/// `handleSyscallUpdates`: `$v0`, `$a3`, and on to the next instruction.
fn syscall_return(t: &mut Thread64, v0: u64, v1: u64) {
    t.registers[2] = v0;
    t.registers[7] = v1;
    t.pc = t.next_pc;
    t.next_pc = t.next_pc.wrapping_add(4);
}

/// splitmix64, the contract's getrandom source (seeded with the step number).
pub fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Cannon64 as a [`VmKind`]: `MIPS64.sol` 1.10, state version 8.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mips64;

impl VmKind for Mips64 {
    type Snapshot = Snapshot64;
    type Vm<O: PreimageOracle> = Cannon64<O>;
}

impl<O: PreimageOracle> FaultVm for Cannon64<O> {
    type Oracle = O;
    type Snapshot = Snapshot64;
    type Error = Step64Error;

    fn resume(snapshot: Snapshot64, oracle: O) -> Self {
        Cannon64::new(snapshot, oracle)
    }

    fn snapshot(&self) -> Snapshot64 {
        Cannon64::snapshot(self)
    }

    fn state_hash(&mut self) -> B256 {
        Cannon64::state_hash(self)
    }

    fn exited(&self) -> bool {
        self.state.exited
    }

    fn run(&mut self, max_steps: u64) -> Result<u64, Step64Error> {
        Cannon64::run(self, max_steps)
    }

    fn step_with_witness(&mut self) -> Result<StepWitness, Step64Error> {
        Cannon64::step_with_witness(self)
    }
}
