//! The L2 forks riposte executes, when each activates on a chain, and the EVM spec of each.
//!
//! kona-genesis 0.4.5 stops at Jovian, so the fork schedule is riposte's own: built from a
//! rollup config plus the fork times kona does not know (Karst, Lagoon). A block of a fork
//! riposte cannot execute is refused by name, never run under an older fork's rules.

use alloy_hardforks::{EthereumHardfork, EthereumHardforks, ForkCondition};
use alloy_op_hardforks::{OpHardfork, OpHardforks};
use op_revm::OpSpecId;
use std::fmt;

/// An L2 network upgrade, in activation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fork {
    /// The first OP Stack rules.
    Bedrock,
    /// Deposit nonces, system transactions removed.
    Regolith,
    /// Shanghai, EIP-1559 denominator change, create2deployer.
    Canyon,
    /// Span batches (derivation only).
    Delta,
    /// Cancun, blob data.
    Ecotone,
    /// FastLZ L1 cost, brotli channels.
    Fjord,
    /// Precompile input caps, channel timeout.
    Granite,
    /// EIP-1559 parameters in extraData, strict derivation.
    Holocene,
    /// Prague, operator fee, withdrawals root in the header.
    Isthmus,
    /// Minimum base fee, DA footprint, operator fee ×100.
    Jovian,
    /// Upgrade 19: the Osaka subset, bn254 pairing cap, upgrade bundle.
    Karst,
    /// Interop under its later name: not executed by riposte.
    Lagoon,
}

impl Fork {
    /// Every fork, oldest first.
    pub const ALL: [Self; 12] = [
        Self::Bedrock,
        Self::Regolith,
        Self::Canyon,
        Self::Delta,
        Self::Ecotone,
        Self::Fjord,
        Self::Granite,
        Self::Holocene,
        Self::Isthmus,
        Self::Jovian,
        Self::Karst,
        Self::Lagoon,
    ];

    /// The fork's name as configs spell it (`karst` in `karst_time`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Bedrock => "bedrock",
            Self::Regolith => "regolith",
            Self::Canyon => "canyon",
            Self::Delta => "delta",
            Self::Ecotone => "ecotone",
            Self::Fjord => "fjord",
            Self::Granite => "granite",
            Self::Holocene => "holocene",
            Self::Isthmus => "isthmus",
            Self::Jovian => "jovian",
            Self::Karst => "karst",
            Self::Lagoon => "lagoon",
        }
    }

    /// The EVM riposte runs blocks of this fork on, or `None` for a fork it does not execute.
    ///
    /// Karst runs on op-revm 17's `OSAKA` (Prague gas, CLZ, the 2^24 transaction gas cap that
    /// deposits skip) with riposte's Karst precompile set; op-revm 17 has no Karst of its own.
    pub const fn spec(self) -> Option<OpSpecId> {
        Some(match self {
            Self::Bedrock => OpSpecId::BEDROCK,
            Self::Regolith => OpSpecId::REGOLITH,
            Self::Canyon | Self::Delta => OpSpecId::CANYON,
            Self::Ecotone => OpSpecId::ECOTONE,
            Self::Fjord => OpSpecId::FJORD,
            Self::Granite => OpSpecId::GRANITE,
            Self::Holocene => OpSpecId::HOLOCENE,
            Self::Isthmus => OpSpecId::ISTHMUS,
            Self::Jovian => OpSpecId::JOVIAN,
            Self::Karst => OpSpecId::OSAKA,
            Self::Lagoon => return None,
        })
    }
}

impl fmt::Display for Fork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        let mut chars = name.chars();
        match chars.next() {
            Some(first) => write!(f, "{}{}", first.to_ascii_uppercase(), chars.as_str()),
            None => Ok(()),
        }
    }
}

/// When each fork activates on one chain: `None` = never, `Some(t)` = at L2 timestamp `t`.
/// Bedrock is active from genesis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forks {
    times: [Option<u64>; 12],
}

