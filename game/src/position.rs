use std::fmt;

use crate::{GameError, Result};

/// `LibPosition.MAX_POSITION_BITLEN`: a position has at most 126 significant bits.
pub const MAX_POSITION_BITLEN: u8 = 126;

/// The deepest `maxGameDepth` the constructor accepts (`MAX_POSITION_BITLEN - 1`).
pub const MAX_GAME_DEPTH_LIMIT: u8 = MAX_POSITION_BITLEN - 1;

/// A node of the game tree as a generalized index: `2^depth + index_at_depth`.
///
/// Mirrors `LibPosition`'s `Position` (a `uint128`). The root is `1`. Every value held by a
/// `Position` is non-zero and at most [`MAX_POSITION_BITLEN`] deep, so the accessors never fail;
/// operations that would leave that range return [`GameError`].
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position(u128);

impl Position {
    /// The root claim's position, gindex 1.
    pub const ROOT: Self = Self(1);

    /// A position from its raw generalized index (as stored in `ClaimData.position`).
    pub fn from_gindex(gindex: u128) -> Result<Self> {
        if gindex == 0 {
            return Err(GameError::ZeroPosition);
        }
        let depth = 127 - gindex.leading_zeros();
        if depth > u32::from(MAX_POSITION_BITLEN) {
            return Err(GameError::PositionTooDeep { depth });
        }
        Ok(Self(gindex))
    }

    /// `LibPosition.wrap(depth, indexAtDepth)`.
    pub fn from_depth_index(depth: u8, index: u128) -> Result<Self> {
        if depth > MAX_POSITION_BITLEN {
            return Err(GameError::PositionTooDeep { depth: depth.into() });
        }
        let base = 1u128 << depth;
        if index >= base {
            return Err(GameError::IndexOutOfRange { depth, index });
        }
        Ok(Self(base | index))
    }

    /// The leaf at `max_depth` whose trace index is `trace_index` (the inverse of
    /// [`Position::trace_index`] for leaves).
    pub fn from_trace_index(max_depth: u8, trace_index: u128) -> Result<Self> {
        Self::from_depth_index(max_depth, trace_index)
    }

    /// The raw generalized index (`Position.raw()`).
    pub const fn gindex(self) -> u128 {
        self.0
    }

    /// `LibPosition.depth`: the index of the most significant set bit.
    pub const fn depth(self) -> u8 {
        (127 - self.0.leading_zeros()) as u8
    }

    /// `LibPosition.indexAtDepth`: `gindex - 2^depth`.
    pub const fn index_at_depth(self) -> u128 {
        self.0 ^ (1u128 << self.depth())
    }

    /// `true` for the root (gindex 1).
    pub const fn is_root(self) -> bool {
        self.0 == 1
    }

    /// `LibPosition.left`: `2g`.
    pub fn left(self) -> Result<Self> {
        self.child(0)
    }

    /// `LibPosition.right`: `2g + 1`.
    pub fn right(self) -> Result<Self> {
        self.child(1)
    }

    fn child(self, bit: u128) -> Result<Self> {
        if self.depth() >= MAX_POSITION_BITLEN {
            return Err(GameError::PositionTooDeep { depth: u32::from(self.depth()) + 1 });
        }
        Ok(Self((self.0 << 1) | bit))
    }

    /// `LibPosition.parent`: `g >> 1`. The root has no parent.
    pub fn parent(self) -> Result<Self> {
        if self.is_root() {
            return Err(GameError::RootHasNoParent);
        }
        Ok(Self(self.0 >> 1))
    }

    /// `LibPosition.move`: `(g | !isAttack) << 1`.
    ///
    /// An attack is the left child; a defense is the left child of the right sibling. The
    /// contract forbids defending the root of the game or of an execution subgame; that rule
    /// needs the split depth and lives in [`GameDepth::check_move`].
    pub fn make_move(self, is_attack: bool) -> Result<Self> {
        let base = if is_attack { self } else { Self(self.0 | 1) };
        base.left()
    }

    /// The position of an attack against `self`.
    pub fn attack(self) -> Result<Self> {
        self.make_move(true)
    }

