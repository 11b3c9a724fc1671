//! The EIP-1559 rules of OP blocks: `extraData` encodings (Holocene's 9 bytes, Jovian's 17) and
//! the base fee a block inherits from its parent.

use crate::forks::{Fork, Forks};
use alloy_consensus::Header;
use alloy_eips::eip1559::{BaseFeeParams, calc_next_block_base_fee};
use alloy_primitives::{B64, Bytes};

/// EIP-1559 parameters as the header carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Eip1559 {
    /// Max change denominator.
    pub denominator: u32,
    /// Elasticity multiplier.
    pub elasticity: u32,
}

impl Eip1559 {
    /// As alloy's parameters.
    pub fn params(self) -> BaseFeeParams {
        BaseFeeParams::new(u128::from(self.denominator), u128::from(self.elasticity))
    }

    /// From alloy's parameters; `None` when one does not fit in 32 bits.
    pub fn of(params: BaseFeeParams) -> Option<Self> {
        Some(Self {
            denominator: u32::try_from(params.max_change_denominator).ok()?,
            elasticity: u32::try_from(params.elasticity_multiplier).ok()?,
        })
    }
}

/// A header's fee parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeParams {
    /// Before Holocene: none in the header.
    None,
    /// Holocene and Isthmus: version 0 ‖ denominator ‖ elasticity.
    Holocene(Eip1559),
    /// From Jovian: version 1 ‖ denominator ‖ elasticity ‖ minimum base fee (wei).
    Jovian(Eip1559, u64),
}

/// Why an `extraData` field or a payload's fee fields are not what the fork requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    /// The header's extraData has the wrong length or version for its fork.
    #[error("{fork} header extraData is {len} bytes with version {version:?}; {fork} requires {want}")]
    ExtraData {
        /// The fork of the header.
        fork: Fork,
        /// Its length.
        len: usize,
        /// Its first byte.
        version: Option<u8>,
        /// What the fork requires.
        want: &'static str,
    },
    /// A zero denominator with a non-zero elasticity.
    #[error("{fork} header extraData has a zero EIP-1559 denominator (elasticity {elasticity})")]
    ZeroDenominator {
        /// The fork of the header.
        fork: Fork,
        /// The elasticity.
        elasticity: u32,
    },
    /// The payload lacks a field its fork requires.
    #[error("{fork} payload attributes have no {field}")]
    MissingAttribute {
        /// The fork of the block.
        fork: Fork,
        /// The field (`eip1559Params`, `minBaseFee`).
        field: &'static str,
    },
}

/// Reads the fee parameters of a header of `fork`.
pub fn decode_extra_data(fork: Fork, extra: &[u8]) -> Result<FeeParams, FeeError> {
    let (len, version) = (extra.len(), extra.first().copied());
    let word = |at: usize| extra.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes);
    let (params, want) = if fork >= Fork::Jovian {
        (len == 17 && version == Some(1), "17 bytes with version 1")
    } else if fork >= Fork::Holocene {
        (len == 9 && version == Some(0), "9 bytes with version 0")
    } else {
        return Ok(FeeParams::None);
    };
    let (Some(denominator), Some(elasticity), true) = (word(1), word(5), params) else {
        return Err(FeeError::ExtraData { fork, len, version, want });
    };
    if denominator == 0 && elasticity != 0 {
        return Err(FeeError::ZeroDenominator { fork, elasticity });
    }
    let eip1559 = Eip1559 { denominator, elasticity };
    if fork >= Fork::Jovian {
        let min = extra.get(9..17).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
        let min = min.ok_or(FeeError::ExtraData { fork, len, version, want })?;
        Ok(FeeParams::Jovian(eip1559, min))
    } else {
        Ok(FeeParams::Holocene(eip1559))
    }
}

