//! Revert data decoded to the error it encodes, against every error of the contracts bound here.

use std::fmt;

use alloy_primitives::{Bytes, hex};
use alloy_sol_types::{Panic, Revert as ErrorString, SolError};

use crate::{asr, dgf, fdg, oracle, proxy, vm};

/// A revert: its raw data and, when known, the error it encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revert {
    /// The raw revert data (selector and arguments).
    pub data: Bytes,
    /// The error's signature, e.g. `UnexpectedRootClaim(bytes32)` or `Error(string)`.
    pub signature: Option<&'static str>,
    /// For `Error(string)` the message, for `Panic(uint256)` the code.
    pub reason: Option<String>,
}

impl Revert {
    /// Decodes revert data (empty for a revert without data).
    pub fn decode(data: impl Into<Bytes>) -> Self {
        let data = data.into();
        let selector: Option<[u8; 4]> = data.get(..4).and_then(|s| s.try_into().ok());
        let signature = selector.and_then(signature_of);
        let reason = match selector {
            Some(ErrorString::SELECTOR) => ErrorString::abi_decode(&data).ok().map(|e| e.reason),
            Some(Panic::SELECTOR) => Panic::abi_decode(&data).ok().map(|p| format!("panic code {:#x}", p.code)),
            _ => None,
        };
        Self { data, signature, reason }
    }

    /// The error's name without its parameters (`"ValidStep"`, `"Error"`).
    pub fn name(&self) -> Option<&'static str> {
        self.signature.map(|s| s.split('(').next().unwrap_or(s))
    }

    /// The revert's arguments (everything after the selector).
    pub fn args(&self) -> &[u8] {
        self.data.get(4..).unwrap_or_default()
    }
}

impl fmt::Display for Revert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.signature, &self.reason) {
            (Some(sig), Some(reason)) => write!(f, "{sig} {reason:?}"),
            (Some(sig), None) if self.args().is_empty() => write!(f, "{sig}"),
            (Some(sig), None) => write!(f, "{sig} args 0x{}", hex::encode(self.args())),
            (None, _) if self.data.is_empty() => write!(f, "no revert data"),
            (None, _) if self.data.len() < 4 => write!(f, "malformed revert data {}", self.data),
            (None, _) => write!(f, "unknown error {}", self.data),
        }
    }
}

/// The signature of the error with `selector`, among every contract bound here.
fn signature_of(selector: [u8; 4]) -> Option<&'static str> {
    match selector {
        ErrorString::SELECTOR => return Some(ErrorString::SIGNATURE),
        Panic::SELECTOR => return Some(Panic::SIGNATURE),
        _ => {}
    }
    fdg::fault::FaultDisputeGame::FaultDisputeGameErrors::signature_by_selector(selector)
        .or_else(|| dgf::DisputeGameFactory::DisputeGameFactoryErrors::signature_by_selector(selector))
        .or_else(|| oracle::PreimageOracle::PreimageOracleErrors::signature_by_selector(selector))
        .or_else(|| vm::AlphabetVm::AlphabetVmErrors::signature_by_selector(selector))
        .or_else(|| asr::AnchorStateRegistry3::AnchorStateRegistry3Errors::signature_by_selector(selector))
        .or_else(|| asr::ProxyAdminOwned::ProxyAdminOwnedErrors::signature_by_selector(selector))
        .or_else(|| proxy::SuperchainConfig2::SuperchainConfig2Errors::signature_by_selector(selector))
        .or_else(|| proxy::SystemConfig::SystemConfigErrors::signature_by_selector(selector))
        .or_else(|| vm::Mips64::Mips64Errors::signature_by_selector(selector))
        .or_else(|| fdg::fault::Super::SuperErrors::signature_by_selector(selector))
}

#[cfg(test)]
mod tests {
    use alloy_primitives::B256;
    use alloy_sol_types::SolValue;

    use super::*;
    use crate::fdg::fault::FaultDisputeGame as Fdg;

    #[test]
    fn names_custom_errors_with_their_arguments() {
        let r = Revert::decode(Fdg::ValidStep {}.abi_encode());
        assert_eq!((r.name(), r.to_string().as_str()), (Some("ValidStep"), "ValidStep()"));
        let r = Revert::decode(Fdg::UnexpectedRootClaim { rootClaim: B256::repeat_byte(1) }.abi_encode());
        assert_eq!(r.name(), Some("UnexpectedRootClaim"));
        assert_eq!(r.to_string(), format!("UnexpectedRootClaim(bytes32) args 0x{}", "01".repeat(32)));
    }

    #[test]
    fn names_the_error_raised_from_assembly() {
        // `BadExtraData()` is raised from assembly in `initialize` and is absent from the ABI.
        let r = Revert::decode(vec![0x98, 0x24, 0xbd, 0xab]);
        assert_eq!(r.to_string(), "BadExtraData()");
    }

    #[test]
    fn decodes_builtin_errors_and_unknown_data() {
        let mut msg = ErrorString::SELECTOR.to_vec();
        msg.extend_from_slice(&"DelayedWETH: withdrawal delay not met".to_string().abi_encode());
        let r = Revert::decode(msg);
        assert_eq!(r.name(), Some("Error"));
        assert_eq!(r.reason.as_deref(), Some("DelayedWETH: withdrawal delay not met"));
        let r = Revert::decode(Panic::from(0x11u64).abi_encode());
        assert_eq!(r.reason.as_deref(), Some("panic code 0x11"));
        assert_eq!(Revert::decode(vec![1, 2, 3, 4]).to_string(), "unknown error 0x01020304");
        assert_eq!(Revert::decode(vec![1, 2]).to_string(), "malformed revert data 0x0102");
        assert_eq!(Revert::decode(Vec::new()).to_string(), "no revert data");
    }

    #[test]
    fn factory_and_oracle_errors_are_known() {
        let r = Revert::decode(dgf::DisputeGameFactory::IncorrectBondAmount {}.abi_encode());
        assert_eq!(r.name(), Some("IncorrectBondAmount"));
        let r = Revert::decode(oracle::PreimageOracle::PartOffsetOOB {}.abi_encode());
        assert_eq!(r.name(), Some("PartOffsetOOB"));
    }
}
