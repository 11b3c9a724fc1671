//! Several game calls in one transaction through a contract with Multicall3's `aggregate3`:
//! the canonical Multicall3 where a chain has it (or the devnet's own `Batcher` at the same
//! address).

#![allow(missing_docs)]

use alloy_primitives::{Address, U256, address, keccak256};
use alloy_sol_types::{SolCall, sol};

use crate::{ActionKind, ContractError, EthCall, TxCall, call};

/// Multicall3's address, the same on every chain it is deployed to.
pub const MULTICALL3: Address = address!("cA11bde05977b3631167028862bE2a173976CA11");

sol! {
    #![sol(all_derives)]
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result3 {
        bool success;
        bytes returnData;
    }

    interface Multicall3 {
        function aggregate3(Call3[] calls) external payable returns (Result3[] returnData);
    }
}

/// Whether `at` batches calls: an `aggregate3` of nothing answers an empty result list (an
/// address without code answers no data, which does not decode).
pub async fn is_batcher(eth: &dyn EthCall, at: Address) -> Result<bool, ContractError> {
    match call(eth, at, Multicall3::aggregate3Call { calls: Vec::new() }).await {
        Ok(r) => Ok(r.is_empty()),
        Err(ContractError::Decode { .. }) | Err(ContractError::Call { source: crate::CallError::Reverted(_), .. }) => {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

/// `calls` (each sent without value) as one `aggregate3` on `batcher`, atomic: any call that
/// reverts reverts them all, so a batch lands whole or not at all. Keyed by the first call's
/// key, the count and a hash of every call's key in order.
pub fn batch(batcher: Address, calls: &[TxCall]) -> TxCall {
    let joined = calls.iter().map(|c| c.key.as_str()).collect::<Vec<_>>().join("+");
    let first = calls.first().map_or("", |c| c.key.as_str());
    let key = format!("batch:{first}:{}:{}", calls.len(), keccak256(joined.as_bytes()));
    let calls3 =
        calls.iter().map(|c| Call3 { target: c.target, allowFailure: false, callData: c.calldata.clone() }).collect();
    TxCall {
        kind: ActionKind::ResolveBatch,
        key,
        target: batcher,
        calldata: Multicall3::aggregate3Call { calls: calls3 }.abi_encode().into(),
        value: U256::ZERO,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use alloy_primitives::Bytes;

    use super::*;

    #[test]
    fn a_batch_carries_every_call_in_order_and_is_keyed_by_them() {
        let game = Address::repeat_byte(9);
        let calls: Vec<TxCall> = (0..3u8)
            .map(|i| TxCall {
                kind: ActionKind::ResolveClaim,
                key: format!("resolve-claim:{game}:{i}"),
                target: game,
                calldata: Bytes::from(vec![i; 4]),
                value: U256::ZERO,
            })
            .collect();
        let b = batch(MULTICALL3, &calls);
        assert_eq!((b.kind, b.target), (ActionKind::ResolveBatch, MULTICALL3));
        let joined = format!("resolve-claim:{game}:0+resolve-claim:{game}:1+resolve-claim:{game}:2");
        assert_eq!(b.key, format!("batch:resolve-claim:{game}:0:3:{}", keccak256(joined.as_bytes())));
        assert_ne!(batch(MULTICALL3, &calls[..2]).key, b.key);
        let decoded = Multicall3::aggregate3Call::abi_decode(&b.calldata).unwrap();
        assert_eq!(decoded.calls.len(), 3);
        for (i, c) in decoded.calls.iter().enumerate() {
            assert_eq!((c.target, c.allowFailure, c.callData.as_ref()), (game, false, &[i as u8; 4][..]));
        }
    }
}