impl Forks {
    /// A schedule with only Bedrock active.
    pub const fn bedrock() -> Self {
        let mut times = [None; 12];
        times[0] = Some(0);
        Self { times }
    }

    /// Sets a fork's activation time (`None`: never).
    #[must_use]
    pub const fn with(mut self, fork: Fork, time: Option<u64>) -> Self {
        self.times[fork as usize] = time;
        self
    }

    /// The fork times of a kona rollup config (through Jovian; kona's `interop_time` is Lagoon),
    /// with Karst's time, which kona 0.4.5 does not know.
    pub fn of_rollup(config: &kona_genesis::RollupConfig, karst: Option<u64>) -> Self {
        let h = &config.hardforks;
        Self::bedrock()
            .with(Fork::Regolith, h.regolith_time)
            .with(Fork::Canyon, h.canyon_time)
            .with(Fork::Delta, h.delta_time)
            .with(Fork::Ecotone, h.ecotone_time)
            .with(Fork::Fjord, h.fjord_time)
            .with(Fork::Granite, h.granite_time)
            .with(Fork::Holocene, h.holocene_time)
            .with(Fork::Isthmus, h.isthmus_time)
            .with(Fork::Jovian, h.jovian_time)
            .with(Fork::Karst, karst)
            .with(Fork::Lagoon, h.interop_time)
    }

    /// When `fork` activates.
    pub const fn time(&self, fork: Fork) -> Option<u64> {
        self.times[fork as usize]
    }

    /// Whether `fork` is active at `timestamp`: its time has come, or that of a later fork (a
    /// config may leave out forks active from genesis, as kona reads them too).
    pub fn is_active(&self, fork: Fork, timestamp: u64) -> bool {
        self.times[fork as usize..].iter().flatten().any(|t| *t <= timestamp)
    }

    /// The newest fork active at `timestamp`.
    pub fn fork_at(&self, timestamp: u64) -> Fork {
        Fork::ALL.into_iter().rev().find(|f| self.is_active(*f, timestamp)).unwrap_or(Fork::Bedrock)
    }

    /// Whether the block at `timestamp` (child of a block at `parent_timestamp`) is the first of
    /// `fork`.
    pub fn is_activation_block(&self, fork: Fork, parent_timestamp: u64, timestamp: u64) -> bool {
        self.is_active(fork, timestamp) && !self.is_active(fork, parent_timestamp)
    }

    /// Forks whose times are out of order (a later fork before an earlier one), by name.
    pub fn misordered(&self) -> Option<(Fork, Fork)> {
        let mut last: Option<(Fork, u64)> = None;
        for fork in Fork::ALL {
            if let Some(t) = self.time(fork) {
                if let Some((prev, pt)) = last
                    && t < pt
                {
                    return Some((prev, fork));
                }
                last = Some((fork, t));
            }
        }
        None
    }
}

impl Forks {
    /// When `fork` is first active, counting later forks that imply it.
    fn effective(&self, fork: Fork) -> Option<u64> {
        self.times[fork as usize..].iter().flatten().min().copied()
    }
}

fn condition(time: Option<u64>) -> ForkCondition {
    time.map_or(ForkCondition::Never, ForkCondition::Timestamp)
}

impl EthereumHardforks for Forks {
    /// L1 forks as OP Stack execution sees them: everything up to Paris from genesis, Shanghai
    /// with Canyon, Cancun with Ecotone, Prague with Isthmus, Osaka with Karst, nothing later.
    fn ethereum_fork_activation(&self, fork: EthereumHardfork) -> ForkCondition {
        match fork {
            EthereumHardfork::Shanghai => condition(self.effective(Fork::Canyon)),
            EthereumHardfork::Cancun => condition(self.effective(Fork::Ecotone)),
            EthereumHardfork::Prague => condition(self.effective(Fork::Isthmus)),
            EthereumHardfork::Osaka => condition(self.effective(Fork::Karst)),
            f if f <= EthereumHardfork::Paris => ForkCondition::Block(0),
            _ => ForkCondition::Never,
        }
    }
}