/// The extraData of a block of `fork` built from payload attributes: their EIP-1559 parameters
/// (all zero = the chain's Canyon defaults) and, from Jovian, their minimum base fee.
pub fn encode_extra_data(
    fork: Fork,
    eip_1559_params: Option<B64>,
    min_base_fee: Option<u64>,
    defaults: Eip1559,
) -> Result<Bytes, FeeError> {
    if fork < Fork::Holocene {
        return Ok(Bytes::new());
    }
    let params = eip_1559_params.ok_or(FeeError::MissingAttribute { fork, field: "eip1559Params" })?;
    let (denominator, elasticity) = if params == B64::ZERO {
        (defaults.denominator, defaults.elasticity)
    } else {
        let b = params.0;
        (u32::from_be_bytes([b[0], b[1], b[2], b[3]]), u32::from_be_bytes([b[4], b[5], b[6], b[7]]))
    };
    let mut out = Vec::with_capacity(17);
    out.push(u8::from(fork >= Fork::Jovian));
    out.extend_from_slice(&denominator.to_be_bytes());
    out.extend_from_slice(&elasticity.to_be_bytes());
    if fork >= Fork::Jovian {
        let min = min_base_fee.ok_or(FeeError::MissingAttribute { fork, field: "minBaseFee" })?;
        out.extend_from_slice(&min.to_be_bytes());
    }
    Ok(out.into())
}

/// The chain's default EIP-1559 parameters: before Canyon and from Canyon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeDefaults {
    /// Before Canyon.
    pub bedrock: BaseFeeParams,
    /// From Canyon (and for Holocene's all-zero parameters).
    pub canyon: BaseFeeParams,
}

impl FeeDefaults {
    /// The defaults of a kona rollup config.
    pub fn of_rollup(config: &kona_genesis::RollupConfig) -> Self {
        Self {
            bedrock: config.chain_op_config.as_base_fee_params(),
            canyon: config.chain_op_config.as_canyon_base_fee_params(),
        }
    }

    /// The parameters in force at `timestamp` when the parent header carries none.
    pub fn at(&self, forks: &Forks, timestamp: u64) -> BaseFeeParams {
        if forks.is_active(Fork::Canyon, timestamp) { self.canyon } else { self.bedrock }
    }
}

