//! Payload attributes of one L2 block, as derivation builds them from its L1 origin, the system
//! config and the batch's transactions, under the rules through Karst (kona-derive 0.4.5's
//! builder stops at Isthmus): the L1-info deposit of the right format, user deposits at an
//! epoch's first block, upgrade deposits in activation blocks, Karst's upgrade gas, the
//! EIP-1559 parameters and, from Jovian, the minimum base fee.

use super::{
    blob_fee::{BlobFeeError, BlobSchedule, l1_info_blob_base_fee},
    l1_info::{Format, L1Info, da_footprint_gas_scalar},
    system_config::SystemConfig,
    upgrades::UpgradeBundle,
};
use crate::{config::RollupConfig, forks::Fork};
use alloy_consensus::Header;
use alloy_eips::Encodable2718;
use alloy_primitives::{Address, B64, B256, Bytes, Sealed, U256, address};
use op_alloy_consensus::OpTxEnvelope;
use op_alloy_rpc_types_engine::OpPayloadAttributes;

/// The SequencerFeeVault predeploy, every block's fee recipient.
pub const SEQUENCER_FEE_VAULT: Address = address!("4200000000000000000000000000000000000011");

/// What derivation needs of an L1 origin's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Origin {
    /// Its hash.
    pub hash: B256,
    /// Its number.
    pub number: u64,
    /// Its timestamp.
    pub timestamp: u64,
    /// Its base fee.
    pub base_fee: u64,
    /// Its excess blob gas (`None` before Cancun).
    pub excess_blob_gas: Option<u64>,
    /// Its mix hash (the L2 block's prevRandao).
    pub mix_hash: B256,
    /// Its parent beacon block root (`None` before Cancun).
    pub parent_beacon_block_root: Option<B256>,
}

impl L1Origin {
    /// From a checked L1 header and its hash.
    pub fn of(header: &Header, hash: B256) -> Self {
        Self {
            hash,
            number: header.number,
            timestamp: header.timestamp,
            base_fee: header.base_fee_per_gas.unwrap_or_default(),
            excess_blob_gas: header.excess_blob_gas,
            mix_hash: header.mix_hash,
            parent_beacon_block_root: header.parent_beacon_block_root,
        }
    }
}

/// Why attributes cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributesError {
    /// The block is before Ecotone (Bedrock's L1-info format is not produced here).
    #[error("L2 block at {timestamp} is before Ecotone: riposte builds attributes from Ecotone on")]
    BeforeEcotone {
        /// The block's timestamp.
        timestamp: u64,
    },
    /// A fork riposte has no rules for.
    #[error("L2 block at {timestamp} is in {fork}, which riposte does not derive")]
    UnknownFork {
        /// The fork.
        fork: Fork,
        /// The block's timestamp.
        timestamp: u64,
    },
    /// An activation block whose upgrade deposits were not given.
    #[error("the {fork} activation block at {timestamp} needs its upgrade deposits (an UpgradeBundle for {fork})")]
    MissingUpgrade {
        /// The fork activated.
        fork: Fork,
        /// The block's timestamp.
        timestamp: u64,
    },
    /// A Jovian-or-later activation block with batch transactions: derivation drops that batch.
    #[error("the {fork} activation block admits no batch transactions, {count} given")]
    TransactionsInActivationBlock {
        /// The fork activated.
        fork: Fork,
        /// How many were given.
        count: usize,
    },
    /// The origin's blob fee.
    #[error(transparent)]
    BlobFee(#[from] BlobFeeError),
    /// The gas limit overflows with the upgrade gas.
    #[error("gas limit {gas_limit} plus {fork} upgrade gas {upgrade_gas} overflows")]
    GasOverflow {
        /// The fork.
        fork: Fork,
        /// The system config's gas limit.
        gas_limit: u64,
        /// The bundle's gas.
        upgrade_gas: u64,
    },
}

