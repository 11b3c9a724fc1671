use alloy_primitives::{Address, B256, keccak256};

use crate::{
    Claim, Clock, ClockParams, GameDepth, GameError, Position, ROOT_PARENT_INDEX, Result, VmStatus, claim_hash,
};

/// The claims of one game as the contract stores them (`claimData`), with the children of
/// each claim (`subgames`) in insertion order.
///
/// Built only through [`ClaimTree::new`]/[`ClaimTree::push`], which check what the contract
/// guarantees: the root comes first, every parent precedes its children and every position is
/// an attack or defense of its parent's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimTree {
    claims: Vec<Claim>,
    children: Vec<Vec<usize>>,
}

/// The outputs an execution subgame runs between, as `_findStartingAndDisputedOutputs` finds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecOutputs {
    /// The agreed starting output root (the anchor's root when `starting_index` is `None`).
    pub starting_claim: B256,
    /// Its position; 0 stands for the anchor state, which has no position.
    pub starting_position: u128,
    /// Index of the starting output claim, `None` for the anchor.
    pub starting_index: Option<usize>,
    /// The disputed output root.
    pub disputed_claim: B256,
    /// Its position.
    pub disputed_position: Position,
    /// Index of the disputed output claim.
    pub disputed_index: usize,
}

impl ExecOutputs {
    /// `_computeLocalContext` of these outputs.
    pub fn local_context(&self) -> B256 {
        let starting = self.starting_index.map(|_| (self.starting_claim, self.starting_position));
        local_context(starting, self.disputed_claim, self.disputed_position)
    }
}

/// `_computeLocalContext`: `keccak256(abi.encode(starting, startingPos, disputed, disputedPos))`,
/// or `keccak256(abi.encode(disputed, disputedPos))` when the start is the anchor (position 0).
pub fn local_context(starting: Option<(B256, u128)>, disputed: B256, disputed_position: Position) -> B256 {
    let word = |v: u128| {
        let mut w = [0u8; 32];
        w[16..].copy_from_slice(&v.to_be_bytes());
        w
    };
    let mut buf = Vec::with_capacity(128);
    if let Some((claim, pos)) = starting.filter(|(_, pos)| *pos != 0) {
        buf.extend_from_slice(claim.as_slice());
        buf.extend_from_slice(&word(pos));
    }
    buf.extend_from_slice(disputed.as_slice());
    buf.extend_from_slice(&word(disputed_position.gindex()));
    keccak256(buf)
}

/// The pre- and post-state claims a `step` on a max-depth claim is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepStates {
    /// Index of the claim holding the pre-state, `None` for the absolute prestate.
    pub pre: Option<usize>,
    /// Index of the claim holding the post-state.
    pub post: usize,
    /// `true` if the VM's result must differ from the post claim for the step to counter
    /// (post on the parent's side); `false` if it must equal it.
    pub counter_if_differs: bool,
}

impl ClaimTree {
    /// A tree holding only the root claim (`initialize`).
    pub fn new(root: Claim) -> Result<Self> {
        if root.parent_index != ROOT_PARENT_INDEX || root.position != Position::ROOT {
            return Err(GameError::MalformedClaim {
                index: 0,
                reason: format!(
                    "the root must have parent index {ROOT_PARENT_INDEX} and position 1, got {} and {}",
                    root.parent_index, root.position
                ),
            });
        }
        Ok(Self { claims: vec![root], children: vec![Vec::new()] })
    }

    /// A tree from the whole `claimData` array, validating each entry.
    pub fn from_claims(claims: impl IntoIterator<Item = Claim>) -> Result<Self> {
        let mut it = claims.into_iter();
        let root = it.next().ok_or_else(|| GameError::MalformedClaim { index: 0, reason: "no root claim".into() })?;
        let mut tree = Self::new(root)?;
        for c in it {
            tree.push(c)?;
        }
        Ok(tree)
    }

