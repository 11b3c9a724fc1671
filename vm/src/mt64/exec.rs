//! One instruction of `MIPS64.sol` 1.10 (`MIPS64Instructions.sol`) on a thread: decoding, the
//! ALU, branches and jumps, `hi`/`lo`, and the loads and stores with their sub-word rules.
//! Written to follow the contract's structure line by line, so that a reader can check one
//! against the other; syscalls and LL/SC are the machine's (they touch more than a thread).

use super::Thread64;

/// Why the contract reverts on an instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// "MIPS64: invalid instruction" (FPU, COP0, SPECIAL3, traps, branch-likely, break, …).
    Invalid,
    /// "MIPS64: jump in delay slot".
    JumpInDelaySlot,
    /// "MIPS64: branch in delay slot".
    BranchInDelaySlot,
    /// "MIPS64: division by zero".
    DivisionByZero,
}

const U32: u64 = 0xFFFF_FFFF;
const REG_RA: usize = 31;

/// `signExtend(dat, idx)`: bit `idx - 1` copied into every bit above it (`idx` in 1..=64).
pub(crate) fn sign_extend(dat: u64, idx: u64) -> u64 {
    if idx >= 64 {
        return dat;
    }
    let mask = (1u64 << idx) - 1;
    let negative = (dat >> (idx - 1)) & 1 != 0;
    (dat & mask) | if negative { !mask } else { 0 }
}

/// The instruction's 16-bit immediate, sign-extended.
pub(crate) fn sign_extend_immediate(insn: u32) -> u64 {
    sign_extend(u64::from(insn & 0xFFFF), 16)
}

/// `selectSubWord`: the `len`-byte part of the 8-byte word `mem` that `vaddr` selects.
pub(crate) fn select_sub_word(vaddr: u64, mem: u64, len: u64, signed: bool) -> u64 {
    let bits = len << 3;
    let data_mask = u64::MAX >> (64 - bits);
    let byte_index = vaddr & 7 & !(len - 1);
    let offset = (8 - len - byte_index) << 3;
    let v = (mem >> offset) & data_mask;
    if signed { sign_extend(v, bits) } else { v }
}

/// `updateSubWord`: `mem` with the `len`-byte part `vaddr` selects replaced by `value`.
pub(crate) fn update_sub_word(vaddr: u64, mem: u64, len: u64, value: u64) -> u64 {
    let data_mask = u64::MAX >> (64 - (len << 3));
    let byte_index = vaddr & 7 & !(len - 1);
    let offset = (8 - len - byte_index) << 3;
    ((value & data_mask) << offset) | (!(data_mask << offset) & mem)
}

fn advance(t: &mut Thread64) {
    t.pc = t.next_pc;
    t.next_pc = t.next_pc.wrapping_add(4);
}

/// `handleRd`: writes `val` to `reg` (never `$0`) when `cond`, and moves to the next
/// instruction.
pub(crate) fn handle_rd(t: &mut Thread64, reg: usize, val: u64, cond: bool) {
    if reg != 0 && cond {
        t.registers[reg] = val;
    }
    advance(t);
}

fn handle_jump(t: &mut Thread64, link: usize, dest: u64) -> Result<(), Fault> {
    if t.next_pc != t.pc.wrapping_add(4) {
        return Err(Fault::JumpInDelaySlot);
    }
    let prev = t.pc;
    t.pc = t.next_pc;
    t.next_pc = dest;
    if link != 0 {
        t.registers[link] = prev.wrapping_add(8);
    }
    Ok(())
}

fn handle_branch(t: &mut Thread64, opcode: u32, insn: u32, rt_reg: usize, rs: u64) -> Result<(), Fault> {
    if t.next_pc != t.pc.wrapping_add(4) {
        return Err(Fault::BranchInDelaySlot);
    }
    let srs = rs as i64;
    let taken = match opcode {
        4 => rs == t.registers[rt_reg],
        5 => rs != t.registers[rt_reg],
        6 => srs <= 0,
        7 => srs > 0,
        // REGIMM; an unknown rt code neither branches nor reverts.
        _ => match (insn >> 16) & 0x1F {
            0 => srs < 0,
            1 => srs >= 0,
            0x10 => {
                t.registers[REG_RA] = t.pc.wrapping_add(8);
                srs < 0
            }
            0x11 => {
                t.registers[REG_RA] = t.pc.wrapping_add(8);
                srs >= 0
            }
            _ => false,
        },
    };
    let prev = t.pc;
    t.pc = t.next_pc;
    t.next_pc = if taken {
        prev.wrapping_add(4).wrapping_add(sign_extend_immediate(insn) << 2)
    } else {
        t.next_pc.wrapping_add(4)
    };
    Ok(())
}

