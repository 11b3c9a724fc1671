// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice The part of OP's PreimageOracle that this VM reads.
interface IPreimageReader {
    function readPreimage(bytes32 key, uint256 offset) external view returns (bytes32 dat, uint256 datLen);
}

/// @notice OP's IBigStepper, with the oracle returned as a plain address (same ABI).
interface IBigStepper {
    function step(bytes calldata stateData, bytes calldata proof, bytes32 localContext) external returns (bytes32);
    function oracle() external view returns (address);
}

/// @title AlphabetVM
/// @notice Test VM for alphabet games (type 255) that follows op-challenger's alphabet trace.
///   - A state is abi.encode(uint256 traceIndex, uint256 value); the absolute prestate is
///     abi.encode(uint256(0x60)), committed with status byte 3.
///   - For disputed L2 block B let S = (B - 1) * 16. The claim at exec-subgame trace index i
///     commits to the state (S + i + 1, 0x60 + S + i + 1) with status byte 1 (INVALID).
///   - So the step from the prestate yields trace index 0; any later step adds 1 to both words.
///   - B is local data ident 4: read at part offset 0 it is an 8-byte length prefix (8), then
///     B as a big-endian uint64.
contract AlphabetVM is IBigStepper {
    uint256 internal constant DISPUTED_L2_BLOCK_IDENT = 4;

    bytes32 public immutable absolutePrestate;
    address internal immutable preimageOracle;

    error BadStateData();
    error BadLocalData();

    constructor(bytes32 _absolutePrestate, address _oracle) {
        absolutePrestate = _absolutePrestate;
        preimageOracle = _oracle;
    }

    function oracle() external view returns (address) {
        return preimageOracle;
    }

    function step(bytes calldata stateData, bytes calldata, bytes32 localContext)
        external
        view
        returns (bytes32 postState)
    {
        uint256 traceIndex;
        uint256 value;
        if (keccak256(stateData) << 8 == absolutePrestate << 8) {
            // First instruction: jump from the prestate to trace index 0 of block B's subgame.
            if (stateData.length != 32) revert BadStateData();
            uint256 base = abi.decode(stateData, (uint256));
            uint256 start = (disputedL2Block(localContext) - 1) << 4;
            traceIndex = start + 1;
            value = base + start + 1;
        } else {
            if (stateData.length != 64) revert BadStateData();
            (traceIndex, value) = abi.decode(stateData, (uint256, uint256));
            traceIndex += 1;
            value += 1;
        }
        postState = keccak256(abi.encode(traceIndex, value));
        // Overwrite the top byte with the VM status INVALID (1).
        postState = (postState & bytes32(type(uint256).max >> 8)) | bytes32(uint256(1) << 248);
    }

    /// @dev Reads local data ident 4 under the key the game loaded it with. The oracle localises
    ///      keys with its caller, the game; the game is also our caller here.
    function disputedL2Block(bytes32 localContext) internal view returns (uint256) {
        bytes32 ident = bytes32((uint256(1) << 248) | DISPUTED_L2_BLOCK_IDENT);
        bytes32 key = keccak256(abi.encode(ident, msg.sender, localContext));
        key = (key & bytes32(type(uint256).max >> 8)) | bytes32(uint256(1) << 248);
        (bytes32 part,) = IPreimageReader(preimageOracle).readPreimage(key, 0);
        if (uint64(uint256(part) >> 192) != 8) revert BadLocalData();
        return uint64(uint256(part) >> 128);
    }
}
