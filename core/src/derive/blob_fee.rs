//! The L1-info deposit's blob base fee: the L1 origin's excess blob gas priced with the update
//! fraction of the L1 fork active at the origin (Cancun, Prague, Osaka, BPO1, BPO2), as the
//! Ecotone L1-attributes spec requires since its 2025-10 clarification. kona-protocol 0.4.5
//! knows only Cancun and Prague, so its fee is wrong for origins after BPO1.

use crate::config::RollupConfig;
use alloy_eips::eip7840::BlobParams;
use alloy_hardforks::{mainnet, sepolia};

/// When an L1 chain's blob parameters change (L1 timestamps; `None` = not scheduled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BlobSchedule {
    /// EIP-4844.
    pub cancun: Option<u64>,
    /// EIP-7691.
    pub prague: Option<u64>,
    /// Osaka keeps Prague's parameters.
    pub osaka: Option<u64>,
    /// The first blob-parameter-only fork (target 10, max 15).
    pub bpo1: Option<u64>,
    /// The second (target 14, max 21).
    pub bpo2: Option<u64>,
}

/// An L1 origin riposte cannot price.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlobFeeError {
    /// No schedule for the L1 chain.
    #[error("no blob schedule for L1 chain {0}: riposte knows Ethereum mainnet (1) and Sepolia (11155111)")]
    UnknownL1(u64),
    /// The origin is before Cancun but its header carries excess blob gas.
    #[error("L1 origin at {timestamp} is before Cancun on this L1 but carries excess blob gas")]
    BeforeCancun {
        /// The origin's timestamp.
        timestamp: u64,
    },
}

impl BlobSchedule {
    /// The schedule of a known L1 chain (alloy-hardforks 0.4.11's timestamps).
    pub const fn of_l1(chain_id: u64) -> Option<Self> {
        match chain_id {
            1 => Some(Self {
                cancun: Some(mainnet::MAINNET_CANCUN_TIMESTAMP),
                prague: Some(mainnet::MAINNET_PRAGUE_TIMESTAMP),
                osaka: Some(mainnet::MAINNET_OSAKA_TIMESTAMP),
                bpo1: Some(mainnet::MAINNET_BPO1_TIMESTAMP),
                bpo2: Some(mainnet::MAINNET_BPO2_TIMESTAMP),
            }),
            11_155_111 => Some(Self {
                cancun: Some(sepolia::SEPOLIA_CANCUN_TIMESTAMP),
                prague: Some(sepolia::SEPOLIA_PRAGUE_TIMESTAMP),
                osaka: Some(sepolia::SEPOLIA_OSAKA_TIMESTAMP),
                bpo1: Some(sepolia::SEPOLIA_BPO1_TIMESTAMP),
                bpo2: Some(sepolia::SEPOLIA_BPO2_TIMESTAMP),
            }),
            _ => None,
        }
    }

    /// The blob parameters at L1 time `timestamp`, `None` before Cancun.
    pub fn params_at(&self, timestamp: u64) -> Option<BlobParams> {
        let on = |t: Option<u64>| t.is_some_and(|t| t <= timestamp);
        if on(self.bpo2) {
            Some(BlobParams::bpo2())
        } else if on(self.bpo1) {
            Some(BlobParams::bpo1())
        } else if on(self.osaka) {
            Some(BlobParams::osaka())
        } else if on(self.prague) {
            Some(BlobParams::prague())
        } else if on(self.cancun) {
            Some(BlobParams::cancun())
        } else {
            None
        }
    }
}