fn handle_hi_lo(t: &mut Thread64, fun: u32, rs: u64, rt: u64, store: usize) -> Result<(), Fault> {
    let mut val = 0;
    match fun {
        0x10 => val = t.hi,
        0x11 => t.hi = rs,
        0x12 => val = t.lo,
        0x13 => t.lo = rs,
        0x18 => {
            let acc = (i64::from(rs as i32) * i64::from(rt as i32)) as u64;
            t.hi = sign_extend(acc >> 32, 32);
            t.lo = sign_extend(acc & U32, 32);
        }
        0x19 => {
            let acc = (rs & U32) * (rt & U32);
            t.hi = sign_extend(acc >> 32, 32);
            t.lo = sign_extend(acc & U32, 32);
        }
        0x1a => {
            if rt as u32 == 0 {
                return Err(Fault::DivisionByZero);
            }
            t.hi = sign_extend(u64::from((rs as i32).wrapping_rem(rt as i32) as u32), 32);
            t.lo = sign_extend(u64::from((rs as i32).wrapping_div(rt as i32) as u32), 32);
        }
        0x1b => {
            if rt as u32 == 0 {
                return Err(Fault::DivisionByZero);
            }
            t.hi = sign_extend(u64::from(rs as u32 % rt as u32), 32);
            t.lo = sign_extend(u64::from(rs as u32 / rt as u32), 32);
        }
        0x14 => val = rt << (rs & 0x3F),
        0x16 => val = rt >> (rs & 0x3F),
        0x17 => val = ((rt as i64) >> (rs & 0x3F)) as u64,
        0x1c => {
            let res = i128::from(rs as i64) * i128::from(rt as i64);
            t.hi = (res >> 64) as u64;
            t.lo = res as u64;
        }
        0x1d => {
            let res = u128::from(rs) * u128::from(rt);
            t.hi = (res >> 64) as u64;
            t.lo = res as u64;
        }
        0x1e => {
            if rt == 0 {
                return Err(Fault::DivisionByZero);
            }
            t.hi = (rs as i64).wrapping_rem(rt as i64) as u64;
            t.lo = (rs as i64).wrapping_div(rt as i64) as u64;
        }
        0x1f => {
            if rt == 0 {
                return Err(Fault::DivisionByZero);
            }
            t.hi = rs % rt;
            t.lo = rs / rt;
        }
        // `execute` refused every other function code already.
        _ => return Err(Fault::Invalid),
    }
    if store != 0 {
        t.registers[store] = val;
    }
    advance(t);
    Ok(())
}

