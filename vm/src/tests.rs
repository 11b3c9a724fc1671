//! Unit tests per instruction class, against the semantics read from `MIPS.sol` 1.0.1
//! (including its quirks), and of the witness.

use alloy_primitives::B256;

use crate::memory::{PROOF_LEN, proof_root, proof_word};
use crate::oracle::{MapOracle, keccak_key, local_key};
use crate::{DecodedState, State, Vm, VmError};

const BASE: u32 = 0x1000;

fn r(func: u32, rs: u32, rt: u32, rd: u32, shamt: u32) -> u32 {
    (rs << 21) | (rt << 16) | (rd << 11) | (shamt << 6) | func
}
fn special2(func: u32, rs: u32, rt: u32, rd: u32) -> u32 {
    (0x1C << 26) | r(func, rs, rt, rd, 0)
}
fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | u32::from(imm)
}
fn j(op: u32, target: u32) -> u32 {
    (op << 26) | ((target >> 2) & 0x03FF_FFFF)
}
const NOP: u32 = 0;
const SYSCALL: u32 = 0xC;

/// A VM with `code` at [`BASE`] and the given registers.
fn vm(code: &[u32], regs: &[(usize, u32)]) -> Vm<MapOracle> {
    let mut s = State { pc: BASE, next_pc: BASE + 4, heap: 0x2000_0000, ..State::default() };
    for (k, w) in code.iter().enumerate() {
        s.memory.write_word(BASE + 4 * k as u32, *w);
    }
    for &(reg, v) in regs {
        s.registers[reg] = v;
    }
    Vm::new(s, MapOracle::new())
}

/// Runs one instruction with `regs` and returns register `out`.
fn one(insn: u32, regs: &[(usize, u32)], out: usize) -> u32 {
    let mut m = vm(&[insn], regs);
    m.step().unwrap();
    assert_eq!((m.state().pc, m.state().next_pc, m.state().step), (BASE + 4, BASE + 8, 1));
    m.state().registers[out]
}

#[test]
fn r_type_alu() {
    let ab = [(8, 0x8000_0001u32), (9, 3)];
    assert_eq!(one(r(0x21, 8, 9, 10, 0), &ab, 10), 0x8000_0004); // addu
    assert_eq!(one(r(0x20, 8, 8, 10, 0), &ab, 10), 2); // add: no overflow trap
    assert_eq!(one(r(0x23, 9, 8, 10, 0), &ab, 10), 0x8000_0002); // subu
    assert_eq!(one(r(0x22, 9, 8, 10, 0), &ab, 10), 0x8000_0002); // sub
    assert_eq!(one(r(0x24, 8, 9, 10, 0), &ab, 10), 1); // and
    assert_eq!(one(r(0x25, 8, 9, 10, 0), &ab, 10), 0x8000_0003); // or
    assert_eq!(one(r(0x26, 8, 9, 10, 0), &ab, 10), 0x8000_0002); // xor
    assert_eq!(one(r(0x27, 8, 9, 10, 0), &ab, 10), 0x7FFF_FFFC); // nor
    assert_eq!(one(r(0x2A, 8, 9, 10, 0), &ab, 10), 1); // slt: negative < 3
    assert_eq!(one(r(0x2B, 8, 9, 10, 0), &ab, 10), 0); // sltu
    // r0 stays zero.
    assert_eq!(one(r(0x21, 8, 9, 0, 0), &ab, 0), 0);
}

