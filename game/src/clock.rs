use crate::{GameDepth, GameError, Result};

/// `LibClock`'s packed clock: `duration << 64 | timestamp`.
///
/// `duration` is the time the claimant's team had used when the claim was made (seconds);
/// `timestamp` is when the claim was made (L1 block time, seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Clock {
    /// `LibClock.duration`: seconds the claimant's team has used.
    pub duration: u64,
    /// `LibClock.timestamp`: when the claim was made.
    pub timestamp: u64,
}

impl Clock {
    /// `LibClock.wrap(duration, timestamp)`.
    pub const fn new(duration: u64, timestamp: u64) -> Self {
        Self { duration, timestamp }
    }

    /// Unpacks a raw `ClaimData.clock`.
    pub const fn from_raw(raw: u128) -> Self {
        Self { duration: (raw >> 64) as u64, timestamp: raw as u64 }
    }

    /// Packs into the `uint128` the contract stores.
    pub const fn raw(self) -> u128 {
        ((self.duration as u128) << 64) | self.timestamp as u128
    }
}

/// The clock rules of a game: `MAX_CLOCK_DURATION` and `CLOCK_EXTENSION`, and from 1.3 on the
/// PreimageOracle's challenge period, which lengthens the extension before a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClockParams {
    max_duration: u64,
    extension: u64,
    /// `Some(challengePeriod)` for the 1.3+ rules, `None` for 1.2.
    step_period: Option<u64>,
}

impl ClockParams {
    /// The 1.2 rules, validated as the 1.2.0 constructor does: `clockExtension <= maxClockDuration`.
    pub fn new(max_duration: u64, extension: u64) -> Result<Self> {
        if extension > max_duration {
            return Err(GameError::InvalidClockExtension { extension, max: max_duration });
        }
        Ok(Self { max_duration, extension, step_period: None })
    }

    /// The 1.3+ rules (the extension of a claim at `maxGameDepth - 1` is `clockExtension` plus
    /// the oracle's `challengePeriod`), validated as 1.3's constructor and 2.x's `initialize` do:
    /// `max(2·clockExtension, clockExtension + challengePeriod) <= maxClockDuration`.
    pub fn with_step_period(max_duration: u64, extension: u64, challenge_period: u64) -> Result<Self> {
        let widest = extension.checked_mul(2).zip(extension.checked_add(challenge_period)).map(|(a, b)| a.max(b));
        match widest {
            Some(w) if w <= max_duration => Ok(Self { max_duration, extension, step_period: Some(challenge_period) }),
            _ => Err(GameError::InvalidClockExtension {
                extension: extension.saturating_mul(2).max(extension.saturating_add(challenge_period)),
                max: max_duration,
            }),
        }
    }

    /// The oracle challenge period the step extension adds (1.3+), or `None` (1.2).
    pub const fn step_period(self) -> Option<u64> {
        self.step_period
    }

    /// `maxClockDuration()`.
    pub const fn max_duration(self) -> u64 {
        self.max_duration
    }

    /// `clockExtension()`.
    pub const fn extension(self) -> u64 {
        self.extension
    }

    /// `getChallengerDuration` from raw parts: the time used by the team that would counter a
    /// claim made at `claim_timestamp` whose parent's clock carries `parent_duration` (0 for the
    /// root), capped at the maximum.
    pub fn challenger_duration(self, parent_duration: u64, claim_timestamp: u64, now: u64) -> Option<u64> {
        let elapsed = now.checked_sub(claim_timestamp)?;
        Some(parent_duration.saturating_add(elapsed).min(self.max_duration))
    }

    /// The first time at which `getChallengerDuration` reaches the maximum for such a claim:
    /// from then on nobody can move against it (`ClockTimeExceeded`) and it can be resolved.
    /// A counter must be mined in a block with a timestamp strictly below this.
    pub const fn expiry(self, parent_duration: u64, claim_timestamp: u64) -> u64 {
        claim_timestamp.saturating_add(self.max_duration.saturating_sub(parent_duration))
    }