/// Everything one block's attributes are built from.
#[derive(Debug, Clone, Copy)]
pub struct BlockInputs<'a> {
    /// The chain.
    pub config: &'a RollupConfig,
    /// The L1 chain's blob schedule.
    pub blob_schedule: &'a BlobSchedule,
    /// The L2 parent's timestamp.
    pub parent_timestamp: u64,
    /// The block's timestamp.
    pub timestamp: u64,
    /// The L1 origin.
    pub origin: &'a L1Origin,
    /// The block's index within its epoch (0: the first, which carries the user deposits).
    pub sequence_number: u64,
    /// The system config in force.
    pub system_config: &'a SystemConfig,
    /// User deposits of the origin (EIP-2718 encoded), given for the epoch's first block.
    pub deposits: &'a [Bytes],
    /// Upgrade deposits by fork, consulted for activation blocks.
    pub upgrades: &'a [UpgradeBundle],
}

/// The Ecotone fee scalars of a system config's `scalar`: version 1 packs
/// `blobBaseFeeScalar ‖ baseFeeScalar` in the low 8 bytes; version 0 is a plain base fee scalar.
pub fn ecotone_scalars(scalar: U256) -> (u32, u32) {
    let b = scalar.to_be_bytes::<32>();
    if b[0] == 1 {
        (u32::from_be_bytes([b[28], b[29], b[30], b[31]]), u32::from_be_bytes([b[24], b[25], b[26], b[27]]))
    } else {
        (u32::try_from(scalar).unwrap_or(u32::MAX), 0)
    }
}

/// The forks (from Ecotone on) whose activation block this is.
fn activated(inputs: &BlockInputs<'_>) -> Vec<Fork> {
    let forks = inputs.config.forks();
    [Fork::Ecotone, Fork::Fjord, Fork::Granite, Fork::Holocene, Fork::Isthmus, Fork::Jovian, Fork::Karst]
        .into_iter()
        .filter(|f| forks.is_activation_block(*f, inputs.parent_timestamp, inputs.timestamp))
        .collect()
}

/// Builds the attributes of the block with the batch's `transactions`.
pub fn build_attributes(
    inputs: &BlockInputs<'_>,
    transactions: Vec<Bytes>,
) -> Result<OpPayloadAttributes, AttributesError> {
    let (config, timestamp, sys) = (inputs.config, inputs.timestamp, inputs.system_config);
    let forks = config.forks();
    let fork = forks.fork_at(timestamp);
    if fork.spec().is_none() {
        return Err(AttributesError::UnknownFork { fork, timestamp });
    }
    let format = Format::of_block(&forks, Some(inputs.parent_timestamp), timestamp)
        .ok_or(AttributesError::BeforeEcotone { timestamp })?;
    let origin = inputs.origin;
    let (base_fee_scalar, blob_base_fee_scalar) = ecotone_scalars(sys.scalar);
    let (operator_fee_scalar, operator_fee_constant) = sys.operator_fee.unwrap_or_default();
    let blob_base_fee =
        l1_info_blob_base_fee(inputs.blob_schedule, config, origin.timestamp, origin.excess_blob_gas, timestamp)?;
    let info = L1Info {
        base_fee_scalar,
        blob_base_fee_scalar,
        sequence_number: inputs.sequence_number,
        time: origin.timestamp,
        number: origin.number,
        base_fee: U256::from(origin.base_fee),
        blob_base_fee: U256::from(blob_base_fee),
        block_hash: origin.hash,
        batcher_hash: sys.batcher.into_word(),
        operator_fee_scalar,
        operator_fee_constant,
        da_footprint_gas_scalar: da_footprint_gas_scalar(sys.da_footprint_gas_scalar.unwrap_or(0)),
    };
    let mut txs = Vec::with_capacity(1 + inputs.deposits.len() + transactions.len());
    txs.push(Bytes::from(OpTxEnvelope::Deposit(Sealed::new(info.deposit(format))).encoded_2718()));
    if inputs.sequence_number == 0 {
        txs.extend(inputs.deposits.iter().cloned());
    }
    let mut gas_limit = sys.gas_limit;
    for fork in activated(inputs) {
        let bundle = inputs.upgrades.iter().find(|b| b.fork.eq_ignore_ascii_case(fork.name()));
        match bundle {
            Some(b) => {
                txs.extend(b.transactions.iter().cloned());
                if fork == Fork::Karst {
                    gas_limit = gas_limit.checked_add(b.upgrade_gas).ok_or(AttributesError::GasOverflow {
                        fork,
                        gas_limit: sys.gas_limit,
                        upgrade_gas: b.upgrade_gas,
                    })?;
                }
            }
            // Before Jovian the activation blocks' upgrades are kona's (Ecotone, Fjord, Isthmus)
            // or none (Granite, Holocene); riposte derives from Jovian's on.
            None if fork >= Fork::Jovian => return Err(AttributesError::MissingUpgrade { fork, timestamp }),
            None => {}
        }
        if fork >= Fork::Jovian && !transactions.is_empty() {
            return Err(AttributesError::TransactionsInActivationBlock { fork, count: transactions.len() });
        }
    }
    txs.extend(transactions);
    let holocene = forks.is_active(Fork::Holocene, timestamp);
    let eip_1559_params = holocene.then(|| {
        let (denominator, elasticity) = sys.eip1559.unwrap_or_default();
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&denominator.to_be_bytes());
        b[4..].copy_from_slice(&elasticity.to_be_bytes());
        B64::from(b)
    });
    Ok(OpPayloadAttributes {
        payload_attributes: alloy_rpc_types_engine::PayloadAttributes {
            timestamp,
            prev_randao: origin.mix_hash,
            suggested_fee_recipient: SEQUENCER_FEE_VAULT,
            withdrawals: forks.is_active(Fork::Canyon, timestamp).then(Vec::new),
            parent_beacon_block_root: forks
                .is_active(Fork::Ecotone, timestamp)
                .then(|| origin.parent_beacon_block_root.unwrap_or_default()),
        },
        transactions: Some(txs),
        no_tx_pool: Some(true),
        gas_limit: Some(gas_limit),
        eip_1559_params,
        min_base_fee: forks.is_active(Fork::Jovian, timestamp).then(|| sys.min_base_fee.unwrap_or(0)),
    })
}

