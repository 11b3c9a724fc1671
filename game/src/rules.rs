//! What differs between the `FaultDisputeGame` lines for a challenger: local data, bonds and
//! their distribution mode, when a game can be closed, and what each participant is owed.
//!
//! The clock extension rules live in [`ClockParams`](crate::ClockParams) (1.2 and 1.3+).

use std::collections::BTreeMap;

use alloy_primitives::{Address, U256};

use crate::{ClaimTree, GameDepth, GameError, GameStatus, Result};

/// The lines of `FaultDisputeGame` whose rules differ for a challenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Line {
    /// 1.2.x: one-phase bonds unlocked in DelayedWETH at `resolveClaim`; `addLocalData` ident
    /// 4 not clamped to the proposal.
    V1_2,
    /// 1.3.x: the step extension (`clockExtension + challengePeriod` at `maxGameDepth - 1`) and
    /// the disputed L2 block clamped to the proposal's; bonds as 1.2.
    V1_3,
    /// 1.4.x to 1.8.x: two-phase bonds with a distribution mode decided by `closeGame()`.
    V1_4,
    /// 2.x: as 1.4, with the VM, registry, WETH, prestate and chain id read from the clone's
    /// immutable arguments (the factory's `gameArgs`), and proposals capped at `2^64 - 1`.
    V2,
}

impl Line {
    /// The line of a `version()` string (`"1.3.1-beta.5"`, `"2.4.2"`), or `None` for a version
    /// outside 1.2 to 2.x.
    pub fn of_version(version: &str) -> Option<Self> {
        let mut parts = version.split(['.', '-', '+']);
        let major: u32 = parts.next()?.parse().ok()?;
        let minor: u32 = parts.next()?.parse().ok()?;
        match (major, minor) {
            (1, 2) => Some(Self::V1_2),
            (1, 3) => Some(Self::V1_3),
            (1, 4..) => Some(Self::V1_4),
            (2, _) => Some(Self::V2),
            _ => None,
        }
    }

    /// The line whose bond, clock and resolution rules a `SuperFaultDisputeGame` or
    /// `SuperPermissionedDisputeGame` of `version` follows: 0.7.x are FaultDisputeGame 2.x's.
    pub fn of_super_version(version: &str) -> Option<Self> {
        let mut parts = version.split(['.', '-', '+']);
        match (parts.next()?, parts.next()?) {
            ("0", "7") => Some(Self::V2),
            _ => None,
        }
    }

    /// `addLocalData` ident 4 (the disputed L2 block) is `min(bisected block, l2BlockNumber)`.
    pub const fn clamps_disputed_block(self) -> bool {
        !matches!(self, Self::V1_2)
    }

    /// The claim at `maxGameDepth - 1` gets `clockExtension + challengePeriod`.
    pub const fn has_step_extension(self) -> bool {
        !matches!(self, Self::V1_2)
    }

    /// Bonds are paid in two `claimCredit` calls (unlock, then withdraw after the delay), in
    /// the mode `closeGame()` decides.
    pub const fn has_two_phase_bonds(self) -> bool {
        matches!(self, Self::V1_4 | Self::V2)
    }

    /// The game's components come from the factory's `gameArgs` through the clone's arguments.
    pub const fn reads_clone_args(self) -> bool {
        matches!(self, Self::V2)
    }
}

impl std::fmt::Display for Line {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::V1_2 => "1.2",
            Self::V1_3 => "1.3",
            Self::V1_4 => "1.4+",
            Self::V2 => "2.x",
        })
    }
}

/// The game depths as `line`'s constructor accepts them: 1.2 needs `split < max <= 125`; 1.3 and
/// later need `2 <= split` and `split + 1 < max`.
pub fn depth_of(line: Line, max: u8, split: u8) -> Result<GameDepth> {
    let depth = GameDepth::new(max, split)?;
    if line != Line::V1_2 && (split < 2 || u16::from(split) + 1 >= u16::from(max)) {
        return Err(GameError::InvalidGameDepth { max, split, reason: "1.3+ needs 2 <= split and split + 1 < max" });
    }
    Ok(depth)
}

/// `addLocalData` ident 4: the disputed L2 block number an execution subgame's VM is given,
/// from the block the bisection reached (`startingBlock + traceIndex + 1`).
pub fn disputed_l2_block(line: Line, bisected_block: u64, l2_block_number: u64) -> u64 {
    if line.clamps_disputed_block() { bisected_block.min(l2_block_number) } else { bisected_block }
}

