//! The honest challenger's decision table on hand-built 8/4 alphabet games.

use alloy_primitives::{Address, B256};
use proptest::prelude::*;
use riposte_game::{Claim, ClaimTree, Clock, ClockParams, GameDepth, Position, ROOT_PARENT_INDEX, required_bond};

use super::*;
use crate::testutil::{Outputs, block_on, honest_output};
use crate::trace::SplitTrace;
use crate::trace::alphabet::{self, AlphabetTrace};

const T0: u64 = 1_000;
const ADVERSARY: Address = Address::repeat_byte(0xAD);
const HONEST: Address = Address::repeat_byte(0x11);

fn garbage(n: u8) -> B256 {
    B256::repeat_byte(n)
}

fn trace() -> SplitTrace<Outputs, AlphabetTrace> {
    SplitTrace::new(Outputs::default(), AlphabetTrace)
}

/// Starting block 0, proposal at block 16: the root commits to block 16, depth-4 claims to 1..16.
fn view(tree: ClaimTree) -> GameView {
    GameView {
        tree,
        depth: GameDepth::new(8, 4).unwrap(),
        clocks: ClockParams::new(300, 30).unwrap(),
        starting_block: 0,
        starting_root: honest_output(0),
        l2_block_number: 16,
        absolute_prestate: alphabet::absolute_prestate(),
        l1_head: B256::ZERO,
        l2_chain_id: 901,
        line: riposte_game::Line::V1_2,
        super_root: false,
    }
}

fn root(value: B256) -> ClaimTree {
    ClaimTree::new(Claim {
        parent_index: ROOT_PARENT_INDEX,
        countered_by: Address::ZERO,
        claimant: ADVERSARY,
        bond: 1,
        value,
        position: Position::ROOT,
        clock: Clock::new(0, T0),
    })
    .unwrap()
}

/// Appends a move against `parent`, made one second after the parent.
fn push(tree: &mut ClaimTree, parent: usize, attack: bool, value: B256, who: Address) -> usize {
    let p = *tree.get(parent).unwrap();
    tree.push(Claim {
        parent_index: parent as u32,
        countered_by: Address::ZERO,
        claimant: who,
        bond: 1,
        value,
        position: p.position.make_move(attack).unwrap(),
        clock: Clock::new(0, p.clock.timestamp + 1),
    })
    .unwrap()
}

/// The honest value at `position` as the test's trace computes it.
fn honest(v: &GameView, reference: usize, position: Position) -> B256 {
    block_on(trace().get(v, reference, position)).unwrap()
}

fn plan(v: &GameView) -> Plan {
    block_on(plan_moves(v, &trace(), T0 + 10)).unwrap()
}

fn only_move(p: &Plan) -> (usize, bool, Position, B256) {
    match p.actions.as_slice() {
        [Action::Move { parent_index, is_attack, position, value, .. }] => {
            (*parent_index, *is_attack, *position, *value)
        }
        other => panic!("expected exactly one move, got {other:?}"),
    }
}

fn pos(g: u128) -> Position {
    Position::from_gindex(g).unwrap()
}

