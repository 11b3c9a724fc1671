//! The machine on hand-assembled programs: each syscall's return values, clone, futex and
//! yield pre-emption, LL/SC of both widths, the preimage fds and hint framing, witnesses.
#![allow(clippy::unwrap_used)]

use alloy_primitives::B256;
use riposte_game::VmStatus;

use super::*;
use crate::FaultVm;
use crate::oracle::{MapOracle, keccak_key};

const CODE: u64 = 0x10_0000;
const SYSCALL: u32 = 0xC;

fn daddiu(rt: u32, rs: u32, imm: u16) -> u32 {
    (0x19 << 26) | (rs << 21) | (rt << 16) | u32::from(imm)
}

fn mem_op(op: u32, rt: u32, base: u32, imm: u16) -> u32 {
    (op << 26) | (base << 21) | (rt << 16) | u32::from(imm)
}

/// One thread at [`CODE`] running `code`, its registers set as given.
fn machine(code: &[u32], regs: &[(usize, u64)]) -> Cannon64<MapOracle> {
    let mut memory = Memory64::new();
    for (i, insn) in code.iter().enumerate() {
        memory.write_u32(CODE + 4 * i as u64, *insn);
    }
    let mut t = Thread64::at(0, CODE);
    for &(r, v) in regs {
        t.registers[r] = v;
    }
    let state = State64 {
        mem_root: B256::ZERO,
        preimage_key: B256::ZERO,
        preimage_offset: 0,
        heap: 0x0000_1000_0000_0000,
        ll_reservation: 0,
        ll_address: 0,
        ll_owner_thread: 0,
        exit_code: 0,
        exited: false,
        step: 0,
        steps_since_context_switch: 0,
        traverse_right: false,
        left: ThreadStack(vec![t]),
        right: ThreadStack::default(),
        next_thread_id: 1,
    };
    Cannon64::new(Snapshot64 { state, memory, last_hint: Vec::new() }, MapOracle::new())
}

/// A machine whose one instruction is a syscall with `$v0 = number` and `$a0..$a2`.
fn syscall(number: u64, a: [u64; 3]) -> Cannon64<MapOracle> {
    machine(&[SYSCALL], &[(2, number), (4, a[0]), (5, a[1]), (6, a[2])])
}

fn top(m: &mut Cannon64<MapOracle>) -> Thread64 {
    m.state().active().top().unwrap().clone()
}

fn ret(m: &mut Cannon64<MapOracle>) -> (u64, u64) {
    let t = top(m);
    (t.registers[2], t.registers[7])
}

#[test]
fn exit_group_ends_the_vm_with_its_code() {
    let mut m = machine(&[daddiu(4, 0, 7), daddiu(2, 0, 5205), SYSCALL], &[]);
    assert_eq!(m.run(10).unwrap(), 3);
    assert!(m.exited());
    assert_eq!((m.state().exit_code, m.state().step), (7, 3));
    assert_eq!(m.state_hash()[0], VmStatus::Panic as u8, "exit code 7: the panic status");
    // An exited VM takes no more steps and its witness changes nothing.
    let h = m.state_hash();
    let w = m.step_with_witness().unwrap();
    assert_eq!((w.state_hash(), m.state_hash()), (h, h));
}

#[test]
fn mmap_bumps_the_heap_and_refuses_past_its_end() {
    let mut m = syscall(sys::MMAP, [0, 5000, 0]);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (0x0000_1000_0000_0000, 0));
    assert_eq!(m.state().heap, 0x0000_1000_0000_2000, "rounded up to pages");
    let mut m = syscall(sys::MMAP, [0, sys::HEAP_END, 0]);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (sys::EINVAL, sys::ERROR_SIGNAL));
    assert_eq!(m.state().heap, 0x0000_1000_0000_0000);
    let mut m = syscall(sys::MMAP, [0x1234_5000, u64::MAX, 0]);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (0x1234_5000, 0), "a given address is returned unchecked");
    let mut m = syscall(sys::BRK, [0; 3]);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (sys::PROGRAM_BREAK, 0));
}