/// The proposal's L2 sequence number (block number, or timestamp for super roots) as riposte
/// can honestly judge it: values above `2^64 - 1` name no block and the claim is invalid
/// (2.4 refuses such games at creation; older lines accept them).
pub fn proposal_number(raw: U256) -> Option<u64> {
    u64::try_from(raw).ok()
}

/// `bondDistributionMode()` (1.4+), or [`BondMode::Legacy`] for lines without it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BondMode {
    /// 1.2/1.3: `credit(a)`, unlocked in DelayedWETH when `resolveClaim` pays it.
    Legacy,
    /// Not closed yet (`UNDECIDED`, 0).
    Undecided,
    /// Closed as a proper game: `normalModeCredit` is paid (`NORMAL`, 1).
    Normal,
    /// Closed as an improper game (blacklisted, retired, paused, unregistered): every deposit
    /// goes back to who made it, `refundModeCredit` (`REFUND`, 2).
    Refund,
}

impl BondMode {
    /// The mode from its ABI value.
    pub fn from_u8(v: u8) -> Result<Self> {
        match v {
            0 => Ok(Self::Undecided),
            1 => Ok(Self::Normal),
            2 => Ok(Self::Refund),
            other => Err(GameError::UnknownBondMode(other)),
        }
    }

    /// The mode's name as the contract spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Legacy => "legacy",
            Self::Undecided => "UNDECIDED",
            Self::Normal => "NORMAL",
            Self::Refund => "REFUND",
        }
    }
}

/// What the AnchorStateRegistry says of a game when it is closed (`isGameProper`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// `isGameRegistered`: created by the registry's factory.
    pub registered: bool,
    /// `isGameBlacklisted`.
    pub blacklisted: bool,
    /// `isGameRetired`: `createdAt <= retirementTimestamp` (3.x) or the portal's
    /// `respectedGameTypeUpdatedAt` (2.2).
    pub retired: bool,
    /// `paused()` (3.x: the SystemConfig's pause).
    pub paused: bool,
}

impl Standing {
    /// `isGameProper`.
    pub const fn is_proper(self) -> bool {
        self.registered && !self.blacklisted && !self.retired && !self.paused
    }

    /// The mode `closeGame()` would set now.
    pub const fn mode_on_close(self) -> BondMode {
        if self.is_proper() { BondMode::Normal } else { BondMode::Refund }
    }
}

/// Why `closeGame()` would revert now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseBlocked {
    /// `GamePaused`: the system is paused (2.x checks this first).
    Paused,
    /// `GameNotResolved`.
    NotResolved,
    /// `GameNotFinalized`: the registry's finality delay has not passed; it has at `at`.
    NotFinalized {
        /// The first L1 timestamp at which `isGameFinalized` holds.
        at: u64,
    },
}

impl std::fmt::Display for CloseBlocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Paused => f.write_str("the system is paused (GamePaused)"),
            Self::NotResolved => f.write_str("the game is not resolved (GameNotResolved)"),
            Self::NotFinalized { at } => write!(f, "the game is not finalized before L1 time {at} (GameNotFinalized)"),
        }
    }
}

/// What `closeGame()` depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closing {
    /// `status()`.
    pub status: GameStatus,
    /// `resolvedAt()` (0 while unresolved).
    pub resolved_at: u64,
    /// The registry's `disputeGameFinalityDelaySeconds`.
    pub finality_delay: u64,
    /// The registry's `paused()`.
    pub paused: bool,
    /// The pause blocks `closeGame` even once the mode is decided (SuperFaultDisputeGame checks
    /// it first, so every `claimCredit` reverts while paused); FaultDisputeGame checks it only
    /// before deciding.
    pub pause_first: bool,
}

impl Closing {
    /// The first L1 timestamp at which `isGameFinalized` holds: `now - resolvedAt > delay`.
    pub const fn finalized_at(self) -> u64 {
        self.resolved_at.saturating_add(self.finality_delay).saturating_add(1)
    }

    /// Whether `closeGame()` succeeds at `now` in a game whose mode is `mode` (a decided mode
    /// makes it a no-op that always succeeds; lines without modes have no `closeGame`).
    pub fn check(self, mode: BondMode, now: u64) -> std::result::Result<(), CloseBlocked> {
        if self.pause_first && self.paused && mode != BondMode::Legacy {
            return Err(CloseBlocked::Paused);
        }
        match mode {
            BondMode::Normal | BondMode::Refund | BondMode::Legacy => return Ok(()),
            BondMode::Undecided => {}
        }
        if self.paused {
            return Err(CloseBlocked::Paused);
        }
        if self.resolved_at == 0 || self.status == GameStatus::InProgress {
            return Err(CloseBlocked::NotResolved);
        }
        let at = self.finalized_at();
        if now < at {
            return Err(CloseBlocked::NotFinalized { at });
        }
        Ok(())
    }
}