#[test]
fn shifts_including_srav_by_32_or_more() {
    let v = [(8, 0x8000_00F0u32), (9, 4), (11, 33), (12, 36)];
    assert_eq!(one(r(0x00, 0, 8, 10, 4), &v, 10), 0x0000_0F00); // sll
    assert_eq!(one(r(0x02, 0, 8, 10, 4), &v, 10), 0x0800_000F); // srl
    assert_eq!(one(r(0x03, 0, 8, 10, 4), &v, 10), 0xF800_000F); // sra
    assert_eq!(one(r(0x03, 0, 8, 10, 0), &v, 10), 0x8000_00F0); // sra 0
    assert_eq!(one(r(0x04, 9, 8, 10, 0), &v, 10), 0x0000_0F00); // sllv
    assert_eq!(one(r(0x04, 12, 8, 10, 0), &v, 10), 0x0000_0F00); // sllv masks to 5 bits
    assert_eq!(one(r(0x06, 12, 8, 10, 0), &v, 10), 0x0800_000F); // srlv masks too
    assert_eq!(one(r(0x07, 9, 8, 10, 0), &v, 10), 0xF800_000F); // srav
    // srav does not mask: a shift of 33 gives 0 in MIPS.sol, not a shift by 1.
    assert_eq!(one(r(0x07, 11, 8, 10, 0), &v, 10), 0);
    // rotr (srl with bit 21 set) is executed as srl.
    assert_eq!(one(r(0x02, 1, 8, 10, 4), &v, 10), 0x0800_000F);
}

#[test]
fn immediates_sign_or_zero_extend() {
    let v = [(8, 5u32)];
    assert_eq!(one(i(0x09, 8, 10, 0xFFFF), &v, 10), 4); // addiu -1
    assert_eq!(one(i(0x08, 8, 10, 0x8000), &v, 10), 0xFFFF_8005); // addi
    assert_eq!(one(i(0x0A, 8, 10, 0xFFFF), &v, 10), 0); // slti 5 < -1
    assert_eq!(one(i(0x0B, 8, 10, 0xFFFF), &v, 10), 1); // sltiu 5 < 0xFFFFFFFF
    assert_eq!(one(i(0x0C, 8, 10, 0xFFFF), &v, 10), 5); // andi zero-extends
    assert_eq!(one(i(0x0D, 8, 10, 0x8000), &v, 10), 0x8005); // ori
    assert_eq!(one(i(0x0E, 8, 10, 0xFFFF), &v, 10), 0xFFFA); // xori
    assert_eq!(one(i(0x0F, 0, 10, 0x8765), &v, 10), 0x8765_0000); // lui
}

#[test]
fn special2_mul_clz_clo() {
    let v = [(8, 0xFFFF_FFFEu32), (9, 0x0000_3000), (11, 7)];
    assert_eq!(one(special2(0x02, 8, 11, 10), &v, 10), (-14i32) as u32);
    assert_eq!(one(special2(0x20, 9, 0, 10), &v, 10), 18); // clz
    assert_eq!(one(special2(0x20, 0, 0, 10), &v, 10), 32);
    assert_eq!(one(special2(0x21, 8, 0, 10), &v, 10), 31); // clo
    assert_eq!(one(special2(0x21, 9, 0, 10), &v, 10), 0);
    // madd is not supported.
    let mut m = vm(&[special2(0x00, 8, 9, 0)], &v);
    assert!(matches!(m.step(), Err(VmError::InvalidInstruction { pc: BASE, .. })));
}

