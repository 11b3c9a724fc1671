//! Resolution: for scripted alphabet games played to a step on the real contracts,
//! `ClaimTree::resolve` on the chain's claims predicts the final `status()`, every claim's
//! `counteredBy` and the exact `credit(address)` of every participant; the order from
//! `resolvable_claims` is accepted by `resolveClaim`; and `claimCredit` pays exactly the
//! predicted credit (balance delta net of gas) once the DelayedWETH delay has passed.
//!
//! Honest claims are real output roots of the L2 anvil above the split depth and
//! op-challenger's alphabet trace below it (`riposte_devnet::alphabet`). Every game proposes
//! L2 block anchor + 16, so no output position is clamped.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use alloy::primitives::{Address, B256, Bytes, U256, keccak256};
use riposte_devnet::{ALPHABET_GAME_TYPE, Devnet, DevnetOptions, FaultGame, alphabet};
use riposte_game::{BondMode, ClaimTree, GameStatus, Resolution, VmStatus, resolvable_claims};

/// Local data ident of the disputed L2 block number.
const DISPUTED_L2_BLOCK: u64 = 4;

/// A scripted game: who plays which side, and helpers that make moves and read them back.
struct Script<'a> {
    devnet: &'a Devnet,
    game: FaultGame<'a>,
    proposer: Address,
    challenger: Address,
}

/// A value nobody honest would post: status INVALID so it is also a legal exec root.
fn garbage(n: u64) -> B256 {
    VmStatus::Invalid.stamp(keccak256([b"garbage".as_slice(), &n.to_be_bytes()].concat()))
}

