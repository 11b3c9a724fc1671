//! Clocks: `ClaimTree::challenger_duration` equals `getChallengerDuration` at any time, and
//! the clock of every new claim is the one `ClaimTree::next_clock` predicts, including the
//! 1.2.0 clock extensions (late move → MAX−CE; late move to split−1 → MAX−2·CE; the quirk
//! that between 2·CE and CE left at split−1 nothing changes) and `ClockTimeExceeded`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::primitives::{Address, B256, keccak256};
use riposte_devnet::{ALPHABET_GAME_TYPE, Devnet, DevnetOptions, FaultGame};
use riposte_game::{Clock, GameError, VmStatus};

fn value(n: u64) -> B256 {
    VmStatus::Invalid.stamp(keccak256(n.to_be_bytes()))
}

/// Makes a move mined at exactly `at` and checks the new claim's clock against the prediction
/// made from the chain's claims before the move. Returns the new claim's index and clock.
async fn move_at(
    devnet: &Devnet,
    game: &FaultGame<'_>,
    who: Address,
    parent: usize,
    is_attack: bool,
    v: B256,
    at: u64,
) -> (usize, Clock) {
    let tree = game.tree().await.unwrap();
    let predicted = tree.next_clock(parent, is_attack, game.depth, game.clocks, at).unwrap();
    devnet.set_next_block_timestamp(at).await.unwrap();
    let out = if is_attack { game.attack(who, parent, v).await } else { game.defend(who, parent, v).await }.unwrap();
    assert_eq!(out.block_timestamp, at, "the move was not mined at the planned time");
    let index = tree.len();
    let clock = game.claim(index).await.unwrap().clock;
    assert_eq!(clock, predicted, "clock of claim {index} (against {parent} at t0+{})", at);
    (index, clock)
}

/// Compares `getChallengerDuration` with the model for every claim at L1 block `block`.
async fn durations_match_at(game: &FaultGame<'_>, block: u64, now: u64) {
    let tree = game.tree().await.unwrap();
    for i in 0..tree.len() {
        if tree.get(i).unwrap().clock.timestamp > now {
            continue; // not yet made at that block (checkpoints never share a move's time)
        }
        let ours = tree.challenger_duration(i, game.clocks, now).unwrap();
        let theirs = game.challenger_duration_at(i, Some(block)).await.unwrap();
        assert_eq!(ours, theirs, "getChallengerDuration({i}) at block {block} (t = {now})");
    }
}

#[tokio::test]
async fn challenger_durations_and_new_clocks_match_the_contract_including_extensions() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let (max, ext) = (devnet.options().alphabet.max_clock_duration, devnet.options().alphabet.clock_extension);
    assert_eq!((max, ext), (300, 30), "the times below are written for MAX 300, CE 30");
    let (prop, chal) = (devnet.account(1), devnet.account(2));

    let (_, latest) = devnet.l1().latest().await.unwrap();
    let t0 = latest + 10;
    devnet.set_next_block_timestamp(t0).await.unwrap();
    let game = devnet.create_game(ALPHABET_GAME_TYPE, value(0), 20).await.unwrap();
    assert_eq!(game.claim(0).await.unwrap().clock, Clock::new(0, t0));
    let mut checkpoints = Vec::new();

    // The root's challenger clock runs from creation.
    for dt in [0, 5, 98] {
        let block = devnet.mine_at(t0 + dt + 1).await.unwrap();
        checkpoints.push((block, t0 + dt + 1));
        durations_match_at(&game, block, t0 + dt + 1).await;
    }

    // t0+100: plenty of time, the duration carries over: (100, t1).
    let t1 = t0 + 100;
    let (c1, clock) = move_at(&devnet, &game, chal, 0, true, value(1), t1).await;
    assert_eq!(clock, Clock::new(100, t1));
    // t1+280: 280 used > MAX−CE: a late move is set back to MAX−CE = 270.
    let t2 = t1 + 280;
    let (c2, clock) = move_at(&devnet, &game, prop, c1, true, value(2), t2).await;
    assert_eq!(clock.duration, max - ext);
    // t2+160: 100+160 = 260 used, the new claim at split−1 = 3: 40 s left is between CE and
    // 2·CE; 1.2.0 extends only below CE (unchanged), 1.3+ keeps 2·CE free.
    let later = game.line.has_step_extension();
    let (c3, clock) = move_at(&devnet, &game, chal, c2, true, value(3), t2 + 160).await;
    assert_eq!(clock.duration, if later { max - 2 * ext } else { 260 });
    // t2+161: against c3 (whose parent used 270): 271 used, new claim at depth 4: MAX−CE.
    let (_, clock) = move_at(&devnet, &game, prop, c3, true, value(4), t2 + 161).await;
    assert_eq!(clock.duration, max - ext);
    // t2+170: exactly MAX−CE used at split−1: not above 1.2's threshold, unchanged; 1.3+
    // sets it back to MAX−2·CE.
    let (_, clock) = move_at(&devnet, &game, chal, c2, true, value(5), t2 + 170).await;
    assert_eq!(clock.duration, if later { max - 2 * ext } else { max - ext });
    // t2+175: 275 used, the new claim at split−1: set back to MAX−2·CE.
    let (_, clock) = move_at(&devnet, &game, chal, c2, false, value(6), t2 + 175).await;
    assert_eq!(clock.duration, max - 2 * ext);
    for at in [t2 + 176, t2 + 199] {
        let block = devnet.mine_at(at).await.unwrap();
        checkpoints.push((block, at));
    }

    // t2+200: c2's challengers have used all 300 s: the model and the contract both refuse.
    let tree = game.tree().await.unwrap();
    let at = t2 + 200;
    assert_eq!(tree.next_clock(c2, true, game.depth, game.clocks, at), Err(GameError::ClockTimeExceeded { index: c2 }));
    devnet.set_next_block_timestamp(at).await.unwrap();
    let err = game.attack(chal, c2, value(7)).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("ClockTimeExceeded"), "{err}");
    // The refused move mined nothing: the planned timestamp still applies to the next block
    // (and would swallow an evm_increaseTime).
    assert_eq!(devnet.mine().await.unwrap(), at);
    checkpoints.push((devnet.l1().latest().await.unwrap().0, at));

    // Durations of every claim at every checkpoint, and after time travel past every expiry.
    let now = devnet.increase_time(1_000).await.unwrap();
    let (block, _) = devnet.l1().latest().await.unwrap();
    checkpoints.push((block, now));
    for (block, t) in checkpoints {
        durations_match_at(&game, block, t).await;
    }
    for i in 0..tree.len() {
        assert_eq!(game.challenger_duration(i).await.unwrap(), max, "claim {i} long expired");
    }
}