#[test]
fn hi_lo_arithmetic() {
    let mut m = vm(
        &[
            r(0x18, 8, 9, 0, 0),   // mult -2 * 3
            r(0x10, 0, 0, 10, 0),  // mfhi
            r(0x12, 0, 0, 11, 0),  // mflo
            r(0x19, 8, 9, 0, 0),   // multu
            r(0x10, 0, 0, 12, 0),  // mfhi
            r(0x1A, 13, 14, 0, 0), // div INT_MIN / -1
            r(0x1B, 8, 9, 0, 0),   // divu
            r(0x11, 9, 0, 0, 0),   // mthi
            r(0x13, 8, 0, 0, 0),   // mtlo
            r(0x1A, 15, 9, 16, 0), // div -7 / 3, rd = 16 is zeroed
        ],
        &[(8, (-2i32) as u32), (9, 3), (13, 0x8000_0000), (14, u32::MAX), (15, (-7i32) as u32), (16, 99)],
    );
    let s = |m: &Vm<MapOracle>| (m.state().hi, m.state().lo);
    m.step().unwrap();
    assert_eq!(s(&m), (u32::MAX, (-6i32) as u32));
    m.run(2).unwrap();
    assert_eq!((m.state().registers[10], m.state().registers[11]), (u32::MAX, (-6i32) as u32));
    m.step().unwrap();
    assert_eq!(s(&m), (2, 0xFFFF_FFFA));
    m.run(2).unwrap();
    assert_eq!(s(&m), (0, 0x8000_0000));
    m.step().unwrap();
    assert_eq!(s(&m), (0xFFFF_FFFE % 3, 0xFFFF_FFFE / 3));
    m.run(2).unwrap();
    assert_eq!(s(&m), (3, (-2i32) as u32));
    m.step().unwrap();
    assert_eq!(s(&m), ((-1i32) as u32, (-2i32) as u32));
    assert_eq!(m.state().registers[16], 0);

    let mut z = vm(&[r(0x1B, 8, 0, 0, 0)], &[(8, 1)]);
    assert!(matches!(z.step(), Err(VmError::DivisionByZero { pc: BASE, .. })));
    assert_eq!(z.state().step, 0, "a failed step changes nothing");
}

#[test]
fn loads_of_every_width_and_alignment() {
    let word = 0x8192_A3B4u32;
    let load = |op: u32, off: u16, rt_init: u32| {
        let mut m = vm(&[i(op, 8, 10, off)], &[(8, 0x2000), (10, rt_init)]);
        m.state_mut().memory.write_word(0x2004, word);
        m.step().unwrap();
        m.state().registers[10]
    };
    let lb: Vec<u32> = (4..8).map(|o| load(0x20, o, 0)).collect();
    assert_eq!(lb, [0xFFFF_FF81, 0xFFFF_FF92, 0xFFFF_FFA3, 0xFFFF_FFB4]);
    let lbu: Vec<u32> = (4..8).map(|o| load(0x24, o, 0)).collect();
    assert_eq!(lbu, [0x81, 0x92, 0xA3, 0xB4]);
    // lh and lhu ignore bit 0 of the address (no alignment exception).
    let lh: Vec<u32> = (4..8).map(|o| load(0x21, o, 0)).collect();
    assert_eq!(lh, [0xFFFF_8192, 0xFFFF_8192, 0xFFFF_A3B4, 0xFFFF_A3B4]);
    let lhu: Vec<u32> = (4..8).map(|o| load(0x25, o, 0)).collect();
    assert_eq!(lhu, [0x8192, 0x8192, 0xA3B4, 0xA3B4]);
    assert_eq!(load(0x23, 6, 0), word); // lw ignores the low bits
    assert_eq!(load(0x30, 4, 0), word); // ll
    let lwl: Vec<u32> = (4..8).map(|o| load(0x22, o, 0x1122_3344)).collect();
    assert_eq!(lwl, [0x8192_A3B4, 0x92A3_B444, 0xA3B4_3344, 0xB422_3344]);
    let lwr: Vec<u32> = (4..8).map(|o| load(0x26, o, 0x1122_3344)).collect();
    assert_eq!(lwr, [0x1122_3381, 0x1122_8192, 0x1181_92A3, 0x8192_A3B4]);
}

