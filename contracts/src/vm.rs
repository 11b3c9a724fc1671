//! The step VMs behind games: `MIPS` 1.0.1, `MIPS64` 1.10 and our `AlphabetVM`, all `IBigStepper`.

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
    #[sol(all_derives)]
    interface BigStepper {
        function step(bytes _stateData, bytes _proof, bytes32 _localContext) external returns (bytes32);
        function oracle() external view returns (address);
    }

    /// Our `AlphabetVM` (ops/devnet/contracts): the step of alphabet test games.
    #[sol(all_derives)]
    interface AlphabetVm {
        function absolutePrestate() external view returns (bytes32);
        error BadLocalData();
        error BadStateData();
    }

    /// `MIPS` 1.0.1 (our `AlphabetVM` has no `version()`).
    #[sol(all_derives)]
    interface Mips {
        function version() external view returns (string);
    }

    /// `MIPS64` 1.10: state version 8 only.
    #[sol(all_derives)]
    interface Mips64 {
        function version() external view returns (string);
        function stateVersion() external view returns (uint256);
        error InvalidExitedValue();
        error InvalidMemoryProof();
        error InvalidPC();
        error InvalidRMWInstruction();
        error InvalidSecondMemoryProof();
        error UnsupportedStateVersion();
    }
}
