//! `PreimageOracle` 1.0 and 1.1.x: the preimages a step reads. The loads riposte sends today
//! are local data (through the game) and keccak parts; the sha256, blob and precompile loads
//! are bound for the preimage host, with 1.1's `requiredGas` argument of precompile loads.

#![allow(missing_docs)]

use alloy_primitives::{Address, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, sol};

use crate::{ActionKind, TxCall};

sol! {
    #[sol(all_derives)]
    interface PreimageOracle {
        function readPreimage(bytes32 _key, uint256 _offset) external view returns (bytes32 dat_, uint256 datLen_);
        function preimagePartOk(bytes32 key, uint256 offset) external view returns (bool);
        function loadLocalData(uint256 _ident, bytes32 _localContext, bytes32 _word, uint256 _size, uint256 _partOffset) external returns (bytes32 key_);
        function loadKeccak256PreimagePart(uint256 _partOffset, bytes _preimage) external;
        function loadSha256PreimagePart(uint256 _partOffset, bytes _preimage) external;
        function loadBlobPreimagePart(uint256 _z, uint256 _y, bytes _commitment, bytes _proof, uint256 _partOffset) external;
        function version() external view returns (string);
        function challengePeriod() external view returns (uint256);
        function minProposalSize() external view returns (uint256);

        error ActiveProposal();
        error AlreadyFinalized();
        error BadProposal();
        error BondTransferFailed();
        error InsufficientBond();
        error InvalidInputSize();
        error InvalidPreimage();
        error InvalidProof();
        error NotEOA();
        error NotInitialized();
        error PartOffsetOOB();
        error PostStateMatches();
        error StatesNotContiguous();
        error TreeSizeOverflow();
        error WrongStartingBlock();
        // 1.1.x.
        error AlreadyInitialized();
    }

    /// `loadPrecompilePreimagePart` of 1.0 (no gas argument).
    #[sol(all_derives)]
    interface PreimageOracle10 {
        function loadPrecompilePreimagePart(uint256 _partOffset, address _precompile, bytes _input) external;
    }

    /// `loadPrecompilePreimagePart` of 1.1.x: the gas the precompile needs is part of the key,
    /// and the call must carry `requiredGas * 64 / 63 + 100000` or more.
    #[sol(all_derives)]
    interface PreimageOracle11 {
        function loadPrecompilePreimagePart(uint256 _partOffset, address _precompile, uint64 _requiredGas, bytes _input) external;
    }
}

/// `loadKeccak256PreimagePart(offset, data)` on `oracle`, keyed by the preimage and offset.
pub fn load_keccak_call(oracle: Address, data: &Bytes, offset: u64) -> TxCall {
    let calldata =
        PreimageOracle::loadKeccak256PreimagePartCall { _partOffset: U256::from(offset), _preimage: data.clone() }
            .abi_encode();
    TxCall {
        kind: ActionKind::LoadPreimage,
        key: format!("preimage:{oracle}:{}:{offset}", keccak256(data)),
        target: oracle,
        calldata: calldata.into(),
        value: U256::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompile_loads_differ_between_1_0_and_1_1_by_the_gas_argument() {
        // Selectors as the 1.1.5 ABI lists them (real-network.md §3: ea713950).
        assert_eq!(PreimageOracle11::loadPrecompilePreimagePartCall::SELECTOR, [0xea, 0x71, 0x39, 0x50]);
        assert_ne!(
            PreimageOracle10::loadPrecompilePreimagePartCall::SELECTOR,
            PreimageOracle11::loadPrecompilePreimagePartCall::SELECTOR
        );
        assert_eq!(PreimageOracle::loadSha256PreimagePartCall::SELECTOR, [0x8d, 0xc4, 0xbe, 0x11]);
        assert_eq!(PreimageOracle::loadBlobPreimagePartCall::SELECTOR, [0x9d, 0x7e, 0x87, 0x69]);
    }
}
