//! riposte's Cannon64 state against the real `MIPS64.sol` (2.x releases): the state witness,
//! its hash with the status byte, thread encodings, stack roots and the scheduler's steps
//! (an exited VM, popping an exited thread, pre-emption) and a `nop` read through a memory
//! proof give the post-state the contract computes; a wrong thread witness or memory proof is
//! refused by the contract.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::primitives::{B256, Bytes};
use riposte_contracts::vm::BigStepper;
use riposte_devnet::{Devnet, DevnetOptions, Stack};
use riposte_vm::mt64::{Memory64, SCHED_QUANTUM, State64, Thread64, ThreadStack};

fn thread(id: u64, exited: bool) -> Thread64 {
    let at = Thread64::at(id, 0x10_0000 + id * 0x40);
    let mut t = Thread64 { exit_code: u8::from(exited), exited, lo: 0xdead_0000 + id, hi: 0xbeef_0000 + id, ..at };
    t.registers = std::array::from_fn(|i| (id << 40) | (i as u64 * 0x0101));
    t
}

fn state(left: Vec<Thread64>, right: Vec<Thread64>, traverse_right: bool) -> State64 {
    State64 {
        mem_root: B256::repeat_byte(0x5a),
        preimage_key: B256::repeat_byte(0x02),
        preimage_offset: 16,
        heap: 0x0000_1000_0000_0000,
        ll_reservation: 2,
        ll_address: 0x1234_5678,
        ll_owner_thread: 1,
        exit_code: 0,
        exited: false,
        step: 1_000_000,
        steps_since_context_switch: 77,
        traverse_right,
        left: ThreadStack(left),
        right: ThreadStack(right),
        next_thread_id: 9,
    }
}

async fn step(devnet: &Devnet, s: &State64, proof: Vec<u8>) -> Result<B256, riposte_devnet::DevnetError> {
    let call = BigStepper::stepCall {
        _stateData: Bytes::from(s.witness().to_vec()),
        _proof: Bytes::from(proof),
        _localContext: B256::ZERO,
    };
    devnet.l1().call("MIPS64", devnet.deployment().mips, &call).await
}

#[tokio::test]
async fn scheduler_steps_and_state_hashes_equal_mips64_sol() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    if devnet.deployment().stack != Stack::V2 {
        eprintln!(
            "scheduler_steps_and_state_hashes_equal_mips64_sol: did not run: needs a 2.x release with MIPS64 in \
             RIPOSTE_OP_ARTIFACTS (the default npm 0.17.3 stack has the 32-bit MIPS.sol)"
        );
        return;
    }
    let (a, b, c) = (thread(1, false), thread(2, true), thread(3, false));
    let cases = [
        // An exited VM: the state as it is, its status byte from the exit code.
        ("exited", State64 { exited: true, exit_code: 1, ..state(vec![a.clone()], vec![], false) }),
        // The active (left) top exited: popped.
        ("pop", state(vec![a.clone(), b.clone()], vec![c.clone()], false)),
        // The right stack's only thread exited: popped, and the left stack becomes active.
        ("pop and flip", state(vec![a.clone()], vec![b.clone()], true)),
        // The quantum is used up: the top moves to the other stack.
        (
            "preempt",
            State64 { steps_since_context_switch: SCHED_QUANTUM, ..state(vec![a.clone(), c.clone()], vec![], false) },
        ),
        // Pre-empting the last thread of the right stack flips to the left.
        (
            "preempt and flip",
            State64 { steps_since_context_switch: SCHED_QUANTUM + 3, ..state(vec![c.clone()], vec![a.clone()], true) },
        ),
    ];
    for (name, s) in cases {
        let post = s.scheduled_step().unwrap().expect("decided by the scheduler");
        let got = step(&devnet, &s, s.thread_proof().unwrap()).await.unwrap();
        assert_eq!(got, post.hash(), "{name}");
    }
    // A `nop` (0x00000000, sll $0,$0,0) at the active thread's PC, read through a real memory
    // proof: only the PC and the counters move, and the stack root follows the new thread.
    let mut mem = Memory64::default();
    let s = state(vec![c.clone(), a.clone()], vec![], false);
    mem.write_u32(a.pc + 4, 0x2402_0001); // a neighbour in the same leaf, to make the leaf non-zero
    mem.write_u32(0x7fff_0000, 0x1234_5678); // another leaf elsewhere
    let s = State64 { mem_root: mem.root(), ..s };
    assert_eq!(mem.read_u32(a.pc), 0, "a nop at the PC");
    assert_eq!(s.scheduled_step().unwrap(), None, "an instruction executes");
    let post = s.no_op_step().unwrap();
    let mut proof = s.thread_proof().unwrap();
    proof.extend(mem.proof(a.pc));
    proof.extend(mem.proof(a.pc));
    assert_eq!(step(&devnet, &s, proof).await.unwrap(), post.hash(), "nop");
    // The same step against another memory root is refused (the proof does not fold to it).
    let other = State64 { mem_root: B256::repeat_byte(1), ..s.clone() };
    let mut proof = other.thread_proof().unwrap();
    proof.extend(mem.proof(a.pc));
    proof.extend(mem.proof(a.pc));
    assert!(step(&devnet, &other, proof).await.is_err(), "a proof against another root reverts");
    // A thread witness that is not the active stack's top is refused.
    let s = state(vec![a.clone(), b.clone()], vec![], false);
    let mut proof = thread(2, false).encode().to_vec();
    proof.extend_from_slice(s.left.inner_root().as_slice());
    let err = step(&devnet, &s, proof).await.unwrap_err().to_string();
    assert!(err.contains("invalid thread witness"), "{err}");
}