    /// Appends the next claim of `claimData`, checking it could have been made by `move`.
    pub fn push(&mut self, claim: Claim) -> Result<usize> {
        let index = self.claims.len();
        let bad = |reason: String| GameError::MalformedClaim { index, reason };
        let parent_index = claim.parent().ok_or_else(|| bad("a second root claim".into()))?;
        let parent = self
            .claims
            .get(parent_index)
            .ok_or_else(|| bad(format!("parent index {parent_index} is not an earlier claim")))?;
        let attack = parent.position.attack();
        let defend = parent.position.defend();
        if attack.as_ref() != Ok(&claim.position) && defend.as_ref() != Ok(&claim.position) {
            return Err(bad(format!(
                "position {} is neither an attack nor a defense of its parent's {}",
                claim.position, parent.position
            )));
        }
        self.claims.push(claim);
        self.children.push(Vec::new());
        self.children[parent_index].push(index);
        Ok(index)
    }

    /// Number of claims (`claimDataLen`); at least 1.
    pub fn len(&self) -> usize {
        self.claims.len()
    }

    /// Always `false`: a tree has its root.
    pub fn is_empty(&self) -> bool {
        self.claims.is_empty()
    }

    /// All claims in index order.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// The root claim.
    pub fn root(&self) -> &Claim {
        &self.claims[0]
    }

    /// `claimData(index)`.
    pub fn get(&self, index: usize) -> Result<&Claim> {
        self.claims.get(index).ok_or(GameError::NoSuchClaim { index, len: self.claims.len() })
    }

    /// `subgames(index)`: the claims countering `index`, in insertion order.
    pub fn children(&self, index: usize) -> Result<&[usize]> {
        self.get(index)?;
        Ok(&self.children[index])
    }

    /// Records a successful step against `index` (`counteredBy = stepper`).
    pub fn set_countered_by(&mut self, index: usize, by: Address) -> Result<()> {
        self.get(index)?;
        self.claims[index].countered_by = by;
        Ok(())
    }

    fn parent_duration(&self, claim: &Claim) -> u64 {
        claim.parent().map_or(0, |p| self.claims[p].clock.duration)
    }

    /// `getChallengerDuration(index)` at time `now`: the time used by the team that would
    /// counter the claim, capped at the maximum clock duration.
    pub fn challenger_duration(&self, index: usize, clocks: ClockParams, now: u64) -> Result<u64> {
        let claim = self.get(index)?;
        clocks
            .challenger_duration(self.parent_duration(claim), claim.clock.timestamp, now)
            .ok_or(GameError::TimeBeforeClaim { index, timestamp: claim.clock.timestamp, now })
    }

    /// `true` once the claim's challenger clock has run out: it can no longer be countered by a
    /// move and (children first) can be resolved.
    pub fn is_expired(&self, index: usize, clocks: ClockParams, now: u64) -> Result<bool> {
        Ok(self.challenger_duration(index, clocks, now)? >= clocks.max_duration())
    }

    /// The deadline to answer a claim: the first timestamp at which moving against it reverts
    /// with `ClockTimeExceeded`. A counter must land in a block with an earlier timestamp.
    pub fn response_deadline(&self, index: usize, clocks: ClockParams) -> Result<u64> {
        let claim = self.get(index)?;
        Ok(clocks.expiry(self.parent_duration(claim), claim.clock.timestamp))
    }

    /// The clock a move against `parent_index` mined at `now` would receive (`move`, under the
    /// rules `clocks` carries).
    pub fn next_clock(
        &self,
        parent_index: usize,
        is_attack: bool,
        depth: GameDepth,
        clocks: ClockParams,
        now: u64,
    ) -> Result<Clock> {
        let parent = self.get(parent_index)?;
        let next = depth.check_move(parent_index, parent.position, is_attack)?;
        let used = self.challenger_duration(parent_index, clocks, now)?;
        let duration = clocks
            .next_duration(used, next.depth(), depth)
            .ok_or(GameError::ClockTimeExceeded { index: parent_index })?;
        Ok(Clock::new(duration, now))
    }

    /// `true` if a claim with this value already counters `parent_index` at `position`
    /// (the move would revert with `ClaimAlreadyExists`).
    pub fn is_duplicate(&self, parent_index: usize, position: Position, value: B256) -> bool {
        let key = claim_hash(value, position, parent_index as u64);
        self.children.get(parent_index).is_some_and(|kids| {
            kids.iter().any(|&k| {
                let c = &self.claims[k];
                claim_hash(c.value, c.position, parent_index as u64) == key
            })
        })
    }

