//! `AnchorStateRegistry` 1.0.0: the anchor new games start from, per game type.

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
    #![sol(all_derives)]
    /// `Types.OutputRoot`.
    struct OutputRoot {
        bytes32 root;
        uint256 l2BlockNumber;
    }

    /// `AnchorStateRegistry.StartingAnchorRoot`.
    struct StartingAnchorRoot {
        uint32 gameType;
        OutputRoot outputRoot;
    }

    #[sol(all_derives)]
    interface AnchorStateRegistry {
        function initialize(StartingAnchorRoot[] _startingAnchorRoots) external;
        function anchors(uint32 gameType) external view returns (bytes32 root, uint256 l2BlockNumber);
        function disputeGameFactory() external view returns (address);
        function version() external view returns (string);
    }
}