    /// The position of a defense of `self`.
    pub fn defend(self) -> Result<Self> {
        self.make_move(false)
    }

    /// The next node to the right at the same depth (op-challenger's `MoveRight`).
    pub fn move_right(self) -> Result<Self> {
        Self::from_depth_index(self.depth(), self.index_at_depth() + 1)
    }

    /// `LibPosition.rightIndex`: the deepest, right-most descendant at `max_depth`.
    pub fn right_index(self, max_depth: u8) -> Result<Self> {
        let depth = self.depth();
        if depth > max_depth {
            return Err(GameError::GameDepthExceeded { depth, max: max_depth });
        }
        if max_depth > MAX_POSITION_BITLEN {
            return Err(GameError::PositionTooDeep { depth: max_depth.into() });
        }
        let remaining = u32::from(max_depth - depth);
        let ones = (1u128 << remaining) - 1;
        Ok(Self((self.0 << remaining) | ones))
    }

    /// `LibPosition.traceIndex`: the trace slot this position commits to in a tree of
    /// `max_depth` (the index at depth of its right index).
    pub fn trace_index(self, max_depth: u8) -> Result<u128> {
        Ok(self.right_index(max_depth)?.index_at_depth())
    }

    /// `LibPosition.traceAncestor`: the highest ancestor (or `self`) committing to the same
    /// trace index, across the whole tree.
    pub const fn trace_ancestor(self) -> Self {
        // Shift out the trailing ones; the node they lead to is the highest right-spine ancestor.
        let a = self.0 >> self.0.trailing_ones();
        if a == 0 { Self::ROOT } else { Self(a) }
    }

    /// `LibPosition.traceAncestorBounded`: like [`Position::trace_ancestor`] but never leaves
    /// the execution subgame below `upper_bound_exclusive` (the split depth).
    pub fn trace_ancestor_bounded(self, upper_bound_exclusive: u8) -> Result<Self> {
        if self.depth() <= upper_bound_exclusive {
            return Err(GameError::ClaimAboveSplit { depth: self.depth(), split: upper_bound_exclusive });
        }
        let ancestor = self.trace_ancestor();
        if ancestor.depth() <= upper_bound_exclusive {
            return ancestor.right_index(upper_bound_exclusive + 1);
        }
        Ok(ancestor)
    }

    /// The position relative to its ancestor at `ancestor_depth`, as if that ancestor were the
    /// root (op-challenger's `RelativeToAncestorAtDepth`): used to index an execution subgame.
    pub fn relative_to_ancestor_at_depth(self, ancestor_depth: u8) -> Result<Self> {
        let depth = self.depth();
        if ancestor_depth > depth {
            return Err(GameError::GameDepthExceeded { depth: ancestor_depth, max: depth });
        }
        let rel_depth = depth - ancestor_depth;
        let mask = (1u128 << rel_depth) - 1;
        Self::from_depth_index(rel_depth, self.index_at_depth() & mask)
    }

    /// `true` if `self` is `other` or one of its ancestors.
    pub fn is_ancestor_of(self, other: Self) -> bool {
        let (d, od) = (self.depth(), other.depth());
        d <= od && other.0 >> (od - d) == self.0
    }
}

impl fmt::Debug for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Position({} @ depth {}, index {})", self.0, self.depth(), self.index_at_depth())
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl TryFrom<u128> for Position {
    type Error = GameError;
    fn try_from(gindex: u128) -> Result<Self> {
        Self::from_gindex(gindex)
    }
}

impl From<Position> for u128 {
    fn from(p: Position) -> u128 {
        p.0
    }
}

/// The shape of a game: `MAX_GAME_DEPTH` and `SPLIT_DEPTH`.
///
/// Depths `0..=split` bisect output roots; depths `split+1..=max` bisect VM execution traces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GameDepth {
    max: u8,
    split: u8,
}

