//! Revert data decoded against the error selectors of the loaded contract ABIs.

use std::collections::HashMap;
use std::fmt;

use alloy::json_abi::JsonAbi;
use alloy::primitives::Bytes;
use alloy::sol_types::{Panic, Revert as ErrorString, SolError};

/// `BadExtraData()`: raised from assembly by `FaultDisputeGame.initialize`, absent from its ABI.
pub const BAD_EXTRA_DATA_SELECTOR: [u8; 4] = [0x98, 0x24, 0xbd, 0xab];
const ERROR_STRING_SELECTOR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];
const PANIC_SELECTOR: [u8; 4] = [0x4e, 0x48, 0x7b, 0x71];

/// A revert: its raw data and, when known, the error it encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revert {
    /// The raw revert data (selector and arguments).
    pub data: Bytes,
    /// The error's signature, e.g. `UnexpectedRootClaim(bytes32)` or `Error(string)`.
    pub signature: Option<String>,
    /// For `Error(string)` the message, for `Panic(uint256)` the code.
    pub reason: Option<String>,
}

impl Revert {
    /// The error's name without its parameters (`"ValidStep"`, `"Error"`).
    pub fn name(&self) -> Option<&str> {
        self.signature.as_deref().map(|s| s.split('(').next().unwrap_or(s))
    }

    /// The revert's arguments (everything after the selector).
    pub fn args(&self) -> &[u8] {
        self.data.get(4..).unwrap_or_default()
    }
}

impl fmt::Display for Revert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.signature, &self.reason) {
            (Some(sig), Some(reason)) => write!(f, "{sig} {reason:?}"),
            (Some(sig), None) if self.args().is_empty() => write!(f, "{sig}"),
            (Some(sig), None) => write!(f, "{sig} args 0x{}", alloy::primitives::hex::encode(self.args())),
            (None, _) if self.data.is_empty() => write!(f, "no revert data"),
            (None, _) => write!(f, "unknown error {}", self.data),
        }
    }
}

/// Selector → error signature, from every loaded ABI plus the errors raised from assembly.
#[derive(Debug, Clone, Default)]
pub struct ErrorTable {
    by_selector: HashMap<[u8; 4], String>,
}

impl ErrorTable {
    /// A table with `Error(string)`, `Panic(uint256)` and `BadExtraData()`.
    pub fn new() -> Self {
        let mut by_selector = HashMap::new();
        by_selector.insert(ERROR_STRING_SELECTOR, "Error(string)".to_owned());
        by_selector.insert(PANIC_SELECTOR, "Panic(uint256)".to_owned());
        by_selector.insert(BAD_EXTRA_DATA_SELECTOR, "BadExtraData()".to_owned());
        Self { by_selector }
    }

    /// Adds every error of `abi`.
    pub fn add_abi(&mut self, abi: &JsonAbi) {
        for error in abi.errors() {
            self.by_selector.entry(error.selector().0).or_insert_with(|| error.signature());
        }
    }

    /// Decodes revert data.
    pub fn decode(&self, data: Bytes) -> Revert {
        let selector: Option<[u8; 4]> = data.get(..4).and_then(|s| s.try_into().ok());
        let signature = selector.and_then(|s| self.by_selector.get(&s).cloned());
        let reason = match selector {
            Some(ERROR_STRING_SELECTOR) => ErrorString::abi_decode(&data).ok().map(|e| e.reason),
            Some(PANIC_SELECTOR) => Panic::abi_decode(&data).ok().map(|p| format!("panic code {:#x}", p.code)),
            _ => None,
        };
        Revert { data, signature, reason }
    }

    /// Number of known selectors.
    pub fn len(&self) -> usize {
        self.by_selector.len()
    }

    /// `true` if the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_selector.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use alloy::sol_types::SolValue;

    use super::*;

    #[test]
    fn decodes_builtin_and_assembly_errors() {
        let t = ErrorTable::new();
        let r = t.decode(Bytes::from(BAD_EXTRA_DATA_SELECTOR.to_vec()));
        assert_eq!(r.name(), Some("BadExtraData"));
        assert_eq!(r.to_string(), "BadExtraData()");
        let mut msg = ERROR_STRING_SELECTOR.to_vec();
        msg.extend_from_slice(&"pre-image must exist".to_string().abi_encode());
        let r = t.decode(Bytes::from(msg));
        assert_eq!(r.name(), Some("Error"));
        assert_eq!(r.reason.as_deref(), Some("pre-image must exist"));
        let r = t.decode(Bytes::from(vec![1, 2, 3, 4]));
        assert_eq!(r.name(), None);
        assert_eq!(r.to_string(), "unknown error 0x01020304");
        assert_eq!(t.decode(Bytes::new()).to_string(), "no revert data");
    }
}
