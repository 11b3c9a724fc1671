//! The interpreter: one instruction exactly as `MIPS.step` 1.0.1 executes it, optionally
//! recording the witness the contract needs to execute the same instruction.

use std::sync::Arc;

use alloy_primitives::B256;

use crate::VmError;
use crate::fault_vm::{FaultVm, VmKind};
use crate::memory::PROOF_LEN;
use crate::oracle::{PreimageOracle, preimage_part};
use crate::state::State;
use crate::witness::{PreimageRead, StepWitness};

/// `MIPS.BRK_START`: what `brk` returns.
pub const BRK_START: u32 = 0x4000_0000;

const FD_STDIN: u32 = 0;
const FD_STDOUT: u32 = 1;
const FD_STDERR: u32 = 2;
const FD_HINT_READ: u32 = 3;
const FD_HINT_WRITE: u32 = 4;
const FD_PREIMAGE_READ: u32 = 5;
const FD_PREIMAGE_WRITE: u32 = 6;
const EBADF: u32 = 0x9;
const EINVAL: u32 = 0x16;

/// The largest hint write passed on to the oracle (larger ones are ignored, as on-chain).
const MAX_HINT_WRITE: u32 = 64 << 20;

const SYS_MMAP: u32 = 4090;
const SYS_BRK: u32 = 4045;
const SYS_CLONE: u32 = 4120;
const SYS_EXIT_GROUP: u32 = 4246;
const SYS_READ: u32 = 4003;
const SYS_WRITE: u32 = 4004;
const SYS_FCNTL: u32 = 4055;

/// Sign-extends the low `bits` bits of `v`.
#[inline(always)]
fn sign_extend(v: u32, bits: u32) -> u32 {
    let shift = 32 - bits;
    (((v << shift) as i32) >> shift) as u32
}

/// What a step recorded for its witness.
struct Recorder {
    /// Proof of the one data word the instruction touched.
    data_proof: Option<[u8; PROOF_LEN]>,
    /// The preimage part the instruction read.
    preimage: Option<(B256, u32)>,
}

/// The VM: a [`State`], the host side of the hint stream, and a [`PreimageOracle`].
#[derive(Debug)]
pub struct Vm<O> {
    state: State,
    oracle: O,
    /// Hint bytes written so far that do not make a whole hint yet.
    hint_buf: Vec<u8>,
    /// The preimage of the current key, once read.
    preimage: Option<(B256, Arc<[u8]>)>,
    /// What the program wrote to stdout and stderr, if captured.
    output: Option<Vec<u8>>,
}

/// A VM's state and hint stream: everything needed to resume, without the oracle.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The VM state.
    pub state: State,
    /// Bytes of an unfinished hint.
    pub hint_buf: Vec<u8>,
}

impl<O: PreimageOracle> Vm<O> {
    /// A VM starting from `state`.
    pub fn new(state: State, oracle: O) -> Self {
        Self { state, oracle, hint_buf: Vec::new(), preimage: None, output: None }
    }

    /// A VM resuming from a snapshot.
    pub fn resume(snapshot: Snapshot, oracle: O) -> Self {
        Self { state: snapshot.state, oracle, hint_buf: snapshot.hint_buf, preimage: None, output: None }
    }