/// The blob base fee the L1-info deposit of the L2 block at `l2_timestamp` carries for an L1
/// origin at `l1_timestamp` with `excess_blob_gas` (`None`: a pre-Cancun header, fee 1).
///
/// OP Sepolia's quirk (`pectra_blob_schedule_time`): until that L2 time its nodes priced Prague
/// origins with Cancun's fraction, and its blocks carry that fee.
pub fn l1_info_blob_base_fee(
    schedule: &BlobSchedule,
    config: &RollupConfig,
    l1_timestamp: u64,
    excess_blob_gas: Option<u64>,
    l2_timestamp: u64,
) -> Result<u128, BlobFeeError> {
    let Some(excess) = excess_blob_gas else {
        return Ok(1);
    };
    let mut params = schedule.params_at(l1_timestamp).ok_or(BlobFeeError::BeforeCancun { timestamp: l1_timestamp })?;
    let quirk = config.hardforks.pectra_blob_schedule_time.is_some_and(|t| l2_timestamp < t);
    if quirk && params.update_fraction == BlobParams::prague().update_fraction {
        params = BlobParams::cancun();
    }
    Ok(params.calc_blob_fee(excess))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EIP-4844's `fake_exponential`, written from the EIP's pseudocode (not alloy's).
    fn fake_exponential(factor: u128, numerator: u128, denominator: u128) -> u128 {
        let (mut i, mut output, mut acc) = (1u128, 0u128, factor * denominator);
        while acc > 0 {
            output += acc;
            acc = acc * numerator / (denominator * i);
            i += 1;
        }
        output / denominator
    }

    #[test]
    fn each_l1_fork_prices_with_its_fraction() {
        let main = BlobSchedule::of_l1(1).expect("mainnet");
        let sep = BlobSchedule::of_l1(11_155_111).expect("sepolia");
        let config = RollupConfig::builtin(10).expect("OP Mainnet");
        // The fractions of the EIPs: Cancun 3,338,477; Prague and Osaka 5,007,716; BPO1 8,346,193;
        // BPO2 11,684,671. At 50M excess blob gas they disagree by orders of magnitude.
        let excess = 50_000_000u64;
        for (schedule, t, fraction, changes) in [
            (main, mainnet::MAINNET_CANCUN_TIMESTAMP, 3_338_477u128, false),
            (main, mainnet::MAINNET_PRAGUE_TIMESTAMP, 5_007_716, true),
            (main, mainnet::MAINNET_OSAKA_TIMESTAMP, 5_007_716, false),
            (main, 1_765_290_071, 8_346_193, true),  // BPO1, 2025-12-09 14:21:11
            (main, 1_767_747_671, 11_684_671, true), // BPO2, 2026-01-07 01:01:11
            (sep, 1_761_017_184, 8_346_193, true),
            (sep, 1_761_607_008, 11_684_671, true),
        ] {
            let fee = l1_info_blob_base_fee(&schedule, &config, t, Some(excess), u64::MAX).expect("priced");
            assert_eq!(fee, fake_exponential(1, u128::from(excess), fraction), "at {t}");
            if changes {
                let before = l1_info_blob_base_fee(&schedule, &config, t - 1, Some(excess), u64::MAX).expect("before");
                assert_ne!(before, fee, "the fraction changes at {t}");
            }
        }
        // e^(50M / 11,684,671) = e^4.28 ≈ 72 wei; with Cancun's fraction e^14.98 ≈ 3.2M wei.
        assert_eq!(fake_exponential(1, 50_000_000, 11_684_671), 72);
        assert_eq!(l1_info_blob_base_fee(&main, &config, 0, None, 0), Ok(1), "pre-Cancun header");
        assert!(matches!(
            l1_info_blob_base_fee(&main, &config, 0, Some(1), 0),
            Err(BlobFeeError::BeforeCancun { timestamp: 0 })
        ));
        assert_eq!(BlobSchedule::of_l1(900), None);
    }

    #[test]
    fn op_sepolia_priced_prague_origins_with_cancuns_fraction_until_its_fix() {
        let sep = BlobSchedule::of_l1(11_155_111).expect("sepolia");
        let config = RollupConfig::builtin(11_155_420).expect("OP Sepolia");
        let fix = config.hardforks.pectra_blob_schedule_time.expect("OP Sepolia has the fix time");
        let prague_origin = sepolia::SEPOLIA_PRAGUE_TIMESTAMP + 1;
        let before = l1_info_blob_base_fee(&sep, &config, prague_origin, Some(10_000_000), fix - 1).expect("before");
        let after = l1_info_blob_base_fee(&sep, &config, prague_origin, Some(10_000_000), fix).expect("after");
        assert_eq!(before, fake_exponential(1, 10_000_000, 3_338_477));
        assert_eq!(after, fake_exponential(1, 10_000_000, 5_007_716));
    }
}