/// `executeMipsInstruction`: the value an instruction computes (a register's new value, or a
/// store's new memory word).
pub(crate) fn execute(insn: u32, opcode: u32, fun: u32, rs: u64, rt: u64, mem: u64) -> Result<u64, Fault> {
    let sa = u64::from((insn >> 6) & 0x1F);
    if opcode == 0 || (8..0xF).contains(&opcode) || opcode == 0x18 || opcode == 0x19 {
        let fun = match opcode {
            0x8 => 0x20,
            0x9 => 0x21,
            0xA => 0x2A,
            0xB => 0x2B,
            0xC => 0x24,
            0xD => 0x25,
            0xE => 0x26,
            0x18 => 0x2C,
            0x19 => 0x2D,
            _ => fun,
        };
        return Ok(match fun {
            0x00 => sign_extend((rt << sa) & U32, 32),
            0x02 => sign_extend((rt & U32) >> sa, 32),
            0x03 => sign_extend((rt & U32) >> sa, 32 - sa),
            0x04 => sign_extend((rt << (rs & 0x1F)) & U32, 32),
            0x06 => sign_extend((rt & U32) >> (rs & 0x1F), 32),
            0x07 => sign_extend((rt & U32) >> (rs & 0x1F), 32 - (rs & 0x1F)),
            0x08..=0x0C | 0x0F..=0x13 | 0x18..=0x1F => rs,
            0x14 | 0x16 | 0x17 => rt,
            0x20 | 0x21 => sign_extend(u64::from((rs as u32).wrapping_add(rt as u32)), 32),
            0x22 | 0x23 => sign_extend(u64::from((rs as u32).wrapping_sub(rt as u32)), 32),
            0x24 => rs & rt,
            0x25 => rs | rt,
            0x26 => rs ^ rt,
            0x27 => !(rs | rt),
            0x2A => u64::from((rs as i64) < (rt as i64)),
            0x2B => u64::from(rs < rt),
            0x2C | 0x2D => rs.wrapping_add(rt),
            0x2E | 0x2F => rs.wrapping_sub(rt),
            0x38 => rt << sa,
            0x3A => rt >> sa,
            0x3B => ((rt as i64) >> sa) as u64,
            0x3C => rt << (sa + 32),
            0x3E => rt >> (sa + 32),
            0x3F => ((rt as i64) >> (sa + 32)) as u64,
            _ => return Err(Fault::Invalid),
        });
    }
    let word = |signed| select_sub_word(rs, mem, 4, signed);
    Ok(match opcode {
        0x1C => match fun {
            0x02 => sign_extend(u64::from((rs as i32).wrapping_mul(rt as i32) as u32), 32),
            0x20 => u64::from((!rs as u32).leading_ones()),
            0x21 => u64::from((rs as u32).leading_ones()),
            0x24 => u64::from((!rs).leading_ones()),
            0x25 => u64::from(rs.leading_ones()),
            _ => return Err(Fault::Invalid),
        },
        0x0F => sign_extend(rt << 16, 32),
        0x20 => select_sub_word(rs, mem, 1, true),
        0x21 => select_sub_word(rs, mem, 2, true),
        0x22 => {
            let s = (rs & 3) * 8;
            let val = u64::from((word(false) as u32) << s);
            let mask = u64::from(u32::MAX << s);
            sign_extend(((rt & !mask) | val) & U32, 32)
        }
        0x23 => word(true),
        0x24 => select_sub_word(rs, mem, 1, false),
        0x25 => select_sub_word(rs, mem, 2, false),
        0x26 => {
            let s = 24 - (rs & 3) * 8;
            let val = (word(false) as u32) >> s;
            let mask = u32::MAX >> s;
            let res = ((rt as u32) & !mask) | val;
            if rs & 3 == 3 { sign_extend(u64::from(res), 32) } else { (rt & 0xFFFF_FFFF_0000_0000) | u64::from(res) }
        }
        0x28 => update_sub_word(rs, mem, 1, rt),
        0x29 => update_sub_word(rs, mem, 2, rt),
        0x2A => {
            let sr = (rs & 3) << 3;
            let up = 32 - ((rs & 4) << 3);
            let val = ((rt & U32) >> sr) << up;
            let mask = (U32 >> sr) << up;
            (mem & !mask) | val
        }
        0x2B => update_sub_word(rs, mem, 4, rt),
        0x2E => {
            let s = 24 - (rs & 3) * 8;
            let val = rt << s;
            let mask = u64::from(u32::MAX << s);
            let res = (word(false) & !mask) | (val & U32);
            update_sub_word(rs, mem, 4, res)
        }
        0x1A => {
            let sl = (rs & 7) << 3;
            (mem << sl) | (rt & !(u64::MAX << sl))
        }
        0x1B => {
            let sr = 56 - ((rs & 7) << 3);
            let mask = u64::MAX.checked_shl((64 - sr) as u32).unwrap_or(0);
            (mem >> sr) | (rt & mask)
        }
        0x27 => (mem >> (32 - ((rs & 4) << 3))) & U32,
        0x2C => {
            let sr = (rs & 7) << 3;
            (rt >> sr) | (mem & !(u64::MAX >> sr))
        }
        0x2D => {
            let sl = 56 - ((rs & 7) << 3);
            (rt << sl) | (mem & !(u64::MAX << sl))
        }
        0x37 => mem,
        0x3F => rt,
        _ => return Err(Fault::Invalid),
    })
}