/// One claimant's bond position in a resolved game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreditState {
    /// `normalModeCredit(a)`, or `credit(a)` in legacy games.
    pub normal: U256,
    /// `refundModeCredit(a)` (zero in legacy games).
    pub refund: U256,
    /// `hasUnlockedCredit(a)` (legacy: unused).
    pub unlocked: bool,
    /// `DelayedWETH.withdrawals(game, a).timestamp`: when the credit was last unlocked (0 = never).
    pub unlocked_at: u64,
}

/// The next thing to do about one claimant's credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditStep {
    /// Nothing is or will be owed (no credit, or it was withdrawn).
    Nothing,
    /// `claimCredit` cannot succeed yet, for this reason.
    Blocked(CloseBlocked),
    /// The first `claimCredit` (1.4+): closes the game if needed and unlocks the credit.
    Unlock {
        /// What the unlock makes withdrawable.
        amount: U256,
    },
    /// The credit is unlocked; it can be withdrawn from L1 time `at` on.
    Wait {
        /// `withdrawals.timestamp + delay`.
        at: u64,
        /// The credit.
        amount: U256,
    },
    /// `claimCredit` pays out now.
    Withdraw {
        /// The credit paid.
        amount: U256,
    },
}

/// The next step about a claimant's credit at `now`.
///
/// `standing` predicts the mode an undecided game closes into; `weth_delay` is
/// `DelayedWETH.delay()`. DelayedWETH's own pause is not modelled here: a withdraw while the
/// system is paused reverts, which `closing.paused` reports for 2.x games.
pub fn credit_step(
    line: Line,
    mode: BondMode,
    state: CreditState,
    closing: Closing,
    standing: Standing,
    weth_delay: u64,
    now: u64,
) -> CreditStep {
    let wait_or_withdraw = |amount: U256, unlocked_at: u64| {
        let at = unlocked_at.saturating_add(weth_delay);
        if now < at { CreditStep::Wait { at, amount } } else { CreditStep::Withdraw { amount } }
    };
    if !line.has_two_phase_bonds() || mode == BondMode::Legacy {
        if state.normal.is_zero() {
            return CreditStep::Nothing;
        }
        return wait_or_withdraw(state.normal, state.unlocked_at);
    }
    let decided = match mode {
        BondMode::Undecided => standing.mode_on_close(),
        m => m,
    };
    let amount = if decided == BondMode::Refund { state.refund } else { state.normal };
    if amount.is_zero() {
        return CreditStep::Nothing;
    }
    if let Err(why) = closing.check(mode, now) {
        return CreditStep::Blocked(why);
    }
    if !state.unlocked {
        return CreditStep::Unlock { amount };
    }
    if closing.paused {
        return CreditStep::Blocked(CloseBlocked::Paused);
    }
    wait_or_withdraw(amount, state.unlocked_at)
}

/// What each participant is owed in each mode, predicted from the claims.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Credits {
    /// Normal mode (and legacy `credit`): the bonds as resolution pays them.
    pub normal: BTreeMap<Address, U256>,
    /// Refund mode (1.4+): every bond back to who posted it, the root's to the game's creator.
    pub refund: BTreeMap<Address, U256>,
}

impl Credits {
    /// The credit of `who` in `mode` (normal for undecided and legacy games).
    pub fn of(&self, who: Address, mode: BondMode) -> U256 {
        let m = if mode == BondMode::Refund { &self.refund } else { &self.normal };
        m.get(&who).copied().unwrap_or_default()
    }
}

