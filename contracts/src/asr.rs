//! `AnchorStateRegistry`: the anchor new games start from (1.0.0, per game type), and from 2.2
//! the judge of a game's finality and propriety, which decide when a 1.4+ game can be closed
//! and whether its bonds are paid normally or refunded.

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

    /// `Types.Proposal` (2.x/3.x).
    #[sol(all_derives)]
    struct Proposal {
        bytes32 root;
        uint256 l2SequenceNumber;
    }

    /// `AnchorStateRegistry` 2.2 and 3.x: the predicates `closeGame()` asks.
    #[sol(all_derives)]
    interface AnchorStateRegistry3 {
        function getAnchorRoot() external view returns (bytes32 root, uint256 l2SequenceNumber);
        function anchorGame() external view returns (address);
        function respectedGameType() external view returns (uint32);
        function isGameRegistered(address _game) external view returns (bool);
        function isGameBlacklisted(address _game) external view returns (bool);
        function isGameRetired(address _game) external view returns (bool);
        function isGameResolved(address _game) external view returns (bool);
        function isGameProper(address _game) external view returns (bool);
        function isGameFinalized(address _game) external view returns (bool);
        function isGameClaimValid(address _game) external view returns (bool);
        function setAnchorState(address _game) external;
        // 3.x.
        function initialize(address _systemConfig, address _disputeGameFactory, Proposal _startingAnchorRoot, uint32 _startingRespectedGameType) external;
        function paused() external view returns (bool);
        function disputeGameFinalityDelaySeconds() external view returns (uint256);
        function retirementTimestamp() external view returns (uint64);
        function updateRetirementTimestamp() external;
        function blacklistDisputeGame(address _disputeGame) external;
        function setRespectedGameType(uint32 _gameType) external;
        // 2.2: the portal holds the delay, blacklist and retirement time.
        function portal() external view returns (address);

        error AnchorStateRegistry_InvalidAnchorGame();
        error AnchorStateRegistry_Unauthorized();
    }

    /// `OptimismPortal2`'s finality delay, which ASR 2.2 defers to.
    #[sol(all_derives)]
    interface Portal2 {
        function disputeGameFinalityDelaySeconds() external view returns (uint256);
    }

    /// Errors of the proxied contracts of op-contracts v4 and later (DGF, ASR, DelayedWETH).
    #[sol(all_derives)]
    interface ProxyAdminOwned {
        error ProxyAdminOwnedBase_NotProxyAdmin();
        error ProxyAdminOwnedBase_NotProxyAdminOrProxyAdminOwner();
        error ProxyAdminOwnedBase_NotProxyAdminOwner();
        error ProxyAdminOwnedBase_NotResolvedDelegateProxy();
        error ProxyAdminOwnedBase_NotSharedProxyAdminOwner();
        error ProxyAdminOwnedBase_ProxyAdminNotFound();
        error ReinitializableBase_ZeroInitVersion();
    }
}
