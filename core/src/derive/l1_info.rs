//! The L1-info deposit, the first transaction of every L2 block: its calldata in the Ecotone,
//! Isthmus and Jovian formats (kona-protocol 0.4.5 stops at Isthmus and rejects Jovian's),
//! which format a block uses, and the deposit transaction itself.

use crate::forks::{Fork, Forks};
use alloy_primitives::{Address, B256, Bytes, TxKind, U256, address, keccak256};
use op_alloy_consensus::TxDeposit;

/// The account that sends the L1-info deposit.
pub const DEPOSITOR: Address = address!("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
/// The L1Block predeploy it calls.
pub const L1_BLOCK: Address = address!("4200000000000000000000000000000000000015");
/// The DA footprint gas scalar a Jovian block carries when the SystemConfig holds 0.
pub const DEFAULT_DA_FOOTPRINT_GAS_SCALAR: u16 = 400;
/// The L1-info deposit's gas limit (from Regolith).
pub const GAS_LIMIT: u64 = 1_000_000;

/// A calldata format of the L1-info deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `setL1BlockValuesEcotone()`, 164 bytes.
    Ecotone,
    /// `setL1BlockValuesIsthmus()`, 176 bytes: + operator fee scalar and constant.
    Isthmus,
    /// `setL1BlockValuesJovian()`, 178 bytes: + DA footprint gas scalar.
    Jovian,
}

impl Format {
    /// The function selector.
    pub const fn selector(self) -> [u8; 4] {
        match self {
            Self::Ecotone => [0x44, 0x0a, 0x5e, 0x20],
            Self::Isthmus => [0x09, 0x89, 0x99, 0xbe],
            Self::Jovian => [0x3d, 0xb6, 0xbe, 0x2b],
        }
    }

    /// The calldata length.
    pub const fn calldata_len(self) -> usize {
        match self {
            Self::Ecotone => 164,
            Self::Isthmus => 176,
            Self::Jovian => 178,
        }
    }

    /// The format of the block at `timestamp` whose parent is at `parent_timestamp`: a fork's
    /// format starts in the block after its activation block (the L1Block contract is upgraded
    /// by that block's deposits), or in the first block when the fork is active at genesis
    /// (`parent_timestamp` = `None`). `None` before Ecotone (Bedrock's format, not produced here).
    pub fn of_block(forks: &Forks, parent_timestamp: Option<u64>, timestamp: u64) -> Option<Self> {
        let settled = |fork: Fork| match parent_timestamp {
            Some(parent) => forks.is_active(fork, parent) && forks.is_active(fork, timestamp),
            None => forks.is_active(fork, timestamp),
        };
        if settled(Fork::Jovian) {
            Some(Self::Jovian)
        } else if settled(Fork::Isthmus) {
            Some(Self::Isthmus)
        } else if settled(Fork::Ecotone) {
            Some(Self::Ecotone)
        } else {
            None
        }
    }
}

/// What the L1-info deposit tells the L2 about its L1 origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct L1Info {
    /// Base fee scalar (Ecotone).
    pub base_fee_scalar: u32,
    /// Blob base fee scalar (Ecotone).
    pub blob_base_fee_scalar: u32,
    /// The block's index within its epoch.
    pub sequence_number: u64,
    /// The L1 origin's timestamp.
    pub time: u64,
    /// The L1 origin's number.
    pub number: u64,
    /// The L1 origin's base fee.
    pub base_fee: U256,
    /// The L1 origin's blob base fee (by the L1 fork's blob schedule).
    pub blob_base_fee: U256,
    /// The L1 origin's hash.
    pub block_hash: B256,
    /// The batcher address, left-padded.
    pub batcher_hash: B256,
    /// Operator fee scalar (Isthmus).
    pub operator_fee_scalar: u32,
    /// Operator fee constant (Isthmus).
    pub operator_fee_constant: u64,
    /// DA footprint gas scalar (Jovian).
    pub da_footprint_gas_scalar: u16,
}

/// Why calldata is not an L1-info call riposte reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum L1InfoError {
    /// The selector is none of the known formats.
    #[error("L1-info calldata starts with {selector:#x?}, not a known setL1BlockValues* selector")]
    UnknownSelector {
        /// The first four bytes (fewer if the calldata is shorter).
        selector: Vec<u8>,
    },
    /// The length is not the format's.
    #[error("{format:?} L1-info calldata is {len} bytes, want {want}")]
    Length {
        /// The format its selector names.
        format: Format,
        /// Its length.
        len: usize,
        /// The format's length.
        want: usize,
    },
}

fn be<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&data[at..at + N]);
    out
}