#[test]
fn stores_of_every_width_and_alignment() {
    let word = 0x8192_A3B4u32;
    let store = |op: u32, off: u16| {
        let mut m = vm(&[i(op, 8, 10, off)], &[(8, 0x2000), (10, 0x1122_3344)]);
        m.state_mut().memory.write_word(0x2004, word);
        m.step().unwrap();
        (m.state().memory.read_word(0x2004), m.state().registers[10])
    };
    let sb: Vec<u32> = (4..8).map(|o| store(0x28, o).0).collect();
    assert_eq!(sb, [0x4492_A3B4, 0x8144_A3B4, 0x8192_44B4, 0x8192_A344]);
    let sh: Vec<u32> = (4..8).map(|o| store(0x29, o).0).collect();
    assert_eq!(sh, [0x3344_A3B4, 0x3344_A3B4, 0x8192_3344, 0x8192_3344]);
    assert_eq!(store(0x2B, 7).0, 0x1122_3344);
    let swl: Vec<u32> = (4..8).map(|o| store(0x2A, o).0).collect();
    assert_eq!(swl, [0x1122_3344, 0x8111_2233, 0x8192_1122, 0x8192_A311]);
    let swr: Vec<u32> = (4..8).map(|o| store(0x2E, o).0).collect();
    assert_eq!(swr, [0x4492_A3B4, 0x3344_A3B4, 0x2233_44B4, 0x1122_3344]);
    // sc always succeeds: stores, and rt becomes 1.
    assert_eq!(store(0x38, 4), (0x1122_3344, 1));
    // A store leaves rt alone.
    assert_eq!(store(0x2B, 4).1, 0x1122_3344);
}

#[test]
fn branches_schedule_their_target_after_the_delay_slot() {
    // (instruction, registers, taken)
    let cases = [
        (i(4, 8, 9, 3), [(8, 1), (9, 1)], true),  // beq
        (i(4, 8, 9, 3), [(8, 1), (9, 2)], false), // beq
        (i(5, 8, 9, 3), [(8, 1), (9, 2)], true),  // bne
        (i(6, 8, 0, 3), [(8, 0), (9, 0)], true),  // blez 0
        (i(6, 8, 0, 3), [(8, 1), (9, 0)], false), // blez 1
        (i(7, 8, 0, 3), [(8, 1), (9, 0)], true),  // bgtz
        (i(7, 8, 0, 3), [(8, u32::MAX), (9, 0)], false),
        (i(1, 8, 0, 3), [(8, u32::MAX), (9, 0)], true), // bltz
        (i(1, 8, 1, 3), [(8, 0), (9, 0)], true),        // bgez
        (i(1, 8, 1, 3), [(8, u32::MAX), (9, 0)], false),
    ];
    for (insn, regs, taken) in cases {
        let mut m = vm(&[insn, NOP], &regs);
        m.step().unwrap();
        let target = if taken { BASE + 4 + 12 } else { BASE + 8 };
        assert_eq!((m.state().pc, m.state().next_pc), (BASE + 4, target), "{insn:#010x}");
        m.step().unwrap();
        assert_eq!(m.state().pc, target);
    }
    // A negative offset.
    let mut m = vm(&[i(4, 0, 0, 0xFFFF)], &[]);
    m.step().unwrap();
    assert_eq!(m.state().next_pc, BASE);
}

#[test]
fn bltzal_and_bgezal_neither_branch_nor_link() {
    for rt in [0x10, 0x11] {
        let mut m = vm(&[i(1, 0, rt, 8)], &[]);
        m.step().unwrap();
        assert_eq!((m.state().pc, m.state().next_pc, m.state().registers[31]), (BASE + 4, BASE + 8, 0));
    }
}

#[test]
fn jumps_link_past_the_delay_slot() {
    let mut m = vm(&[j(3, 0x0040_0000)], &[]);
    m.state_mut().pc = 0x1000_1000;
    m.state_mut().next_pc = 0x1000_1004;
    m.state_mut().memory.write_word(0x1000_1000, j(3, 0x0040_0000));
    m.step().unwrap();
    // The region comes from nextPC's top 4 bits.
    assert_eq!((m.state().pc, m.state().next_pc, m.state().registers[31]), (0x1000_1004, 0x1040_0000, 0x1000_1008));

    let mut m = vm(&[j(2, 0x2000)], &[]);
    m.step().unwrap();
    assert_eq!((m.state().next_pc, m.state().registers[31]), (0x2000, 0));

    let mut m = vm(&[r(0x08, 8, 0, 0, 0)], &[(8, 0x3000)]); // jr
    m.step().unwrap();
    assert_eq!(m.state().next_pc, 0x3000);
    let mut m = vm(&[r(0x09, 8, 0, 5, 0)], &[(8, 0x3000)]); // jalr $5
    m.step().unwrap();
    assert_eq!((m.state().next_pc, m.state().registers[5]), (0x3000, BASE + 8));
}

