//! `sol!` interfaces of the contracts the devnet deploys and drives, as shipped in
//! `@eth-optimism/contracts-bedrock@0.17.3` (FaultDisputeGame 1.2.0) plus our `AlphabetVM`.
//!
//! Only the functions the devnet and its tests call; the agent has its own bindings.

#![allow(missing_docs)]

use alloy::sol;

sol! {
    /// The OP `Proxy`: admin calls hit the proxy, every other selector is delegated.
    interface IProxy {
        function upgradeToAndCall(address _implementation, bytes _data) external payable returns (bytes);
        function implementation() external returns (address);
        function admin() external returns (address);
    }

    /// `SuperchainConfig` 1.1.0.
    interface ISuperchainConfig {
        function initialize(address _guardian, bool _paused) external;
        function paused() external view returns (bool);
        function guardian() external view returns (address);
        function version() external view returns (string);
    }

    /// `DelayedWETH` 1.0.0.
    interface IDelayedWETH {
        function initialize(address _owner, address _config) external;
        function delay() external view returns (uint256);
        function config() external view returns (address);
        function withdrawals(address owner, address guy) external view returns (uint256 amount, uint256 timestamp);
        function balanceOf(address src) external view returns (uint256);
        function version() external view returns (string);
    }

    /// `DisputeGameFactory` 1.0.0.
    interface IDisputeGameFactory {
        event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim);
        function initialize(address _owner) external;
        function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external payable returns (address proxy_);
        function games(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external view returns (address proxy_, uint64 timestamp_);
        function gameAtIndex(uint256 _index) external view returns (uint32 gameType_, uint64 timestamp_, address proxy_);
        function gameCount() external view returns (uint256 gameCount_);
        function gameImpls(uint32 gameType) external view returns (address);
        function initBonds(uint32 gameType) external view returns (uint256);
        function setImplementation(uint32 _gameType, address _impl) external;
        function setInitBond(uint32 _gameType, uint256 _initBond) external;
        function owner() external view returns (address);
        function version() external view returns (string);
    }

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

    /// `AnchorStateRegistry` 1.0.0.
    interface IAnchorStateRegistry {
        function initialize(StartingAnchorRoot[] _startingAnchorRoots) external;
        function anchors(uint32 gameType) external view returns (bytes32 root, uint256 l2BlockNumber);
        function version() external view returns (string);
    }

    /// `PreimageOracle` 1.0.0.
    interface IPreimageOracle {
        function readPreimage(bytes32 _key, uint256 _offset) external view returns (bytes32 dat_, uint256 datLen_);
        function version() external view returns (string);
    }

    /// `MIPS` 1.0.1 and our `AlphabetVM` (same `IBigStepper` ABI).
    interface IBigStepper {
        function step(bytes _stateData, bytes _proof, bytes32 _localContext) external returns (bytes32);
        function oracle() external view returns (address);
    }

    /// `MIPS` 1.0.1 (our `AlphabetVM` has no `version()`).
    interface IMips {
        function version() external view returns (string);
    }

    /// `FaultDisputeGame` 1.2.0.
    interface IFaultDisputeGame {
        function attack(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function defend(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function step(uint256 _claimIndex, bool _isAttack, bytes _stateData, bytes _proof) external;
        function addLocalData(uint256 _ident, uint256 _execLeafIdx, uint256 _partOffset) external;
        function resolveClaim(uint256 _claimIndex, uint256 _numToResolve) external;
        function resolve() external returns (uint8 status_);
        function claimCredit(address _recipient) external;
        function credit(address recipient) external view returns (uint256);
        function claimDataLen() external view returns (uint256 len_);
        function claimData(uint256 index) external view returns (
            uint32 parentIndex,
            address counteredBy,
            address claimant,
            uint128 bond,
            bytes32 claim,
            uint128 position,
            uint128 clock
        );
        function resolvedSubgames(uint256 index) external view returns (bool);
        function getRequiredBond(uint128 _position) external view returns (uint256 requiredBond_);
        function getChallengerDuration(uint256 _claimIndex) external view returns (uint64 duration_);
        function status() external view returns (uint8);
        function rootClaim() external pure returns (bytes32 rootClaim_);
        function l2BlockNumber() external pure returns (uint256 l2BlockNumber_);
        function startingBlockNumber() external view returns (uint256 startingBlockNumber_);
        function startingRootHash() external view returns (bytes32 startingRootHash_);
        function absolutePrestate() external view returns (bytes32 absolutePrestate_);
        function maxGameDepth() external view returns (uint256 maxGameDepth_);
        function splitDepth() external view returns (uint256 splitDepth_);
        function clockExtension() external view returns (uint64 clockExtension_);
        function maxClockDuration() external view returns (uint64 maxClockDuration_);
        function gameType() external view returns (uint32 gameType_);
        function vm() external view returns (address vm_);
        function weth() external view returns (address weth_);
        function l2ChainId() external view returns (uint256 l2ChainId_);
        function version() external view returns (string);
    }
}
