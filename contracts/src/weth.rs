//! `DelayedWETH` 1.0.0: where bonds wait out the withdrawal delay.

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
}
