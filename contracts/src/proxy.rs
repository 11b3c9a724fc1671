//! What a deployment sets up around the games: OP's `Proxy` and `SuperchainConfig` 1.1.0, and
//! for op-contracts v4+ stacks `ProxyAdmin`, `SuperchainConfig` 2.x and `SystemConfig` 3.x.

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
    #![sol(all_derives)]
    /// The OP `Proxy`: admin calls hit the proxy, every other selector is delegated.
    #[sol(all_derives)]
    interface Proxy {
        function upgradeToAndCall(address _implementation, bytes _data) external payable returns (bytes);
        function implementation() external returns (address);
        function admin() external returns (address);
    }

    #[sol(all_derives)]
    interface SuperchainConfig {
        function initialize(address _guardian, bool _paused) external;
        function paused() external view returns (bool);
        function guardian() external view returns (address);
        function version() external view returns (string);
    }

    /// `ProxyAdmin`: owns the proxies of op-contracts v4+ and initialises them.
    #[sol(all_derives)]
    interface ProxyAdmin {
        function upgradeAndCall(address _proxy, address _implementation, bytes _data) external payable;
        function owner() external view returns (address);
    }

    /// `SuperchainConfig` 2.x: the guardian and per-identifier pauses.
    #[sol(all_derives)]
    interface SuperchainConfig2 {
        function initialize(address _guardian) external;
        function pause(address _identifier) external;
        function unpause(address _identifier) external;
        function paused() external view returns (bool);
        function guardian() external view returns (address);
        error SuperchainConfig_OnlyGuardian();
        error SuperchainConfig_AlreadyPaused(address identifier);
        error SuperchainConfig_NotAlreadyPaused(address identifier);
    }

    /// `SystemConfig.ResourceConfig`.
    #[sol(all_derives)]
    struct ResourceConfig {
        uint32 maxResourceLimit;
        uint8 elasticityMultiplier;
        uint8 baseFeeMaxChangeDenominator;
        uint32 minimumBaseFee;
        uint32 systemTxMaxGas;
        uint128 maximumBaseFee;
    }

    /// `SystemConfig.Addresses`.
    #[sol(all_derives)]
    struct SystemAddresses {
        address l1CrossDomainMessenger;
        address l1ERC721Bridge;
        address l1StandardBridge;
        address optimismPortal;
        address optimismMintableERC20Factory;
        address delayedWETH;
        address opcm;
    }

    /// `SystemConfig` 3.x, as far as the dispute contracts need it (its pause).
    #[sol(all_derives)]
    interface SystemConfig {
        function initialize(
            address _owner,
            uint32 _basefeeScalar,
            uint32 _blobbasefeeScalar,
            bytes32 _batcherHash,
            uint64 _gasLimit,
            address _unsafeBlockSigner,
            ResourceConfig _config,
            address _batchInbox,
            SystemAddresses _addresses,
            uint256 _l2ChainId,
            address _superchainConfig
        ) external;
        function paused() external view returns (bool);
        function version() external view returns (string);
        error SystemConfig_InvalidFeatureState();
    }
}