impl ClaimTree {
    /// The credit of every participant once every claim is resolved, in both modes.
    /// `l2_block_number_challenger` is as for [`ClaimTree::resolve`].
    pub fn predicted_credits(&self, l2_block_number_challenger: Option<Address>) -> Credits {
        let normal = self.resolve(l2_block_number_challenger).credits;
        let mut refund = BTreeMap::new();
        for c in self.claims() {
            *refund.entry(c.claimant).or_insert(U256::ZERO) += U256::from(c.bond);
        }
        Credits { normal, refund }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_of_versions_seen_on_chains() {
        for (v, want) in [
            ("1.2.0", Some(Line::V1_2)),
            ("1.3.0", Some(Line::V1_3)),
            ("1.3.1-beta.5", Some(Line::V1_3)),
            ("1.4.1", Some(Line::V1_4)),
            ("1.8.0", Some(Line::V1_4)),
            ("2.0.0", Some(Line::V2)),
            ("2.4.2", Some(Line::V2)),
            ("1.1.1", None),
            ("0.18.1", None),
            ("3.0.0", None),
            ("", None),
            ("two", None),
        ] {
            assert_eq!(Line::of_version(v), want, "{v}");
        }
        // SuperFaultDisputeGame 0.7.x (v7's 0.7.2, v8's 0.7.3) plays by 2.x's rules; the simplified
        // SuperPermissionedDisputeGame 1.x and other 0.x are not super games riposte reads.
        for (v, want) in [("0.7.2", Some(Line::V2)), ("0.7.3-rc.1", Some(Line::V2)), ("0.6.0", None), ("1.0.0", None)] {
            assert_eq!(Line::of_super_version(v), want, "{v}");
        }
        assert!(!Line::V1_2.clamps_disputed_block() && Line::V1_3.clamps_disputed_block());
        assert!(!Line::V1_3.has_two_phase_bonds() && Line::V1_4.has_two_phase_bonds());
        assert!(Line::V2.reads_clone_args() && !Line::V1_4.reads_clone_args());
    }

    #[test]
    fn later_lines_refuse_a_split_next_to_the_bottom() {
        assert!(depth_of(Line::V1_2, 8, 7).is_ok());
        assert!(depth_of(Line::V1_3, 8, 7).is_err());
        assert!(depth_of(Line::V2, 8, 6).is_ok());
        assert!(depth_of(Line::V2, 8, 1).is_err());
        assert!(depth_of(Line::V2, 73, 30).is_ok());
    }

    #[test]
    fn disputed_block_is_clamped_from_1_3() {
        assert_eq!(disputed_l2_block(Line::V1_2, 120, 100), 120);
        assert_eq!(disputed_l2_block(Line::V1_3, 120, 100), 100);
        assert_eq!(disputed_l2_block(Line::V2, 90, 100), 90);
    }

    #[test]
    fn proposals_above_u64_are_invalid() {
        assert_eq!(proposal_number(U256::from(u64::MAX)), Some(u64::MAX));
        assert_eq!(proposal_number(U256::from(u64::MAX) + U256::from(1)), None);
    }

    #[test]
    fn bond_modes_from_abi() {
        assert_eq!(BondMode::from_u8(0).unwrap(), BondMode::Undecided);
        assert_eq!(BondMode::from_u8(2).unwrap(), BondMode::Refund);
        assert_eq!(BondMode::from_u8(3), Err(GameError::UnknownBondMode(3)));
    }

    fn proper() -> Standing {
        Standing { registered: true, ..Standing::default() }
    }

    fn closing(resolved_at: u64) -> Closing {
        Closing {
            status: GameStatus::DefenderWins,
            resolved_at,
            finality_delay: 100,
            paused: false,
            pause_first: false,
        }
    }

    #[test]
    fn improper_games_close_into_refund() {
        assert_eq!(proper().mode_on_close(), BondMode::Normal);
        for s in [
            Standing::default(),
            Standing { blacklisted: true, ..proper() },
            Standing { retired: true, ..proper() },
            Standing { paused: true, ..proper() },
        ] {
            assert_eq!(s.mode_on_close(), BondMode::Refund, "{s:?}");
        }
    }

    #[test]
    fn close_waits_for_finality_strictly_after_the_delay() {
        let c = closing(1000);
        assert_eq!(c.finalized_at(), 1101);
        assert_eq!(c.check(BondMode::Undecided, 1100), Err(CloseBlocked::NotFinalized { at: 1101 }));
        assert_eq!(c.check(BondMode::Undecided, 1101), Ok(()));
        assert_eq!(closing(0).check(BondMode::Undecided, 5000), Err(CloseBlocked::NotResolved));
        let paused = Closing { paused: true, ..c };
        assert_eq!(paused.check(BondMode::Undecided, 5000), Err(CloseBlocked::Paused));
        // Once decided, closeGame is a no-op, even paused; not in a super-root game, which
        // checks the pause first.
        assert_eq!(paused.check(BondMode::Normal, 0), Ok(()));
        let pause_first = Closing { pause_first: true, ..paused };
        assert_eq!(pause_first.check(BondMode::Normal, 0), Err(CloseBlocked::Paused));
        assert_eq!(Closing { pause_first: true, ..c }.check(BondMode::Normal, 0), Ok(()));
    }

    #[test]
    fn two_phase_credit_unlocks_then_waits_the_delay() {
        let one = U256::from(1);
        let s = CreditState { normal: one, refund: U256::from(7), ..CreditState::default() };
        let step = |mode, state, now| credit_step(Line::V2, mode, state, closing(1000), proper(), 50, now);
        assert_eq!(step(BondMode::Undecided, s, 1100), CreditStep::Blocked(CloseBlocked::NotFinalized { at: 1101 }));
        assert_eq!(step(BondMode::Undecided, s, 1101), CreditStep::Unlock { amount: one });
        let unlocked = CreditState { unlocked: true, unlocked_at: 1200, ..s };
        assert_eq!(step(BondMode::Normal, unlocked, 1249), CreditStep::Wait { at: 1250, amount: one });
        assert_eq!(step(BondMode::Normal, unlocked, 1250), CreditStep::Withdraw { amount: one });
        // After the withdrawal both credits are zero.
        assert_eq!(
            step(BondMode::Normal, CreditState { unlocked: true, ..CreditState::default() }, 2000),
            CreditStep::Nothing
        );
        // Refund mode pays the refund credit.
        assert_eq!(step(BondMode::Refund, s, 1101), CreditStep::Unlock { amount: U256::from(7) });
        // An undecided improper game is predicted to refund.
        let retired = Standing { retired: true, ..proper() };
        assert_eq!(
            credit_step(Line::V1_4, BondMode::Undecided, s, closing(1000), retired, 50, 1101),
            CreditStep::Unlock { amount: U256::from(7) }
        );
        // Nothing owed in the mode the game closes into: no transaction.
        let only_refund = CreditState { refund: one, ..CreditState::default() };
        assert_eq!(step(BondMode::Undecided, only_refund, 1101), CreditStep::Nothing);
    }

    #[test]
    fn legacy_credit_waits_from_resolution() {
        let s = CreditState { normal: U256::from(3), unlocked_at: 500, ..CreditState::default() };
        let step = |now| credit_step(Line::V1_3, BondMode::Legacy, s, closing(0), Standing::default(), 50, now);
        assert_eq!(step(549), CreditStep::Wait { at: 550, amount: U256::from(3) });
        assert_eq!(step(550), CreditStep::Withdraw { amount: U256::from(3) });
        let none = credit_step(Line::V1_2, BondMode::Legacy, CreditState::default(), closing(0), proper(), 50, 550);
        assert_eq!(none, CreditStep::Nothing);
    }

    proptest! {
        #[test]
        fn a_withdraw_is_never_advised_before_unlock_and_delay(
            normal in 0u64..3, refund in 0u64..3, unlocked in any::<bool>(), unlocked_at in 0u64..3000,
            mode in 0u8..3, proper_game in any::<bool>(), paused in any::<bool>(), resolved_at in 0u64..2000,
            delay in 0u64..500, now in 0u64..4000,
        ) {
            let mode = BondMode::from_u8(mode).unwrap();
            let state = CreditState { normal: U256::from(normal), refund: U256::from(refund), unlocked, unlocked_at };
            let c = Closing { status: if resolved_at == 0 { GameStatus::InProgress } else { GameStatus::ChallengerWins }, resolved_at, finality_delay: 100, paused, pause_first: false };
            let standing = Standing { registered: proper_game, ..Standing::default() };
            match credit_step(Line::V2, mode, state, c, standing, delay, now) {
                CreditStep::Withdraw { amount } => {
                    prop_assert!(unlocked && !paused && now >= unlocked_at + delay && !amount.is_zero());
                    prop_assert!(mode != BondMode::Undecided || now >= c.finalized_at());
                }
                CreditStep::Unlock { amount } => {
                    prop_assert!(!unlocked && !amount.is_zero());
                    prop_assert!(c.check(mode, now).is_ok());
                }
                CreditStep::Wait { at, .. } => prop_assert!(at > now),
                CreditStep::Nothing => {
                    let decided = if mode == BondMode::Undecided { standing.mode_on_close() } else { mode };
                    let owed = if decided == BondMode::Refund { refund } else { normal };
                    prop_assert_eq!(owed, 0);
                }
                CreditStep::Blocked(_) => prop_assert!(c.check(mode, now).is_err() || (unlocked && paused)),
            }
        }
    }
}