impl OpHardforks for Forks {
    fn op_fork_activation(&self, fork: OpHardfork) -> ForkCondition {
        match fork {
            OpHardfork::Bedrock => ForkCondition::Block(0),
            OpHardfork::Regolith => condition(self.effective(Fork::Regolith)),
            OpHardfork::Canyon => condition(self.effective(Fork::Canyon)),
            OpHardfork::Ecotone => condition(self.effective(Fork::Ecotone)),
            OpHardfork::Fjord => condition(self.effective(Fork::Fjord)),
            OpHardfork::Granite => condition(self.effective(Fork::Granite)),
            OpHardfork::Holocene => condition(self.effective(Fork::Holocene)),
            OpHardfork::Isthmus => condition(self.effective(Fork::Isthmus)),
            OpHardfork::Jovian => condition(self.effective(Fork::Jovian)),
            OpHardfork::Interop => condition(self.effective(Fork::Lagoon)),
            _ => ForkCondition::Never,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Forks {
        Forks::bedrock()
            .with(Fork::Regolith, Some(0))
            .with(Fork::Canyon, Some(10))
            .with(Fork::Ecotone, Some(20))
            .with(Fork::Isthmus, Some(30))
            .with(Fork::Jovian, Some(40))
            .with(Fork::Karst, Some(50))
    }

    #[test]
    fn the_newest_active_fork_decides_the_spec() {
        let f = sample();
        assert_eq!(f.fork_at(0), Fork::Regolith);
        assert_eq!(f.fork_at(9), Fork::Regolith);
        assert_eq!(f.fork_at(10), Fork::Canyon);
        assert_eq!(f.fork_at(39), Fork::Isthmus);
        assert_eq!(f.fork_at(40), Fork::Jovian);
        assert_eq!(f.fork_at(u64::MAX), Fork::Karst);
        assert_eq!(f.fork_at(50).spec(), Some(OpSpecId::OSAKA));
        assert_eq!(f.fork_at(49).spec(), Some(OpSpecId::JOVIAN));
        assert_eq!(f.with(Fork::Lagoon, Some(60)).fork_at(60).spec(), None);
        assert!(f.is_activation_block(Fork::Jovian, 39, 40));
        assert!(!f.is_activation_block(Fork::Jovian, 40, 41));
        assert_eq!(Fork::Karst.to_string(), "Karst");
        // A fork left out is active with the first later fork that is set.
        let implied = Forks::bedrock().with(Fork::Canyon, Some(10));
        assert!(!implied.is_active(Fork::Regolith, 9) && implied.is_active(Fork::Regolith, 10));
        assert!(implied.is_regolith_active_at_timestamp(10) && !implied.is_regolith_active_at_timestamp(9));
    }

    #[test]
    fn ethereum_forks_follow_their_op_forks() {
        let f = sample();
        assert!(f.is_paris_active_at_block(0), "no pre-merge block rewards on an OP chain");
        assert!(!f.is_shanghai_active_at_timestamp(9) && f.is_shanghai_active_at_timestamp(10));
        assert!(!f.is_cancun_active_at_timestamp(19) && f.is_cancun_active_at_timestamp(20));
        assert!(!f.is_prague_active_at_timestamp(29) && f.is_prague_active_at_timestamp(30));
        assert!(!f.is_osaka_active_at_timestamp(49) && f.is_osaka_active_at_timestamp(50));
        assert!(!f.is_amsterdam_active_at_timestamp(u64::MAX));
        assert!(f.is_jovian_active_at_timestamp(40) && !f.is_interop_active_at_timestamp(u64::MAX));
    }

    #[test]
    fn misordered_times_are_named() {
        assert_eq!(sample().misordered(), None);
        let bad = sample().with(Fork::Karst, Some(35));
        assert_eq!(bad.misordered(), Some((Fork::Jovian, Fork::Karst)));
    }
}
