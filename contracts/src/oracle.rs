//! `PreimageOracle` 1.0.0: the preimages a step reads.

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
