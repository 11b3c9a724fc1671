use crate::{GameError, Result};

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

/// The clock rules of a game: `MAX_CLOCK_DURATION` and `CLOCK_EXTENSION`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClockParams {
    max_duration: u64,
    extension: u64,
}

impl ClockParams {
    /// Validated as the 1.2.0 constructor does: `clockExtension <= maxClockDuration`.
    pub fn new(max_duration: u64, extension: u64) -> Result<Self> {
        if extension > max_duration {
            return Err(GameError::InvalidClockExtension { extension, max: max_duration });
        }
        Ok(Self { max_duration, extension })
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

    /// The duration the new claim's clock receives in `move` (1.2.0 rules), given the
    /// challenger duration of the claim it counters and the depth of the new claim.
    ///
    /// Returns `None` when the countered claim's clock has run out (`ClockTimeExceeded`).
    /// When less than `CLOCK_EXTENSION` remains, the duration is set back so that
    /// `CLOCK_EXTENSION` remains, or twice that when the new claim sits at `split - 1`
    /// (its team's next claim will be an execution subgame root).
    pub fn next_duration(self, challenger_duration: u64, new_depth: u8, split_depth: u8) -> Option<u64> {
        if challenger_duration >= self.max_duration {
            return None;
        }
        if challenger_duration > self.max_duration - self.extension {
            let ext = if u16::from(new_depth) + 1 == u16::from(split_depth) {
                self.extension.saturating_mul(2)
            } else {
                self.extension
            };
            // 1.2.0 computes MAX - ext with checked arithmetic: it would revert if 2·CE > MAX.
            return self.max_duration.checked_sub(ext);
        }
        Some(challenger_duration)
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
        // Plenty of time: the duration carries over unchanged.
        assert_eq!(p.next_duration(100, 3, 4), Some(100));
        // Exactly MAX - CE: not above the threshold, unchanged.
        assert_eq!(p.next_duration(270, 2, 4), Some(270));
        // Above the threshold: reset so CE remains.
        assert_eq!(p.next_duration(271, 2, 4), Some(270));
        assert_eq!(p.next_duration(299, 5, 4), Some(270));
        // New claim at split - 1: reset so 2·CE remains.
        assert_eq!(p.next_duration(271, 3, 4), Some(240));
        // 1.2.0 quirk: between 2·CE and CE left at split - 1 there is no extension.
        assert_eq!(p.next_duration(260, 3, 4), Some(260));
        // Out of time.
        assert_eq!(p.next_duration(300, 3, 4), None);
        // 2·CE above MAX: the contract's subtraction would revert.
        let tight = ClockParams::new(50, 30).unwrap();
        assert_eq!(tight.next_duration(45, 3, 4), None);
        assert!(ClockParams::new(10, 11).is_err());
    }

    proptest! {
        #[test]
        fn next_duration_never_exceeds_max_minus_extension_when_late(max in 1u64..1_000_000, ext_frac in 0u64..=100, used in 0u64..1_000_000, depth in 0u8..20, split in 1u8..20) {
            let ext = max * ext_frac / 200; // keep 2·CE ≤ MAX
            let p = ClockParams::new(max, ext).unwrap();
            let used = used % (max + 1);
            match p.next_duration(used, depth, split) {
                None => prop_assert_eq!(used, max),
                Some(d) => {
                    // Whoever must answer the new claim always has at least CE left, and an
                    // extension never adds time that was not used.
                    prop_assert!(max - d >= ext);
                    prop_assert!(d <= used);
                }
            }
        }
    }
}
