// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title Batcher
/// @notice Several calls in one transaction, with the `aggregate3` interface of the canonical
///   Multicall3 so riposte batches through either. The devnet puts this contract's code at
///   Multicall3's address, where real chains have Multicall3 itself.
///   - The calls run in order, from this contract.
///   - A failing call reverts the whole transaction with its revert data, unless its
///     `allowFailure` is set; then its result records the failure and the next call runs.
contract Batcher {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory results) {
        results = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory data) = calls[i].target.call(calls[i].callData);
            if (!ok && !calls[i].allowFailure) {
                assembly {
                    revert(add(data, 0x20), mload(data))
                }
            }
            results[i] = Result(ok, data);
        }
    }
}
