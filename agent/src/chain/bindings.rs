//! Contract interfaces riposte calls, per contract version.
//!
//! `FaultDisputeGame` 1.2.x (npm `@eth-optimism/contracts-bedrock@0.17.3`) is the version riposte
//! plays today; `game.rs` detects `version()` and refuses any other by name. The errors listed
//! are the ones the contracts can revert with, so a revert is logged by its name.

#![allow(missing_docs)]

use alloy::sol;

sol! {
    #[sol(rpc, all_derives)]
    interface DisputeGameFactory {
        event DisputeGameCreated(address indexed disputeProxy, uint32 indexed gameType, bytes32 indexed rootClaim);
        function gameCount() external view returns (uint256 gameCount_);
        function gameAtIndex(uint256 _index) external view returns (uint32 gameType_, uint64 timestamp_, address proxy_);
        function gameImpls(uint32 gameType) external view returns (address);
        function initBonds(uint32 gameType) external view returns (uint256);
        function games(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external view returns (address proxy_, uint64 timestamp_);
        function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external payable returns (address proxy_);
        function version() external view returns (string);

        error GameAlreadyExists(bytes32 uuid);
        error IncorrectBondAmount();
        error NoImplementation(uint32 gameType);
    }

    /// `FaultDisputeGame` 1.2.0.
    #[sol(rpc, all_derives)]
    interface FaultDisputeGameV120 {
        event Move(uint256 indexed parentIndex, bytes32 indexed claim, address indexed claimant);
        event Resolved(uint8 indexed status);
        function version() external view returns (string);
        function gameType() external view returns (uint32);
        function gameCreator() external pure returns (address);
        function rootClaim() external pure returns (bytes32);
        function l1Head() external pure returns (bytes32);
        function l2BlockNumber() external pure returns (uint256);
        function startingBlockNumber() external view returns (uint256);
        function startingRootHash() external view returns (bytes32);
        function absolutePrestate() external view returns (bytes32);
        function maxGameDepth() external view returns (uint256);
        function splitDepth() external view returns (uint256);
        function maxClockDuration() external view returns (uint64);
        function clockExtension() external view returns (uint64);
        function vm() external view returns (address);
        function weth() external view returns (address);
        function anchorStateRegistry() external view returns (address);
        function l2ChainId() external view returns (uint256);
        function createdAt() external view returns (uint64);
        function resolvedAt() external view returns (uint64);
        function status() external view returns (uint8);
        function l2BlockNumberChallenged() external view returns (bool);
        function l2BlockNumberChallenger() external view returns (address);
        function claimDataLen() external view returns (uint256);
        function claimData(uint256) external view returns (
            uint32 parentIndex,
            address counteredBy,
            address claimant,
            uint128 bond,
            bytes32 claim,
            uint128 position,
            uint128 clock
        );
        function resolvedSubgames(uint256) external view returns (bool);
        function getRequiredBond(uint128 _position) external view returns (uint256);
        function getChallengerDuration(uint256 _claimIndex) external view returns (uint64);
        function credit(address) external view returns (uint256);

        function attack(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function defend(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function step(uint256 _claimIndex, bool _isAttack, bytes _stateData, bytes _proof) external;
        function addLocalData(uint256 _ident, uint256 _execLeafIdx, uint256 _partOffset) external;
        function resolveClaim(uint256 _claimIndex, uint256 _numToResolve) external;
        function resolve() external returns (uint8 status_);
        function claimCredit(address _recipient) external;

        error AlreadyInitialized();
        error AnchorRootNotFound();
        error BlockNumberMatches();
        error BondTransferFailed();
        error CannotDefendRootClaim();
        error ClaimAboveSplit();
        error ClaimAlreadyExists();
        error ClaimAlreadyResolved();
        error ClockNotExpired();
        error ClockTimeExceeded();
        error DuplicateStep();
        error GameDepthExceeded();
        error GameNotInProgress();
        error IncorrectBondAmount();
        error InvalidClockExtension();
        error InvalidDisputedClaimIndex();
        error InvalidLocalIdent();
        error InvalidOutputRootProof();
        error InvalidParent();
        error InvalidPrestate();
        error InvalidSplitDepth();
        error L2BlockNumberChallenged();
        error MaxDepthTooLarge();
        error NoCreditToClaim();
        error OutOfOrderResolution();
        error UnexpectedRootClaim(bytes32 rootClaim);
        error ValidStep();
        /// Raised from assembly in `initialize`; absent from the ABI.
        error BadExtraData();
    }

    /// `AnchorStateRegistry` 1.0.0: the anchor new games start from, per game type.
    #[sol(rpc, all_derives)]
    interface AnchorStateRegistry {
        function anchors(uint32 gameType) external view returns (bytes32 root, uint256 l2BlockNumber);
        function disputeGameFactory() external view returns (address);
        function version() external view returns (string);
    }

    #[sol(rpc, all_derives)]
    interface DelayedWETH {
        function delay() external view returns (uint256);
        function withdrawals(address owner, address guy) external view returns (uint256 amount, uint256 timestamp);
    }

    #[sol(rpc, all_derives)]
    interface PreimageOracle {
        function preimagePartOk(bytes32 key, uint256 offset) external view returns (bool);
        function loadKeccak256PreimagePart(uint256 _partOffset, bytes _preimage) external;

        error PartOffsetOOB();
        error InvalidPreimage();
    }

    #[sol(rpc, all_derives)]
    interface BigStepper {
        function oracle() external view returns (address);
    }
}