impl GameDepth {
    /// Validated as the 1.2.0 constructor does: `max <= 125` (`MaxDepthTooLarge`) and
    /// `split < max` (`InvalidSplitDepth`).
    pub fn new(max: u8, split: u8) -> Result<Self> {
        if max > MAX_GAME_DEPTH_LIMIT {
            return Err(GameError::InvalidGameDepth { max, split, reason: "max depth above 125" });
        }
        if split >= max {
            return Err(GameError::InvalidGameDepth { max, split, reason: "split depth not below max depth" });
        }
        Ok(Self { max, split })
    }

    /// `maxGameDepth()`.
    pub const fn max(self) -> u8 {
        self.max
    }

    /// `splitDepth()`.
    pub const fn split(self) -> u8 {
        self.split
    }

    /// `true` if a claim at `position` is an output root (depth ≤ split).
    pub const fn is_output_position(self, position: Position) -> bool {
        position.depth() <= self.split
    }

    /// `true` if `position` is the root of an execution subgame (depth split + 1).
    pub const fn is_exec_root(self, position: Position) -> bool {
        position.depth() == self.split + 1
    }

    /// Number of leaves of each execution subgame, `2^(max - split - 1)`, as a trace length.
    pub const fn exec_trace_len(self) -> u128 {
        1u128 << (self.max - self.split - 1)
    }

    /// The trace index of `position` inside its execution subgame (the leaf's index modulo the
    /// subgame's width). Errors for output positions.
    pub fn exec_trace_index(self, position: Position) -> Result<u128> {
        if position.depth() <= self.split {
            return Err(GameError::ClaimAboveSplit { depth: position.depth(), split: self.split });
        }
        Ok(position.trace_index(self.max)? % self.exec_trace_len())
    }

    /// The trace index of an output position inside the top game (`traceIndex(SPLIT_DEPTH)`).
    pub fn output_trace_index(self, position: Position) -> Result<u128> {
        if position.depth() > self.split {
            return Err(GameError::GameDepthExceeded { depth: position.depth(), max: self.split });
        }
        position.trace_index(self.split)
    }

    /// The L2 block an output position commits to: `startingBlock + traceIndex(split) + 1`,
    /// clamped to the proposal's block (op-challenger clamps always; the 1.2.0 contract's
    /// `addLocalData` does not, see [`GameDepth::unclamped_output_block`]).
    pub fn output_block(self, position: Position, starting_block: u64, proposal_block: u64) -> Result<u64> {
        Ok(self.unclamped_output_block(position, starting_block)?.min(proposal_block))
    }

    /// `startingBlock + traceIndex(split) + 1` without the clamp, as `addLocalData` ident 4
    /// computes it in 1.2.0. Saturates at `u64::MAX`.
    pub fn unclamped_output_block(self, position: Position, starting_block: u64) -> Result<u64> {
        let ti = self.output_trace_index(position)?;
        let block = u128::from(starting_block) + ti + 1;
        Ok(u64::try_from(block).unwrap_or(u64::MAX))
    }