    /// The duration the new claim's clock receives in `move`, given the challenger duration of
    /// the claim it counters and the depth of the new claim.
    ///
    /// Returns `None` when the countered claim's clock has run out (`ClockTimeExceeded`), or
    /// when the contract's subtraction would revert.
    ///
    /// - 1.2: when less than `CLOCK_EXTENSION` remains, the duration is set back so that
    ///   `CLOCK_EXTENSION` remains, or twice that when the new claim sits at `split - 1`.
    /// - 1.3+: the extension is `2·CLOCK_EXTENSION` at `split - 1`, `CLOCK_EXTENSION +
    ///   challengePeriod` at `maxGameDepth - 1` (the step after it may need large preimage
    ///   proposals), `CLOCK_EXTENSION` elsewhere; the duration is set back whenever less than
    ///   that extension remains.
    pub fn next_duration(self, challenger_duration: u64, new_depth: u8, depth: GameDepth) -> Option<u64> {
        if challenger_duration >= self.max_duration {
            return None;
        }
        let at_split = u16::from(new_depth) + 1 == u16::from(depth.split());
        match self.step_period {
            None => {
                if challenger_duration > self.max_duration - self.extension {
                    let ext = if at_split { self.extension.saturating_mul(2) } else { self.extension };
                    return self.max_duration.checked_sub(ext);
                }
                Some(challenger_duration)
            }
            Some(period) => {
                let ext = if u16::from(new_depth) + 1 == u16::from(depth.max()) {
                    self.extension.checked_add(period)?
                } else if at_split {
                    self.extension.checked_mul(2)?
                } else {
                    self.extension
                };
                let floor = self.max_duration.checked_sub(ext)?;
                Some(challenger_duration.min(floor))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn packs_duration_high_timestamp_low() {
        let c = Clock::new(3600, 1_700_000_000);
        assert_eq!(c.raw(), (3600u128 << 64) | 1_700_000_000);
        assert_eq!(Clock::from_raw(c.raw()), c);
        assert_eq!(Clock::from_raw(u128::MAX), Clock::new(u64::MAX, u64::MAX));
    }

    #[test]
    fn chess_clock_example() {
        // Digest §2.2 with MAX = 3.5 d: root at t0, counters at +1h, +5h, +7h.
        let h = 3600;
        let p = ClockParams::new(302_400, 10_800).unwrap();
        let t0 = 1_000_000;
        // C1 against the root: root's parent duration is 0.
        let d1 = p.challenger_duration(0, t0, t0 + h).unwrap();
        assert_eq!(d1, h);
        // C2 against C1: the root's clock duration is 0.
        let d2 = p.challenger_duration(0, t0 + h, t0 + 5 * h).unwrap();
        assert_eq!(d2, 4 * h);
        // C3 against C2: C1's duration (1h) plus 2h.
        let d3 = p.challenger_duration(h, t0 + 5 * h, t0 + 7 * h).unwrap();
        assert_eq!(d3, 3 * h);
        assert_eq!(p.challenger_duration(h, t0 + 5 * h, t0), None);
        assert_eq!(p.challenger_duration(h, t0, t0 + 10 * 302_400), Some(302_400));
    }

    #[test]
    fn expiry_is_where_duration_hits_max() {
        let p = ClockParams::new(300, 30).unwrap();
        let exp = p.expiry(100, 1000);
        assert_eq!(exp, 1200);
        assert_eq!(p.challenger_duration(100, 1000, exp - 1), Some(299));
        assert_eq!(p.challenger_duration(100, 1000, exp), Some(300));
    }

    #[test]
    fn extension_rules_of_1_2_0() {
        let p = ClockParams::new(300, 30).unwrap();
        let d = GameDepth::new(8, 4).unwrap();
        // Plenty of time: the duration carries over unchanged.
        assert_eq!(p.next_duration(100, 3, d), Some(100));
        // Exactly MAX - CE: not above the threshold, unchanged.
        assert_eq!(p.next_duration(270, 2, d), Some(270));
        // Above the threshold: reset so CE remains.
        assert_eq!(p.next_duration(271, 2, d), Some(270));
        assert_eq!(p.next_duration(299, 5, d), Some(270));
        // New claim at split - 1: reset so 2·CE remains.
        assert_eq!(p.next_duration(271, 3, d), Some(240));
        // 1.2.0 quirk: between 2·CE and CE left at split - 1 there is no extension.
        assert_eq!(p.next_duration(260, 3, d), Some(260));
        // Out of time.
        assert_eq!(p.next_duration(300, 3, d), None);
        // 2·CE above MAX: the contract's subtraction would revert.
        let tight = ClockParams::new(50, 30).unwrap();
        assert_eq!(tight.next_duration(45, 3, d), None);
        assert!(ClockParams::new(10, 11).is_err());
    }

    #[test]
    fn extension_rules_of_1_3_and_later() {
        // MAX 300, CE 30, challenge period 60; depths max 8, split 4.
        let p = ClockParams::with_step_period(300, 30, 60).unwrap();
        let d = GameDepth::new(8, 4).unwrap();
        assert_eq!(p.step_period(), Some(60));
        // Ordinary depth: like 1.2.
        assert_eq!(p.next_duration(100, 2, d), Some(100));
        assert_eq!(p.next_duration(271, 2, d), Some(270));
        // split - 1: 2·CE is kept free, also where 1.2 gave nothing (between 2·CE and CE left).
        assert_eq!(p.next_duration(260, 3, d), Some(240));
        assert_eq!(p.next_duration(240, 3, d), Some(240));
        // max - 1: CE + challenge period.
        assert_eq!(p.next_duration(250, 7, d), Some(210));
        assert_eq!(p.next_duration(200, 7, d), Some(200));
        // The same claim under 1.2 rules keeps its time.
        assert_eq!(ClockParams::new(300, 30).unwrap().next_duration(250, 7, d), Some(250));
        assert_eq!(p.next_duration(300, 7, d), None);
        // The constructor's bound: max(2·CE, CE + period) <= MAX.
        assert!(ClockParams::with_step_period(300, 30, 270).is_ok());
        assert!(ClockParams::with_step_period(300, 30, 271).is_err());
        assert!(ClockParams::with_step_period(300, 151, 0).is_err());
        assert!(ClockParams::with_step_period(u64::MAX, u64::MAX / 2 + 1, 0).is_err());
    }

    proptest! {
        #[test]
        fn next_duration_never_exceeds_max_minus_extension_when_late(max in 1u64..1_000_000, ext_frac in 0u64..=100, used in 0u64..1_000_000, depth in 0u8..20, split in 2u8..18) {
            let ext = max * ext_frac / 200; // keep 2·CE ≤ MAX
            let p = ClockParams::new(max, ext).unwrap();
            let used = used % (max + 1);
            let d = GameDepth::new(20, split).unwrap();
            match p.next_duration(used, depth, d) {
                None => prop_assert_eq!(used, max),
                Some(d) => {
                    // Whoever must answer the new claim always has at least CE left, and an
                    // extension never adds time that was not used.
                    prop_assert!(max - d >= ext);
                    prop_assert!(d <= used);
                }
            }
        }

        #[test]
        fn later_rules_always_leave_the_extension_of_the_depth(max in 1u64..1_000_000, ext_frac in 0u64..=100, period_frac in 0u64..=100, used in 0u64..1_000_000, depth in 0u8..20, split in 2u8..18) {
            let ext = max * ext_frac / 200;
            let period = (max - ext) * period_frac / 100;
            let p = ClockParams::with_step_period(max, ext, period).unwrap();
            let used = used % (max + 1);
            let d = GameDepth::new(20, split).unwrap();
            let want = if depth + 1 == 20 { ext + period } else if depth + 1 == split { 2 * ext } else { ext };
            match p.next_duration(used, depth, d) {
                None => prop_assert_eq!(used, max),
                Some(n) => {
                    prop_assert!(max - n >= want);
                    prop_assert!(n <= used);
                    // Only set back when less than the extension remained.
                    prop_assert!(n == used || max - used < want);
                }
            }
        }
    }
}