    /// `_findTraceAncestor`: walks up from claim `start` to the claim at the trace ancestor of
    /// `position` (global, or bounded to the execution subgame below `split`).
    pub fn find_trace_ancestor(&self, position: Position, start: usize, global: bool, split: u8) -> Result<usize> {
        let target = if global { position.trace_ancestor() } else { position.trace_ancestor_bounded(split)? };
        let mut i = start;
        loop {
            let c = self.get(i)?;
            if c.position == target {
                return Ok(i);
            }
            i = c.parent().ok_or(GameError::AncestorNotFound { index: start, position: target.gindex() })?;
        }
    }

    /// `_findStartingAndDisputedOutputs` for a claim below the split depth; `anchor_root` is the
    /// game's `startingRootHash()`.
    pub fn exec_outputs(&self, index: usize, split: u8, anchor_root: B256) -> Result<ExecOutputs> {
        self.exec_outputs_at(index, self.get(index)?.position, split, anchor_root)
    }

    /// The outputs of the execution subgame that `position` lies in, found by walking up from
    /// claim `reference`: either the claim at `position` or the claim a move to `position`
    /// would counter. This is how a move's execution context is known before it is made.
    pub fn exec_outputs_at(
        &self,
        reference: usize,
        position: Position,
        split: u8,
        anchor_root: B256,
    ) -> Result<ExecOutputs> {
        let depth = position.depth();
        if depth <= split {
            return Err(GameError::ClaimAboveSplit { depth, split });
        }
        // Below the exec root every claim sits at an even gindex, so shifting finds the root.
        let exec_root_pos = Position::from_gindex(position.gindex() >> (depth - split - 1))?;
        let mut claim_idx = reference;
        let mut claim = self.get(reference)?;
        while claim.position.depth() > split {
            claim_idx = claim.parent().ok_or(GameError::AncestorNotFound { index: reference, position: 0 })?;
            claim = self.get(claim_idx)?;
        }
        let output_pos = claim.position;
        let was_attack = exec_root_pos == output_pos.attack()?;
        if !was_attack && exec_root_pos != output_pos.defend()? {
            return Err(GameError::AncestorNotFound { index: reference, position: exec_root_pos.gindex() });
        }
        if was_attack {
            let (starting_claim, starting_position, starting_index) = if output_pos.index_at_depth() > 0 {
                let prev = Position::from_gindex(output_pos.gindex() - 1)?;
                let s = self.find_trace_ancestor(prev, claim_idx, true, split)?;
                (self.claims[s].value, self.claims[s].position.gindex(), Some(s))
            } else {
                (anchor_root, 0, None)
            };
            Ok(ExecOutputs {
                starting_claim,
                starting_position,
                starting_index,
                disputed_claim: claim.value,
                disputed_position: output_pos,
                disputed_index: claim_idx,
            })
        } else {
            let next = Position::from_gindex(output_pos.gindex() + 1)?;
            let d = self.find_trace_ancestor(next, claim_idx, true, split)?;
            Ok(ExecOutputs {
                starting_claim: claim.value,
                starting_position: output_pos.gindex(),
                starting_index: Some(claim_idx),
                disputed_claim: self.claims[d].value,
                disputed_position: self.claims[d].position,
                disputed_index: d,
            })
        }
    }

    /// `_findLocalContext`: the local context of the execution subgame holding claim `index`.
    pub fn local_context(&self, index: usize, split: u8, anchor_root: B256) -> Result<B256> {
        Ok(self.exec_outputs(index, split, anchor_root)?.local_context())
    }

