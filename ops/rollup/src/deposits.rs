//! User deposits of an L1 block: the `TransactionDeposited` logs of the OptimismPortal in its
//! successful receipts, each turned into a deposit transaction whose source hash is the L1
//! block hash and the log's index in the block, as derivation does (kona-derive's attributes
//! builder; the decoding is kona-protocol's).

use alloy_consensus::{Eip658Value, Receipt};
use alloy_primitives::{Address, B256, Bytes};
use kona_protocol::{DEPOSIT_EVENT_ABI_HASH, decode_deposit};

use crate::RollupError;

/// The deposits, EIP-2718 encoded, in log order.
pub fn user_deposits(block_hash: B256, receipts: &[Receipt], portal: Address) -> Result<Vec<Bytes>, RollupError> {
    let mut index = 0;
    let mut out = Vec::new();
    for receipt in receipts {
        if receipt.status == Eip658Value::Eip658(false) {
            continue;
        }
        for log in &receipt.logs {
            let at = index;
            index += 1;
            if log.address != portal || log.data.topics().first() != Some(&DEPOSIT_EVENT_ABI_HASH) {
                continue;
            }
            let deposit = decode_deposit(block_hash, at, log).map_err(|e| {
                RollupError::Deposit(format!("log {at} of L1 block {block_hash} from the portal {portal}: {e}"))
            })?;
            out.push(deposit);
        }
    }
    Ok(out)
}