#[test]
fn clone_pushes_a_child_that_runs_next_and_bad_flags_panic() {
    let mut m = machine(&[SYSCALL, 0], &[(2, sys::CLONE), (4, sys::VALID_CLONE_FLAGS), (5, 0x7000), (9, 99)]);
    m.state.steps_since_context_switch = 50;
    m.run(1).unwrap();
    let s = m.state().clone();
    assert_eq!((s.thread_count(), s.next_thread_id, s.steps_since_context_switch), (2, 2, 0));
    let (parent, child) = (&s.left.0[0], &s.left.0[1]);
    assert_eq!((parent.registers[2], parent.registers[7], parent.pc), (1, 0, CODE + 4));
    assert_eq!((child.id, child.pc, child.next_pc), (1, CODE + 4, CODE + 8));
    assert_eq!((child.registers[2], child.registers[7], child.registers[29], child.registers[9]), (0, 0, 0x7000, 99));
    // Other flags: the VM exits with the panic code, the thread untouched.
    let mut m = syscall(sys::CLONE, [0x100, 0x7000, 0]);
    m.run(1).unwrap();
    assert!(m.exited());
    assert_eq!((m.state().exit_code, top(&mut m).pc), (2, CODE));
}

#[test]
fn exit_of_the_last_thread_exits_the_vm_and_an_exited_thread_is_popped() {
    let mut m = syscall(sys::EXIT, [3, 0, 0]);
    m.run(1).unwrap();
    assert!(m.exited() && top(&mut m).exited);
    assert_eq!(m.state().exit_code, 3);
    // With two threads only the thread exits; the next step pops it.
    let mut m = machine(
        &[SYSCALL, daddiu(4, 0, 3), daddiu(2, 0, 5058), SYSCALL],
        &[(2, sys::CLONE), (4, sys::VALID_CLONE_FLAGS)],
    );
    m.run(4).unwrap();
    assert!(!m.exited());
    assert_eq!(m.state().thread_count(), 2);
    assert!(top(&mut m).exited, "the child exited");
    m.run(1).unwrap();
    assert_eq!((m.state().thread_count(), top(&mut m).id), (1, 0));
}

#[test]
fn futex_yield_and_nanosleep_preempt() {
    let mut m = syscall(sys::FUTEX, [0x2004, sys::FUTEX_WAIT_PRIVATE, 5]);
    m.memory.write_u32(0x2004, 5);
    m.run(1).unwrap();
    let s = m.state().clone();
    assert!(s.traverse_right && s.left.0.is_empty(), "moved to the right stack, which is now active");
    assert_eq!((s.right.0[0].pc, s.right.0[0].registers[2], s.steps_since_context_switch), (CODE + 4, 0, 0));
    let mut m = syscall(sys::FUTEX, [0x2006, sys::FUTEX_WAIT_PRIVATE, 6]);
    m.memory.write_u32(0x2004, 5);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (sys::EAGAIN, sys::ERROR_SIGNAL), "the value differs");
    let mut m = syscall(sys::FUTEX, [0x2004, 7, 0]);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (sys::EINVAL, sys::ERROR_SIGNAL));
    for n in [sys::SCHED_YIELD, sys::NANOSLEEP] {
        let mut m = syscall(n, [0; 3]);
        m.run(1).unwrap();
        assert!(m.state().traverse_right);
    }
}

#[test]
fn ll_sc_reserve_and_any_store_to_the_word_breaks_the_reservation() {
    // ll $3, 4($4); sc $5, 4($4)
    let code = [mem_op(0x30, 3, 4, 4), mem_op(0x38, 5, 4, 4)];
    let mut m = machine(&code, &[(4, 0x3000), (5, 0x1122_3344)]);
    m.memory.write_u32(0x3004, 0x8000_0001);
    m.run(1).unwrap();
    let s = m.state().clone();
    assert_eq!((s.ll_reservation, s.ll_address, s.ll_owner_thread), (1, 0x3004, 0));
    assert_eq!(top(&mut m).registers[3], 0xFFFF_FFFF_8000_0001, "sign-extended");
    m.run(1).unwrap();
    assert_eq!((top(&mut m).registers[5], m.memory.read_u32(0x3004), m.state().ll_reservation), (1, 0x1122_3344, 0));
    // A store to the reserved word in between: sc fails and writes nothing.
    let code = [mem_op(0x34, 3, 4, 0), mem_op(0x2B, 0, 4, 4), mem_op(0x3C, 5, 4, 0)];
    let mut m = machine(&code, &[(4, 0x3000), (5, 7)]);
    m.memory.write_u64(0x3000, 0x0102_0304_0506_0708);
    m.run(2).unwrap();
    assert_eq!(m.state().ll_reservation, 0, "sw to the reserved doubleword cleared it");
    m.run(1).unwrap();
    assert_eq!((top(&mut m).registers[5], m.memory.read_u64(0x3000)), (0, 0x0102_0304_0000_0000));
    // scd of the right width and owner succeeds; sc (32-bit) on a 64-bit reservation fails.
    let code = [mem_op(0x34, 3, 4, 0), mem_op(0x38, 5, 4, 0), mem_op(0x3C, 6, 4, 0)];
    let mut m = machine(&code, &[(4, 0x3000), (5, 1), (6, 2)]);
    m.run(3).unwrap();
    let t = top(&mut m);
    assert_eq!((t.registers[5], t.registers[6], m.memory.read_u64(0x3000)), (0, 1, 2));
}