impl<'a> Script<'a> {
    async fn new(devnet: &'a Devnet, honest_root: bool) -> Script<'a> {
        let (anchor_root, anchor_block) = devnet.anchor();
        let split = devnet.options().alphabet.split_depth;
        let l2_block = anchor_block + (1 << split);
        let root = if honest_root { devnet.output_root(l2_block).await.unwrap().0 } else { garbage(0) };
        let game = devnet.create_game(ALPHABET_GAME_TYPE, root, l2_block).await.unwrap();
        assert_eq!((game.starting_root, game.starting_block), (anchor_root, anchor_block));
        Script { devnet, game, proposer: devnet.account(1), challenger: devnet.account(2) }
    }

    async fn tree(&self) -> ClaimTree {
        self.game.tree().await.unwrap()
    }

    /// The honest value of the claim a move against `parent` would create.
    async fn honest(&self, parent: usize, is_attack: bool) -> B256 {
        let tree = self.tree().await;
        let g = &self.game;
        let position = g.depth.check_move(parent, tree.get(parent).unwrap().position, is_attack).unwrap();
        if g.depth.is_output_position(position) {
            g.honest_output(position).await.unwrap()
        } else {
            alphabet::honest_exec_claim(&tree, parent, is_attack, g.depth, g.starting_block, g.starting_root, g.clamp())
                .unwrap()
        }
    }

    /// Makes a move with `value` and returns the new claim's index.
    async fn play(&self, who: Address, parent: usize, is_attack: bool, value: B256) -> usize {
        let index = self.game.claim_count().await.unwrap();
        if is_attack { self.game.attack(who, parent, value).await } else { self.game.defend(who, parent, value).await }
            .unwrap();
        assert_eq!(self.game.claim(index).await.unwrap().value, value);
        index
    }

    async fn play_honest(&self, who: Address, parent: usize, is_attack: bool) -> usize {
        let value = self.honest(parent, is_attack).await;
        self.play(who, parent, is_attack, value).await
    }

    /// Loads the disputed block for the leaf's subgame and checks that the VM, called as the
    /// game calls it with our local context, computes `expected` from `state_data`.
    async fn load_local_data_and_check_vm(&self, leaf: usize, state_data: &Bytes, expected: B256) {
        self.game.add_local_data(self.challenger, DISPUTED_L2_BLOCK, leaf, 0).await.unwrap();
        let tree = self.tree().await;
        let context = tree.local_context(leaf, self.game.depth.split(), self.game.starting_root).unwrap();
        let post = self.game.vm_step(state_data.clone(), Bytes::new(), context).await.unwrap();
        assert_eq!(post, expected, "the VM, reading local data under our local context");
    }

    /// Expires every clock, resolves in the order `resolvable_claims` gives, and checks the
    /// outcome against `ClaimTree::resolve` of the chain's claims.
    async fn resolve_as_predicted(&self) -> Resolution {
        let (devnet, game) = (self.devnet, &self.game);
        devnet.increase_time(game.clocks.max_duration() + 1).await.unwrap();
        let tree = self.tree().await;
        let predicted = tree.resolve(None);
        let resolved = game.resolved_subgames().await.unwrap();
        assert!(resolved.iter().all(|r| !r));
        let (_, now) = devnet.l1().latest().await.unwrap();
        let order = resolvable_claims(&tree, &resolved, game.clocks, now).unwrap();
        assert_eq!(order.len(), tree.len(), "every claim is resolvable once every clock ran out");
        // The root goes last; before its children it is refused.
        assert_eq!(order.last(), Some(&0));
        let err = game.resolve_claim(devnet.account(0), 0).await.unwrap_err();
        assert_eq!(err.revert_name(), Some("OutOfOrderResolution"), "{err}");
        for i in order {
            game.resolve_claim(devnet.account(0), i).await.unwrap();
        }
        game.resolve(devnet.account(0)).await.unwrap();

        assert_eq!(game.status().await.unwrap(), predicted.status);
        let claims = game.claims().await.unwrap();
        for (i, c) in claims.iter().enumerate() {
            assert_eq!(c.countered_by, predicted.countered_by[i], "counteredBy of claim {i}");
        }
        let total: u128 = claims.iter().map(|c| c.bond).sum();
        assert_eq!(predicted.credits.values().copied().sum::<U256>(), U256::from(total), "every bond is paid once");
        let two_phase = game.line.has_two_phase_bonds();
        for who in [devnet.account(0), self.proposer, self.challenger] {
            let credit = game.credit(who).await.unwrap();
            assert_eq!(credit, predicted.credit(who), "credit of {who}");
            // 1.2 unlocks at resolution; 1.4+ only once the game is closed and claimed.
            let (locked, _) = devnet.weth_withdrawal(game.address(), who).await.unwrap();
            assert_eq!(locked, if two_phase { U256::ZERO } else { credit }, "DelayedWETH unlocked for {who}");
        }
        if two_phase {
            assert_eq!(game.bond_mode().await.unwrap(), BondMode::Undecided);
        }
        predicted
    }

    /// After the WETH delay, each participant claims their credit: their balance grows by
    /// exactly the predicted credit less the fee of the claim.
    async fn claim_credits_as_predicted(&self, predicted: &Resolution) {
        let (devnet, game) = (self.devnet, &self.game);
        if game.line.has_two_phase_bonds() {
            // Not before the registry's finality delay has passed (strictly).
            let err = game.claim_credit(self.challenger, self.challenger).await.unwrap_err();
            assert_eq!(err.revert_name(), Some("GameNotFinalized"), "{err}");
            devnet.increase_time(devnet.options().finality_delay + 1).await.unwrap();
            // The first claimCredit closes the game and unlocks, even a zero credit.
            for who in [devnet.account(0), self.proposer, self.challenger] {
                game.claim_credit(who, who).await.unwrap();
                let (locked, _) = devnet.weth_withdrawal(game.address(), who).await.unwrap();
                assert_eq!(locked, predicted.credit(who), "DelayedWETH unlocked for {who}");
            }
            assert_eq!(game.bond_mode().await.unwrap(), BondMode::Normal);
        }
        devnet.increase_time(devnet.options().weth_delay + 1).await.unwrap();
        for who in [devnet.account(0), self.proposer, self.challenger] {
            let credit = predicted.credit(who);
            if credit.is_zero() {
                let err = game.claim_credit(who, who).await.unwrap_err();
                assert_eq!(err.revert_name(), Some("NoCreditToClaim"), "{err}");
                continue;
            }
            let before = devnet.balance(who).await.unwrap();
            let out = game.claim_credit(who, who).await.unwrap();
            assert_eq!(devnet.balance(who).await.unwrap(), before + credit - out.fee(), "claimCredit paid {who}");
            assert_eq!(game.credit(who).await.unwrap(), U256::ZERO);
            let err = game.claim_credit(who, who).await.unwrap_err();
            assert_eq!(err.revert_name(), Some("NoCreditToClaim"), "{err}");
        }
    }
}

#[tokio::test]
async fn dishonest_root_is_countered_down_to_an_attack_step_from_the_absolute_prestate() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let s = Script::new(&devnet, false).await;
    let (p, c) = (s.proposer, s.challenger);
    // The challenger disagrees with every proposer claim and attacks all the way left.
    let mut parent = 0;
    for depth in 1..=s.game.depth.max() {
        parent = if depth % 2 == 1 {
            s.play_honest(c, parent, true).await
        } else {
            s.play(p, parent, true, garbage(u64::from(depth))).await
        };
    }
    let leaf = parent;
    let tree = s.tree().await;
    assert_eq!(tree.get(leaf).unwrap().position.gindex(), 256);
    // The subgame disputes the output of anchor + 1, and the leaf is its trace index 0.
    let block = alphabet::disputed_block(
        &tree,
        leaf,
        s.game.depth,
        s.game.starting_block,
        s.game.starting_root,
        s.game.clamp(),
    )
    .unwrap();
    assert_eq!(block, s.game.starting_block + 1);

