// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title DevnetL1Block
/// @notice The rollup devnet's L1Block predeploy (0x4200…0015). The npm contracts-bedrock 0.17.3
///   L1Block accepts the L1-info deposit only in its Ecotone format, but the devnet runs Isthmus,
///   Jovian and Karst from genesis, whose L1-info deposits call `setL1BlockValuesIsthmus`
///   (0x098999be) and `setL1BlockValuesJovian` (0x3db6be2b). This contract takes all three
///   packed formats (specs: ecotone/, isthmus/, jovian/ l1-attributes.md) and keeps the storage
///   layout op-revm reads the L1 fee parameters from:
///   - slot 0: number (u64) | timestamp (u64) << 64
///   - slot 1: basefee; slot 2: hash
///   - slot 3: sequenceNumber (u64) | blobBaseFeeScalar (u32) << 64 | baseFeeScalar (u32) << 96
///   - slot 4: batcherHash; slots 5, 6: the Bedrock overhead and scalar (unused from Ecotone)
///   - slot 7: blobBaseFee
///   - slot 8: operatorFeeConstant (u64) | operatorFeeScalar (u32) << 64 | daFootprintGasScalar (u16) << 96
///   Only the depositor account may write.
contract DevnetL1Block {
    /// @notice The account that sends the L1-info deposit.
    address public constant DEPOSITOR_ACCOUNT = 0xDeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001;

    uint64 public number;
    uint64 public timestamp;
    uint256 public basefee;
    bytes32 public hash;
    uint64 public sequenceNumber;
    uint32 public blobBaseFeeScalar;
    uint32 public baseFeeScalar;
    bytes32 public batcherHash;
    uint256 public l1FeeOverhead;
    uint256 public l1FeeScalar;
    uint256 public blobBaseFee;
    uint64 public operatorFeeConstant;
    uint32 public operatorFeeScalar;
    uint16 public daFootprintGasScalar;

    error NotDepositor();

    /// @notice The semver of the L1Block this stands in for (the Jovian one).
    function version() external pure returns (string memory) {
        return "1.6.0-devnet";
    }

    /// @notice Ether pays for gas on the devnet.
    function gasPayingToken() external pure returns (address addr_, uint8 decimals_) {
        return (0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE, 18);
    }

    /// @notice Ether pays for gas on the devnet.
    function isCustomGasToken() external pure returns (bool) {
        return false;
    }

    /// @notice The Ecotone L1-info call (164 bytes of calldata).
    function setL1BlockValuesEcotone() external {
        _common();
    }

    /// @notice The Isthmus L1-info call (176 bytes): Ecotone's and the operator fee.
    function setL1BlockValuesIsthmus() external {
        _common();
        assembly {
            let w := calldataload(164)
            // operatorFeeScalar: bytes 164..168, operatorFeeConstant: bytes 168..176.
            sstore(8, or(shl(64, shr(224, w)), and(shr(160, w), 0xffffffffffffffff)))
        }
    }

    /// @notice The Jovian L1-info call (178 bytes): Isthmus's and the DA footprint gas scalar.
    function setL1BlockValuesJovian() external {
        _common();
        assembly {
            let w := calldataload(164)
            let fee := or(shl(64, shr(224, w)), and(shr(160, w), 0xffffffffffffffff))
            // daFootprintGasScalar: bytes 176..178.
            sstore(8, or(fee, shl(96, and(shr(144, w), 0xffff))))
        }
    }

    /// @dev The fields every format since Ecotone shares, at the same calldata offsets.
    function _common() private {
        if (msg.sender != DEPOSITOR_ACCOUNT) revert NotDepositor();
        assembly {
            // bytes 4..36: baseFeeScalar u32, blobBaseFeeScalar u32, sequenceNumber u64,
            // timestamp u64, number u64.
            let w := calldataload(4)
            let feeScalar := shr(224, w)
            let blobScalar := and(shr(192, w), 0xffffffff)
            let seq := and(shr(128, w), 0xffffffffffffffff)
            let ts := and(shr(64, w), 0xffffffffffffffff)
            let num := and(w, 0xffffffffffffffff)
            sstore(0, or(shl(64, ts), num))
            sstore(3, or(or(shl(96, feeScalar), shl(64, blobScalar)), seq))
            sstore(1, calldataload(36))
            sstore(7, calldataload(68))
            sstore(2, calldataload(100))
            sstore(4, calldataload(132))
        }
    }
}