/// `execMipsCoreStepLogic`: executes `insn` on `t`, reading data memory through `read` (the
/// 8-byte word at an aligned address). Returns the memory write it makes, if any, as
/// (aligned address, new word). Syscalls and LL/SC are not handled here.
#[inline]
pub(crate) fn core_step(
    t: &mut Thread64,
    insn: u32,
    read: &mut dyn FnMut(u64) -> u64,
) -> Result<Option<(u64, u64)>, Fault> {
    let opcode = insn >> 26;
    let fun = insn & 0x3F;
    if opcode == 2 || opcode == 3 {
        let target = (t.next_pc & 0xFFFF_FFFF_F000_0000) | u64::from((insn & 0x03FF_FFFF) << 2);
        handle_jump(t, if opcode == 2 { 0 } else { REG_RA }, target)?;
        return Ok(None);
    }
    let rt_reg = ((insn >> 16) & 0x1F) as usize;
    let mut rs = t.registers[((insn >> 21) & 0x1F) as usize];
    let mut rt = 0;
    let mut rd_reg = rt_reg;
    if opcode == 0x27 || opcode == 0x1A || opcode == 0x1B {
        rt = t.registers[rt_reg];
    } else if opcode == 0 || opcode == 0x1C {
        rt = t.registers[rt_reg];
        rd_reg = ((insn >> 11) & 0x1F) as usize;
    } else if opcode < 0x20 {
        rt = if matches!(opcode, 0xC..=0xE) { u64::from(insn & 0xFFFF) } else { sign_extend_immediate(insn) };
    } else if opcode >= 0x28 || opcode == 0x22 || opcode == 0x26 {
        rt = t.registers[rt_reg];
    }
    if (4..8).contains(&opcode) || opcode == 1 {
        handle_branch(t, opcode, insn, rt_reg, rs)?;
        return Ok(None);
    }
    let mut store = None;
    let mut mem = 0;
    if opcode >= 0x20 || opcode == 0x1A || opcode == 0x1B {
        rs = rs.wrapping_add(sign_extend_immediate(insn));
        let addr = rs & !7;
        mem = read(addr);
        if opcode >= 0x28 && opcode != 0x37 {
            store = Some(addr);
            rd_reg = 0;
        }
    }
    let val = execute(insn, opcode, fun, rs, rt, mem)?;
    if opcode == 0 && (8..0x20).contains(&fun) {
        match fun {
            8 | 9 => {
                handle_jump(t, if fun == 8 { 0 } else { rd_reg }, rs)?;
                return Ok(None);
            }
            0xA => {
                handle_rd(t, rd_reg, rs, rt == 0);
                return Ok(None);
            }
            0xB => {
                handle_rd(t, rd_reg, rs, rt != 0);
                return Ok(None);
            }
            0x10..=0x1F => {
                handle_hi_lo(t, fun, rs, rt, rd_reg)?;
                return Ok(None);
            }
            _ => {}
        }
    }
    handle_rd(t, rd_reg, val, true);
    Ok(store.map(|addr| (addr, val)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn r(op: u32, rs: u32, rt: u32, rd: u32, sa: u32, fun: u32) -> u32 {
        (op << 26) | (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | fun
    }

    fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
        (op << 26) | (rs << 21) | (rt << 16) | u32::from(imm)
    }

    fn run(insn: u32, regs: &[(usize, u64)], mem: u64) -> (Thread64, Option<(u64, u64)>) {
        let mut t = Thread64::at(0, 0x1000);
        for &(r, v) in regs {
            t.registers[r] = v;
        }
        let w = core_step(&mut t, insn, &mut |_| mem).unwrap();
        (t, w)
    }

    #[test]
    fn sign_extension_and_sub_words() {
        assert_eq!(sign_extend(0x8000, 16), 0xFFFF_FFFF_FFFF_8000);
        assert_eq!(sign_extend(0x7FFF, 16), 0x7FFF);
        assert_eq!(sign_extend(0x1_8000_0000, 32), 0xFFFF_FFFF_8000_0000);
        assert_eq!(sign_extend(5, 64), 5);
        let mem = 0x0102_0304_8506_0708;
        assert_eq!(select_sub_word(0x1004, mem, 4, true), 0xFFFF_FFFF_8506_0708);
        assert_eq!(select_sub_word(0x1001, mem, 1, false), 0x02);
        assert_eq!(select_sub_word(0x1003, mem, 2, false), 0x0304, "the half-word at the aligned offset 2");
        assert_eq!(update_sub_word(0x1006, mem, 2, 0xAABB), 0x0102_0304_8506_AABB);
        assert_eq!(update_sub_word(0x1000, mem, 8, 9), 9);
    }

    #[test]
    fn alu_shifts_and_multiplies_follow_the_contract() {
        // addu with 32-bit wrap and sign extension
        let (t, _) = run(r(0, 1, 2, 3, 0, 0x21), &[(1, 0x7FFF_FFFF), (2, 1)], 0);
        assert_eq!((t.registers[3], t.pc, t.next_pc), (0xFFFF_FFFF_8000_0000, 0x1004, 0x1008));
        // sra by 4 of 0x80000000 → 0xF8000000 sign-extended
        let (t, _) = run(r(0, 0, 2, 3, 4, 0x03), &[(2, 0x8000_0000)], 0);
        assert_eq!(t.registers[3], 0xFFFF_FFFF_F800_0000);
        // dsra32 and dsll32
        let (t, _) = run(r(0, 0, 2, 3, 4, 0x3F), &[(2, 0x8000_0000_0000_0000)], 0);
        assert_eq!(t.registers[3], 0xFFFF_FFFF_F800_0000);
        let (t, _) = run(r(0, 0, 2, 3, 0, 0x3C), &[(2, 0x1234_5678)], 0);
        assert_eq!(t.registers[3], 0x1234_5678_0000_0000);
        // dmult of -1 and 3: hi all ones, lo -3
        let (t, _) = run(r(0, 1, 2, 0, 0, 0x1C), &[(1, u64::MAX), (2, 3)], 0);
        assert_eq!((t.hi, t.lo), (u64::MAX, (-3i64) as u64));
        // mult writes hi/lo sign-extended; rd 0 stays 0
        let (t, _) = run(r(0, 1, 2, 0, 0, 0x18), &[(1, 0x8000_0000), (2, 2)], 0);
        assert_eq!((t.hi, t.lo), (u64::MAX, 0));
        // div by zero reverts; ddiv of MIN by -1 wraps
        let mut th = Thread64::at(0, 0);
        assert_eq!(core_step(&mut th, r(0, 1, 2, 0, 0, 0x1A), &mut |_| 0), Err(Fault::DivisionByZero));
        let (t, _) = run(r(0, 1, 2, 0, 0, 0x1E), &[(1, i64::MIN as u64), (2, u64::MAX)], 0);
        assert_eq!((t.lo, t.hi), (i64::MIN as u64, 0));
        // clz of 0x00F0_0000 (low word) is 8; dclo of all ones is 64
        let (t, _) = run(r(0x1C, 1, 0, 3, 0, 0x20), &[(1, 0xFFFF_FFFF_00F0_0000)], 0);
        assert_eq!(t.registers[3], 8);
        let (t, _) = run(r(0x1C, 1, 0, 3, 0, 0x25), &[(1, u64::MAX)], 0);
        assert_eq!(t.registers[3], 64);
        // lui sign-extends; ori zero-extends
        let (t, _) = run(i(0xF, 0, 3, 0x8001), &[], 0);
        assert_eq!(t.registers[3], 0xFFFF_FFFF_8001_0000);
        let (t, _) = run(i(0xD, 3, 3, 0x8001), &[(3, 0x10_0000)], 0);
        assert_eq!(t.registers[3], 0x10_8001);
    }

    #[test]
    fn loads_stores_and_their_left_right_forms() {
        let mem = 0x1122_3344_5566_7788;
        // ld at base + imm
        let (t, w) = run(i(0x37, 1, 3, 8), &[(1, 0x2000)], mem);
        assert_eq!((t.registers[3], w), (mem, None));
        // sw at 0x2004 replaces the low word and writes no register
        let (t, w) = run(i(0x2B, 1, 3, 4), &[(1, 0x2000), (3, 0xAABB_CCDD)], mem);
        assert_eq!((t.registers[3], w), (0xAABB_CCDD, Some((0x2000, 0x1122_3344_AABB_CCDD))));
        // lwu zero-extends the upper word
        let (t, _) = run(i(0x27, 1, 3, 0), &[(1, 0x2000)], 0x8000_0000_0000_0000);
        assert_eq!(t.registers[3], 0x8000_0000);
        // ldl at offset 3 keeps rt's low 3 bytes; ldr at offset 3 takes the top 4 bytes
        let (t, _) = run(i(0x1A, 1, 3, 3), &[(1, 0x2000), (3, 0xAAAA_AAAA_AAAA_AAAA)], mem);
        assert_eq!(t.registers[3], 0x4455_6677_88AA_AAAA);
        let (t, _) = run(i(0x1B, 1, 3, 3), &[(1, 0x2000), (3, 0xAAAA_AAAA_AAAA_AAAA)], mem);
        assert_eq!(t.registers[3], 0xAAAA_AAAA_1122_3344);
        let (t, _) = run(i(0x1B, 1, 3, 7), &[(1, 0x2000), (3, 5)], mem);
        assert_eq!(t.registers[3], mem, "ldr at offset 7 loads the whole word");
        // sdl at 2: bytes 2..8 from rt's top
        let (_, w) = run(i(0x2C, 1, 3, 2), &[(1, 0x2000), (3, 0xA1A2_A3A4_A5A6_A7A8)], mem);
        assert_eq!(w, Some((0x2000, 0x1122_A1A2_A3A4_A5A6)));
        // swl at 1 of the upper word; swr at 5 of the lower word
        let (_, w) = run(i(0x2A, 1, 3, 1), &[(1, 0x2000), (3, 0xA1A2_A3A4)], mem);
        assert_eq!(w, Some((0x2000, 0x11A1_A2A3_5566_7788)));
        let (_, w) = run(i(0x2E, 1, 3, 5), &[(1, 0x2000), (3, 0xA1A2_A3A4)], mem);
        assert_eq!(w, Some((0x2000, 0x1122_3344_A3A4_7788)));
        // lwl at 1 / lwr at 2 of the upper word (32-bit results sign-extended / upper kept)
        let (t, _) = run(i(0x22, 1, 3, 1), &[(1, 0x2000), (3, 0xFFFF_FFFF)], mem);
        assert_eq!(t.registers[3], 0x2233_44FF);
        let (t, _) = run(i(0x26, 1, 3, 2), &[(1, 0x2000), (3, 0xDEAD_BEEF_0000_0000)], mem);
        assert_eq!(t.registers[3], 0xDEAD_BEEF_0011_2233);
        // unsupported: lwc1, cache, a trap, break, SPECIAL3
        for bad in
            [i(0x31, 1, 3, 0), i(0x2F, 1, 3, 0), r(0, 1, 2, 0, 0, 0x34), r(0, 0, 0, 0, 0, 0x0D), r(0x1F, 0, 0, 0, 0, 0)]
        {
            let mut th = Thread64::at(0, 0);
            assert_eq!(core_step(&mut th, bad, &mut |_| 0), Err(Fault::Invalid), "{bad:#010x}");
        }
    }

    #[test]
    fn branches_jumps_and_delay_slots() {
        // beq taken: pc goes to the delay slot, next pc to the target
        let (t, _) = run(i(4, 1, 2, 0xFFFF), &[(1, 5), (2, 5)], 0);
        assert_eq!((t.pc, t.next_pc), (0x1004, 0x1000));
        // bgezal not taken still links
        let (t, _) = run(i(1, 1, 0x11, 8), &[(1, u64::MAX)], 0);
        assert_eq!((t.pc, t.next_pc, t.registers[31]), (0x1004, 0x1008, 0x1008));
        // jal keeps the top bits of the next pc
        let mut t = Thread64::at(0, 0x1_2000_0000);
        core_step(&mut t, (3 << 26) | 0x40, &mut |_| 0).unwrap();
        assert_eq!((t.pc, t.next_pc, t.registers[31]), (0x1_2000_0004, 0x1_2000_0100, 0x1_2000_0008));
        // jalr links into rd; a jump in a delay slot reverts
        let (t, _) = run(r(0, 1, 0, 7, 0, 9), &[(1, 0x5000)], 0);
        assert_eq!((t.next_pc, t.registers[7]), (0x5000, 0x1008));
        let mut t = Thread64 { next_pc: 0x3000, ..Thread64::at(0, 0x1000) };
        assert_eq!(core_step(&mut t, r(0, 1, 0, 0, 0, 8), &mut |_| 0), Err(Fault::JumpInDelaySlot));
        assert_eq!(core_step(&mut t, i(5, 1, 2, 1), &mut |_| 0), Err(Fault::BranchInDelaySlot));
        // movn moves only when rt is non-zero; sync with rd 0 is a nop
        let (t, _) = run(r(0, 1, 2, 3, 0, 0xB), &[(1, 9), (2, 0)], 0);
        assert_eq!(t.registers[3], 0);
        let (t, _) = run(0xF, &[(1, 9)], 0);
        assert_eq!((t.registers[0], t.pc), (0, 0x1004));
    }
}