    // The model's step: from the absolute prestate, countering if the VM disagrees.
    let states = tree.step_states(leaf, true, s.game.depth).unwrap();
    assert_eq!((states.pre, states.post, states.counter_if_differs), (None, leaf, true));
    // Without the disputed block loaded the VM cannot read it.
    let err = s.game.step(c, leaf, true, alphabet::prestate_data(), Bytes::new()).await.unwrap_err();
    assert_eq!(
        (err.revert_name(), err.revert().unwrap().reason.as_deref()),
        (Some("Error"), Some("pre-image must exist"))
    );
    s.load_local_data_and_check_vm(leaf, &alphabet::prestate_data(), alphabet::claim(block, 0)).await;
    s.game.step(c, leaf, true, alphabet::prestate_data(), Bytes::new()).await.unwrap();
    assert_eq!(s.game.claim(leaf).await.unwrap().countered_by, c);

    // Too early: no claim is resolvable, and the contract agrees.
    let tree = s.tree().await;
    let (_, now) = devnet.l1().latest().await.unwrap();
    let resolved = vec![false; tree.len()];
    assert!(resolvable_claims(&tree, &resolved, s.game.clocks, now).unwrap().is_empty());
    let err = s.game.resolve_claim(devnet.account(0), leaf).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("ClockNotExpired"), "{err}");

    let predicted = s.resolve_as_predicted().await;
    assert_eq!(predicted.status, GameStatus::ChallengerWins);
    assert!(predicted.credit(p).is_zero(), "the dishonest proposer loses every bond");
    // The anchor only moves for a defender win.
    assert_eq!(devnet.anchor_of(ALPHABET_GAME_TYPE).await.unwrap(), devnet.anchor());

    // Before the delay, DelayedWETH refuses (1.4+: the game refuses before finality); then
    // every credit is paid exactly.
    if !s.game.line.has_two_phase_bonds() {
        let err = s.game.claim_credit(c, c).await.unwrap_err();
        assert_eq!(err.revert().unwrap().reason.as_deref(), Some("DelayedWETH: withdrawal delay not met"), "{err}");
    }
    s.claim_credits_as_predicted(&predicted).await;
}

#[tokio::test]
async fn honest_root_survives_garbage_whose_step_is_rejected_as_valid_and_moves_the_anchor() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let s = Script::new(&devnet, true).await;
    let (p, c) = (s.proposer, s.challenger);
    // The challenger posts garbage at every odd depth; the honest proposer attacks it.
    let mut parent = 0;
    for depth in 1..=s.game.depth.max() {
        parent = if depth % 2 == 1 {
            s.play(c, parent, true, garbage(u64::from(depth))).await
        } else {
            s.play_honest(p, parent, true).await
        };
    }
    let leaf = parent;
    let tree = s.tree().await;
    let block = alphabet::disputed_block(
        &tree,
        leaf,
        s.game.depth,
        s.game.starting_block,
        s.game.starting_root,
        s.game.clamp(),
    )
    .unwrap();
    assert_eq!(tree.get(leaf).unwrap().value, alphabet::claim(block, 0));

    // Neither step counters the honest leaf: the VM agrees with it.
    s.load_local_data_and_check_vm(leaf, &alphabet::prestate_data(), alphabet::claim(block, 0)).await;
    let err = s.game.step(c, leaf, true, alphabet::prestate_data(), Bytes::new()).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("ValidStep"), "{err}");
    // A defend-step from the leaf's state lands on the challenger's own garbage above it.
    let states = tree.step_states(leaf, false, s.game.depth).unwrap();
    assert_eq!((states.pre, states.counter_if_differs), (Some(leaf), false));
    let err = s.game.step(c, leaf, false, alphabet::step_data(block, 1), Bytes::new()).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("ValidStep"), "{err}");

    let predicted = s.resolve_as_predicted().await;
    assert_eq!(predicted.status, GameStatus::DefenderWins);
    assert!(predicted.credit(c).is_zero(), "the dishonest challenger loses every bond");
    // A defender win on a newer block moves the type-255 anchor to the game's root: at
    // resolution in 1.2, when the game is closed (by the first claimCredit) in 1.4+.
    let moved = (s.game.root_claim, s.game.l2_block);
    if !s.game.line.has_two_phase_bonds() {
        assert_eq!(devnet.anchor_of(ALPHABET_GAME_TYPE).await.unwrap(), moved);
    }
    s.claim_credits_as_predicted(&predicted).await;
    assert_eq!(devnet.anchor_of(ALPHABET_GAME_TYPE).await.unwrap(), moved);
}