    /// Which claims `step(index, is_attack, …)` checks the VM against (`step`'s pre/post search).
    pub fn step_states(&self, index: usize, is_attack: bool, depth: GameDepth) -> Result<StepStates> {
        let parent = self.get(index)?;
        let step_pos = parent.position.make_move(is_attack)?;
        if step_pos.depth() != depth.max() + 1 {
            return Err(GameError::IllegalMove { index, reason: "InvalidParent" });
        }
        let start = parent.parent().ok_or(GameError::IllegalMove { index, reason: "InvalidParent" })?;
        let (pre, post) = if is_attack {
            let leaves = 1u128 << (depth.max() - depth.split());
            let pre = if step_pos.index_at_depth() % leaves == 0 {
                None
            } else {
                let prev = Position::from_gindex(parent.position.gindex() - 1)?;
                Some(self.find_trace_ancestor(prev, start, false, depth.split())?)
            };
            (pre, index)
        } else {
            let next = Position::from_gindex(parent.position.gindex() + 1)?;
            (Some(index), self.find_trace_ancestor(next, start, false, depth.split())?)
        };
        let post_depth = self.claims[post].position.depth();
        let same_side = (parent.position.depth() - post_depth).is_multiple_of(2);
        Ok(StepStates { pre, post, counter_if_differs: same_side })
    }

    /// `_verifyExecBisectionRoot`: the status byte a new execution-subgame root must carry when
    /// it counters the split-depth claim `parent_index`.
    pub fn check_exec_root_status(&self, parent_index: usize, is_attack: bool, value: B256, split: u8) -> Result<()> {
        let parent = self.get(parent_index)?;
        let disputed_leaf = Position::from_gindex(parent.position.gindex() + 1)?;
        let disputed = self.find_trace_ancestor(disputed_leaf, parent_index, true, split)?;
        let status = value[0];
        let must_be_invalid = is_attack || self.claims[disputed].position.depth() % 2 == split % 2;
        let ok = if must_be_invalid {
            status == VmStatus::Invalid as u8 || status == VmStatus::Panic as u8
        } else {
            status == VmStatus::Valid as u8
        };
        if ok { Ok(()) } else { Err(GameError::UnexpectedRootClaim(value)) }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn addr(n: u8) -> Address {
        Address::repeat_byte(n)
    }

    pub(crate) fn root(value: u8, t: u64) -> Claim {
        Claim {
            parent_index: ROOT_PARENT_INDEX,
            countered_by: Address::ZERO,
            claimant: addr(0xAA),
            bond: 1_000,
            value: B256::repeat_byte(value),
            position: Position::ROOT,
            clock: Clock::new(0, t),
        }
    }

    /// A claim as `move` would build it (clock and bond left to the caller).
    pub(crate) fn mv(tree: &ClaimTree, parent: usize, attack: bool, value: B256, who: Address, clock: Clock) -> Claim {
        Claim {
            parent_index: parent as u32,
            countered_by: Address::ZERO,
            claimant: who,
            bond: 10 * (tree.len() as u128),
            value,
            position: tree.get(parent).unwrap().position.make_move(attack).unwrap(),
            clock,
        }
    }

    #[test]
    fn push_validates_structure() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        let c = mv(&t, 0, true, B256::repeat_byte(2), addr(1), Clock::new(5, 5));
        assert_eq!(t.push(c).unwrap(), 1);
        assert_eq!(t.children(0).unwrap(), &[1]);
        let mut bad = c;
        bad.position = Position::from_gindex(5).unwrap();
        assert!(matches!(t.push(bad), Err(GameError::MalformedClaim { index: 2, .. })));
        let mut orphan = c;
        orphan.parent_index = 7;
        assert!(matches!(t.push(orphan), Err(GameError::MalformedClaim { index: 2, .. })));
        let mut second_root = c;
        second_root.parent_index = ROOT_PARENT_INDEX;
        assert!(t.push(second_root).is_err());
        assert!(ClaimTree::new(c).is_err());
        assert!(ClaimTree::from_claims(Vec::new()).is_err());
        assert_eq!(t.get(9), Err(GameError::NoSuchClaim { index: 9, len: 2 }));
    }