/// The upgrade gas to take out of a block's gas limit when its system config is read back from
/// the block: Karst's, in its activation block, unless the chain keeps it
/// (`keep_karst_upgrade_gas`, as OP Mainnet and OP Sepolia do).
pub fn upgrade_gas_to_strip(config: &RollupConfig, parent_timestamp: u64, timestamp: u64, karst_gas: u64) -> u64 {
    let activation = config.forks().is_activation_block(Fork::Karst, parent_timestamp, timestamp);
    if activation && !config.keep_karst_upgrade_gas { karst_gas } else { 0 }
}

/// Why a system config cannot be read back from an L2 block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadBackError {
    /// The first transaction is not an L1-info deposit riposte reads.
    #[error("L2 block {block}: its first transaction is not an L1-info deposit: {what}")]
    NoL1Info {
        /// The block.
        block: u64,
        /// Why.
        what: String,
    },
    /// The header's extraData is wrong for its fork.
    #[error("L2 block {block}: {error}")]
    ExtraData {
        /// The block.
        block: u64,
        /// The fee error.
        error: crate::exec::fees::FeeError,
    },
    /// The gas limit is below the upgrade gas it should hold.
    #[error("L2 block {block}: gas limit {gas_limit} is below the Karst upgrade gas {upgrade_gas}")]
    GasBelowUpgrade {
        /// The block.
        block: u64,
        /// Its gas limit.
        gas_limit: u64,
        /// The upgrade gas.
        upgrade_gas: u64,
    },
}

