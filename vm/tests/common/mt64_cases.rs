//! Deterministic single-step cases for Cannon64: random pre-states (threads on both stacks,
//! delay slots, LL reservations, pre-emption, exited threads and VMs) with every opcode, every
//! SPECIAL / SPECIAL2 function, every REGIMM code and every syscall scenario at the pc. The
//! same seed gives the same cases in the differential test (against `MIPS64.sol`) and in the
//! golden test (against the answers recorded from it).

use alloy::primitives::{B256, keccak256};
use riposte_vm::mt64::{
    Cannon64, Memory64, SCHED_QUANTUM, Snapshot64, State64, Thread64, ThreadStack, splitmix64, sys,
};
use riposte_vm::{MapOracle, keccak_key, local_key};

/// A splitmix64 stream.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        splitmix64(self.0)
    }

    /// Uniform in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `true` with probability 1/n.
    pub(crate) fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// A register value: often small, sometimes all ones or zero, else any 64 bits.
    pub(crate) fn value(&mut self) -> u64 {
        match self.below(8) {
            0 => 0,
            1 => u64::MAX,
            2 => self.below(64),
            3 => self.next() & 0xFFFF_FFFF,
            4 => (self.next() as i32) as i64 as u64,
            _ => self.next(),
        }
    }
}

/// The preimages the cases read: two keccak256 ones and two local ones (ident, bytes).
pub(crate) struct Preimages {
    pub(crate) keccak: Vec<Vec<u8>>,
    pub(crate) locals: Vec<(u64, Vec<u8>)>,
}

impl Preimages {
    pub(crate) fn new() -> Self {
        let long: Vec<u8> = (0..100u32).map(|i| (i * 37 + 11) as u8).collect();
        Self {
            keccak: vec![long, b"riposte cannon64".to_vec()],
            locals: vec![(1, keccak256(b"riposte local 1").to_vec()), (4, 7_200_000u64.to_be_bytes().to_vec())],
        }
    }

    /// Keys and lengths of every preimage.
    pub(crate) fn keys(&self) -> Vec<(B256, usize)> {
        let k = self.keccak.iter().map(|d| (keccak_key(d), d.len()));
        k.chain(self.locals.iter().map(|(i, d)| (local_key(*i), d.len()))).collect()
    }

    pub(crate) fn oracle(&self) -> MapOracle {
        let mut o = MapOracle::new();
        for d in &self.keccak {
            o.insert_keccak(d.clone());
        }
        for (i, d) in &self.locals {
            o.insert_local(*i, d.clone());
        }
        o
    }
}

/// One case: a name and the machine about to take the step.
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) vm: Cannon64<MapOracle>,
}

fn thread(rng: &mut Rng, id: u64) -> Thread64 {
    let pc = rng.next() & !3;
    let mut t = Thread64::at(id, pc);
    if rng.one_in(8) {
        t.next_pc = rng.next() & !3;
    }
    t.lo = rng.value();
    t.hi = rng.value();
    for r in t.registers.iter_mut().skip(1) {
        *r = rng.value();
    }
    t
}

/// The syscall scenarios: (name, $v0, $a0, $a1, $a2) drawn for case `i`.
fn syscall_args(rng: &mut Rng, keys: &[(B256, usize)], s: &mut State64) -> (String, [u64; 4]) {
    let addr = rng.next();
    let scenarios = 24;
    let pick = rng.below(scenarios);
    let fd = [0, 1, 2, 3, 4, 5, 6, 7, 100][rng.below(9) as usize];
    let (name, args) = match pick {
        0 => ("mmap anywhere", [sys::MMAP, 0, rng.below(1 << 20), 0]),
        1 => ("mmap big", [sys::MMAP, 0, rng.value(), 0]),
        2 => ("mmap at", [sys::MMAP, rng.next(), rng.value(), 0]),
        3 => ("brk", [sys::BRK, rng.value(), 0, 0]),
        4 => {
            let flags = if rng.one_in(3) { rng.value() } else { sys::VALID_CLONE_FLAGS };
            ("clone", [sys::CLONE, flags, rng.next(), 0])
        }
        5 => ("exit_group", [sys::EXIT_GROUP, rng.value(), 0, 0]),
        6 => {
            // Read the preimage of a known key at an offset inside it (sometimes past it).
            let (key, len) = keys[rng.below(keys.len() as u64) as usize];
            s.preimage_key = key;
            s.preimage_offset = if rng.one_in(8) { (len + 8) as u64 } else { rng.below(len as u64 + 8) };
            ("read preimage", [sys::READ, sys::FD_PREIMAGE_READ, addr, rng.below(40)])
        }
        7 => ("read", [sys::READ, fd, addr, rng.value()]),
        8 => ("write preimage key", [sys::WRITE, sys::FD_PREIMAGE_WRITE, addr, rng.below(12)]),
        9 => ("write", [sys::WRITE, fd, addr, rng.below(64)]),
        10 => ("fcntl", [sys::FCNTL, rng.below(8), [1, 3, 4][rng.below(3) as usize], 0]),
        11 => ("gettid", [sys::GETTID, 0, 0, 0]),
        12 => ("exit", [sys::EXIT, rng.value(), 0, 0]),
        13 => ("futex wait", [sys::FUTEX, addr, sys::FUTEX_WAIT_PRIVATE, rng.value()]),
        14 => ("futex wake", [sys::FUTEX, addr, sys::FUTEX_WAKE_PRIVATE, rng.value()]),
        15 => ("futex other", [sys::FUTEX, addr, rng.below(256), 0]),
        16 => ("sched_yield", [sys::SCHED_YIELD, 0, 0, 0]),
        17 => ("nanosleep", [sys::NANOSLEEP, addr, 0, 0]),
        18 => ("open", [sys::OPEN, addr, 0, 0]),
        19 => ("clock_gettime", [sys::CLOCK_GETTIME, rng.below(3), addr, 0]),
        20 => ("getpid", [sys::GETPID, 0, 0, 0]),
        21 => ("getrandom", [sys::GETRANDOM, addr, rng.below(12), 0]),
        22 => ("eventfd2", [sys::EVENTFD2, 0, rng.value() & 0xFF, 0]),
        _ => {
            let n = if rng.one_in(4) { 5000 + rng.below(400) } else { sys::NO_OPS[rng.below(31) as usize] };
            ("other syscall", [n, rng.value(), rng.value(), rng.value()])
        }
    };
    (format!("syscall {name} {args:?}"), args)
}