    /// The resumable part of this VM (memory pages are shared, copy-on-write).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot { state: self.state.clone(), hint_buf: self.hint_buf.clone() }
    }

    /// Keeps what the program writes to stdout and stderr (see [`Vm::output`]).
    pub fn capture_output(&mut self) {
        self.output.get_or_insert_with(Vec::new);
    }

    /// What the program wrote to stdout and stderr since [`Vm::capture_output`].
    pub fn output(&self) -> &[u8] {
        self.output.as_deref().unwrap_or_default()
    }

    /// The state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The state, mutably (to hash it, or to patch a program before it runs).
    pub fn state_mut(&mut self) -> &mut State {
        &mut self.state
    }

    /// The oracle.
    pub fn oracle(&self) -> &O {
        &self.oracle
    }

    /// Gives the state and the oracle back.
    pub fn into_parts(self) -> (State, O) {
        (self.state, self.oracle)
    }

    /// Executes one instruction. On an error the state is unchanged.
    #[inline]
    pub fn step(&mut self) -> Result<(), VmError> {
        self.step_inner::<false>(None)
    }

    /// Executes up to `max_steps` instructions, stopping early when the program exits;
    /// returns how many were executed.
    pub fn run(&mut self, max_steps: u64) -> Result<u64, VmError> {
        let mut n = 0;
        while n < max_steps && !self.state.exited {
            self.step_inner::<false>(None)?;
            n += 1;
        }
        Ok(n)
    }

    /// Executes one instruction and returns what `MIPS.step` needs to execute it: the encoded
    /// pre-state, the instruction and data memory proofs, and the preimage part it reads.
    pub fn step_with_witness(&mut self) -> Result<StepWitness, VmError> {
        let state = self.state.encode();
        let pre_status = self.state.status();
        let insn_proof = self.state.memory.proof(self.state.pc & !3);
        let mut rec = Recorder { data_proof: None, preimage: None };
        self.step_inner::<true>(Some(&mut rec))?;
        let mut proof = Vec::with_capacity(2 * PROOF_LEN);
        proof.extend_from_slice(&insn_proof);
        // The contract reads a second proof only for data accesses; like cannon, always send one.
        proof.extend_from_slice(rec.data_proof.as_ref().unwrap_or(&insn_proof));
        let preimage = match rec.preimage {
            Some((key, offset)) => {
                let data = match &self.preimage {
                    Some((k, data)) if *k == key => data.clone(),
                    // The step read it, so it is the cached one; an empty read of nothing else.
                    _ => Arc::from(Vec::new()),
                };
                Some(PreimageRead { key, offset: u64::from(offset), data })
            }
            None => None,
        };
        Ok(StepWitness { state: state.to_vec(), pre_status, proof, preimage })
    }

    fn step_inner<const W: bool>(&mut self, rec: Option<&mut Recorder>) -> Result<(), VmError> {
        if self.state.exited {
            return Ok(());
        }
        let pc = self.state.pc;
        if pc & 3 != 0 {
            return Err(VmError::UnalignedPc { pc });
        }
        self.state.step = self.state.step.wrapping_add(1);
        let result = self.execute_insn::<W>(pc, rec);
        if result.is_err() {
            self.state.step = self.state.step.wrapping_sub(1);
        }
        result
    }

    /// Reads the data word at the aligned `addr` (memory proof 1).
    #[inline(always)]
    fn read_data<const W: bool>(&mut self, addr: u32, rec: &mut Option<&mut Recorder>) -> u32 {
        if W && let Some(r) = rec.as_deref_mut() {
            r.data_proof = Some(self.state.memory.proof(addr));
        }
        self.state.memory.read_word(addr)
    }

    #[inline(always)]
    fn advance(&mut self) {
        self.state.pc = self.state.next_pc;
        self.state.next_pc = self.state.next_pc.wrapping_add(4);
    }

    #[inline(always)]
    fn set_reg(&mut self, reg: u32, value: u32) {
        if reg != 0 {
            self.state.registers[(reg & 31) as usize] = value;
        }
    }

    #[inline(always)]
    fn execute_insn<const W: bool>(&mut self, pc: u32, mut rec: Option<&mut Recorder>) -> Result<(), VmError> {
        let insn = self.state.memory.read_word(pc);
        let opcode = insn >> 26;

        // j / jal
        if opcode == 2 || opcode == 3 {
            let target = (self.state.next_pc & 0xF000_0000) | ((insn & 0x03FF_FFFF) << 2);
            return self.jump(pc, insn, if opcode == 2 { 0 } else { 31 }, target);
        }

        let rt_reg = (insn >> 16) & 0x1F;
        let mut rs = self.state.registers[((insn >> 21) & 0x1F) as usize];
        let mut rd_reg = rt_reg;
        let mut rt = 0u32;
        if opcode == 0 || opcode == 0x1C {
            rt = self.state.registers[rt_reg as usize];
            rd_reg = (insn >> 11) & 0x1F;
        } else if opcode < 0x20 {
            rt = if matches!(opcode, 0xC..=0xE) { insn & 0xFFFF } else { sign_extend(insn & 0xFFFF, 16) };
        } else if opcode >= 0x28 || opcode == 0x22 || opcode == 0x26 {
            rt = self.state.registers[rt_reg as usize];
        }

        if (4..8).contains(&opcode) || opcode == 1 {
            return self.branch(pc, insn, opcode, rt_reg, rs);
        }

        let mut store_addr = None;
        let mut mem = 0;
        if opcode >= 0x20 {
            rs = rs.wrapping_add(sign_extend(insn & 0xFFFF, 16));
            let addr = rs & !3;
            mem = self.read_data::<W>(addr, &mut rec);
            if opcode >= 0x28 && opcode != 0x30 {
                store_addr = Some(addr);
                rd_reg = 0;
            }
        }

        let val = alu(insn, rs, rt, mem).ok_or(VmError::InvalidInstruction { pc, insn })?;

        let func = insn & 0x3F;
        if opcode == 0 && (8..0x1C).contains(&func) {
            match func {
                0x08 => return self.jump(pc, insn, 0, rs),
                0x09 => return self.jump(pc, insn, rd_reg, rs),
                0x0A => {
                    if rt == 0 {
                        self.set_reg(rd_reg, rs);
                    }
                    self.advance();
                    return Ok(());
                }
                0x0B => {
                    if rt != 0 {
                        self.set_reg(rd_reg, rs);
                    }
                    self.advance();
                    return Ok(());
                }
                0x0C => return self.syscall::<W>(pc, insn, rec),
                0x10..=0x1B => return self.hi_lo(pc, insn, func, rs, rt, rd_reg),
                // sync (0x0F) falls through and writes rs to rd like any ALU result.
                _ => {}
            }
        }

        // sc always succeeds: rt = 1.
        if opcode == 0x38 {
            self.set_reg(rt_reg, 1);
        }
        if let Some(addr) = store_addr {
            self.state.memory.write_word(addr, val);
        }
        self.set_reg(rd_reg, val);
        self.advance();
        Ok(())
    }

    #[inline(always)]
    fn jump(&mut self, pc: u32, insn: u32, link_reg: u32, dest: u32) -> Result<(), VmError> {
        if self.state.next_pc != pc.wrapping_add(4) {
            return Err(VmError::DelaySlotBranch { pc, insn });
        }
        self.state.pc = self.state.next_pc;
        self.state.next_pc = dest;
        self.set_reg(link_reg, pc.wrapping_add(8));
        Ok(())
    }

    #[inline(always)]
    fn branch(&mut self, pc: u32, insn: u32, opcode: u32, rt_reg: u32, rs: u32) -> Result<(), VmError> {
        if self.state.next_pc != pc.wrapping_add(4) {
            return Err(VmError::DelaySlotBranch { pc, insn });
        }
        let should_branch = match opcode {
            4 => rs == self.state.registers[rt_reg as usize],
            5 => rs != self.state.registers[rt_reg as usize],
            6 => (rs as i32) <= 0,
            7 => (rs as i32) > 0,
            // REGIMM: only bltz (0) and bgez (1); bltzal, bgezal and the rest fall through
            // without linking, as in MIPS.sol 1.0.1.
            _ => match rt_reg {
                0 => (rs as i32) < 0,
                1 => (rs as i32) >= 0,
                _ => false,
            },
        };
        self.state.pc = self.state.next_pc;
        self.state.next_pc = if should_branch {
            pc.wrapping_add(4).wrapping_add(sign_extend(insn & 0xFFFF, 16) << 2)
        } else {
            self.state.next_pc.wrapping_add(4)
        };
        Ok(())
    }

    fn hi_lo(&mut self, pc: u32, insn: u32, func: u32, rs: u32, rt: u32, rd_reg: u32) -> Result<(), VmError> {
        // Only mfhi and mflo produce a value; the others write 0 to a non-zero rd.
        let mut val = 0;
        match func {
            0x10 => val = self.state.hi,
            0x11 => self.state.hi = rs,
            0x12 => val = self.state.lo,
            0x13 => self.state.lo = rs,
            0x18 => {
                let acc = i64::from(rs as i32).wrapping_mul(i64::from(rt as i32)) as u64;
                self.state.hi = (acc >> 32) as u32;
                self.state.lo = acc as u32;
            }
            0x19 => {
                let acc = u64::from(rs) * u64::from(rt);
                self.state.hi = (acc >> 32) as u32;
                self.state.lo = acc as u32;
            }
            0x1A => {
                if rt == 0 {
                    return Err(VmError::DivisionByZero { pc, insn });
                }
                self.state.hi = (rs as i32).wrapping_rem(rt as i32) as u32;
                self.state.lo = (rs as i32).wrapping_div(rt as i32) as u32;
            }
            0x1B => {
                if rt == 0 {
                    return Err(VmError::DivisionByZero { pc, insn });
                }
                self.state.hi = rs % rt;
                self.state.lo = rs / rt;
            }
            // 0x14..=0x17 were rejected by the ALU already.
            _ => return Err(VmError::InvalidInstruction { pc, insn }),
        }
        self.set_reg(rd_reg, val);
        self.advance();
        Ok(())
    }

    fn syscall<const W: bool>(&mut self, pc: u32, insn: u32, mut rec: Option<&mut Recorder>) -> Result<(), VmError> {
        let regs = &self.state.registers;
        let (number, a0, a1, a2) = (regs[2], regs[4], regs[5], regs[6]);
        let mut v0 = 0u32;
        let mut v1 = 0u32;
        match number {
            SYS_MMAP => {
                let mut size = a1;
                if size & 4095 != 0 {
                    size = size.wrapping_add(4096 - (size & 4095));
                }
                if a0 == 0 {
                    v0 = self.state.heap;
                    self.state.heap = self.state.heap.wrapping_add(size);
                } else {
                    v0 = a0;
                }
            }
            SYS_BRK => v0 = BRK_START,
            SYS_CLONE => v0 = 1,
            SYS_EXIT_GROUP => {
                self.state.exited = true;
                self.state.exit_code = a0 as u8;
                // exit_group leaves pc, nextPC and the registers as they are.
                return Ok(());
            }
            SYS_READ => {
                match a0 {
                    FD_STDIN => {}
                    FD_PREIMAGE_READ => {
                        let key = self.state.preimage_key;
                        let offset = self.state.preimage_offset;
                        let data = self.current_preimage(pc, insn, key)?;
                        let (part, available) = preimage_part(&data, u64::from(offset))
                            .ok_or(VmError::PreimageOffset { pc, key, offset, len: data.len() + 8 })?;
                        let addr = a1 & !3;
                        let mem = self.read_data::<W>(addr, &mut rec);
                        if W && let Some(r) = rec.as_deref_mut() {
                            r.preimage = Some((key, offset));
                        }
                        let alignment = (a1 & 3) as usize;
                        let n = available.min(4 - alignment).min(a2 as usize);
                        let mut bytes = mem.to_be_bytes();
                        bytes[alignment..alignment + n].copy_from_slice(&part[..n]);
                        self.state.memory.write_word(addr, u32::from_be_bytes(bytes));
                        self.state.preimage_offset = offset.wrapping_add(n as u32);
                        v0 = n as u32;
                    }
                    // Hint acknowledgements: nothing is written, the whole count is reported.
                    FD_HINT_READ => v0 = a2,
                    _ => {
                        v0 = u32::MAX;
                        v1 = EBADF;
                    }
                }
            }
            SYS_WRITE => match a0 {
                FD_STDOUT | FD_STDERR | FD_HINT_WRITE => {
                    // On-chain these touch no memory; the host still reads what was written.
                    if a0 == FD_HINT_WRITE {
                        self.take_hint_bytes(pc, insn, a1, a2)?;
                    } else if let Some(out) = self.output.as_mut() {
                        out.extend(self.state.memory.read_range(a1, a2.min(1 << 20) as usize));
                    }
                    v0 = a2;
                }
                FD_PREIMAGE_WRITE => {
                    let mem = self.read_data::<W>(a1 & !3, &mut rec);
                    let alignment = a1 & 3;
                    let space = 4 - alignment;
                    let n = a2.min(space);
                    let bytes = mem.to_be_bytes();
                    let mut key = [0u8; 32];
                    let old = self.state.preimage_key;
                    // key = (key << 8n) | the n bytes at the address.
                    let n_us = n as usize;
                    key[..32 - n_us].copy_from_slice(&old[n_us..]);
                    key[32 - n_us..].copy_from_slice(&bytes[alignment as usize..(alignment + n) as usize]);
                    self.state.preimage_key = B256::from(key);
                    self.state.preimage_offset = 0;
                    v0 = n;
                }
                _ => {
                    v0 = u32::MAX;
                    v1 = EBADF;
                }
            },
            SYS_FCNTL => {
                if a1 == 3 {
                    // F_GETFL
                    match a0 {
                        FD_STDIN | FD_PREIMAGE_READ | FD_HINT_READ => v0 = 0,
                        FD_STDOUT | FD_STDERR | FD_PREIMAGE_WRITE | FD_HINT_WRITE => v0 = 1,
                        _ => {
                            v0 = u32::MAX;
                            v1 = EBADF;
                        }
                    }
                } else {
                    v0 = u32::MAX;
                    v1 = EINVAL;
                }
            }
            // Every other syscall is a no-op returning 0.
            _ => {}
        }
        self.state.registers[2] = v0;
        self.state.registers[7] = v1;
        self.advance();
        Ok(())
    }

    /// The preimage of `key`, from the cache or the oracle.
    fn current_preimage(&mut self, pc: u32, insn: u32, key: B256) -> Result<Arc<[u8]>, VmError> {
        if let Some((k, data)) = &self.preimage
            && *k == key
        {
            return Ok(data.clone());
        }
        let data = self
            .oracle
            .preimage(key)
            .map_err(|source| VmError::Oracle { pc, insn, key, source })?
            .ok_or(VmError::PreimageMissing { pc, insn, key })?;
        self.preimage = Some((key, data.clone()));
        Ok(data)
    }

    /// Appends written hint bytes and hands every complete `u32_be(len) ‖ hint` to the oracle.
    fn take_hint_bytes(&mut self, pc: u32, insn: u32, addr: u32, count: u32) -> Result<(), VmError> {
        // Hints do not touch the state; a write beyond any real hint is not worth gigabytes.
        if count > MAX_HINT_WRITE {
            return Ok(());
        }
        self.hint_buf.extend(self.state.memory.read_range(addr, count as usize));
        while self.hint_buf.len() >= 4 {
            let len =
                u32::from_be_bytes([self.hint_buf[0], self.hint_buf[1], self.hint_buf[2], self.hint_buf[3]]) as usize;
            if self.hint_buf.len() - 4 < len {
                break;
            }
            let hint: Vec<u8> = self.hint_buf.drain(..4 + len).skip(4).collect();
            self.oracle.hint(&hint).map_err(|source| VmError::Oracle { pc, insn, key: B256::ZERO, source })?;
        }
        Ok(())
    }
}

