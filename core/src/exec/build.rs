//! riposte's stateless block builder: the block env of the block's fork, alloy-op-evm's block
//! executor over the parent's trie, and the header sealed as the fork requires.

use super::{ExecError, Executed, MISSING, TrieSource, fees, karst, output_root_v0, trie_db::TrieDb};
use crate::{config::RollupConfig, forks::Fork};
use alloy_consensus::{EMPTY_OMMER_ROOT_HASH, EMPTY_ROOT_HASH, Header, Sealable, Transaction as _};
use alloy_eips::{Decodable2718, Encodable2718, eip7685::EMPTY_REQUESTS_HASH};
use alloy_evm::{
    Evm, EvmEnv, EvmFactory,
    block::{BlockExecutionError, BlockExecutor},
    precompiles::PrecompilesMap,
};
use alloy_op_evm::{OpBlockExecutionCtx, OpBlockExecutor, OpEvmFactory, block::OpAlloyReceiptBuilder};
use alloy_primitives::{Address, B256, Bytes, U256, address, logs_bloom};
use kona_mpt::ordered_trie_with_encoder;
use op_alloy_consensus::{OpReceiptEnvelope, OpTxEnvelope};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use revm::{
    context::{BlockEnv, CfgEnv},
    context_interface::block::BlobExcessGasAndPrice,
    database::{State, states::bundle_state::BundleRetention},
};

/// The L2ToL1MessagePasser predeploy, whose storage root is part of the output root.
pub const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// A rule of the block's fork that the payload breaks, found before execution.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The block's timestamp is in a fork riposte has no rules for.
    #[error("timestamp {timestamp} is in {fork}, which riposte does not execute")]
    UnknownFork {
        /// The fork.
        fork: Fork,
        /// The block's timestamp.
        timestamp: u64,
    },
    /// The parent's extraData or the payload's fee fields are wrong for their fork.
    #[error(transparent)]
    Fees(#[from] fees::FeeError),
    /// The payload has no gas limit (required since Bedrock's engine API).
    #[error("the payload attributes have no gasLimit")]
    NoGasLimit,
    /// The block is not later than its parent.
    #[error("timestamp {timestamp} is not after the parent's {parent}")]
    Timestamp {
        /// The block's timestamp.
        timestamp: u64,
        /// The parent's.
        parent: u64,
    },
    /// A user transaction in a fork's activation block, which from Jovian admits deposits only.
    #[error("transaction {index} is a user transaction in the {fork} activation block, which admits deposits only")]
    UserTxInActivationBlock {
        /// The fork activated by this block.
        fork: Fork,
        /// The transaction's index.
        index: usize,
    },
}

/// Re-executes the block built from `attrs` on top of `parent`, reading state from `source`.
pub fn execute_block<S: TrieSource + ?Sized>(
    config: &RollupConfig,
    parent: &Header,
    attrs: OpPayloadAttributes,
    source: &S,
) -> Result<Executed, ExecError> {
    build(config, parent, attrs, None, source).map(|(executed, _)| executed)
}

/// A block built by a sequencer with [`sequence_block`].
#[derive(Debug, Clone)]
pub struct Sequenced {
    /// The block.
    pub executed: Executed,
    /// Its transactions as included: the attributes' (deposits), then the candidates that ran.
    pub transactions: Vec<Bytes>,
    /// Their receipts, in order.
    pub receipts: Vec<OpReceiptEnvelope>,
    /// Candidates left out, by their index among the candidates, with the reason.
    pub skipped: Vec<(usize, String)>,
    /// What a store needs to open the new state and this block besides its parent's preimages:
    /// the open trie nodes, new bytecodes and the header, RLP-encoded (keyed by their keccak).
    pub preimages: Vec<Bytes>,
}

/// Builds a new block as a sequencer does: the attributes' transactions (the deposits, which
/// must run), then each of `candidates` that is valid where it stands. A candidate that does not
/// decode, is for another chain, fails the EVM's checks (nonce, balance, gas left in the block,
/// DA footprint) or is in a fork's activation block that admits deposits only is left out and
/// named in [`Sequenced::skipped`]; the block goes on without it.
pub fn sequence_block<S: TrieSource + ?Sized>(
    config: &RollupConfig,
    parent: &Header,
    attrs: OpPayloadAttributes,
    candidates: &[Bytes],
    source: &S,
) -> Result<Sequenced, ExecError> {
    build(config, parent, attrs, Some(candidates), source).map(|(executed, built)| {
        let built = built.unwrap_or_default();
        Sequenced {
            executed,
            transactions: built.transactions,
            receipts: built.receipts,
            skipped: built.skipped,
            preimages: built.preimages,
        }
    })
}

/// What [`build`] reports beyond [`Executed`] when it sequences.
#[derive(Default)]
struct Built {
    transactions: Vec<Bytes>,
    receipts: Vec<OpReceiptEnvelope>,
    skipped: Vec<(usize, String)>,
    preimages: Vec<Bytes>,
}

type Tx = alloy_eips::eip2718::WithEncoded<alloy_consensus::transaction::Recovered<OpTxEnvelope>>;

