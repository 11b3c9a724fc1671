//! Revert data decoded to the contract's custom error names, for logs and errors.

use alloy::{
    primitives::Bytes,
    sol_types::{Revert, SolError, SolInterface},
    transports::TransportError,
};

use super::bindings::{DisputeGameFactory, FaultDisputeGameV120, PreimageOracle};

/// The name (and arguments) of the error `data` encodes, or its selector if unknown.
pub(crate) fn decode(data: &[u8]) -> String {
    fn name<T: std::fmt::Debug>(v: T) -> String {
        // Debug of a generated error enum prints `Variant(Variant { .. })`; keep the payload.
        let s = format!("{v:?}");
        match s.split_once('(') {
            Some((_, inner)) => inner.trim_end_matches(')').to_string(),
            None => s,
        }
    }
    if let Ok(e) = FaultDisputeGameV120::FaultDisputeGameV120Errors::abi_decode(data) {
        return name(e);
    }
    if let Ok(e) = DisputeGameFactory::DisputeGameFactoryErrors::abi_decode(data) {
        return name(e);
    }
    if let Ok(e) = PreimageOracle::PreimageOracleErrors::abi_decode(data) {
        return name(e);
    }
    if let Ok(r) = Revert::abi_decode(data) {
        return format!("Error({:?})", r.reason);
    }
    match data.get(..4) {
        Some(sel) => format!("unknown error 0x{}", alloy::primitives::hex::encode(sel)),
        None if data.is_empty() => "revert without data".into(),
        None => format!("malformed revert data 0x{}", alloy::primitives::hex::encode(data)),
    }
}

/// The revert data carried by an RPC error, if it is an execution revert.
pub(crate) fn revert_data(err: &TransportError) -> Option<Bytes> {
    err.as_error_resp().and_then(|p| p.as_revert_data())
}

/// An RPC error in words, with the decoded custom error when it is a revert.
pub(crate) fn describe_rpc_error(err: &TransportError) -> String {
    match revert_data(err) {
        Some(data) => format!("reverted: {}", decode(&data)),
        None => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::B256;

    use super::*;

    #[test]
    fn names_custom_errors() {
        assert_eq!(decode(&FaultDisputeGameV120::ValidStep {}.abi_encode()), "ValidStep");
        let e = FaultDisputeGameV120::UnexpectedRootClaim { rootClaim: B256::repeat_byte(1) }.abi_encode();
        assert!(decode(&e).starts_with("UnexpectedRootClaim"), "{}", decode(&e));
        assert_eq!(decode(&[0x98, 0x24, 0xbd, 0xab]), "BadExtraData");
        let r = Revert::from("DelayedWETH: withdrawal delay not met").abi_encode();
        assert_eq!(decode(&r), "Error(\"DelayedWETH: withdrawal delay not met\")");
        assert_eq!(decode(&[1, 2, 3, 4]), "unknown error 0x01020304");
        assert_eq!(decode(&[]), "revert without data");
    }
}