impl L1Info {
    /// The calldata in `format` (fields the format lacks are left out).
    pub fn encode(&self, format: Format) -> Bytes {
        let mut out = Vec::with_capacity(format.calldata_len());
        out.extend_from_slice(&format.selector());
        out.extend_from_slice(&self.base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&self.time.to_be_bytes());
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
        out.extend_from_slice(&self.blob_base_fee.to_be_bytes::<32>());
        out.extend_from_slice(self.block_hash.as_slice());
        out.extend_from_slice(self.batcher_hash.as_slice());
        if format != Format::Ecotone {
            out.extend_from_slice(&self.operator_fee_scalar.to_be_bytes());
            out.extend_from_slice(&self.operator_fee_constant.to_be_bytes());
        }
        if format == Format::Jovian {
            out.extend_from_slice(&self.da_footprint_gas_scalar.to_be_bytes());
        }
        out.into()
    }

    /// Reads calldata of any of the three formats.
    pub fn decode(data: &[u8]) -> Result<(Self, Format), L1InfoError> {
        let selector = data.get(..4).unwrap_or(data);
        let format = [Format::Ecotone, Format::Isthmus, Format::Jovian]
            .into_iter()
            .find(|f| f.selector() == selector)
            .ok_or_else(|| L1InfoError::UnknownSelector { selector: selector.to_vec() })?;
        if data.len() != format.calldata_len() {
            return Err(L1InfoError::Length { format, len: data.len(), want: format.calldata_len() });
        }
        let mut info = Self {
            base_fee_scalar: u32::from_be_bytes(be(data, 4)),
            blob_base_fee_scalar: u32::from_be_bytes(be(data, 8)),
            sequence_number: u64::from_be_bytes(be(data, 12)),
            time: u64::from_be_bytes(be(data, 20)),
            number: u64::from_be_bytes(be(data, 28)),
            base_fee: U256::from_be_bytes::<32>(be(data, 36)),
            blob_base_fee: U256::from_be_bytes::<32>(be(data, 68)),
            block_hash: B256::from(be::<32>(data, 100)),
            batcher_hash: B256::from(be::<32>(data, 132)),
            ..Self::default()
        };
        if format != Format::Ecotone {
            info.operator_fee_scalar = u32::from_be_bytes(be(data, 164));
            info.operator_fee_constant = u64::from_be_bytes(be(data, 168));
        }
        if format == Format::Jovian {
            info.da_footprint_gas_scalar = u16::from_be_bytes(be(data, 176));
        }
        Ok((info, format))
    }

    /// The batcher address of `batcher_hash`.
    pub fn batcher(&self) -> Address {
        Address::from_word(self.batcher_hash)
    }

    /// The deposit transaction carrying this info in `format` (source hash of the L1-info domain,
    /// 1: `keccak256(1 ‖ keccak256(l1 block hash ‖ sequence number))`).
    pub fn deposit(&self, format: Format) -> TxDeposit {
        let mut seq = [0u8; 64];
        seq[..32].copy_from_slice(self.block_hash.as_slice());
        seq[56..].copy_from_slice(&self.sequence_number.to_be_bytes());
        let mut domain = [0u8; 64];
        domain[31] = 1;
        domain[32..].copy_from_slice(keccak256(seq).as_slice());
        TxDeposit {
            source_hash: keccak256(domain),
            from: DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: GAS_LIMIT,
            is_system_transaction: false,
            input: self.encode(format),
        }
    }
}