#[test]
fn the_preimage_fds_write_keys_and_read_parts_within_the_word() {
    let data = b"the quick brown fox jumps over the lazy dog".to_vec();
    let key = keccak_key(&data);
    // Write the key 8 bytes at a time from 0x4000, then read 5 bytes at an address ending in 3.
    let mut code = Vec::new();
    for i in 0..4u16 {
        code.extend([daddiu(2, 0, 5001), daddiu(4, 0, 6), daddiu(5, 0, 0x4000 + 8 * i), daddiu(6, 0, 8), SYSCALL]);
    }
    code.extend([daddiu(2, 0, 5000), daddiu(4, 0, 5), daddiu(5, 0, 0x5003), daddiu(6, 0, 100), SYSCALL]);
    code.extend([daddiu(2, 0, 5000), daddiu(4, 0, 5), daddiu(5, 0, 0x5008), daddiu(6, 0, 100), SYSCALL]);
    let mut m = machine(&code, &[]);
    m.memory.set_range(0x4000, key.as_slice());
    m.oracle.insert(key, data.clone());
    m.run(20).unwrap();
    assert_eq!((m.state().preimage_key, m.state().preimage_offset), (key, 0));
    m.run(5).unwrap();
    assert_eq!(ret(&mut m), (5, 0));
    let prefix = (data.len() as u64).to_be_bytes();
    assert_eq!(m.memory.read_range(0x5000, 8), [[0u8; 3].as_slice(), &prefix[..5]].concat());
    m.run(4).unwrap();
    let w = m.step_with_witness().unwrap();
    let read = w.preimage.unwrap();
    assert_eq!((read.key, read.offset, read.part().1), (key, 5, 32));
    assert_eq!(ret(&mut m), (8, 0));
    assert_eq!(m.memory.read_range(0x5008, 8), [&prefix[5..], &data[..5]].concat());
    assert_eq!(m.state().preimage_offset, 13);
    // A key write of 10 bytes at an address ending in 6 shifts in only the word's last 2.
    let mut m = syscall(sys::WRITE, [6, 0x6006, 10]);
    m.state.preimage_key = B256::repeat_byte(0xAA);
    m.memory.write_u64(0x6000, 0x0102_0304_0506_0708);
    m.run(1).unwrap();
    let mut want = [0xAA; 32];
    want[30..].copy_from_slice(&[7, 8]);
    assert_eq!((ret(&mut m), m.state().preimage_key), ((2, 0), B256::from(want)));
    // A preimage the oracle lacks, or a read past its end, stops the VM with the key named.
    let mut m = syscall(sys::READ, [5, 0x7000, 8]);
    m.state.preimage_key = key;
    let before = m.state_hash();
    let err = m.run(1).unwrap_err();
    assert!(matches!(err, Step64Error::PreimageMissing { key: k, .. } if k == key), "{err}");
    assert_eq!(m.state_hash(), before, "nothing changed");
    m.oracle.insert(key, data.clone());
    m.state.preimage_offset = data.len() as u64 + 8;
    assert!(matches!(m.run(1), Err(Step64Error::PreimageOffset { .. })));
}