#[test]
fn a_jump_or_branch_in_a_delay_slot_is_an_error() {
    for insn in [j(2, 0x2000), i(4, 0, 0, 4), r(0x08, 8, 0, 0, 0), i(1, 0, 0x11, 4)] {
        let mut m = vm(&[j(2, 0x2000), insn], &[]);
        m.step().unwrap();
        let before = m.state().clone().encode();
        assert!(matches!(m.step(), Err(VmError::DelaySlotBranch { pc, .. }) if pc == BASE + 4), "{insn:#010x}");
        assert_eq!(m.state_mut().encode(), before);
    }
}

#[test]
fn conditional_moves_and_sync() {
    assert_eq!(one(r(0x0A, 8, 0, 10, 0), &[(8, 7), (10, 1)], 10), 7); // movz, rt = 0
    assert_eq!(one(r(0x0A, 8, 9, 10, 0), &[(8, 7), (9, 1), (10, 1)], 10), 1);
    assert_eq!(one(r(0x0B, 8, 9, 10, 0), &[(8, 7), (9, 1), (10, 1)], 10), 7); // movn
    // sync writes rs to rd, like any ALU result.
    assert_eq!(one(r(0x0F, 8, 0, 10, 0), &[(8, 7)], 10), 7);
}

#[test]
fn unsupported_instructions_are_errors_naming_pc_and_word() {
    let bad = [
        r(0x0D, 0, 0, 0, 0),  // break
        r(0x34, 8, 0, 0, 0),  // teq
        r(0x01, 0, 0, 0, 0),  // movci
        r(0x14, 0, 0, 0, 0),  // dsllv
        i(0x14, 0, 0, 1),     // beql
        i(0x1F, 0, 8, 0x420), // seb/seh (SPECIAL3)
        i(0x10, 0, 0, 0),     // COP0
        i(0x31, 0, 0, 0),     // lwc1
        i(0x2F, 0, 0, 0),     // cache
        i(0x27, 0, 0, 0),     // lwu
    ];
    for insn in bad {
        let mut m = vm(&[insn], &[]);
        let err = m.step().unwrap_err();
        assert!(matches!(err, VmError::InvalidInstruction { pc: BASE, insn: w } if w == insn), "{insn:#010x}");
        assert!(err.to_string().contains(&format!("{insn:#010x}")));
        assert_eq!(m.state().step, 0);
    }
    let mut m = vm(&[], &[]);
    m.state_mut().pc = BASE + 2;
    assert!(matches!(m.step(), Err(VmError::UnalignedPc { pc }) if pc == BASE + 2));
}

fn sys(number: u32, a: &[u32]) -> Vm<MapOracle> {
    let mut regs = vec![(2usize, number)];
    for (k, v) in a.iter().enumerate() {
        regs.push((4 + k, *v));
    }
    regs.push((7, 0xEEEE));
    vm(&[SYSCALL], &regs)
}

fn v01((v0, v1, _): (u32, u32, Vm<MapOracle>)) -> (u32, u32) {
    (v0, v1)
}

fn run_sys(number: u32, a: &[u32]) -> (u32, u32, Vm<MapOracle>) {
    let mut m = sys(number, a);
    m.step().unwrap();
    (m.state().registers[2], m.state().registers[7], m)
}

