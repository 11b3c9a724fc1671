//! What a deployment sets up around the games: OP's `Proxy` and `SuperchainConfig` 1.1.0.

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
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
}