#[test]
fn attacks_a_dishonest_root_with_the_honest_output() {
    let v = view(root(garbage(0xEE)));
    let p = plan(&v);
    assert!(!p.agrees_with_root);
    // Position 2 commits to trace index 7 of the output game: block 8.
    let (parent, attack, position, value) = only_move(&p);
    assert_eq!((parent, attack, position, value), (0, true, pos(2), honest_output(8)));
    match &p.actions[0] {
        Action::Move { bond, deadline, parent_value, .. } => {
            assert_eq!(*bond, required_bond(pos(2), 8).unwrap());
            assert_eq!(*deadline, T0 + 300);
            assert_eq!(*parent_value, garbage(0xEE));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn leaves_an_honest_root_alone() {
    let v = view(root(honest_output(16)));
    let p = plan(&v);
    assert!(p.agrees_with_root);
    assert!(p.actions.is_empty() && p.skipped.is_empty());
}

#[test]
fn root_beyond_the_proposal_block_is_clamped() {
    // Proposal at block 10: the root commits to block 10 even though its trace index says 16.
    let mut v = view(root(honest_output(10)));
    v.l2_block_number = 10;
    assert!(plan(&v).agrees_with_root);
}

#[test]
fn attacks_garbage_against_an_honest_root() {
    let mut t = root(honest_output(16));
    push(&mut t, 0, true, garbage(1), ADVERSARY);
    let (parent, attack, position, value) = only_move(&plan(&view(t)));
    assert_eq!((parent, attack, position, value), (1, true, pos(4), honest_output(4)));
}

#[test]
fn defends_a_correct_claim_that_disputes_an_honest_one() {
    // The adversary attacks the honest root with the true output of block 8: it pivots the
    // wrong way, so the honest actor defends it (position 6, block 12).
    let mut t = root(honest_output(16));
    push(&mut t, 0, true, honest_output(8), ADVERSARY);
    let (parent, attack, position, value) = only_move(&plan(&view(t)));
    assert_eq!((parent, attack, position, value), (1, false, pos(6), honest_output(12)));
}

#[test]
fn does_not_repeat_a_counter_already_on_chain_and_answers_below_it() {
    let mut t = root(garbage(0xEE));
    let ours = push(&mut t, 0, true, honest_output(8), HONEST);
    assert!(plan(&view(t.clone())).actions.is_empty(), "the honest counter exists");
    // An attack on our claim must be answered.
    push(&mut t, ours, true, garbage(2), ADVERSARY);
    let (parent, attack, position, value) = only_move(&plan(&view(t)));
    assert_eq!((parent, attack, position, value), (2, true, pos(8), honest_output(2)));
}

#[test]
fn counters_freeloaders_at_or_left_of_the_honest_counter_only() {
    let mut t = root(honest_output(16));
    let bad = push(&mut t, 0, true, garbage(1), ADVERSARY); // 1 at gindex 2
    push(&mut t, bad, true, honest_output(4), HONEST); // 2: our counter at gindex 4 (TI 3)
    push(&mut t, bad, false, garbage(3), ADVERSARY); // 3: gindex 6 (TI 11), right of ours
    let left = push(&mut t, bad, true, garbage(4), ADVERSARY); // 4: gindex 4, same TI as ours
    let p = plan(&view(t));
    let (parent, attack, position, value) = only_move(&p);
    assert_eq!(parent, left, "only the freeloader at our counter's trace index is countered");
    assert_eq!((attack, position, value), (true, pos(8), honest_output(2)));
}

#[test]
fn ignores_branches_it_did_not_enter() {
    let mut t = root(honest_output(16));
    let bad = push(&mut t, 0, true, garbage(1), ADVERSARY); // 1 at gindex 2
    push(&mut t, bad, true, honest_output(4), HONEST); // 2: our counter at gindex 4
    let right = push(&mut t, bad, false, garbage(3), ADVERSARY); // 3 at gindex 6: right of ours, left alone
    push(&mut t, right, true, garbage(4), ADVERSARY); // 4: below a claim we never countered
    let p = plan(&view(t));
    assert!(p.actions.is_empty(), "{:?}", p.actions);
}

#[test]
fn skips_a_claim_whose_clock_ran_out() {
    let v = view(root(garbage(0xEE)));
    let p = block_on(plan_moves(&v, &trace(), T0 + 300)).unwrap();
    assert!(p.actions.is_empty());
    assert_eq!(p.skipped, vec![Skip::ClockExpired { claim_index: 0 }]);
}

/// root (adversary, garbage) ← 1 ours ← 2 adversary ← 3 ours ← 4 adversary at split depth (gindex 16).
fn down_to_split(split_value: B256) -> ClaimTree {
    let mut t = root(garbage(0xEE));
    push(&mut t, 0, true, honest_output(8), HONEST);
    push(&mut t, 1, true, garbage(2), ADVERSARY);
    push(&mut t, 2, true, honest_output(2), HONEST);
    push(&mut t, 3, true, split_value, ADVERSARY);
    t
}

#[test]
fn opens_an_execution_subgame_against_a_wrong_output() {
    let t = down_to_split(garbage(4));
    let (parent, attack, position, value) = only_move(&plan(&view(t)));
    // The exec root at gindex 32 commits to the last state of the subgame disputing block 1.
    assert_eq!((parent, attack, position), (4, true, pos(32)));
    assert_eq!(value, alphabet::state_hash(1, 7).unwrap());
}

#[test]
fn refuses_an_exec_root_the_contract_would_reject() {
    // The adversary posts the true output of block 1 against our claim: the honest counter is a
    // defend whose subgame disputes our own output, which needs status VALID; alphabet states
    // are always INVALID, so the move would revert `UnexpectedRootClaim`.
    let t = down_to_split(honest_output(1));
    let p = plan(&view(t));
    assert!(p.actions.is_empty());
    assert!(matches!(p.skipped.as_slice(), [Skip::ExecRootStatus { claim_index: 4, .. }]));
}

/// Continues [`down_to_split`] with a wrong output, our exec root, and play down to max depth;
/// the adversary's last claim at gindex 256 (local index 0) has `leaf_value`.
fn down_to_leaf(leaf_value: B256) -> GameView {
    let mut t = down_to_split(garbage(4));
    let v = view(t.clone());
    push(&mut t, 4, true, honest(&v, 4, pos(32)), HONEST); // 5: exec root
    push(&mut t, 5, true, garbage(6), ADVERSARY); // 6 at 64
    let v = view(t.clone());
    push(&mut t, 6, true, honest(&v, 6, pos(128)), HONEST); // 7 at 128 (local index 1)
    push(&mut t, 7, true, leaf_value, ADVERSARY); // 8 at 256 (local index 0)
    view(t)
}

#[test]
fn attack_steps_a_wrong_leaf_from_the_absolute_prestate() {
    let v = down_to_leaf(garbage(8));
    let p = plan(&v);
    match p.actions.as_slice() {
        [Action::Step { claim_index: 8, is_attack: true, state_data, preimage, .. }] => {
            assert_eq!(*state_data, alphabet::prestate_witness());
            assert_eq!(*preimage, Some(PreimageLoad::Local { ident: 4, claim_index: 8, offset: 0 }));
        }
        other => panic!("expected an attack step, got {other:?}"),
    }
}

#[test]
fn defend_steps_a_correct_leaf_from_its_own_state() {
    let v = down_to_leaf(alphabet::state_hash(1, 0).unwrap());
    let p = plan(&v);
    match p.actions.as_slice() {
        [Action::Step { claim_index: 8, is_attack: false, state_data, preimage: None, .. }] => {
            assert_eq!(*state_data, alphabet::state_witness(1, 0).unwrap());
        }
        other => panic!("expected a defend step, got {other:?}"),
    }
}

#[test]
fn never_steps_twice() {
    let mut v = down_to_leaf(garbage(8));
    v.tree.set_countered_by(8, HONEST).unwrap();
    assert!(plan(&v).actions.is_empty());
}

#[test]
fn trace_failures_name_the_claim() {
    let t = root(garbage(0xEE));
    let v = view(t);
    let tr = SplitTrace::new(Outputs { missing: vec![16], ..Outputs::default() }, AlphabetTrace);
    let err = block_on(plan_moves(&v, &tr, T0)).unwrap_err();
    assert!(matches!(err, SolverError::Trace { claim: 0, position: 1, .. }), "{err}");
    assert!(err.to_string().contains("output root of L2 block 16"), "{err}");
}

#[test]
fn most_urgent_action_first() {
    // Two garbage attacks on an honest root: the one made earlier is due earlier, and goes first.
    let mut t = root(honest_output(16));
    for (value, ts) in [(garbage(1), T0 + 5), (garbage(2), T0 + 1)] {
        t.push(Claim {
            parent_index: 0,
            countered_by: Address::ZERO,
            claimant: ADVERSARY,
            bond: 1,
            value,
            position: pos(2),
            clock: Clock::new(ts - T0, ts),
        })
        .unwrap();
    }
    let p = plan(&view(t));
    let order: Vec<(usize, u64)> = p
        .actions
        .iter()
        .map(|a| match a {
            Action::Move { parent_index, deadline, .. } => (*parent_index, *deadline),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(order, vec![(2, T0 + 301), (1, T0 + 305)]);
}

/// A random adversary: each step picks an existing claim below max depth and attacks or defends
/// it with either the honest value or garbage.
fn random_game(moves: Vec<(usize, bool, bool, u8)>, honest_root: bool) -> GameView {
    let mut t = root(if honest_root { honest_output(16) } else { garbage(0xEE) });
    for (pick, attack, truthful, g) in moves {
        let parent = pick % t.len();
        let p = *t.get(parent).unwrap();
        if p.position.depth() >= 8 || (!attack && (parent == 0 || p.position.depth() == 5)) {
            continue;
        }
        let position = p.position.make_move(attack).unwrap();
        let value = if truthful { honest(&view(t.clone()), parent, position) } else { garbage(g) };
        if t.is_duplicate(parent, position, value) {
            continue;
        }
        push(&mut t, parent, attack, value, ADVERSARY);
    }
    view(t)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Whatever the adversary does: every move posts the honest value, is legal, is not already
    /// on chain, never counters a claim on the honest side, and every claim against an honest
    /// claim is answered (by a move, a step, a counter on chain, or a recorded skip).
    #[test]
    fn honest_moves_only(moves in proptest::collection::vec((0usize..64, any::<bool>(), any::<bool>(), 1u8..250), 0..24), honest_root in any::<bool>()) {
        let v = random_game(moves, honest_root);
        let p = plan(&v);
        let t = &v.tree;
        for a in &p.actions {
            match a {
                Action::Move { parent_index, is_attack, position, value, .. } => {
                    let parent = t.get(*parent_index).unwrap();
                    prop_assert_eq!(*position, v.depth.check_move(*parent_index, parent.position, *is_attack).unwrap());
                    prop_assert_eq!(*value, honest(&v, *parent_index, *position));
                    prop_assert!(!t.is_duplicate(*parent_index, *position, *value));
                    // Attack exactly the claims whose value is wrong.
                    let parent_ok = honest(&v, *parent_index, parent.position) == parent.value;
                    prop_assert_eq!(*is_attack, !parent_ok);
                    if *parent_index == 0 { prop_assert!(!p.agrees_with_root); }
                }
                Action::Step { claim_index, is_attack, .. } => {
                    let c = t.get(*claim_index).unwrap();
                    prop_assert_eq!(c.position.depth(), 8);
                    prop_assert_eq!(*is_attack, honest(&v, *claim_index, c.position) != c.value);
                }
                _ => prop_assert!(false, "no resolution from plan_moves"),
            }
        }
        // Claims directly against the honest root are all answered: the counter is on chain
        // already, is planned now, or is recorded as impossible.
        if p.agrees_with_root {
            for &k in t.children(0).unwrap() {
                let c = t.get(k).unwrap();
                let agree = honest(&v, k, c.position) == c.value;
                let Ok(want) = v.depth.check_move(k, c.position, !agree) else { continue };
                let on_chain = t.is_duplicate(k, want, honest(&v, k, want));
                let planned = p.actions.iter().any(|a| matches!(a, Action::Move { parent_index, .. } if *parent_index == k));
                prop_assert!(on_chain || planned || !p.skipped.is_empty(), "claim {} unanswered", k);
            }
        }
    }
}
