//! Positions: every claim created by `attack`/`defend` on the real contract sits where
//! `GameDepth::check_move` says, the moves it refuses are the ones the contract refuses (with
//! the same error), and `ClaimTree::from_claims` accepts the chain's claims.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::primitives::{Address, B256, U256, keccak256};
use riposte_devnet::{ALPHABET_GAME_TYPE, Devnet, DevnetOptions, FaultGame};
use riposte_game::{ClaimTree, GameError, VmStatus, required_bond};

fn value(n: u64, status: VmStatus) -> B256 {
    status.stamp(keccak256(n.to_be_bytes()))
}

/// Makes the move with the bond `riposte_game` computes (a wrong bond would revert
/// `IncorrectBondAmount`) and checks the new claim's position and parent.
async fn play(game: &FaultGame<'_>, who: Address, parent: usize, is_attack: bool, v: B256) -> usize {
    let tree = game.tree().await.unwrap();
    let parent_claim = *tree.get(parent).unwrap();
    let predicted = game.depth.check_move(parent, parent_claim.position, is_attack).unwrap();
    let bond = required_bond(predicted, game.depth.max()).unwrap();
    game.move_raw(who, parent_claim.value, parent, v, is_attack, bond).await.unwrap();
    let index = tree.len();
    let claim = game.claim(index).await.unwrap();
    assert_eq!(
        claim.position,
        predicted,
        "claim {index}: {} of claim {parent}",
        if is_attack { "attack" } else { "defend" }
    );
    assert_eq!(claim.parent(), Some(parent));
    assert_eq!(U256::from(claim.bond), bond);
    assert_eq!((claim.value, claim.claimant), (v, who));
    index
}

#[tokio::test]
async fn attack_and_defend_positions_match_check_move_at_every_level() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let game = devnet.create_game(ALPHABET_GAME_TYPE, value(0, VmStatus::Valid), 20).await.unwrap();
    let (a, b) = (devnet.account(2), devnet.account(3));
    let out = |n| value(n, VmStatus::Valid);
    let exec = |n| value(n, VmStatus::Invalid);

    // Output level (split 4): defends at depths 1→2 and 3→4.
    let c1 = play(&game, a, 0, true, out(1)).await; // g2
    let c2 = play(&game, b, c1, false, out(2)).await; // g6
    let c3 = play(&game, a, c2, true, out(3)).await; // g12
    let c4 = play(&game, b, c3, false, out(4)).await; // g26, the split depth
    // Execution level: an exec root by attack, defends at depths 6→7 and 7→8 (max).
    let c5 = play(&game, a, c4, true, exec(5)).await; // g52
    let c6 = play(&game, b, c5, true, exec(6)).await; // g104
    let c7 = play(&game, a, c6, false, exec(7)).await; // g210
    let c8 = play(&game, b, c7, false, exec(8)).await; // g422
    let gindices: Vec<u128> = game.claims().await.unwrap().iter().map(|c| c.position.gindex()).collect();
    assert_eq!(gindices, [1, 2, 6, 12, 26, 52, 104, 210, 422]);

    // An exec root by defending the split claim: the status it needs is what
    // check_exec_root_status says, and the contract agrees on both sides of the rule.
    let tree = game.tree().await.unwrap();
    let mut accepted = 0;
    for status in [VmStatus::Invalid, VmStatus::Valid] {
        let v = value(9, status);
        let ok = tree.check_exec_root_status(c4, false, v, game.depth.split()).is_ok();
        let res = game.defend(a, c4, v).await;
        match res {
            Ok(_) => {
                assert!(ok, "contract accepted an exec root with status {status:?} we refuse");
                accepted += 1;
            }
            Err(e) => {
                assert!(!ok, "contract refused an exec root we accept: {e}");
                assert_eq!(e.revert_name(), Some("UnexpectedRootClaim"), "{e}");
            }
        }
    }
    assert_eq!(accepted, 1, "exactly one of VALID/INVALID is right for this exec root");
    // An exec root attacking the split claim must be INVALID or PANIC.
    assert!(matches!(tree.check_exec_root_status(c4, true, out(10), 4), Err(GameError::UnexpectedRootClaim(_))));
    let err = game.attack(a, c4, out(10)).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("UnexpectedRootClaim"), "{err}");

    // Refused moves: defending the root or an exec root, moving below the max depth.
    let tree = game.tree().await.unwrap();
    for (parent, is_attack, v, name) in [
        (0, false, out(11), "CannotDefendRootClaim"),
        (c5, false, exec(12), "CannotDefendRootClaim"),
        (c8, true, exec(13), "GameDepthExceeded"),
    ] {
        let ours = game.depth.check_move(parent, tree.get(parent).unwrap().position, is_attack).unwrap_err();
        assert!(matches!(ours, GameError::IllegalMove { reason, .. } if reason == name), "{ours}");
        let pos = tree.get(parent).unwrap().position.make_move(is_attack);
        // The bond of an illegal position may not exist; send none, the position check comes first.
        let disputed = tree.get(parent).unwrap().value;
        let bond = pos.ok().and_then(|p| required_bond(p, 8).ok()).unwrap_or_default();
        let err = game.move_raw(a, disputed, parent, v, is_attack, bond).await.unwrap_err();
        assert_eq!(err.revert_name(), Some(name), "{err}");
    }

    // A duplicate (same value, position and parent) is predicted and refused.
    assert!(tree.is_duplicate(c1, tree.get(c2).unwrap().position, out(2)));
    assert!(!tree.is_duplicate(c1, tree.get(c2).unwrap().position, out(99)));
    let err = game.defend(b, c1, out(2)).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("ClaimAlreadyExists"), "{err}");
    // A wrong bond is refused.
    let bond = required_bond(tree.get(c1).unwrap().position.attack().unwrap(), 8).unwrap() + U256::from(1);
    let err = game.move_raw(b, tree.get(c1).unwrap().value, c1, out(98), true, bond).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("IncorrectBondAmount"), "{err}");

    // The chain's claims form a valid tree with the same parent links.
    let claims = game.claims().await.unwrap();
    let tree = ClaimTree::from_claims(claims.clone()).unwrap();
    assert_eq!(tree.claims(), &claims[..]);
    assert_eq!(tree.children(c4).unwrap().len(), 2);
}