#[test]
fn syscalls_mmap_brk_clone_and_no_ops() {
    let (v0, v1, m) = run_sys(4090, &[0, 5000]);
    assert_eq!((v0, v1, m.state().heap), (0x2000_0000, 0, 0x2000_2000));
    let (v0, _, m) = run_sys(4090, &[0x1234_0000, 5000]);
    assert_eq!((v0, m.state().heap), (0x1234_0000, 0x2000_0000));
    let (v0, _, m) = run_sys(4090, &[0, 4096]);
    assert_eq!((v0, m.state().heap), (0x2000_0000, 0x2000_1000));
    assert_eq!(run_sys(4045, &[]).0, 0x4000_0000);
    assert_eq!(run_sys(4120, &[]).0, 1);
    // Unknown syscalls return 0 with no error.
    let (v0, v1, m) = run_sys(4001, &[]);
    assert_eq!((v0, v1, m.state().pc), (0, 0, BASE + 4));
}

#[test]
fn exit_group_freezes_the_state() {
    let (_, _, mut m) = run_sys(4246, &[0x1_02]);
    let s = m.state();
    assert!(s.exited);
    assert_eq!((s.exit_code, s.pc, s.registers[2], s.step), (2, BASE, 4246, 1));
    assert_eq!(m.state_mut().hash()[0], 2, "exit code 2 is PANIC");
    let before = m.state_mut().encode();
    m.step().unwrap();
    assert_eq!(m.state_mut().encode(), before, "steps after exit change nothing, not even the counter");
}

#[test]
fn fd_table_for_read_write_and_fcntl() {
    assert_eq!(run_sys(4003, &[0, 0x2000, 10]).0, 0); // stdin reads nothing
    assert_eq!(run_sys(4003, &[3, 0x2000, 10]).0, 10); // hint ack
    assert_eq!(v01(run_sys(4003, &[7, 0x2000, 10])), (u32::MAX, 9));
    assert_eq!(v01(run_sys(4003, &[1, 0x2000, 10])), (u32::MAX, 9));
    for fd in [1, 2, 4] {
        assert_eq!(run_sys(4004, &[fd, 0x2000, 11]).0, 11);
    }
    assert_eq!(v01(run_sys(4004, &[0, 0x2000, 10])), (u32::MAX, 9));
    for (fd, flags) in [(0, 0), (3, 0), (5, 0), (1, 1), (2, 1), (4, 1), (6, 1)] {
        assert_eq!(v01(run_sys(4055, &[fd, 3])), (flags, 0), "F_GETFL {fd}");
    }
    assert_eq!(v01(run_sys(4055, &[9, 3])), (u32::MAX, 9));
    assert_eq!(v01(run_sys(4055, &[0, 1])), (u32::MAX, 0x16), "F_GETFD is not supported");
}

#[test]
fn preimage_key_and_data_through_the_fds() {
    let data: Vec<u8> = (0x10..0x40).collect();
    let key = keccak_key(&data);
    let mut m = vm(&[SYSCALL; 64], &[]);
    m.state_mut().memory.set_range(0x3000, key.as_slice());
    // Write the key in pieces: 3 bytes from an unaligned address, then 4 at a time.
    let mut addr = 0x3000u32;
    let mut first = true;
    while addr < 0x3020 {
        let count = if first { 3 } else { 100 };
        first = false;
        let regs = &mut m.state_mut().registers;
        (regs[2], regs[4], regs[5], regs[6]) = (4004, 6, addr, count);
        m.step().unwrap();
        let n = m.state().registers[2];
        assert!((1..=4).contains(&n) && (addr & 3) + n <= 4, "key write of {n} at {addr:#x}");
        addr += n;
    }
    assert_eq!(m.state().preimage_key, key);
    assert_eq!(m.state().preimage_offset, 0);

    // Reading without the preimage is an error naming the key.
    let regs = &mut m.state_mut().registers;
    (regs[2], regs[4], regs[5], regs[6]) = (4003, 5, 0x4001, 100);
    let err = m.step().unwrap_err();
    assert!(matches!(err, VmError::PreimageMissing { key: k, .. } if k == key));

    let mut oracle = MapOracle::new();
    oracle.insert_keccak(data.clone());
    let snapshot = m.snapshot();
    let mut m = Vm::new(snapshot.state, oracle);
    let mut out = Vec::new();
    let mut addr = 0x4001u32;
    loop {
        let regs = &mut m.state_mut().registers;
        (regs[2], regs[4], regs[5], regs[6]) = (4003, 5, addr, 100);
        let w = m.step_with_witness().unwrap();
        let read = w.preimage.expect("a preimage read");
        assert_eq!(read.key, key);
        let n = m.state().registers[2];
        if n == 0 {
            break;
        }
        assert_eq!(read.offset as usize, out.len());
        out.extend(m.state().memory.read_range(addr, n as usize));
        addr += n;
    }
    let mut expected = (data.len() as u64).to_be_bytes().to_vec();
    expected.extend_from_slice(&data);
    assert_eq!(out, expected);
    assert_eq!(m.state().preimage_offset as usize, expected.len());
    assert_eq!(m.state().memory.read_byte(0x4000), 0, "the byte before the read is untouched");
}