/// The instruction word at the pc for case `i`: every opcode, every function of SPECIAL and
/// SPECIAL2, every REGIMM code, and syscalls, in turn.
fn instruction(i: u64, rng: &mut Rng) -> Option<u32> {
    let body = (rng.next() as u32) & 0x03FF_FFFF;
    let k = i % (64 + 64 + 64 + 32 + 48);
    Some(match k {
        0..64 => ((k as u32) << 26) | body,
        64..128 => (body & !0x3F) | (k as u32 - 64),
        128..192 => (0x1C << 26) | (body & !0x3F) | (k as u32 - 128),
        192..224 => (1 << 26) | (body & !(0x1F << 16)) | ((k as u32 - 192) << 16),
        _ => return None,
    })
}

/// Case `i` of the stream seeded with `seed`.
pub(crate) fn case(seed: u64, i: u64, pre: &Preimages) -> Case {
    let mut rng = Rng::new(seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let keys = pre.keys();
    let (left, right) = (rng.below(3) as usize, rng.below(3) as usize);
    let traverse_right = if left == 0 {
        true
    } else if right == 0 {
        false
    } else {
        rng.one_in(2)
    };
    let (left, right) = if traverse_right { (left, right.max(1)) } else { (left.max(1), right) };
    let mut ids = 0..;
    let mut stack = |n: usize, rng: &mut Rng| {
        ThreadStack(
            (0..n)
                .map(|_| {
                    let id = ids.next().unwrap_or(0) * 3 + rng.below(3);
                    thread(rng, id)
                })
                .collect(),
        )
    };
    let left = stack(left, &mut rng);
    let right = stack(right, &mut rng);
    let mut s = State64 {
        mem_root: B256::ZERO,
        preimage_key: unknown_key(rng.next()),
        preimage_offset: rng.below(64),
        heap: 0x0000_1000_0000_0000 + (rng.below(1 << 20) << 12),
        ll_reservation: rng.below(3) as u8,
        ll_address: rng.next(),
        ll_owner_thread: rng.below(8),
        exit_code: rng.below(4) as u8,
        exited: rng.one_in(40),
        step: rng.below(1 << 40),
        steps_since_context_switch: if rng.one_in(16) {
            SCHED_QUANTUM + rng.below(3)
        } else {
            rng.below(SCHED_QUANTUM)
        },
        traverse_right,
        left,
        right,
        next_thread_id: 8 + rng.below(8),
    };
    if !s.exited {
        s.exit_code = 0;
    }
    let active = if s.traverse_right { &mut s.right } else { &mut s.left };
    let top = active.0.last_mut().unwrap_or_else(|| unreachable!("the active stack has a thread"));
    if rng.one_in(24) {
        top.exited = true;
        top.exit_code = rng.below(3) as u8;
    }
    let mut t = top.clone();
    let (name, insn) = match instruction(i, &mut rng) {
        Some(insn) => (format!("insn {insn:#010x}"), insn),
        None => {
            let (name, args) = syscall_args(&mut rng, &keys, &mut s);
            for (r, v) in [2usize, 4, 5, 6].into_iter().zip(args) {
                t.registers[r] = v;
            }
            (name, ((rng.next() as u32) & 0x03FF_FFC0) | 0xC)
        }
    };
    // Division by zero, sometimes.
    if rng.one_in(6) {
        t.registers[((insn >> 16) & 0x1F) as usize] &= 0xFFFF_FFFF_0000_0000;
    }
    t.registers[0] = 0;
    let base = t.registers[((insn >> 21) & 0x1F) as usize];
    let eff = base.wrapping_add((insn as u16) as i16 as i64 as u64);
    // An LL reservation on the word the instruction touches, sometimes.
    if rng.one_in(2) {
        s.ll_address = eff;
        s.ll_owner_thread = t.id;
        s.ll_reservation = 1 + rng.below(2) as u8;
    }
    let mut memory = Memory64::new();
    for a in [eff, t.registers[4], t.registers[5], t.registers[5].wrapping_add(8)] {
        memory.write_u64(a & !7, rng.value());
    }
    if rng.one_in(2) {
        // A futex whose word matches the expected value.
        memory.write_u32(t.registers[4] & !3, t.registers[6] as u32);
    }
    memory.write_u32(t.pc, insn);
    let active = if s.traverse_right { &mut s.right } else { &mut s.left };
    if let Some(top) = active.0.last_mut() {
        *top = t;
    }
    Case { name, vm: Cannon64::new(Snapshot64 { state: s, memory, last_hint: Vec::new() }, pre.oracle()) }
}

/// A type-2 key nobody has the preimage of.
fn unknown_key(x: u64) -> B256 {
    let mut k = keccak256(x.to_be_bytes());
    k[0] = 2;
    k
}