/// The MIPS32 VM of `MIPS.sol` 1.0.1 as a [`VmKind`]: [`Vm`] over any oracle.
#[derive(Debug, Clone, Copy)]
pub enum Mips32 {}

impl VmKind for Mips32 {
    type Snapshot = Snapshot;
    type Vm<O: PreimageOracle> = Vm<O>;
}

impl<O: PreimageOracle> FaultVm for Vm<O> {
    type Oracle = O;
    type Snapshot = Snapshot;
    type Error = VmError;

    fn resume(snapshot: Snapshot, oracle: O) -> Self {
        Vm::resume(snapshot, oracle)
    }

    fn snapshot(&self) -> Snapshot {
        Vm::snapshot(self)
    }

    fn state_hash(&mut self) -> B256 {
        self.state.hash()
    }

    fn exited(&self) -> bool {
        self.state.exited
    }

    fn run(&mut self, max_steps: u64) -> Result<u64, VmError> {
        Vm::run(self, max_steps)
    }

    fn step_with_witness(&mut self) -> Result<StepWitness, VmError> {
        Vm::step_with_witness(self)
    }
}

/// `MIPS.execute`: the ALU and load/store value, `None` where the contract reverts
/// "invalid instruction".
#[inline(always)]
fn alu(insn: u32, rs: u32, rt: u32, mem: u32) -> Option<u32> {
    let opcode = insn >> 26;
    if opcode == 0 || (8..0xF).contains(&opcode) {
        let func = match opcode {
            0x8 => 0x20,
            0x9 => 0x21,
            0xA => 0x2A,
            0xB => 0x2B,
            0xC => 0x24,
            0xD => 0x25,
            0xE => 0x26,
            _ => insn & 0x3F,
        };
        let shamt = (insn >> 6) & 0x1F;
        return Some(match func {
            0x00 => rt << shamt,
            0x02 => rt >> shamt,
            0x03 => ((rt as i32) >> shamt) as u32,
            0x04 => rt << (rs & 0x1F),
            0x06 => rt >> (rs & 0x1F),
            // srav shifts by all of rs: 32 or more gives 0 (MIPS.sol's SE(rt >> rs, 32 - rs)).
            0x07 => {
                if rs >= 32 {
                    0
                } else {
                    ((rt as i32) >> rs) as u32
                }
            }
            0x08..=0x0C | 0x0F..=0x13 | 0x18..=0x1B => rs,
            0x20 | 0x21 => rs.wrapping_add(rt),
            0x22 | 0x23 => rs.wrapping_sub(rt),
            0x24 => rs & rt,
            0x25 => rs | rt,
            0x26 => rs ^ rt,
            0x27 => !(rs | rt),
            0x2A => u32::from((rs as i32) < (rt as i32)),
            0x2B => u32::from(rs < rt),
            _ => return None,
        });
    }
    let byte_shift = 24 - (rs & 3) * 8;
    let half_shift = 16 - (rs & 2) * 8;
    Some(match opcode {
        0x1C => match insn & 0x3F {
            0x02 => (rs as i32).wrapping_mul(rt as i32) as u32,
            0x20 => rs.leading_zeros(),
            0x21 => rs.leading_ones(),
            _ => return None,
        },
        0x0F => rt << 16,
        0x20 => sign_extend((mem >> byte_shift) & 0xFF, 8),
        0x21 => sign_extend((mem >> half_shift) & 0xFFFF, 16),
        0x22 => {
            let s = (rs & 3) * 8;
            (rt & !(u32::MAX << s)) | (mem << s)
        }
        0x23 | 0x30 => mem,
        0x24 => (mem >> byte_shift) & 0xFF,
        0x25 => (mem >> half_shift) & 0xFFFF,
        0x26 => (rt & !(u32::MAX >> byte_shift)) | (mem >> byte_shift),
        0x28 => (mem & !(0xFF << byte_shift)) | ((rt & 0xFF) << byte_shift),
        0x29 => (mem & !(0xFFFF << half_shift)) | ((rt & 0xFFFF) << half_shift),
        0x2A => {
            let s = (rs & 3) * 8;
            (mem & !(u32::MAX >> s)) | (rt >> s)
        }
        0x2B | 0x38 => rt,
        0x2E => (mem & !(u32::MAX << byte_shift)) | (rt << byte_shift),
        _ => return None,
    })
}
