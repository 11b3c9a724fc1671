//! The honest challenger: which claims to counter, with what, and how to step.

use std::collections::{HashMap, HashSet};

use alloy_primitives::{B256, Bytes, U256};
use riposte_game::{Claim, GameError, Position, required_bond};

use crate::trace::{GameView, Preimage, TraceAccessor};
use crate::{SolverError, TraceError};

/// A preimage to load before a step, with the claim index the game needs for local data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PreimageLoad {
    /// `addLocalData(ident, claim_index, offset)` on the game.
    Local {
        /// Local key identifier.
        ident: u64,
        /// The max-depth claim being stepped on (locates the execution subgame).
        claim_index: usize,
        /// Part offset.
        offset: u32,
    },
    /// `loadKeccak256PreimagePart(offset, data)` on the oracle.
    Keccak {
        /// The preimage.
        data: Bytes,
        /// Part offset.
        offset: u32,
    },
}

/// Something the honest actor should do in a game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// `attack`/`defend(parent_value, parent_index, value)` with `bond` wei.
    Move {
        /// The claim countered.
        parent_index: usize,
        /// Its value (`_disputed`, guards against reorgs).
        parent_value: B256,
        /// Attack (`true`) or defend.
        is_attack: bool,
        /// Where the new claim lands.
        position: Position,
        /// The honest value posted.
        value: B256,
        /// `getRequiredBond(position)`.
        bond: U256,
        /// The move must be mined before this timestamp.
        deadline: u64,
    },
    /// `step(claim_index, is_attack, state_data, proof)`, after loading `preimage`.
    Step {
        /// The max-depth claim countered.
        claim_index: usize,
        /// Attack-step (the claim is wrong) or defend-step (the claim is right, its successor wrong).
        is_attack: bool,
        /// Pre-state witness.
        state_data: Bytes,
        /// VM proof.
        proof: Bytes,
        /// Preimage to load first.
        preimage: Option<PreimageLoad>,
        /// The claim's clock deadline (resolution may start then).
        deadline: u64,
    },
    /// `resolveClaim(claim_index, 0)`.
    ResolveClaim {
        /// The subgame root to resolve.
        claim_index: usize,
    },
    /// `resolve()`.
    Resolve,
}

impl Action {
    /// The time by which the action must land, if it has one.
    pub fn deadline(&self) -> Option<u64> {
        match self {
            Self::Move { deadline, .. } | Self::Step { deadline, .. } => Some(*deadline),
            _ => None,
        }
    }
}

/// A counter the solver would make but must not, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The countered claim's clock has run out: the move would revert `ClockTimeExceeded`.
    ClockExpired {
        /// The claim that can no longer be countered.
        claim_index: usize,
    },
    /// The honest value cannot open an execution subgame here (`UnexpectedRootClaim`): the
    /// trace's status byte disagrees with what the contract requires.
    ExecRootStatus {
        /// The output claim the move would counter.
        claim_index: usize,
        /// The honest value computed.
        value: B256,
    },
}

/// The solver's answer for one game.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Actions to take, most urgent first.
    pub actions: Vec<Action>,
    /// Honest counters that cannot be made.
    pub skipped: Vec<Skip>,
    /// Whether the honest trace agrees with the root claim.
    pub agrees_with_root: bool,
}

/// A claim's identity as the contract's duplicate check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ClaimKey {
    parent: Option<usize>,
    position: Position,
    value: B256,
}

impl ClaimKey {
    fn of(c: &Claim) -> Self {
        Self { parent: c.parent(), position: c.position, value: c.value }
    }
}

#[derive(Default)]
struct HonestSet {
    honest: HashSet<ClaimKey>,
    /// The honest counter of each claim, by the countered claim's index.
    counters: HashMap<usize, ClaimKey>,
}