    /// The position a move against a claim at `parent` lands on, with every positional rule
    /// `move` enforces: no defense of the game root or of an execution subgame root
    /// (`CannotDefendRootClaim`) and no move beyond the max depth (`GameDepthExceeded`).
    pub fn check_move(self, parent_index: usize, parent: Position, is_attack: bool) -> Result<Position> {
        let next = parent.make_move(is_attack)?;
        if !is_attack && (parent_index == 0 || next.depth() == self.split + 2) {
            return Err(GameError::IllegalMove { index: parent_index, reason: "CannotDefendRootClaim" });
        }
        if next.depth() > self.max {
            return Err(GameError::IllegalMove { index: parent_index, reason: "GameDepthExceeded" });
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(g: u128) -> Position {
        Position::from_gindex(g).unwrap()
    }

    #[test]
    fn rejects_zero_and_too_deep() {
        assert_eq!(Position::from_gindex(0), Err(GameError::ZeroPosition));
        assert!(Position::from_gindex(1u128 << 126).is_ok());
        assert_eq!(Position::from_gindex(1u128 << 127), Err(GameError::PositionTooDeep { depth: 127 }));
        assert_eq!(Position::from_depth_index(3, 8), Err(GameError::IndexOutOfRange { depth: 3, index: 8 }));
        assert_eq!(Position::from_depth_index(127, 0), Err(GameError::PositionTooDeep { depth: 127 }));
        assert!(p(1u128 << 126).left().is_err());
        assert_eq!(Position::ROOT.parent(), Err(GameError::RootHasNoParent));
    }

    /// The worked example of a max-depth-4 tree (protocol digest §1.2).
    #[test]
    fn worked_example_max_depth_4() {
        let rows: &[(u128, u8, u128, u128)] = &[
            (1, 0, 0, 15),
            (2, 1, 0, 7),
            (4, 2, 0, 3),
            (6, 2, 2, 11),
            (8, 3, 0, 1),
            (10, 3, 2, 5),
            (12, 3, 4, 9),
            (14, 3, 6, 13),
            (16, 4, 0, 0),
            (18, 4, 2, 2),
            (20, 4, 4, 4),
            (22, 4, 6, 6),
            (30, 4, 14, 14),
        ];
        for &(g, depth, index, ti) in rows {
            let pos = p(g);
            assert_eq!(pos.depth(), depth, "depth of {g}");
            assert_eq!(pos.index_at_depth(), index, "index of {g}");
            assert_eq!(pos.trace_index(4).unwrap(), ti, "trace index of {g}");
        }
        assert_eq!(p(1).attack().unwrap(), p(2));
        assert_eq!(p(2).attack().unwrap(), p(4));
        assert_eq!(p(2).defend().unwrap(), p(6));
        assert_eq!(p(4).defend().unwrap(), p(10));
        assert_eq!(p(6).attack().unwrap(), p(12));
        assert_eq!(p(6).defend().unwrap(), p(14));
        assert_eq!(p(8).defend().unwrap(), p(18));
        assert_eq!(p(10).attack().unwrap(), p(20));
        assert_eq!(p(2).right_index(4).unwrap(), p(23));
        assert_eq!(p(19).trace_ancestor(), p(4));
        assert_eq!(p(21).trace_ancestor(), p(10));
        assert_eq!(p(31).trace_ancestor(), Position::ROOT);
        assert_eq!(p(16).trace_ancestor(), p(16));
        // Attack step on 20: pre-state at traceAncestor(19) = 4 (TI 3); defend step: post at 10 (TI 5).
        assert_eq!(p(20 - 1).trace_ancestor().trace_index(4).unwrap(), 3);
        assert_eq!(p(20 + 1).trace_ancestor(), p(10));
        assert_eq!(p(10).trace_index(4).unwrap(), 5);
    }

    /// Max depth 8, split 4: the shape of the alphabet game.
    #[test]
    fn worked_example_max_depth_8() {
        let d = GameDepth::new(8, 4).unwrap();
        assert_eq!(Position::ROOT.trace_index(8).unwrap(), 255);
        assert_eq!(Position::ROOT.trace_index(4).unwrap(), 15);
        // Four attacks from the root reach the left-most output leaf (block start+1).
        let mut pos = Position::ROOT;
        for _ in 0..4 {
            pos = pos.attack().unwrap();
        }
        assert_eq!(pos, p(16));
        assert_eq!(d.output_trace_index(pos).unwrap(), 0);
        assert_eq!(d.output_block(pos, 100, 116).unwrap(), 101);
        assert_eq!(d.output_block(Position::ROOT, 100, 110).unwrap(), 110);
        assert_eq!(d.unclamped_output_block(Position::ROOT, 100).unwrap(), 116);
        // Attacking the output leaf creates the exec root at depth 5; its subgame has 8 leaves.
        let exec_root = pos.attack().unwrap();
        assert_eq!(exec_root, p(32));
        assert!(d.is_exec_root(exec_root));
        assert_eq!(d.exec_trace_len(), 8);
        assert_eq!(d.exec_trace_index(exec_root).unwrap(), 7);
        let leaf = exec_root.attack().unwrap().attack().unwrap().attack().unwrap();
        assert_eq!(leaf, p(256));
        assert_eq!(d.exec_trace_index(leaf).unwrap(), 0);
        assert_eq!(leaf.trace_index(8).unwrap(), 0);
        // A defense of the output leaf 16 creates exec root 34, whose leaves are trace 8..16.
        let defended = p(16).defend().unwrap();
        assert_eq!(defended, p(34));
        assert_eq!(defended.trace_index(8).unwrap(), 23);
        assert_eq!(d.exec_trace_index(defended).unwrap(), 7);
        // Bounded ancestor of the leaf right of a subgame's last leaf stays in the subgame.
        let last_leaf = p(32).right_index(8).unwrap();
        assert_eq!(last_leaf, p(263));
        // The subgame's last leaf commits to the exec root's trace index.
        assert_eq!(p(263).trace_ancestor(), p(32));
        assert_eq!(p(263).trace_ancestor_bounded(4).unwrap(), p(32));
        // When the global ancestor lies above the bound, the bound's right spine is used instead.
        assert_eq!(p(63).trace_ancestor(), Position::ROOT);
        assert_eq!(p(63).trace_ancestor_bounded(3).unwrap(), p(31));
        assert_eq!(p(16).trace_ancestor_bounded(4), Err(GameError::ClaimAboveSplit { depth: 4, split: 4 }));
        assert_eq!(p(257).trace_ancestor_bounded(4).unwrap(), p(128));
        // Relative positions inside the subgame rooted at depth 5.
        assert_eq!(p(256).relative_to_ancestor_at_depth(5).unwrap(), p(8));
        assert_eq!(p(34).relative_to_ancestor_at_depth(5).unwrap(), Position::ROOT);
    }

    #[test]
    fn check_move_enforces_contract_rules() {
        let d = GameDepth::new(8, 4).unwrap();
        assert!(matches!(
            d.check_move(0, Position::ROOT, false),
            Err(GameError::IllegalMove { reason: "CannotDefendRootClaim", .. })
        ));
        assert_eq!(d.check_move(0, Position::ROOT, true).unwrap(), p(2));
        // The exec root (depth 5) cannot be defended: the defense would land at depth 6 = split + 2.
        assert!(matches!(
            d.check_move(3, p(32), false),
            Err(GameError::IllegalMove { reason: "CannotDefendRootClaim", .. })
        ));
        assert_eq!(d.check_move(3, p(32), true).unwrap(), p(64));
        // The output leaf at split depth can be defended (that creates an exec root).
        assert_eq!(d.check_move(2, p(16), false).unwrap(), p(34));
        assert!(matches!(
            d.check_move(9, p(256), true),
            Err(GameError::IllegalMove { reason: "GameDepthExceeded", .. })
        ));
    }

    #[test]
    fn game_depth_validated_like_constructor() {
        assert!(GameDepth::new(125, 124).is_ok());
        assert!(GameDepth::new(126, 30).is_err());
        assert!(GameDepth::new(8, 8).is_err());
        assert!(GameDepth::new(8, 7).is_ok());
        assert!(GameDepth::new(73, 30).is_ok());
    }

    #[test]
    fn move_right_and_ancestry() {
        assert_eq!(p(16).move_right().unwrap(), p(17));
        assert!(p(31).move_right().is_err());
        assert!(p(2).is_ancestor_of(p(21)));
        assert!(p(21).is_ancestor_of(p(21)));
        assert!(!p(3).is_ancestor_of(p(21)));
        assert!(!p(21).is_ancestor_of(p(10)));
    }

    fn arb_position(max_depth: u8) -> impl Strategy<Value = Position> {
        (0..=max_depth).prop_flat_map(|d| {
            let hi = if d == 0 { 0 } else { (1u128 << d) - 1 };
            (Just(d), 0..=hi).prop_map(|(d, i)| Position::from_depth_index(d, i).unwrap())
        })
    }

    proptest! {
        #[test]
        fn parent_of_attack_is_self(pos in arb_position(125)) {
            prop_assert_eq!(pos.attack().unwrap().parent().unwrap(), pos);
        }

        #[test]
        fn attack_and_defend_share_depth(pos in arb_position(125)) {
            let (a, d) = (pos.attack().unwrap(), pos.defend().unwrap());
            prop_assert_eq!(a.depth(), pos.depth() + 1);
            prop_assert_eq!(a.depth(), d.depth());
            // Every move lands on an even gindex.
            prop_assert_eq!(a.gindex() % 2, 0);
            prop_assert_eq!(d.gindex() % 2, 0);
        }

        #[test]
        fn defend_is_left_child_of_right_sibling(pos in arb_position(125).prop_filter("non-root even", |p| !p.is_root() && p.gindex() % 2 == 0)) {
            prop_assert_eq!(pos.defend().unwrap().gindex(), 2 * pos.gindex() + 2);
        }

        #[test]
        fn attack_commits_left_defend_right(pos in arb_position(124), max in 0u8..=125) {
            prop_assume!(pos.depth() < max);
            let ti = pos.trace_index(max).unwrap();
            prop_assert!(pos.attack().unwrap().trace_index(max).unwrap() < ti);
            if pos.gindex() % 2 == 0 && !pos.is_root() {
                prop_assert!(pos.defend().unwrap().trace_index(max).unwrap() > ti);
            }
        }

        #[test]
        fn trace_index_monotone_in_index(d in 0u8..=125, max_extra in 0u8..=125, i in any::<u128>(), j in any::<u128>()) {
            let max = d.saturating_add(max_extra).min(125);
            let width = 1u128 << d;
            let (a, b) = ((i % width).min(j % width), (i % width).max(j % width));
            let pa = Position::from_depth_index(d, a).unwrap();
            let pb = Position::from_depth_index(d, b).unwrap();
            let (ta, tb) = (pa.trace_index(max).unwrap(), pb.trace_index(max).unwrap());
            prop_assert!(ta <= tb);
            if a < b { prop_assert!(ta < tb); }
        }

        #[test]
        fn right_index_of_leaf_is_itself(d in 0u8..=125, i in any::<u128>()) {
            let pos = Position::from_depth_index(d, i % (1u128 << d)).unwrap();
            prop_assert_eq!(pos.right_index(d).unwrap(), pos);
            prop_assert_eq!(pos.trace_index(d).unwrap(), pos.index_at_depth());
        }

        #[test]
        fn trace_index_round_trips(max in 0u8..=125, i in any::<u128>()) {
            let ti = i % (1u128 << max);
            let leaf = Position::from_trace_index(max, ti).unwrap();
            prop_assert_eq!(leaf.trace_index(max).unwrap(), ti);
            prop_assert_eq!(leaf.depth(), max);
        }

        #[test]
        fn trace_ancestor_commits_to_same_index(pos in arb_position(125), extra in 0u8..=125) {
            let max = pos.depth().saturating_add(extra).min(125);
            let anc = pos.trace_ancestor();
            prop_assert!(anc.is_ancestor_of(pos));
            prop_assert_eq!(anc.trace_index(max).unwrap(), pos.trace_index(max).unwrap());
            // It is the highest such ancestor: its own parent commits elsewhere.
            if let Ok(up) = anc.parent() {
                prop_assert_ne!(up.trace_index(max).unwrap(), pos.trace_index(max).unwrap());
            }
        }

        #[test]
        fn bounded_ancestor_stays_below_split(pos in arb_position(125), split in 0u8..=124) {
            prop_assume!(pos.depth() > split);
            let anc = pos.trace_ancestor_bounded(split).unwrap();
            prop_assert!(anc.depth() > split);
            prop_assert_eq!(anc.trace_index(pos.depth()).unwrap(), pos.trace_index(pos.depth()).unwrap());
        }

        #[test]
        fn deepest_positions_do_not_overflow(i in any::<u128>()) {
            let leaf = Position::from_depth_index(125, i % (1u128 << 125)).unwrap();
            // A step at max depth 125 lands at depth 126, the deepest representable position.
            prop_assert_eq!(leaf.attack().unwrap().depth(), 126);
            prop_assert_eq!(leaf.defend().unwrap().depth(), 126);
            prop_assert!(leaf.attack().unwrap().attack().is_err());
            prop_assert_eq!(Position::ROOT.trace_index(125).unwrap(), (1u128 << 125) - 1);
        }
    }
}