/// The base fee of the block at `timestamp` on `parent`.
///
/// Before Holocene the chain's defaults apply. From Holocene the parent's extraData gives the
/// parameters (all zero: the defaults). From Jovian the parent's `max(gasUsed, blobGasUsed)`
/// (its DA footprint) is the gas used, and the result is raised to the parent's minimum base fee.
pub fn next_base_fee(forks: &Forks, defaults: &FeeDefaults, parent: &Header, timestamp: u64) -> Result<u64, FeeError> {
    let parent_fork = forks.fork_at(parent.timestamp);
    let fallback = defaults.at(forks, timestamp);
    let pick = |e: Eip1559| if e.denominator == 0 && e.elasticity == 0 { fallback } else { e.params() };
    let parent_base_fee = parent.base_fee_per_gas.unwrap_or_default();
    Ok(match decode_extra_data(parent_fork, &parent.extra_data)? {
        FeeParams::None => calc_next_block_base_fee(parent.gas_used, parent.gas_limit, parent_base_fee, fallback),
        FeeParams::Holocene(e) => calc_next_block_base_fee(parent.gas_used, parent.gas_limit, parent_base_fee, pick(e)),
        FeeParams::Jovian(e, min) => {
            let used = parent.gas_used.max(parent.blob_gas_used.unwrap_or_default());
            calc_next_block_base_fee(used, parent.gas_limit, parent_base_fee, pick(e)).max(min)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;
    use proptest::prelude::*;

    fn forks() -> Forks {
        Forks::bedrock()
            .with(Fork::Regolith, Some(0))
            .with(Fork::Canyon, Some(0))
            .with(Fork::Ecotone, Some(0))
            .with(Fork::Holocene, Some(100))
            .with(Fork::Isthmus, Some(100))
            .with(Fork::Jovian, Some(200))
    }

    fn defaults() -> FeeDefaults {
        FeeDefaults { bedrock: BaseFeeParams::new(50, 6), canyon: BaseFeeParams::new(250, 6) }
    }

    #[test]
    fn extra_data_layouts_of_the_specs() {
        // Holocene: 0x00 ‖ denominator 0xBEEFBABE ‖ elasticity 0x0BADC0DE.
        let holo = hex!("00BEEFBABE0BADC0DE");
        let e = Eip1559 { denominator: 0xBEEF_BABE, elasticity: 0x0BAD_C0DE };
        assert_eq!(decode_extra_data(Fork::Holocene, &holo), Ok(FeeParams::Holocene(e)));
        // Jovian: 0x01 ‖ 250 ‖ 6 ‖ min base fee 1 gwei.
        let jov = hex!("01000000fa00000006000000003b9aca00");
        let j = Eip1559 { denominator: 250, elasticity: 6 };
        assert_eq!(decode_extra_data(Fork::Jovian, &jov), Ok(FeeParams::Jovian(j, 1_000_000_000)));
        assert_eq!(decode_extra_data(Fork::Karst, &jov), Ok(FeeParams::Jovian(j, 1_000_000_000)));
        assert_eq!(
            decode_extra_data(Fork::Isthmus, b"anything"),
            Err(FeeError::ExtraData {
                fork: Fork::Isthmus,
                len: 8,
                version: Some(b'a'),
                want: "9 bytes with version 0"
            })
        );
        assert_eq!(decode_extra_data(Fork::Granite, b"anything"), Ok(FeeParams::None));
        // The wrong version or length for the fork, or a zero denominator, is refused by name.
        for (fork, bytes) in [
            (Fork::Jovian, &holo[..]),
            (Fork::Holocene, &jov[..]),
            (Fork::Jovian, &hex!("02000000fa00000006000000003b9aca00")[..]),
            (Fork::Jovian, &jov[..16]),
            (Fork::Jovian, &[][..]),
        ] {
            let err = decode_extra_data(fork, bytes).expect_err("wrong layout");
            assert!(err.to_string().contains(fork.to_string().as_str()), "{err}");
        }
        assert!(matches!(
            decode_extra_data(Fork::Holocene, &hex!("000000000000000006")),
            Err(FeeError::ZeroDenominator { elasticity: 6, .. })
        ));
    }

    #[test]
    fn encoding_fills_defaults_and_requires_the_fork_fields() {
        let d = Eip1559 { denominator: 250, elasticity: 6 };
        assert_eq!(
            encode_extra_data(Fork::Isthmus, None, None, d),
            Err(FeeError::MissingAttribute { fork: Fork::Isthmus, field: "eip1559Params" })
        );
        assert_eq!(encode_extra_data(Fork::Granite, None, None, d).expect("pre-Holocene"), Bytes::new());
        let zero = Some(B64::ZERO);
        assert_eq!(encode_extra_data(Fork::Isthmus, zero, None, d).expect("v0").as_ref(), hex!("00000000fa00000006"));
        let own = Some(B64::from(hex!("0000004000000060")));
        assert_eq!(encode_extra_data(Fork::Holocene, own, None, d).expect("v0").as_ref(), hex!("000000004000000060"));
        assert!(encode_extra_data(Fork::Jovian, zero, None, d).is_err(), "Jovian needs minBaseFee");
        let v1 = encode_extra_data(Fork::Jovian, zero, Some(1_000_000_000), d).expect("v1");
        assert_eq!(v1.as_ref(), hex!("01000000fa00000006000000003b9aca00"));
    }

    fn parent(timestamp: u64, gas_used: u64, blob_gas_used: Option<u64>, extra: &[u8]) -> Header {
        Header {
            timestamp,
            gas_limit: 30_000_000,
            gas_used,
            blob_gas_used,
            base_fee_per_gas: Some(1_000_000),
            extra_data: Bytes::copy_from_slice(extra),
            ..Default::default()
        }
    }

    #[test]
    fn base_fee_per_fork() {
        let (f, d) = (forks(), defaults());
        // Pre-Holocene parent, target 5M of 30M at elasticity 6: a full block raises the fee by
        // (30M - 5M) / 5M / 250 = 2%.
        let p = parent(50, 30_000_000, Some(0), &[]);
        assert_eq!(next_base_fee(&f, &d, &p, 52), Ok(1_020_000));
        // Holocene parent with its own denominator 50: +10%.
        let p = parent(150, 30_000_000, Some(0), &hex!("000000003200000006"));
        assert_eq!(next_base_fee(&f, &d, &p, 152), Ok(1_100_000));
        // Holocene's all-zero parameters mean the Canyon defaults.
        let p = parent(150, 30_000_000, Some(0), &hex!("000000000000000000"));
        assert_eq!(next_base_fee(&f, &d, &p, 152), Ok(1_020_000));
        // The Jovian activation block still reads its Holocene parent.
        let p = parent(199, 30_000_000, Some(0), &hex!("00000000fa00000006"));
        assert_eq!(next_base_fee(&f, &d, &p, 201), Ok(1_020_000));
        // Jovian: an empty parent lowers the fee by 1/250 …
        let jov = |min: u64| {
            let mut e = hex!("01000000fa000000060000000000000000").to_vec();
            e[9..17].copy_from_slice(&min.to_be_bytes());
            e
        };
        let p = parent(250, 0, Some(0), &jov(0));
        assert_eq!(next_base_fee(&f, &d, &p, 252), Ok(996_000));
        // … unless the minimum base fee is higher.
        let p = parent(250, 0, Some(0), &jov(999_000));
        assert_eq!(next_base_fee(&f, &d, &p, 252), Ok(999_000));
        let p = parent(250, 0, Some(0), &jov(5_000_000));
        assert_eq!(next_base_fee(&f, &d, &p, 252), Ok(5_000_000));
        // A DA footprint above gas used counts as the gas used: 5M gas but a full 30M footprint.
        let p = parent(250, 5_000_000, Some(30_000_000), &jov(0));
        assert_eq!(next_base_fee(&f, &d, &p, 252), Ok(1_020_000));
        let p = parent(250, 5_000_000, Some(1_000), &jov(0));
        assert_eq!(next_base_fee(&f, &d, &p, 252), Ok(1_000_000), "at target: unchanged");
        // A Jovian parent with Holocene extraData is refused, naming the fork.
        let p = parent(250, 0, Some(0), &hex!("00000000fa00000006"));
        let err = next_base_fee(&f, &d, &p, 252).expect_err("wrong version");
        assert!(err.to_string().contains("Jovian header extraData is 9 bytes"), "{err}");
    }

    proptest! {
        #[test]
        fn extra_data_round_trips(den in 1u32.., ela in any::<u32>(), min in any::<u64>()) {
            let d = Eip1559 { denominator: 250, elasticity: 6 };
            let mut p = [0u8; 8];
            p[..4].copy_from_slice(&den.to_be_bytes());
            p[4..].copy_from_slice(&ela.to_be_bytes());
            let e = Eip1559 { denominator: den, elasticity: ela };
            let v0 = encode_extra_data(Fork::Holocene, Some(B64::from(p)), None, d).expect("v0");
            prop_assert_eq!(decode_extra_data(Fork::Isthmus, &v0), Ok(FeeParams::Holocene(e)));
            let v1 = encode_extra_data(Fork::Karst, Some(B64::from(p)), Some(min), d).expect("v1");
            prop_assert_eq!(decode_extra_data(Fork::Jovian, &v1), Ok(FeeParams::Jovian(e, min)));
        }

        #[test]
        fn jovian_base_fee_never_undercuts_the_minimum(
            used in 0u64..=30_000_000, footprint in 0u64..=30_000_000, fee in 0u64..1u64 << 40, min in any::<u64>(),
        ) {
            let mut extra = hex!("01000000fa000000060000000000000000").to_vec();
            extra[9..17].copy_from_slice(&min.to_be_bytes());
            let mut p = parent(250, used, Some(footprint), &extra);
            p.base_fee_per_gas = Some(fee);
            let next = next_base_fee(&forks(), &defaults(), &p, 252).expect("valid");
            prop_assert!(next >= min);
            let plain = calc_next_block_base_fee(used.max(footprint), p.gas_limit, fee, BaseFeeParams::new(250, 6));
            prop_assert_eq!(next, plain.max(min));
        }
    }
}
