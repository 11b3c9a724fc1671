//! `riposte_game::required_bond` equals `getRequiredBond` of the real contract, to the wei,
//! at every depth of the alphabet (max 8) and Cannon (max 73) games.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::primitives::{Address, U256};
use riposte_contracts::fdg::fault::FaultDisputeGame as IFaultDisputeGame;
use riposte_devnet::{Devnet, DevnetOptions};
use riposte_game::{Position, required_bond};

async fn chain_bond(devnet: &Devnet, game: Address, position: Position) -> riposte_devnet::Result<U256> {
    let call = IFaultDisputeGame::getRequiredBondCall { _position: position.gindex() };
    devnet.l1().call("FaultDisputeGame", game, &call).await
}

/// Checks every depth, at the left-most and right-most position of each, and that one level
/// below the maximum both sides refuse.
async fn bonds_match(devnet: &Devnet, implementation: Address, max_depth: u8) {
    for depth in 0..=max_depth {
        let last = (1u128 << depth) - 1;
        for index in [0, last] {
            let position = Position::from_depth_index(depth, index).unwrap();
            let ours = required_bond(position, max_depth).unwrap();
            let theirs = chain_bond(devnet, implementation, position).await.unwrap();
            assert_eq!(ours, theirs, "bond at depth {depth} (max {max_depth}), position {position}");
        }
    }
    let below = Position::from_depth_index(max_depth + 1, 0).unwrap();
    assert!(required_bond(below, max_depth).is_err());
    let err = chain_bond(devnet, implementation, below).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("GameDepthExceeded"), "{err}");
}

#[tokio::test]
async fn required_bond_equals_get_required_bond_at_every_depth_for_max_8_and_73() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let d = *devnet.deployment();
    // getRequiredBond reads only immutables: the implementations answer like their games.
    bonds_match(&devnet, d.alphabet_game_impl, 8).await;
    bonds_match(&devnet, d.cannon_game_impl, 73).await;

    // Spot values from the devnet notes, so a shared mistake cannot hide.
    let at = |depth, max| required_bond(Position::from_depth_index(depth, 0).unwrap(), max).unwrap();
    assert_eq!(at(8, 8), U256::from(59_999_999_800_000_000_000u128));
    assert_eq!(at(1, 73), U256::from(87_594_000_000_000_000u128));
    assert_eq!(at(73, 73), U256::from(59_999_999_800_000_000_000u128));
}