#[test]
fn local_keys_reach_the_oracle_unlocalized() {
    let mut oracle = MapOracle::new();
    oracle.insert_local(4, 77u64.to_be_bytes().to_vec());
    let mut s = State { pc: BASE, next_pc: BASE + 4, preimage_key: local_key(4), ..State::default() };
    s.memory.write_word(BASE, SYSCALL);
    (s.registers[2], s.registers[4], s.registers[5], s.registers[6]) = (4003, 5, 0x5000, 4);
    let mut m = Vm::new(s, oracle);
    let w = m.step_with_witness().unwrap();
    assert!(w.preimage.as_ref().unwrap().is_local());
    assert_eq!(m.state().memory.read_word(0x5000), 0, "the first 4 bytes of the length prefix are 0");
    assert_eq!(m.state().preimage_offset, 4);
}

#[test]
fn hints_are_reassembled_from_partial_writes() {
    let mut m = vm(&[SYSCALL; 4], &[]);
    m.state_mut().memory.set_range(0x6000, &[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 1, b'!']);
    for (addr, count) in [(0x6000u32, 6u32), (0x6006, 5), (0x600B, 3)] {
        let regs = &mut m.state_mut().registers;
        (regs[2], regs[4], regs[5], regs[6]) = (4004, 4, addr, count);
        m.step().unwrap();
        assert_eq!(m.state().registers[2], count);
    }
    assert_eq!(m.oracle().hints, vec![b"hello".to_vec(), b"!".to_vec()]);
}

fn proof_at(proof: &[u8], k: usize) -> [u8; PROOF_LEN] {
    let mut p = [0u8; PROOF_LEN];
    p.copy_from_slice(&proof[k * PROOF_LEN..(k + 1) * PROOF_LEN]);
    p
}

#[test]
fn witness_proofs_open_the_pre_state_root_and_the_write_gives_the_post_root() {
    let mut m = vm(&[i(0x2B, 8, 9, 4)], &[(8, 0x2000_0000), (9, 0xABCD_EF01)]);
    m.state_mut().memory.write_word(0x2000_0004, 5);
    let w = m.step_with_witness().unwrap();
    let pre = DecodedState::decode(&w.state).unwrap();
    assert_eq!(w.proof.len(), 2 * PROOF_LEN);
    let insn_proof = proof_at(&w.proof, 0);
    let data_proof = proof_at(&w.proof, 1);
    assert_eq!(proof_root(BASE, &insn_proof), pre.mem_root);
    assert_eq!(proof_word(BASE, &insn_proof), i(0x2B, 8, 9, 4));
    assert_eq!(proof_root(0x2000_0004, &data_proof), pre.mem_root);
    assert_eq!(proof_word(0x2000_0004, &data_proof), 5);
    // Writing into the proof's leaf and rehashing gives the post-state root.
    let mut written = data_proof;
    written[4..8].copy_from_slice(&0xABCD_EF01u32.to_be_bytes());
    assert_eq!(proof_root(0x2000_0004, &written), m.state_mut().memory.root());
    assert_eq!(w.state_hash()[0], 3);
    assert_ne!(w.state_hash(), B256::ZERO);
}