    #[test]
    fn chess_clock_on_a_tree() {
        let clocks = ClockParams::new(300, 30).unwrap();
        let depth = GameDepth::new(8, 4).unwrap();
        let mut t = ClaimTree::new(root(1, 1000)).unwrap();
        // The root's challenger has used the time since the root.
        assert_eq!(t.challenger_duration(0, clocks, 1010).unwrap(), 10);
        assert_eq!(t.response_deadline(0, clocks).unwrap(), 1300);
        let c1 = t.next_clock(0, true, depth, clocks, 1010).unwrap();
        assert_eq!(c1, Clock::new(10, 1010));
        t.push(mv(&t, 0, true, B256::repeat_byte(2), addr(1), c1)).unwrap();
        // Claim 1's challenger (the root's team) inherits the root's duration 0.
        assert_eq!(t.challenger_duration(1, clocks, 1050).unwrap(), 40);
        let c2 = t.next_clock(1, true, depth, clocks, 1050).unwrap();
        t.push(mv(&t, 1, true, B256::repeat_byte(3), addr(2), c2)).unwrap();
        // Claim 2's challenger continues claim 1's clock: 10 + elapsed.
        assert_eq!(t.challenger_duration(2, clocks, 1100).unwrap(), 60);
        assert_eq!(t.response_deadline(2, clocks).unwrap(), 1050 + 290);
        assert!(!t.is_expired(2, clocks, 1339).unwrap());
        assert!(t.is_expired(2, clocks, 1340).unwrap());
        assert!(matches!(t.next_clock(2, true, depth, clocks, 1340), Err(GameError::ClockTimeExceeded { index: 2 })));
        // Late answer: the new claim (depth 3 = split - 1) gets the doubled extension.
        assert_eq!(t.next_clock(2, true, depth, clocks, 1335).unwrap(), Clock::new(240, 1335));
        // Late answer to claim 1 (new depth 2): a single extension.
        assert_eq!(t.next_clock(1, true, depth, clocks, 1299).unwrap(), Clock::new(270, 1299));
        assert!(matches!(t.challenger_duration(2, clocks, 1000), Err(GameError::TimeBeforeClaim { .. })));
    }