/// Decides the honest moves and steps for a game, as the honest challenger of the
/// specification (op-challenger's solver) does, at time `now`.
///
/// Claims are visited in index order. The root is honest iff the trace agrees with it. A claim
/// is countered when it is not itself honest and (it is the root, or its parent is honest, or
/// it is a freeloader at or left of the honest counter of its parent). A countered claim the
/// trace disagrees with is attacked; one it agrees with is defended (never the root or an
/// execution-subgame root). At max depth the counter is a step. The counter becomes honest
/// even before it is on chain, so later claims are judged against it, and a counter already on
/// chain is not sent again.
pub async fn plan_moves<T: TraceAccessor>(view: &GameView, trace: &T, now: u64) -> Result<Plan, SolverError> {
    let tree = &view.tree;
    let max = view.depth.max();
    let mut set = HonestSet::default();
    let root = tree.root();
    let agrees_with_root = agree(view, trace, 0, root).await?;
    if agrees_with_root {
        set.honest.insert(ClaimKey::of(root));
    }
    let mut plan = Plan { agrees_with_root, ..Plan::default() };
    for (index, claim) in tree.claims().iter().enumerate() {
        if !should_counter(view, &set, index, claim)? {
            continue;
        }
        let game_err = |source: GameError| SolverError::Game { claim: index, source };
        let deadline = tree.response_deadline(index, view.clocks).map_err(game_err)?;
        let agree = agree(view, trace, index, claim).await?;
        if claim.position.depth() == max {
            if claim.is_countered() {
                continue;
            }
            let target = if agree { claim.position.move_right().map_err(game_err)? } else { claim.position };
            let data = trace.step_data(view, index, target).await.map_err(|source| SolverError::Trace {
                claim: index,
                position: target.gindex(),
                source,
            })?;
            let preimage = data.preimage.map(|p| match p {
                Preimage::Local { ident, offset } => PreimageLoad::Local { ident, claim_index: index, offset },
                Preimage::Keccak { data, offset } => PreimageLoad::Keccak { data, offset },
            });
            plan.actions.push(Action::Step {
                claim_index: index,
                is_attack: !agree,
                state_data: data.state_data,
                proof: data.proof,
                preimage,
                deadline,
            });
            continue;
        }
        let is_attack = !agree;
        let position = match view.depth.check_move(index, claim.position, is_attack) {
            Ok(p) => p,
            // A correct root or execution-subgame root cannot be defended: nothing to do.
            Err(GameError::IllegalMove { reason: "CannotDefendRootClaim", .. }) => continue,
            Err(e) => return Err(game_err(e)),
        };
        let value = value_at(view, trace, index, position).await?;
        let key = ClaimKey { parent: Some(index), position, value };
        set.honest.insert(key);
        set.counters.insert(index, key);
        if tree.is_duplicate(index, position, value) {
            continue;
        }
        if view.depth.is_exec_root(position) && !exec_root_status_ok(view, index, is_attack, value)? {
            plan.skipped.push(Skip::ExecRootStatus { claim_index: index, value });
            continue;
        }
        if tree.is_expired(index, view.clocks, now).map_err(game_err)? {
            plan.skipped.push(Skip::ClockExpired { claim_index: index });
            continue;
        }
        let bond = required_bond(position, max).map_err(game_err)?;
        plan.actions.push(Action::Move {
            parent_index: index,
            parent_value: claim.value,
            is_attack,
            position,
            value,
            bond,
            deadline,
        });
    }
    plan.actions.sort_by_key(|a| a.deadline().unwrap_or(u64::MAX));
    Ok(plan)
}

fn should_counter(view: &GameView, set: &HonestSet, index: usize, claim: &Claim) -> Result<bool, SolverError> {
    if set.honest.contains(&ClaimKey::of(claim)) {
        return Ok(false);
    }
    let Some(parent_index) = claim.parent() else {
        return Ok(true);
    };
    let game_err = |source: GameError| SolverError::Game { claim: index, source };
    let parent = view.tree.get(parent_index).map_err(game_err)?;
    if set.honest.contains(&ClaimKey::of(parent)) {
        return Ok(true);
    }
    // A claim against a claim we did not counter is none of our business; against one we did,
    // it competes with our counter for the parent's bond if it is at or left of it.
    let Some(counter) = set.counters.get(&parent_index) else {
        return Ok(false);
    };
    let max = view.depth.max();
    let ti = claim.position.trace_index(max).map_err(game_err)?;
    let counter_ti = counter.position.trace_index(max).map_err(game_err)?;
    Ok(ti <= counter_ti)
}

async fn value_at<T: TraceAccessor>(
    view: &GameView,
    trace: &T,
    reference: usize,
    position: Position,
) -> Result<B256, SolverError> {
    trace.get(view, reference, position).await.map_err(|source: TraceError| SolverError::Trace {
        claim: reference,
        position: position.gindex(),
        source,
    })
}

async fn agree<T: TraceAccessor>(view: &GameView, trace: &T, index: usize, claim: &Claim) -> Result<bool, SolverError> {
    Ok(value_at(view, trace, index, claim.position).await? == claim.value)
}

/// `_verifyExecBisectionRoot` for a move not yet made.
fn exec_root_status_ok(
    view: &GameView,
    parent_index: usize,
    is_attack: bool,
    value: B256,
) -> Result<bool, SolverError> {
    let game_err = |source: GameError| SolverError::Game { claim: parent_index, source };
    match view.tree.check_exec_root_status(parent_index, is_attack, value, view.depth.split()) {
        Ok(()) => Ok(true),
        Err(GameError::UnexpectedRootClaim(_)) => Ok(false),
        Err(e) => Err(game_err(e)),
    }
}

#[cfg(test)]
mod tests;