#[test]
fn hints_are_framed_across_writes_and_other_fds_answer_as_the_contract() {
    let mut m = machine(
        &[SYSCALL, daddiu(5, 0, 0x4006), daddiu(6, 0, 7), daddiu(2, 0, 5001), SYSCALL],
        &[(2, sys::WRITE), (4, sys::FD_HINT_WRITE), (5, 0x4000), (6, 6)],
    );
    m.memory.set_range(0x4000, &[0, 0, 0, 5, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 0]);
    m.run(1).unwrap();
    assert!(m.oracle.hints.is_empty(), "not a whole frame yet");
    assert_eq!(ret(&mut m), (6, 0));
    m.run(4).unwrap();
    assert_eq!(m.oracle.hints, [b"hello".to_vec(), Vec::new()]);
    assert!(m.snapshot().last_hint.is_empty());
    let cases = [
        (sys::READ, [sys::FD_STDIN, 0, 9], (0, 0)),
        (sys::READ, [sys::FD_HINT_READ, 0, 9], (9, 0)),
        (sys::READ, [sys::FD_EVENTFD, 0, 9], (sys::EAGAIN, sys::ERROR_SIGNAL)),
        (sys::READ, [7, 0, 9], (sys::EBADF, sys::ERROR_SIGNAL)),
        (sys::WRITE, [sys::FD_STDERR, 0, 9], (9, 0)),
        (sys::WRITE, [sys::FD_EVENTFD, 0, 9], (sys::EAGAIN, sys::ERROR_SIGNAL)),
        (sys::WRITE, [8, 0, 9], (sys::EBADF, sys::ERROR_SIGNAL)),
        (sys::FCNTL, [5, 1, 0], (0, 0)),
        (sys::FCNTL, [6, 3, 0], (1, 0)),
        (sys::FCNTL, [9, 3, 0], (sys::EBADF, sys::ERROR_SIGNAL)),
        (sys::FCNTL, [1, 4, 0], (sys::EINVAL, sys::ERROR_SIGNAL)),
        (sys::OPEN, [0; 3], (sys::EBADF, sys::ERROR_SIGNAL)),
        (sys::GETPID, [0; 3], (0, 0)),
        (sys::GETTID, [0; 3], (0, 0)),
        (sys::EVENTFD2, [0, 0x80, 0], (sys::FD_EVENTFD, 0)),
        (sys::EVENTFD2, [0, 0, 0], (sys::EINVAL, sys::ERROR_SIGNAL)),
        (sys::CLOCK_GETTIME, [2, 0x4000, 0], (sys::EINVAL, sys::ERROR_SIGNAL)),
        (5011, [0; 3], (0, 0)),
    ];
    for (n, a, want) in cases {
        let mut m = syscall(n, a);
        m.run(1).unwrap();
        assert_eq!(ret(&mut m), want, "syscall {n} {a:?}");
    }
    let mut m = syscall(5999, [0; 3]);
    let err = m.run(1).unwrap_err().to_string();
    assert!(err.contains("unimplemented syscall 5999 at pc 0x100000"), "{err}");
}

#[test]
fn clock_and_random_write_memory_from_the_step_number() {
    let mut m = syscall(sys::CLOCK_GETTIME, [1, 0x4004, 0]);
    m.state.step = 2 * sys::HZ + 40;
    let w = m.step_with_witness().unwrap();
    assert_eq!(m.memory.read_u64(0x4000), 2);
    assert_eq!(m.memory.read_u64(0x4008), 41 * 100, "the step after 2 s + 40 steps");
    assert_eq!(w.proof.len(), THREAD_WITNESS_LEN + 32 + 3 * MEMORY_PROOF_LEN, "instruction, both clock words");
    let mut m = syscall(sys::GETRANDOM, [0x4005, 16, 0]);
    m.memory.write_u64(0x4000, u64::MAX);
    m.run(1).unwrap();
    assert_eq!(ret(&mut m), (3, 0));
    let r = splitmix64(1).to_be_bytes();
    assert_eq!(m.memory.read_range(0x4000, 8), [&[0xFF; 5][..], &r[5..]].concat());
}

#[test]
fn witnesses_prove_against_the_pre_state_and_snapshots_resume() {
    let code = [mem_op(0x37, 3, 4, 8), mem_op(0x3F, 3, 4, 16), 0];
    let mut m = machine(&code, &[(4, 0x8000)]);
    m.memory.write_u64(0x8008, 42);
    let root = m.state().mem_root;
    let w = m.step_with_witness().unwrap();
    assert_eq!(w.state.len(), STATE64_WITNESS_LEN);
    let mem = &w.proof[THREAD_WITNESS_LEN + 32..];
    assert_eq!(mem.len(), 2 * MEMORY_PROOF_LEN, "the instruction and the loaded word");
    assert_eq!(proof_root(CODE, &mem[..MEMORY_PROOF_LEN]), Some(root));
    assert_eq!(proof_root(0x8008, &mem[MEMORY_PROOF_LEN..]), Some(root));
    let snap = m.snapshot();
    let mut a = <Cannon64<MapOracle> as FaultVm>::resume(snap.clone(), MapOracle::new());
    m.run(2).unwrap();
    a.run(2).unwrap();
    assert_eq!((a.state_hash(), a.memory.read_u64(0x8010)), (m.state_hash(), 42));
    // An instruction the contract reverts on names itself and changes nothing.
    let mut m = machine(&[0x4600_0000], &[]);
    let before = m.state_hash();
    let err = m.run(1).unwrap_err().to_string();
    assert_eq!(err, "invalid instruction 0x46000000 at pc 0x100000");
    assert_eq!(m.state_hash(), before);
    let mut m = machine(&[0], &[]);
    m.state.left.0[0].pc = CODE + 2;
    assert!(matches!(m.run(1), Err(Step64Error::UnalignedPc { pc }) if pc == CODE + 2));
}
