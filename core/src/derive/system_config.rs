//! SystemConfig updates read from L1 receipts, types 0–7: kona-genesis 0.4.5 stops at 5 and
//! treats Jovian's 6 (minimum base fee) and 7 (DA footprint gas scalar) as critical errors.

use alloy_primitives::{Address, B256, Log, U256, b256};

/// `keccak256("ConfigUpdate(uint256,uint8,bytes)")`.
pub const CONFIG_UPDATE_TOPIC: B256 = b256!("1d2b0bda21d56b8bd12d4f94ebacffdfb35f5e226f84b461103bb8beab6353be");

/// One SystemConfig change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigUpdate {
    /// 0: the batcher address.
    Batcher(Address),
    /// 1: the L1 fee overhead and scalar (versioned since Ecotone).
    FeeScalars {
        /// Overhead (0 since Ecotone).
        overhead: U256,
        /// Scalar.
        scalar: U256,
    },
    /// 2: the L2 gas limit.
    GasLimit(u64),
    /// 3: the unsafe block signer (not used by derivation).
    UnsafeBlockSigner(Address),
    /// 4: EIP-1559 parameters (Holocene).
    Eip1559 {
        /// Denominator.
        denominator: u32,
        /// Elasticity.
        elasticity: u32,
    },
    /// 5: operator fee (Isthmus).
    OperatorFee {
        /// Scalar.
        scalar: u32,
        /// Constant.
        constant: u64,
    },
    /// 6: minimum base fee in wei (Jovian).
    MinBaseFee(u64),
    /// 7: DA footprint gas scalar (Jovian).
    DaFootprintGasScalar(u16),
}

/// Why a ConfigUpdate log cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError {
    /// Not version 0.
    #[error("ConfigUpdate version {0} is not 0")]
    Version(B256),
    /// A type riposte does not know.
    #[error("ConfigUpdate type {0} is unknown (riposte knows 0 to 7)")]
    UnknownType(B256),
    /// Topics missing.
    #[error("ConfigUpdate log has {0} topics, want 3")]
    Topics(usize),
    /// The data is not the ABI `bytes` the type requires.
    #[error("ConfigUpdate type {kind}: {what}")]
    Data {
        /// The update type.
        kind: u8,
        /// What is wrong.
        what: String,
    },
}

/// The SystemConfig values derivation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemConfig {
    /// Batcher.
    pub batcher: Address,
    /// L1 fee overhead.
    pub overhead: U256,
    /// L1 fee scalar.
    pub scalar: U256,
    /// L2 gas limit.
    pub gas_limit: u64,
    /// EIP-1559 denominator and elasticity (Holocene; `None` before).
    pub eip1559: Option<(u32, u32)>,
    /// Operator fee scalar and constant (Isthmus).
    pub operator_fee: Option<(u32, u64)>,
    /// Minimum base fee (Jovian).
    pub min_base_fee: Option<u64>,
    /// DA footprint gas scalar (Jovian).
    pub da_footprint_gas_scalar: Option<u16>,
}

impl SystemConfig {
    /// Applies one update.
    pub const fn apply(&mut self, update: ConfigUpdate) {
        match update {
            ConfigUpdate::Batcher(a) => self.batcher = a,
            ConfigUpdate::FeeScalars { overhead, scalar } => {
                self.overhead = overhead;
                self.scalar = scalar;
            }
            ConfigUpdate::GasLimit(g) => self.gas_limit = g,
            ConfigUpdate::UnsafeBlockSigner(_) => {}
            ConfigUpdate::Eip1559 { denominator, elasticity } => self.eip1559 = Some((denominator, elasticity)),
            ConfigUpdate::OperatorFee { scalar, constant } => self.operator_fee = Some((scalar, constant)),
            ConfigUpdate::MinBaseFee(m) => self.min_base_fee = Some(m),
            ConfigUpdate::DaFootprintGasScalar(s) => self.da_footprint_gas_scalar = Some(s),
        }
    }
}