/// Builds the block: with `candidates` (sequencing) after the attributes' transactions,
/// leaving out the candidates that cannot run; without (verifying), every transaction must run.
fn build<S: TrieSource + ?Sized>(
    config: &RollupConfig,
    parent: &Header,
    attrs: OpPayloadAttributes,
    candidates: Option<&[Bytes]>,
    source: &S,
) -> Result<(Executed, Option<Built>), ExecError> {
    let block = parent.number.saturating_add(1);
    let rules = |error: BuildError| ExecError::Rules { block, error };
    let forks = config.forks();
    let timestamp = attrs.payload_attributes.timestamp;
    let fork = forks.fork_at(timestamp);
    let spec = fork.spec().ok_or(rules(BuildError::UnknownFork { fork, timestamp }))?;
    if timestamp <= parent.timestamp && block > 0 {
        return Err(rules(BuildError::Timestamp { timestamp, parent: parent.timestamp }));
    }
    let gas_limit = attrs.gas_limit.ok_or(rules(BuildError::NoGasLimit))?;

    // The transactions: decoded, for this chain, deposits only in a Jovian+ activation block.
    let config_chain = config.l2_chain_id.id();
    let raw = attrs.transactions.clone().unwrap_or_default();
    let activation =
        [Fork::Jovian, Fork::Karst].into_iter().find(|f| forks.is_activation_block(*f, parent.timestamp, timestamp));
    let check = |index: usize, bytes: &Bytes| -> Result<Tx, ExecError> {
        let bad = |reason: String| ExecError::BadTransaction { block, index, reason };
        let tx = OpTxEnvelope::decode_2718(&mut bytes.as_ref()).map_err(|e| bad(e.to_string()))?;
        if let Some(tx_chain) = tx.chain_id()
            && tx_chain != config_chain
        {
            return Err(ExecError::WrongChain { block, index, tx_chain, config_chain });
        }
        if let Some(fork) = activation
            && !tx.is_deposit()
        {
            return Err(rules(BuildError::UserTxInActivationBlock { fork, index }));
        }
        let recovered = alloy_consensus::transaction::SignerRecoverable::try_into_recovered(tx)
            .map_err(|e| bad(format!("its signer cannot be recovered: {e}")))?;
        Ok(alloy_eips::eip2718::WithEncoded::new(bytes.clone(), recovered))
    };
    let mut txs = Vec::with_capacity(raw.len());
    for (index, bytes) in raw.iter().enumerate() {
        txs.push(check(index, bytes)?);
    }
    let mut skipped = Vec::new();
    let mut offered = Vec::new();
    for (index, bytes) in candidates.unwrap_or_default().iter().enumerate() {
        match check(raw.len() + index, bytes) {
            Ok(tx) => offered.push((index, tx)),
            Err(e) => skipped.push((index, e.to_string())),
        }
    }

    // The block env of the fork.
    let defaults = config.fee_defaults();
    let basefee = fees::next_base_fee(&forks, &defaults, parent, timestamp).map_err(|e| rules(e.into()))?;
    let canyon = fees::Eip1559::of(defaults.canyon).unwrap_or(fees::Eip1559 { denominator: 250, elasticity: 6 });
    let extra_data = fees::encode_extra_data(fork, attrs.eip_1559_params, attrs.min_base_fee, canyon)
        .map_err(|e| rules(e.into()))?;
    let ecotone = forks.is_active(Fork::Ecotone, timestamp);
    let block_env = BlockEnv {
        number: U256::from(block),
        beneficiary: attrs.payload_attributes.suggested_fee_recipient,
        timestamp: U256::from(timestamp),
        gas_limit,
        basefee,
        difficulty: U256::ZERO,
        prevrandao: Some(attrs.payload_attributes.prev_randao),
        // OP pins the BLOBBASEFEE environment from Ecotone: the header's blobGasUsed is the DA
        // footprint from Jovian and never feeds an EIP-4844 excess.
        blob_excess_gas_and_price: ecotone.then_some(BlobExcessGasAndPrice { excess_blob_gas: 0, blob_gasprice: 1 }),
        ..Default::default()
    };
    let cfg_env = CfgEnv::new().with_chain_id(config_chain).with_spec_and_mainnet_gas_params(spec);

    // Execute.
    let source_name = source.describe();
    let failed = |error: String| ExecError::Execution { block, source_name: source_name.clone(), error };
    let parent_sealed = parent.clone().seal_slow();
    let parent_hash = parent_sealed.hash();
    let mut db = TrieDb::new(parent_sealed, source);
    let mut included = raw.clone();
    let (result, bundle) = {
        let mut state = State::builder().with_database(&mut db).with_bundle_update().build();
        let mut evm =
            OpEvmFactory::<alloy_op_evm::OpTx>::default().create_evm(&mut state, EvmEnv::new(cfg_env, block_env));
        if fork >= Fork::Karst {
            *evm.precompiles_mut() = PrecompilesMap::from_static(karst::precompiles());
        }
        let ctx = OpBlockExecutionCtx {
            parent_hash,
            parent_beacon_block_root: attrs.payload_attributes.parent_beacon_block_root,
            extra_data: extra_data.clone(),
        };
        let mut executor = OpBlockExecutor::new(evm, ctx, forks, OpAlloyReceiptBuilder::default());
        executor.apply_pre_execution_changes().map_err(|e| failed(e.to_string()))?;
        for tx in &txs {
            executor.execute_transaction(tx).map_err(|e| failed(e.to_string()))?;
        }
        for (index, tx) in offered {
            match executor.execute_transaction(&tx) {
                Ok(_) => included.push(tx.encoded_bytes().clone()),
                Err(BlockExecutionError::Validation(e)) => skipped.push((index, e.to_string())),
                Err(e) => return Err(failed(e.to_string())),
            }
        }
        let result = executor.apply_post_execution_changes().map_err(|e| failed(e.to_string()))?;
        state.merge_transitions(BundleRetention::Reverts);
        (result, state.take_bundle())
    };
    let state_root = db.apply(&bundle).map_err(|e| failed(format!("the new state root: {e}")))?;

    // Seal.
    let transactions_root = ordered_trie_with_encoder(&included, |tx, buf| buf.put_slice(tx.as_ref())).root();
    let receipts_root = receipts_root(&result.receipts, config, timestamp);
    let isthmus = forks.is_active(Fork::Isthmus, timestamp);
    let message_passer_root = db.storage_root(&MESSAGE_PASSER);
    let withdrawals_root = if isthmus {
        match &message_passer_root {
            Ok(Some(root)) => Some(*root),
            Ok(None) => return Err(failed(format!("the message passer {MESSAGE_PASSER} is not in the state"))),
            Err(e) => return Err(failed(format!("the message passer's storage root: {e}"))),
        }
    } else {
        forks.is_active(Fork::Canyon, timestamp).then_some(EMPTY_ROOT_HASH)
    };
    let jovian = forks.is_active(Fork::Jovian, timestamp);
    let header = Header {
        parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: attrs.payload_attributes.suggested_fee_recipient,
        state_root,
        transactions_root,
        receipts_root,
        withdrawals_root,
        logs_bloom: logs_bloom(result.receipts.iter().flat_map(|r| r.logs())),
        difficulty: U256::ZERO,
        number: block,
        gas_limit,
        gas_used: result.gas_used,
        timestamp,
        mix_hash: attrs.payload_attributes.prev_randao,
        nonce: Default::default(),
        base_fee_per_gas: Some(basefee),
        // From Jovian the header's blobGasUsed is the block's DA footprint; 0 since Ecotone.
        blob_gas_used: ecotone.then_some(if jovian { result.blob_gas_used } else { 0 }),
        excess_blob_gas: ecotone.then_some(0),
        parent_beacon_block_root: attrs.payload_attributes.parent_beacon_block_root,
        requests_hash: isthmus.then_some(EMPTY_REQUESTS_HASH),
        extra_data,
    }
    .seal_slow();

    let block_hash = header.hash();
    let output_root = match (withdrawals_root.filter(|_| isthmus), message_passer_root) {
        (Some(root), _) | (None, Ok(Some(root))) => Some(output_root_v0(state_root, root, block_hash)),
        (None, Ok(None)) => {
            return Err(ExecError::OutputRoot {
                block,
                source_name,
                error: format!("the message passer {MESSAGE_PASSER} is not in the state"),
            });
        }
        (None, Err(e)) if e.0.contains(MISSING) => None,
        (None, Err(e)) => return Err(ExecError::OutputRoot { block, source_name, error: e.to_string() }),
    };
    let executed = Executed {
        block_hash,
        state_root,
        receipts_root,
        gas_used: result.gas_used,
        output_root,
        transactions: included.len(),
        header,
    };
    let built = candidates.map(|_| {
        let mut preimages = Vec::new();
        db.open_nodes(&mut preimages);
        preimages.extend(bundle.contracts.values().map(|code| code.original_bytes()));
        preimages.push(alloy_rlp::encode(executed.header.inner()).into());
        Built { transactions: included, receipts: result.receipts, skipped, preimages }
    });
    Ok((executed, built))
}

/// The receipts root; between Regolith and Canyon deposit nonces are left out of the hash.
fn receipts_root(receipts: &[OpReceiptEnvelope], config: &RollupConfig, timestamp: u64) -> B256 {
    let forks = config.forks();
    let encode = |r: &OpReceiptEnvelope, buf: &mut dyn alloy_rlp::BufMut| r.encode_2718(buf);
    if forks.is_active(Fork::Regolith, timestamp) && !forks.is_active(Fork::Canyon, timestamp) {
        let stripped: Vec<_> = receipts
            .iter()
            .cloned()
            .map(|r| match r {
                OpReceiptEnvelope::Deposit(mut d) => {
                    d.receipt.deposit_nonce = None;
                    OpReceiptEnvelope::Deposit(d)
                }
                other => other,
            })
            .collect();
        ordered_trie_with_encoder(&stripped, |r, buf| encode(r, buf)).root()
    } else {
        ordered_trie_with_encoder(receipts, |r, buf| encode(r, buf)).root()
    }
}