/// Plays the common opening of the defend scenarios against a dishonest root: the proposer
/// posts correct claims where the honest challenger must defend, at the output level
/// (depth 2) and at the execution level (depth 6). Returns the challenger's claim at depth 7.
async fn defends_at_both_levels(s: &Script<'_>) -> usize {
    let (p, c) = (s.proposer, s.challenger);
    let c1 = s.play_honest(c, 0, true).await; // g2
    let c2 = s.play_honest(p, c1, true).await; // g4, correct: the challenger must defend
    let c3 = s.play_honest(c, c2, false).await; // g10
    let c4 = s.play(p, c3, true, garbage(4)).await; // g20, split depth
    let c5 = s.play_honest(c, c4, true).await; // g40, exec root
    let c6 = s.play_honest(p, c5, true).await; // g80, correct: the challenger must defend
    let c7 = s.play_honest(c, c6, false).await; // g162
    let gindices: Vec<u128> = s.tree().await.claims().iter().map(|c| c.position.gindex()).collect();
    assert_eq!(gindices, [1, 2, 4, 10, 20, 40, 80, 162]);
    c7
}

#[tokio::test]
async fn defends_at_the_output_and_execution_levels_end_in_a_defend_step() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let s = Script::new(&devnet, false).await;
    let (p, c) = (s.proposer, s.challenger);
    let c7 = defends_at_both_levels(&s).await;
    // The proposer's leaf is correct too: only a defend-step (the leaf's state does lead to
    // the challenger's claim above it) counters it.
    let leaf = s.play_honest(p, c7, true).await; // g324
    let tree = s.tree().await;
    let depth = s.game.depth;
    let block =
        alphabet::disputed_block(&tree, leaf, depth, s.game.starting_block, s.game.starting_root, s.game.clamp())
            .unwrap();
    assert_eq!(block, s.game.starting_block + 5, "g20 disputes trace index 4 of the top game");
    let i = u64::try_from(depth.exec_trace_index(tree.get(leaf).unwrap().position).unwrap()).unwrap();
    assert_eq!(i, 4);

    let attack = tree.step_states(leaf, true, depth).unwrap();
    assert_eq!((attack.pre, attack.post, attack.counter_if_differs), (Some(6), leaf, true));
    let err = s.game.step(c, leaf, true, alphabet::step_data(block, i), Bytes::new()).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("ValidStep"), "an attack-step agrees with the correct leaf: {err}");
    let defend = tree.step_states(leaf, false, depth).unwrap();
    assert_eq!((defend.pre, defend.post, defend.counter_if_differs), (Some(leaf), c7, false));
    s.game.step(c, leaf, false, alphabet::step_data(block, i + 1), Bytes::new()).await.unwrap();
    assert_eq!(s.game.claim(leaf).await.unwrap().countered_by, c);

    let predicted = s.resolve_as_predicted().await;
    assert_eq!(predicted.status, GameStatus::ChallengerWins);
    // The proposer's correct claims still lose: each was countered by a defend.
    assert!(predicted.is_countered(2) && predicted.is_countered(6));
    s.claim_credits_as_predicted(&predicted).await;
}

#[tokio::test]
async fn an_attack_step_from_another_claims_state_counters_a_wrong_leaf() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let s = Script::new(&devnet, false).await;
    let (p, c) = (s.proposer, s.challenger);
    let c7 = defends_at_both_levels(&s).await;
    let leaf = s.play(p, c7, true, garbage(8)).await; // g324, wrong
    let tree = s.tree().await;
    let depth = s.game.depth;
    let block =
        alphabet::disputed_block(&tree, leaf, depth, s.game.starting_block, s.game.starting_root, s.game.clamp())
            .unwrap();
    // The pre-state is the proposer's own correct claim g80 (trace index 3), not the prestate.
    let states = tree.step_states(leaf, true, depth).unwrap();
    assert_eq!((states.pre, states.post, states.counter_if_differs), (Some(6), leaf, true));
    let pre = tree.get(6).unwrap();
    assert_eq!(pre.value, alphabet::claim(block, 3));
    // State data that does not hash to the pre claim is refused.
    let err = s.game.step(c, leaf, true, alphabet::step_data(block, 3), Bytes::new()).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("InvalidPrestate"), "{err}");
    s.game.step(c, leaf, true, alphabet::step_data(block, 4), Bytes::new()).await.unwrap();
    assert_eq!(s.game.claim(leaf).await.unwrap().countered_by, c);
    let err = s.game.step(c, leaf, true, alphabet::step_data(block, 4), Bytes::new()).await.unwrap_err();
    assert_eq!(err.revert_name(), Some("DuplicateStep"), "{err}");

    let predicted = s.resolve_as_predicted().await;
    assert_eq!(predicted.status, GameStatus::ChallengerWins);
    s.claim_credits_as_predicted(&predicted).await;
}
