//! `DelayedWETH` 1.0.0 to 1.5.x: where bonds wait out the withdrawal delay (`delay`,
//! `withdrawals` keep their selectors; 1.5's `initialize` takes the SystemConfig).

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
    #[sol(all_derives)]
    interface DelayedWETH {
        function initialize(address _owner, address _config) external;
        function delay() external view returns (uint256);
        function config() external view returns (address);
        function withdrawals(address owner, address guy) external view returns (uint256 amount, uint256 timestamp);
        function balanceOf(address src) external view returns (uint256);
        function version() external view returns (string);
    }

    /// `DelayedWETH` 1.5: initialised with the SystemConfig whose pause it follows.
    #[sol(all_derives)]
    interface DelayedWETH15 {
        function initialize(address _systemConfig) external;
    }
}