/// The system config an L2 block was derived under, read back from the block (as op-node's
/// `PayloadToSystemConfig` does, through Jovian): batcher, scalars and operator fee from its
/// L1-info call, the gas limit less Karst's upgrade gas where the chain strips it, EIP-1559
/// parameters and the minimum base fee from its extraData, the DA footprint scalar from the call.
/// (kona-protocol 0.4.5's `to_system_config` fails on every Jovian block.)
pub fn system_config_of_block(
    config: &RollupConfig,
    header: &Header,
    parent_timestamp: u64,
    first_transaction: &[u8],
    karst_upgrade_gas: u64,
) -> Result<SystemConfig, ReadBackError> {
    use alloy_eips::Decodable2718;
    let block = header.number;
    let no_info = |what: String| ReadBackError::NoL1Info { block, what };
    let tx = OpTxEnvelope::decode_2718(&mut &first_transaction[..]).map_err(|e| no_info(e.to_string()))?;
    let OpTxEnvelope::Deposit(deposit) = tx else {
        return Err(no_info("not a deposit".into()));
    };
    let (info, format) = L1Info::decode(&deposit.input).map_err(|e| no_info(e.to_string()))?;
    let mut scalar = [0u8; 32];
    scalar[0] = 1;
    scalar[24..28].copy_from_slice(&info.blob_base_fee_scalar.to_be_bytes());
    scalar[28..32].copy_from_slice(&info.base_fee_scalar.to_be_bytes());
    let strip = upgrade_gas_to_strip(config, parent_timestamp, header.timestamp, karst_upgrade_gas);
    let gas_limit = header.gas_limit.checked_sub(strip).ok_or(ReadBackError::GasBelowUpgrade {
        block,
        gas_limit: header.gas_limit,
        upgrade_gas: strip,
    })?;
    let fork = config.forks().fork_at(header.timestamp);
    let fees = crate::exec::fees::decode_extra_data(fork, &header.extra_data)
        .map_err(|error| ReadBackError::ExtraData { block, error })?;
    let (eip1559, min_base_fee) = match fees {
        crate::exec::fees::FeeParams::None => (None, None),
        crate::exec::fees::FeeParams::Holocene(e) => (Some((e.denominator, e.elasticity)), None),
        crate::exec::fees::FeeParams::Jovian(e, min) => (Some((e.denominator, e.elasticity)), Some(min)),
    };
    Ok(SystemConfig {
        batcher: info.batcher(),
        overhead: U256::ZERO,
        scalar: U256::from_be_bytes(scalar),
        gas_limit,
        eip1559,
        operator_fee: (format != Format::Ecotone).then_some((info.operator_fee_scalar, info.operator_fee_constant)),
        min_base_fee,
        da_footprint_gas_scalar: (format == Format::Jovian).then_some(info.da_footprint_gas_scalar),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_eips::Decodable2718;

    fn config(jovian: u64, karst: u64) -> RollupConfig {
        let mut kona = kona_genesis::RollupConfig { l2_chain_id: 901u64.into(), block_time: 2, ..Default::default() };
        let h = &mut kona.hardforks;
        for t in [
            &mut h.regolith_time,
            &mut h.canyon_time,
            &mut h.delta_time,
            &mut h.ecotone_time,
            &mut h.fjord_time,
            &mut h.granite_time,
            &mut h.holocene_time,
            &mut h.isthmus_time,
        ] {
            *t = Some(0);
        }
        h.jovian_time = Some(jovian);
        let mut c = RollupConfig::from(kona);
        c.karst_time = Some(karst);
        c
    }

    fn origin() -> L1Origin {
        L1Origin {
            hash: B256::repeat_byte(0x11),
            number: 100,
            timestamp: 1_000,
            base_fee: 7,
            excess_blob_gas: Some(0),
            mix_hash: B256::repeat_byte(0x22),
            parent_beacon_block_root: Some(B256::repeat_byte(0x33)),
        }
    }

    fn sys() -> SystemConfig {
        let mut scalar = [0u8; 32];
        scalar[0] = 1;
        scalar[24..28].copy_from_slice(&810_949u32.to_be_bytes());
        scalar[28..32].copy_from_slice(&1368u32.to_be_bytes());
        SystemConfig {
            batcher: Address::repeat_byte(0x68),
            scalar: U256::from_be_bytes(scalar),
            gas_limit: 60_000_000,
            eip1559: Some((250, 6)),
            operator_fee: Some((0, 0)),
            min_base_fee: Some(1_000_000),
            da_footprint_gas_scalar: None,
            ..SystemConfig::default()
        }
    }

    fn l1_info_of(attrs: &OpPayloadAttributes) -> (L1Info, Format) {
        let raw = &attrs.transactions.as_ref().expect("txs")[0];
        let OpTxEnvelope::Deposit(d) = OpTxEnvelope::decode_2718(&mut raw.as_ref()).expect("decodes") else {
            panic!("not a deposit")
        };
        L1Info::decode(&d.input).expect("L1 info")
    }

    #[test]
    fn a_jovian_block_carries_the_minimum_base_fee_and_the_default_da_scalar() {
        let c = config(0, 1_000_000);
        let (o, s, schedule) = (origin(), sys(), BlobSchedule { cancun: Some(0), ..BlobSchedule::default() });
        let user = vec![Bytes::from_static(&[0x02, 0xc0])];
        let inputs = BlockInputs {
            config: &c,
            blob_schedule: &schedule,
            parent_timestamp: 100,
            timestamp: 102,
            origin: &o,
            sequence_number: 1,
            system_config: &s,
            deposits: &[],
            upgrades: &[],
        };
        let a = build_attributes(&inputs, user.clone()).expect("builds");
        assert_eq!(a.min_base_fee, Some(1_000_000));
        assert_eq!(a.eip_1559_params, Some(B64::from([0, 0, 0, 250, 0, 0, 0, 6])));
        assert_eq!(a.gas_limit, Some(60_000_000));
        assert_eq!(a.payload_attributes.prev_randao, o.mix_hash);
        assert_eq!(a.payload_attributes.parent_beacon_block_root, o.parent_beacon_block_root);
        assert_eq!(a.payload_attributes.suggested_fee_recipient, SEQUENCER_FEE_VAULT);
        let (info, format) = l1_info_of(&a);
        assert_eq!(format, Format::Jovian);
        assert_eq!((info.base_fee_scalar, info.blob_base_fee_scalar), (1368, 810_949));
        assert_eq!(info.da_footprint_gas_scalar, 400, "the SystemConfig holds 0: the default");
        assert_eq!(info.batcher(), s.batcher);
        assert_eq!(a.transactions.as_ref().expect("txs")[1..], user[..]);
    }

    #[test]
    fn activation_blocks_take_their_bundles_and_no_batch() {
        let c = config(200, 300);
        let (o, s, schedule) = (origin(), sys(), BlobSchedule { cancun: Some(0), ..BlobSchedule::default() });
        let jovian = UpgradeBundle::encoded("Jovian", vec![Bytes::from_static(b"\x7ejovian")]);
        let karst = UpgradeBundle {
            fork: "Karst".into(),
            transactions: vec![Bytes::from_static(b"\x7ekarst")],
            upgrade_gas: 55_370_657,
        };
        let deposit = Bytes::from_static(b"\x7euser");
        let at = |parent: u64, timestamp: u64, upgrades: &[UpgradeBundle], txs: Vec<Bytes>| {
            let inputs = BlockInputs {
                config: &c,
                blob_schedule: &schedule,
                parent_timestamp: parent,
                timestamp,
                origin: &o,
                sequence_number: 0,
                system_config: &s,
                deposits: std::slice::from_ref(&deposit),
                upgrades,
            };
            build_attributes(&inputs, txs)
        };
        let both = [jovian.clone(), karst.clone()];
        // Jovian's activation block: the Isthmus L1-info call, the user deposit, then Jovian's.
        let a = at(198, 200, &both, vec![]).expect("Jovian activation");
        assert_eq!(l1_info_of(&a).1, Format::Isthmus);
        assert_eq!(a.transactions.as_ref().expect("txs")[1..], [deposit.clone(), jovian.transactions[0].clone()]);
        assert_eq!(a.gas_limit, Some(60_000_000));
        assert_eq!(a.min_base_fee, Some(1_000_000));
        // Karst's: the Jovian call, the bundle, and the limit raised by the upgrade gas.
        let k = at(298, 300, &both, vec![]).expect("Karst activation");
        assert_eq!(l1_info_of(&k).1, Format::Jovian);
        assert_eq!(k.transactions.as_ref().expect("txs")[2], karst.transactions[0]);
        assert_eq!(k.gas_limit, Some(60_000_000 + 55_370_657));
        // Without a bundle, or with batch transactions, an activation block is refused by name.
        let err = at(298, 300, &[jovian], vec![]).expect_err("no Karst bundle").to_string();
        assert!(err.contains("the Karst activation block at 300 needs its upgrade deposits"), "{err}");
        let err = at(198, 200, &both, vec![Bytes::from_static(&[2])]).expect_err("batch in activation").to_string();
        assert!(err.contains("the Jovian activation block admits no batch transactions, 1 given"), "{err}");
        // Karst's upgrade gas is read back out of the activation block unless the chain keeps it.
        assert_eq!(upgrade_gas_to_strip(&c, 298, 300, karst.upgrade_gas), 55_370_657);
        assert_eq!(upgrade_gas_to_strip(&c, 300, 302, karst.upgrade_gas), 0);
        let mut keep = c.clone();
        keep.keep_karst_upgrade_gas = true;
        assert_eq!(upgrade_gas_to_strip(&keep, 298, 300, karst.upgrade_gas), 0);
    }

    #[test]
    fn a_jovian_blocks_system_config_reads_back_what_built_it() {
        let c = config(0, 300);
        let (o, s, schedule) = (origin(), sys(), BlobSchedule { cancun: Some(0), ..BlobSchedule::default() });
        let karst = UpgradeBundle { fork: "Karst".into(), transactions: vec![], upgrade_gas: 1_000 };
        for (parent, timestamp) in [(100, 102), (298, 300)] {
            let inputs = BlockInputs {
                config: &c,
                blob_schedule: &schedule,
                parent_timestamp: parent,
                timestamp,
                origin: &o,
                sequence_number: 1,
                system_config: &s,
                deposits: &[],
                upgrades: std::slice::from_ref(&karst),
            };
            let a = build_attributes(&inputs, vec![]).expect("builds");
            // The header a builder seals from these attributes: gas limit and extraData v1.
            let extra = crate::exec::fees::encode_extra_data(
                Fork::Jovian,
                a.eip_1559_params,
                a.min_base_fee,
                crate::exec::fees::Eip1559 { denominator: 250, elasticity: 6 },
            )
            .expect("v1");
            let header = Header {
                number: 7,
                timestamp,
                gas_limit: a.gas_limit.expect("gas"),
                extra_data: extra,
                ..Header::default()
            };
            let first = &a.transactions.as_ref().expect("txs")[0];
            let back = system_config_of_block(&c, &header, parent, first, karst.upgrade_gas).expect("reads back");
            let want = SystemConfig { da_footprint_gas_scalar: Some(400), operator_fee: Some((0, 0)), ..s };
            assert_eq!(back, want, "block at {timestamp}");
        }
        // A first transaction that is not an L1-info deposit is named.
        let header = Header { number: 9, timestamp: 102, ..Header::default() };
        let err = system_config_of_block(&c, &header, 100, &[0x02, 0xc0], 0).expect_err("not a deposit").to_string();
        assert!(err.starts_with("L2 block 9: its first transaction is not an L1-info deposit"), "{err}");
    }

    #[test]
    fn scalars_and_unknown_forks() {
        assert_eq!(ecotone_scalars(U256::from(684_000)), (684_000, 0), "version 0: a plain scalar");
        let mut c = config(0, 0);
        c.hardforks.interop_time = Some(0);
        let (o, s, schedule) = (origin(), sys(), BlobSchedule { cancun: Some(0), ..BlobSchedule::default() });
        let inputs = BlockInputs {
            config: &c,
            blob_schedule: &schedule,
            parent_timestamp: 0,
            timestamp: 2,
            origin: &o,
            sequence_number: 0,
            system_config: &s,
            deposits: &[],
            upgrades: &[],
        };
        assert!(matches!(
            build_attributes(&inputs, vec![]),
            Err(AttributesError::UnknownFork { fork: Fork::Lagoon, .. })
        ));
    }
}