/// The DA footprint gas scalar a Jovian L1-info deposit carries for a SystemConfig value.
pub const fn da_footprint_gas_scalar(system_config: u16) -> u16 {
    if system_config == 0 { DEFAULT_DA_FOOTPRINT_GAS_SCALAR } else { system_config }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> L1Info {
        L1Info {
            base_fee_scalar: 1368,
            blob_base_fee_scalar: 810_949,
            sequence_number: 3,
            time: 1_764_691_199,
            number: 23_930_000,
            base_fee: U256::from(1_234_567_890u64),
            blob_base_fee: U256::from(7u64),
            block_hash: B256::repeat_byte(0xab),
            batcher_hash: Address::repeat_byte(0x68).into_word(),
            operator_fee_scalar: 5,
            operator_fee_constant: 6,
            da_footprint_gas_scalar: 400,
        }
    }

    #[test]
    fn selectors_are_the_signatures_hashes() {
        for (f, sig) in [
            (Format::Ecotone, "setL1BlockValuesEcotone()"),
            (Format::Isthmus, "setL1BlockValuesIsthmus()"),
            (Format::Jovian, "setL1BlockValuesJovian()"),
        ] {
            assert_eq!(f.selector(), keccak256(sig)[..4], "{sig}");
        }
    }

    #[test]
    fn ecotone_and_isthmus_match_kona_and_jovian_appends_the_scalar() {
        let s = sample();
        let kona = kona_protocol::L1BlockInfoIsthmus {
            number: s.number,
            time: s.time,
            base_fee: 1_234_567_890,
            block_hash: s.block_hash,
            sequence_number: s.sequence_number,
            batcher_address: s.batcher(),
            blob_base_fee: 7,
            blob_base_fee_scalar: s.blob_base_fee_scalar,
            base_fee_scalar: s.base_fee_scalar,
            operator_fee_scalar: s.operator_fee_scalar,
            operator_fee_constant: s.operator_fee_constant,
        };
        let isthmus = s.encode(Format::Isthmus);
        assert_eq!(isthmus, kona.encode_calldata(), "kona-protocol 0.4.5's Isthmus encoding");
        let jovian = s.encode(Format::Jovian);
        assert_eq!(jovian.len(), 178);
        assert_eq!(&jovian[..4], &Format::Jovian.selector());
        assert_eq!(&jovian[4..176], &isthmus[4..], "the Isthmus fields 1:1");
        assert_eq!(&jovian[176..], &400u16.to_be_bytes());
        assert_eq!(s.encode(Format::Ecotone).len(), 164);
        assert_eq!(L1Info::decode(&jovian), Ok((s, Format::Jovian)));
        // kona 0.4.5 cannot read the Jovian call: the reason this module exists.
        assert!(kona_protocol::L1BlockInfoTx::decode_calldata(&jovian).is_err());
    }

    #[test]
    fn the_format_follows_the_fork_one_block_late() {
        let forks = Forks::bedrock()
            .with(Fork::Regolith, Some(0))
            .with(Fork::Canyon, Some(0))
            .with(Fork::Ecotone, Some(0))
            .with(Fork::Isthmus, Some(100))
            .with(Fork::Jovian, Some(200));
        assert_eq!(Format::of_block(&forks, Some(98), 100), Some(Format::Ecotone), "Isthmus activation block");
        assert_eq!(Format::of_block(&forks, Some(100), 102), Some(Format::Isthmus));
        assert_eq!(Format::of_block(&forks, Some(198), 200), Some(Format::Isthmus), "Jovian activation block");
        assert_eq!(Format::of_block(&forks, Some(200), 202), Some(Format::Jovian));
        assert_eq!(Format::of_block(&forks, None, 200), Some(Format::Jovian), "Jovian at genesis");
        assert_eq!(Format::of_block(&Forks::bedrock(), Some(0), 2), None);
        assert_eq!(da_footprint_gas_scalar(0), 400);
        assert_eq!(da_footprint_gas_scalar(7), 7);
    }

    #[test]
    fn the_deposit_is_the_specs() {
        let s = sample();
        let tx = s.deposit(Format::Jovian);
        assert_eq!(
            (tx.from, tx.to, tx.gas_limit, tx.is_system_transaction),
            (DEPOSITOR, TxKind::Call(L1_BLOCK), GAS_LIMIT, false)
        );
        // The source hash op-alloy computes for the same origin and sequence number.
        let theirs =
            op_alloy_consensus::L1InfoDepositSource { l1_block_hash: s.block_hash, seq_number: s.sequence_number };
        assert_eq!(tx.source_hash, theirs.source_hash());
    }

    #[test]
    fn malformed_calldata_is_named() {
        let j = sample().encode(Format::Jovian);
        assert_eq!(L1Info::decode(&j[..177]), Err(L1InfoError::Length { format: Format::Jovian, len: 177, want: 178 }));
        assert!(
            matches!(L1Info::decode(&[1, 2]), Err(L1InfoError::UnknownSelector { selector }) if selector == [1, 2])
        );
        let mut bad = j.to_vec();
        bad[0] ^= 1;
        assert!(L1Info::decode(&bad).unwrap_err().to_string().contains("not a known setL1BlockValues"));
    }

    proptest! {
        #[test]
        fn every_format_round_trips(
            a in any::<u32>(), b in any::<u32>(), seq in any::<u64>(), t in any::<u64>(), n in any::<u64>(),
            fee in any::<[u8; 32]>(), blob in any::<[u8; 32]>(), h in any::<[u8; 32]>(),
            op_s in any::<u32>(), op_c in any::<u64>(), da in any::<u16>(),
        ) {
            let full = L1Info {
                base_fee_scalar: a, blob_base_fee_scalar: b, sequence_number: seq, time: t, number: n,
                base_fee: U256::from_be_bytes(fee), blob_base_fee: U256::from_be_bytes(blob),
                block_hash: B256::from(h), batcher_hash: B256::from(h),
                operator_fee_scalar: op_s, operator_fee_constant: op_c, da_footprint_gas_scalar: da,
            };
            for f in [Format::Ecotone, Format::Isthmus, Format::Jovian] {
                let mut want = full;
                if f == Format::Ecotone { want.operator_fee_scalar = 0; want.operator_fee_constant = 0; }
                if f != Format::Jovian { want.da_footprint_gas_scalar = 0; }
                prop_assert_eq!(L1Info::decode(&full.encode(f)), Ok((want, f)));
            }
        }
    }
}