/// The ABI `bytes` payload of the log's data: pointer 32, then its length, then the words.
fn payload(kind: u8, data: &[u8], words: usize) -> Result<&[u8], UpdateError> {
    let fail = |what: String| UpdateError::Data { kind, what };
    let want = 64 + 32 * words;
    if data.len() != want {
        return Err(fail(format!("data is {} bytes, want {want}", data.len())));
    }
    let word = |at: usize| U256::from_be_slice(&data[at..at + 32]);
    if word(0) != U256::from(32) {
        return Err(fail(format!("data pointer is {}, want 32", word(0))));
    }
    if word(32) != U256::from(32 * words) {
        return Err(fail(format!("data length is {}, want {}", word(32), 32 * words)));
    }
    Ok(&data[64..])
}

/// The low `n` bytes of a word whose other bytes must be zero.
fn low<const N: usize>(kind: u8, word: &[u8], field: &str) -> Result<[u8; N], UpdateError> {
    let (high, low) = word.split_at(32 - N);
    if high.iter().any(|b| *b != 0) {
        return Err(UpdateError::Data { kind, what: format!("{field} does not fit in {} bytes", N) });
    }
    let mut out = [0u8; N];
    out.copy_from_slice(low);
    Ok(out)
}

/// Reads a SystemConfig log: `Ok(None)` when it is not a ConfigUpdate event.
pub fn decode_update(log: &Log) -> Result<Option<ConfigUpdate>, UpdateError> {
    let topics = log.data.topics();
    if topics.first() != Some(&CONFIG_UPDATE_TOPIC) {
        return Ok(None);
    }
    if topics.len() != 3 {
        return Err(UpdateError::Topics(topics.len()));
    }
    if topics[1] != B256::ZERO {
        return Err(UpdateError::Version(topics[1]));
    }
    let kind = match U256::from_be_bytes(topics[2].0) {
        k if k <= U256::from(7) => k.to::<u8>(),
        _ => return Err(UpdateError::UnknownType(topics[2])),
    };
    let data = log.data.data.as_ref();
    let update = match kind {
        0 | 3 => {
            let a = Address::from(low::<20>(kind, payload(kind, data, 1)?, "the address")?);
            if kind == 0 { ConfigUpdate::Batcher(a) } else { ConfigUpdate::UnsafeBlockSigner(a) }
        }
        1 => {
            let p = payload(kind, data, 2)?;
            ConfigUpdate::FeeScalars { overhead: U256::from_be_slice(&p[..32]), scalar: U256::from_be_slice(&p[32..]) }
        }
        2 => ConfigUpdate::GasLimit(u64::from_be_bytes(low(kind, payload(kind, data, 1)?, "the gas limit")?)),
        4 => {
            let b: [u8; 8] = low(kind, payload(kind, data, 1)?, "the EIP-1559 parameters")?;
            ConfigUpdate::Eip1559 {
                denominator: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                elasticity: u32::from_be_bytes([b[4], b[5], b[6], b[7]]),
            }
        }
        5 => {
            let b: [u8; 12] = low(kind, payload(kind, data, 1)?, "the operator fee parameters")?;
            ConfigUpdate::OperatorFee {
                scalar: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                constant: u64::from_be_bytes([b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11]]),
            }
        }
        6 => ConfigUpdate::MinBaseFee(u64::from_be_bytes(low(kind, payload(kind, data, 1)?, "the minimum base fee")?)),
        _ => ConfigUpdate::DaFootprintGasScalar(u16::from_be_bytes(low(
            kind,
            payload(kind, data, 1)?,
            "the DA footprint gas scalar",
        )?)),
    };
    Ok(Some(update))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{LogData, hex, keccak256};

    fn log(kind: u8, words: &[[u8; 32]]) -> Log {
        let mut data = Vec::new();
        data.extend_from_slice(&U256::from(32).to_be_bytes::<32>());
        data.extend_from_slice(&U256::from(32 * words.len()).to_be_bytes::<32>());
        for w in words {
            data.extend_from_slice(w);
        }
        let topics = vec![CONFIG_UPDATE_TOPIC, B256::ZERO, B256::from(U256::from(kind))];
        Log { address: Address::repeat_byte(5), data: LogData::new_unchecked(topics, data.into()) }
    }

    fn word(low: &[u8]) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[32 - low.len()..].copy_from_slice(low);
        w
    }

    #[test]
    fn the_topic_is_the_events_hash() {
        assert_eq!(keccak256("ConfigUpdate(uint256,uint8,bytes)"), CONFIG_UPDATE_TOPIC);
    }

    #[test]
    fn every_type_decodes_and_applies() {
        let mut cfg = SystemConfig::default();
        let cases = [
            (0, vec![word(&[0x11; 20])], ConfigUpdate::Batcher(Address::repeat_byte(0x11))),
            (
                1,
                vec![word(&[]), word(&[1, 2])],
                ConfigUpdate::FeeScalars { overhead: U256::ZERO, scalar: U256::from(0x102) },
            ),
            (2, vec![word(&60_000_000u64.to_be_bytes())], ConfigUpdate::GasLimit(60_000_000)),
            (3, vec![word(&[0x22; 20])], ConfigUpdate::UnsafeBlockSigner(Address::repeat_byte(0x22))),
            (4, vec![word(&hex!("000000fa00000006"))], ConfigUpdate::Eip1559 { denominator: 250, elasticity: 6 }),
            // kona-genesis's own test value for type 5: scalar 0xbabe, constant 0xbeef.
            (
                5,
                vec![word(&hex!("0000babe000000000000beef"))],
                ConfigUpdate::OperatorFee { scalar: 0xbabe, constant: 0xbeef },
            ),
            (6, vec![word(&1_000_000_000u64.to_be_bytes())], ConfigUpdate::MinBaseFee(1_000_000_000)),
            (7, vec![word(&400u16.to_be_bytes())], ConfigUpdate::DaFootprintGasScalar(400)),
        ];
        for (kind, words, want) in cases {
            let got = decode_update(&log(kind, &words)).expect("decodes").expect("a ConfigUpdate");
            assert_eq!(got, want, "type {kind}");
            cfg.apply(got);
        }
        assert_eq!(cfg.min_base_fee, Some(1_000_000_000));
        assert_eq!(cfg.da_footprint_gas_scalar, Some(400));
        assert_eq!(
            (cfg.gas_limit, cfg.eip1559, cfg.operator_fee),
            (60_000_000, Some((250, 6)), Some((0xbabe, 0xbeef)))
        );
        assert_eq!(cfg.batcher, Address::repeat_byte(0x11));
    }

    #[test]
    fn bad_logs_are_named_and_other_events_skipped() {
        let mut other = log(6, &[word(&[1])]);
        other.data = LogData::new_unchecked(vec![B256::repeat_byte(1)], other.data.data.clone());
        assert_eq!(decode_update(&other), Ok(None));
        assert!(matches!(decode_update(&log(8, &[word(&[1])])), Err(UpdateError::UnknownType(_))));
        let err = decode_update(&log(7, &[word(&[1, 0, 0])])).unwrap_err().to_string();
        assert!(err.contains("type 7: the DA footprint gas scalar does not fit in 2 bytes"), "{err}");
        let err = decode_update(&log(6, &[word(&[1]), word(&[2])])).unwrap_err().to_string();
        assert!(err.contains("type 6: data is 128 bytes, want 96"), "{err}");
        let mut bad_version = log(6, &[word(&[1])]);
        let mut topics = bad_version.data.topics().to_vec();
        topics[1] = B256::with_last_byte(1);
        bad_version.data = LogData::new_unchecked(topics, bad_version.data.data.clone());
        assert!(matches!(decode_update(&bad_version), Err(UpdateError::Version(_))));
    }
}