    #[test]
    fn duplicates_are_per_parent_position_and_value() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        let v = B256::repeat_byte(2);
        t.push(mv(&t, 0, true, v, addr(1), Clock::new(1, 1))).unwrap();
        let pos = Position::from_gindex(2).unwrap();
        assert!(t.is_duplicate(0, pos, v));
        assert!(!t.is_duplicate(0, pos, B256::repeat_byte(3)));
        assert!(!t.is_duplicate(1, pos, v));
    }

    /// Builds the chain of attacks root → … → max depth in an 8/4 game, values chosen by `f(depth)`.
    fn attack_chain(f: impl Fn(u8) -> B256) -> ClaimTree {
        let mut t = ClaimTree::new(root(0xEE, 0)).unwrap();
        for d in 1..=8u8 {
            let parent = t.len() - 1;
            let c = mv(&t, parent, true, f(d), addr(d), Clock::new(0, u64::from(d)));
            t.push(c).unwrap();
        }
        t
    }

    #[test]
    fn exec_outputs_and_local_context_of_leftmost_subgame() {
        let anchor = B256::repeat_byte(0x77);
        let t =
            attack_chain(|d| if d == 5 { VmStatus::Invalid.stamp(B256::repeat_byte(5)) } else { B256::repeat_byte(d) });
        // Claim 4 is the output leaf at gindex 16 (index 0): its starting output is the anchor.
        let out = t.exec_outputs(8, 4, anchor).unwrap();
        assert_eq!(out.starting_index, None);
        assert_eq!(out.starting_claim, anchor);
        assert_eq!(out.disputed_index, 4);
        assert_eq!(out.disputed_position, Position::from_gindex(16).unwrap());
        let mut enc = [0u8; 64];
        enc[..32].copy_from_slice(B256::repeat_byte(4).as_slice());
        enc[63] = 16;
        assert_eq!(out.local_context(), keccak256(enc));
        assert_eq!(t.local_context(5, 4, anchor).unwrap(), keccak256(enc));
        assert!(matches!(t.exec_outputs(4, 4, anchor), Err(GameError::ClaimAboveSplit { .. })));
        // A move not yet made: defending output claim 4 would open the subgame at gindex 34,
        // which runs from claim 4 to the trace ancestor of gindex 17 (claim 3, gindex 8).
        let defend = Position::from_gindex(34).unwrap();
        let out = t.exec_outputs_at(4, defend, 4, anchor).unwrap();
        assert_eq!((out.starting_index, out.disputed_index), (Some(4), 3));
        // The same context is found from any claim inside that subgame.
        assert_eq!(t.exec_outputs_at(8, Position::from_gindex(256).unwrap(), 4, anchor).unwrap().disputed_index, 4);
        // Both subgames of output claim 4 are reachable from inside either of them...
        assert_eq!(
            t.exec_outputs_at(8, Position::from_gindex(68).unwrap(), 4, anchor).unwrap().starting_index,
            Some(4)
        );
        // ...but a position in a subgame of another output (gindex 36 hangs below gindex 18) is refused.
        assert!(t.exec_outputs_at(8, Position::from_gindex(36).unwrap(), 4, anchor).is_err());
        // The leaf at max depth, local index 0: an attack step uses the absolute prestate.
        let d = GameDepth::new(8, 4).unwrap();
        assert_eq!(t.step_states(8, true, d).unwrap(), StepStates { pre: None, post: 8, counter_if_differs: true });
        // A defend step's post-state is the trace ancestor of gindex 257: claim 7 (gindex 128).
        let s = t.step_states(8, false, d).unwrap();
        assert_eq!(s, StepStates { pre: Some(8), post: 7, counter_if_differs: false });
        assert!(matches!(t.step_states(7, true, d), Err(GameError::IllegalMove { reason: "InvalidParent", .. })));
    }

    #[test]
    fn exec_outputs_of_a_defended_output() {
        // root(1) ← attack 2 ← attack 4 ← attack 8 ← defend 18 (depth 4, index 2) ← attack 36 (exec root).
        let mut t = ClaimTree::new(root(0xEE, 0)).unwrap();
        for (parent, attack) in [(0usize, true), (1, true), (2, true), (3, false), (4, true)] {
            let v = if parent == 4 {
                VmStatus::Invalid.stamp(B256::repeat_byte(9))
            } else {
                B256::repeat_byte(parent as u8 + 1)
            };
            let c = mv(&t, parent, attack, v, addr(1), Clock::new(0, 1));
            t.push(c).unwrap();
        }
        assert_eq!(t.get(4).unwrap().position.gindex(), 18);
        let out = t.exec_outputs(5, 4, B256::ZERO).unwrap();
        // Attack on output 18: starting output is the trace ancestor of 17, i.e. claim 3 (gindex 8).
        assert_eq!(out.starting_index, Some(3));
        assert_eq!(out.starting_position, 8);
        assert_eq!(out.disputed_index, 4);
        let mut enc = Vec::new();
        let word = |v: u8| {
            let mut w = [0u8; 32];
            w[31] = v;
            w
        };
        enc.extend_from_slice(B256::repeat_byte(3).as_slice());
        enc.extend_from_slice(&word(8));
        enc.extend_from_slice(B256::repeat_byte(4).as_slice());
        enc.extend_from_slice(&word(18));
        assert_eq!(out.local_context(), keccak256(&enc));
    }

    #[test]
    fn exec_root_status_rule() {
        let t = attack_chain(B256::repeat_byte);
        let invalid = VmStatus::Invalid.stamp(B256::repeat_byte(5));
        let valid = VmStatus::Valid.stamp(B256::repeat_byte(5));
        let panic = VmStatus::Panic.stamp(B256::repeat_byte(5));
        let unfinished = VmStatus::Unfinished.stamp(B256::repeat_byte(5));
        // Attacking the split-depth claim: INVALID or PANIC only.
        assert!(t.check_exec_root_status(4, true, invalid, 4).is_ok());
        assert!(t.check_exec_root_status(4, true, panic, 4).is_ok());
        assert!(t.check_exec_root_status(4, true, valid, 4).is_err());
        assert!(t.check_exec_root_status(4, true, unfinished, 4).is_err());
        // Defending claim 4 (gindex 16): the disputed output is traceAncestor(17) = 8, claim 3 at
        // depth 3 — the opposite parity of the split, so the mover's own team: VALID.
        assert!(t.check_exec_root_status(4, false, valid, 4).is_ok());
        assert!(t.check_exec_root_status(4, false, invalid, 4).is_err());
    }
}
