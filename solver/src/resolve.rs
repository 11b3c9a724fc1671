//! Which claims to resolve, in which order.

use std::collections::HashSet;

use alloy_primitives::Address;
use riposte_game::{GameError, resolvable_claims};

use crate::{Action, SolverError, trace::GameView};

/// The `resolveClaim` calls that succeed at time `now` (children first), then `resolve()` once
/// the root's subgame is resolved.
///
/// `resolved[i]` says whether subgame `i` is already resolved on chain. With `selective` set
/// (op-challenger's `--selective-claim-resolution`), only subgames whose bond goes to one of
/// those addresses are resolved, with the descendants they need first, and `resolve()` is never
/// called.
pub fn plan_resolution(
    view: &GameView,
    resolved: &[bool],
    now: u64,
    selective: Option<&[Address]>,
) -> Result<Vec<Action>, SolverError> {
    let tree = &view.tree;
    let game_err = |source: GameError| SolverError::Game { claim: 0, source };
    let order = resolvable_claims(tree, resolved, view.clocks, now).map_err(game_err)?;
    let Some(ours) = selective else {
        let root_done = resolved.first().copied().unwrap_or(false) || order.contains(&0);
        let mut actions: Vec<Action> =
            order.into_iter().map(|claim_index| Action::ResolveClaim { claim_index }).collect();
        if root_done {
            actions.push(Action::Resolve);
        }
        return Ok(actions);
    };
    let outcome = tree.resolve(None);
    let mut wanted: HashSet<usize> = HashSet::new();
    for payout in outcome.payouts.iter().filter(|p| ours.contains(&p.recipient)) {
        // The subgame and everything below it must be resolved for it to pay.
        let mut stack = vec![payout.claim];
        while let Some(i) = stack.pop() {
            if wanted.insert(i) {
                stack.extend_from_slice(tree.children(i).map_err(game_err)?);
            }
        }
    }
    Ok(order
        .into_iter()
        .filter(|i| wanted.contains(i))
        .map(|claim_index| Action::ResolveClaim { claim_index })
        .collect())
}

#[cfg(test)]
mod tests {
    use alloy_primitives::B256;
    use riposte_game::{Claim, ClaimTree, Clock, ClockParams, GameDepth, Position, ROOT_PARENT_INDEX};

    use super::*;

    const A: Address = Address::repeat_byte(0xA);
    const B: Address = Address::repeat_byte(0xB);

    /// root by A at t=0 ← 1 by B at t=10 ← 2 by A at t=20 (max clock 100).
    fn view() -> GameView {
        let mut t = ClaimTree::new(Claim {
            parent_index: ROOT_PARENT_INDEX,
            countered_by: Address::ZERO,
            claimant: A,
            bond: 1,
            value: B256::ZERO,
            position: Position::ROOT,
            clock: Clock::new(0, 0),
        })
        .unwrap();
        for (parent, who, ts) in [(0u32, B, 10u64), (1, A, 20)] {
            let p = t.get(parent as usize).unwrap().position;
            t.push(Claim {
                parent_index: parent,
                countered_by: Address::ZERO,
                claimant: who,
                bond: 1,
                value: B256::ZERO,
                position: p.attack().unwrap(),
                clock: Clock::new(ts, ts),
            })
            .unwrap();
        }
        GameView {
            tree: t,
            depth: GameDepth::new(8, 4).unwrap(),
            clocks: ClockParams::new(100, 10).unwrap(),
            starting_block: 0,
            starting_root: B256::ZERO,
            l2_block_number: 16,
            absolute_prestate: B256::ZERO,
            l1_head: B256::ZERO,
            l2_chain_id: 1,
            line: riposte_game::Line::V1_2,
            super_root: false,
        }
    }

    fn resolve_claims(actions: &[Action]) -> Vec<usize> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::ResolveClaim { claim_index } => Some(*claim_index),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn resolves_children_first_then_the_game() {
        let v = view();
        // Expiries: root at 100, claim 1 at 110 (root duration 0), claim 2 at 20 + 100 - 10 = 110.
        assert!(plan_resolution(&v, &[false; 3], 109, None).unwrap().is_empty());
        let all = plan_resolution(&v, &[false; 3], 110, None).unwrap();
        assert_eq!(resolve_claims(&all), vec![2, 1, 0]);
        assert_eq!(all.last(), Some(&Action::Resolve));
        // Root already resolved on chain: only resolve() is left.
        assert_eq!(plan_resolution(&v, &[true; 3], 500, None).unwrap(), vec![Action::Resolve]);
    }

    #[test]
    fn selective_resolution_only_pays_us() {
        let v = view();
        // Claim 2 (A) stands and takes claim 1's bond (B's); claim 1 is countered, so the root
        // refunds A. B is paid nothing.
        let for_b = plan_resolution(&v, &[false; 3], 500, Some(&[B])).unwrap();
        assert!(for_b.is_empty(), "{for_b:?}");
        let for_a = plan_resolution(&v, &[false; 3], 500, Some(&[A])).unwrap();
        assert_eq!(resolve_claims(&for_a), vec![2, 1, 0]);
        assert!(!for_a.contains(&Action::Resolve), "selective mode never calls resolve()");
    }
}
