//! The seam against a fake contract: a map from calldata to answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use alloy_primitives::{Address, B256, Bytes, U256, keccak256};
use alloy_sol_types::{SolCall, SolValue};
use riposte_game::{GameStatus, Position};
use riposte_solver::{Action, PreimageLoad};

use super::{fault::FaultDisputeGame as Fdg, *};
use crate::{
    ActionKind, BoxFuture, CallError, EthCall, Revert,
    asr::{AnchorStateRegistry3 as Asr, Portal2},
    fdg::fault::{Later, Permissioned},
    oracle::PreimageOracle,
    vm::BigStepper,
    weth::DelayedWETH,
};
use riposte_game::{BondMode, CloseBlocked, Line};

/// Answers `eth_call`s from a table; anything else reverts without data, as a contract without
/// the function does. Counts the calls it serves.
#[derive(Default)]
struct FakeChain {
    answers: HashMap<(Address, Bytes), Bytes>,
    calls: Mutex<Vec<(Address, Bytes)>>,
}

impl FakeChain {
    fn answer<C: SolCall>(&mut self, to: Address, c: C, value: impl SolValue) {
        self.answers.insert((to, c.abi_encode().into()), value.abi_encode().into());
    }

    fn served(&self) -> usize {
        self.calls.lock().unwrap().len()
    }
}

impl EthCall for FakeChain {
    fn call(&self, to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>> {
        self.calls.lock().unwrap().push((to, data.clone()));
        let answer = self.answers.get(&(to, data)).cloned();
        Box::pin(async move { answer.ok_or_else(|| CallError::Reverted(Revert::decode(Bytes::new()))) })
    }
}

const GAME: Address = Address::repeat_byte(0x9a);
const VM: Address = Address::repeat_byte(0x11);
const ORACLE: Address = Address::repeat_byte(0x22);

fn game_1_2(version: &str, max_depth: u64, split_depth: u64) -> FakeChain {
    let mut f = FakeChain::default();
    f.answer(GAME, Fdg::versionCall {}, version.to_string());
    f.answer(GAME, Fdg::gameTypeCall {}, 255u32);
    f.answer(GAME, Fdg::rootClaimCall {}, B256::repeat_byte(1));
    f.answer(GAME, Fdg::l1HeadCall {}, B256::repeat_byte(2));
    f.answer(GAME, Fdg::l2BlockNumberCall {}, U256::from(20));
    f.answer(GAME, Fdg::startingBlockNumberCall {}, U256::from(4));
    f.answer(GAME, Fdg::startingRootHashCall {}, B256::repeat_byte(3));
    f.answer(GAME, Fdg::maxGameDepthCall {}, U256::from(max_depth));
    f.answer(GAME, Fdg::splitDepthCall {}, U256::from(split_depth));
    f.answer(GAME, Fdg::maxClockDurationCall {}, 300u64);
    f.answer(GAME, Fdg::clockExtensionCall {}, 30u64);
    f.answer(GAME, Fdg::statusCall {}, U256::ZERO);
    f.answer(GAME, Fdg::absolutePrestateCall {}, B256::repeat_byte(4));
    f.answer(GAME, Fdg::l2ChainIdCall {}, U256::from(901));
    f.answer(GAME, Fdg::vmCall {}, VM);
    f.answer(GAME, Fdg::wethCall {}, Address::repeat_byte(0x33));
    f.answer(GAME, Fdg::anchorStateRegistryCall {}, Address::repeat_byte(0x44));
    f.answer(VM, BigStepper::oracleCall {}, ORACLE);
    f
}

#[tokio::test]
async fn a_1_2_game_is_detected_and_its_parameters_read() {
    let eth = Arc::new(game_1_2("1.2.1-beta.3", 8, 4));
    let game = detect_and_open(eth.clone(), GAME).await.unwrap();
    assert_eq!(game.family(), GameFamily::FAULT_V1_2);
    let p = game.parameters().await.unwrap();
    assert_eq!((p.version.as_str(), p.game_type, p.l2_block_number), ("1.2.1-beta.3", 255, 20));
    assert_eq!((p.depth.max(), p.depth.split()), (8, 4));
    assert_eq!((p.clocks.max_duration(), p.clocks.extension()), (300, 30));
    assert_eq!(p.status, GameStatus::InProgress);
    assert_eq!((p.vm, p.l2_chain_id), (VM, 901));
}

#[tokio::test]
async fn other_versions_are_refused_by_name() {
    for v in ["1.1.1", "0.18.1", "3.0.0", ""] {
        let eth = game_1_2(v, 8, 4);
        let err = detect(&eth, GAME).await.unwrap_err().to_string();
        assert!(err.contains(&format!("{v:?}")) && err.contains("not supported"), "{err}");
    }
}

#[tokio::test]
async fn a_game_that_reports_1_2_but_answers_a_later_getter_is_refused() {
    let mut eth = game_1_2("1.2.0", 8, 4);
    eth.answer(GAME, fault::Later::bondDistributionModeCall {}, U256::ZERO);
    let err = detect(&eth, GAME).await.unwrap_err().to_string();
    assert!(err.contains("bondDistributionMode()") && err.contains("1.2.0"), "{err}");
}

#[tokio::test]
async fn parameters_that_break_the_constructor_rules_are_named() {
    let game = open(GameFamily::FAULT_V1_2, Arc::new(game_1_2("1.2.0", 8, 8)), GAME);
    let err = game.parameters().await.unwrap_err().to_string();
    assert!(err.contains("splitDepth") && err.contains(&GAME.to_string()), "{err}");
    let game = open(GameFamily::FAULT_V1_2, Arc::new(game_1_2("1.2.0", 300, 4)), GAME);
    let err = game.parameters().await.unwrap_err().to_string();
    assert!(err.contains("maxGameDepth 300"), "{err}");
}

#[tokio::test]
async fn claims_with_impossible_positions_are_refused() {
    let mut eth = game_1_2("1.2.0", 8, 4);
    let bad = Fdg::claimDataReturn {
        parentIndex: u32::MAX,
        counteredBy: Address::ZERO,
        claimant: Address::repeat_byte(5),
        bond: 1,
        claim: B256::repeat_byte(6),
        position: 0,
        clock: 0,
    };
    eth.answers.insert(
        (GAME, Fdg::claimDataCall(U256::ZERO).abi_encode().into()),
        Fdg::claimDataCall::abi_encode_returns_tuple(&(
            bad.parentIndex,
            bad.counteredBy,
            bad.claimant,
            bad.bond,
            bad.claim,
            bad.position,
            bad.clock,
        ))
        .into(),
    );
    let game = open(GameFamily::FAULT_V1_2, Arc::new(eth), GAME);
    let err = game.claims(vec![0]).await.unwrap_err().to_string();
    assert!(err.contains("position") && err.contains("claim 0"), "{err}");
}

#[tokio::test]
async fn actions_become_calls_keyed_by_their_effect() {
    let eth = Arc::new(game_1_2("1.2.0", 8, 4));
    let game = open(GameFamily::FAULT_V1_2, eth.clone(), GAME);
    let position = Position::from_gindex(2).unwrap();
    let (parent_value, value) = (B256::repeat_byte(7), B256::repeat_byte(8));
    let mv = Action::Move {
        parent_index: 0,
        parent_value,
        is_attack: true,
        position,
        value,
        bond: U256::from(99),
        deadline: 0,
    };
    let calls = game.calls_for(&mv).await.unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].kind, ActionKind::Move);
    assert_eq!(calls[0].key, format!("move:{GAME}:0:{position}:{value}"));
    assert_eq!(calls[0].value, U256::from(99));
    let decoded = Fdg::attackCall::abi_decode(&calls[0].calldata).unwrap();
    assert_eq!((decoded._disputed, decoded._parentIndex, decoded._claim), (parent_value, U256::ZERO, value));

    let defend = Action::Move {
        parent_index: 0,
        parent_value,
        is_attack: false,
        position,
        value,
        bond: U256::from(99),
        deadline: 0,
    };
    assert!(Fdg::defendCall::abi_decode(&game.calls_for(&defend).await.unwrap()[0].calldata).is_ok());

    // A step with a keccak preimage: the load goes to the VM's oracle, first.
    let data = Bytes::from_static(b"preimage");
    let step = Action::Step {
        claim_index: 3,
        is_attack: false,
        state_data: Bytes::from_static(b"state"),
        proof: Bytes::from_static(b"proof"),
        preimage: Some(PreimageLoad::Keccak { data: data.clone(), offset: 8 }),
        deadline: 0,
    };
    let before = eth.served();
    let calls = game.calls_for(&step).await.unwrap();
    assert_eq!(calls.iter().map(|c| c.kind).collect::<Vec<_>>(), [ActionKind::LoadPreimage, ActionKind::Step]);
    assert_eq!(calls[0].target, ORACLE);
    assert_eq!(calls[0].key, format!("preimage:{ORACLE}:{}:8", keccak256(&data)));
    assert_eq!(calls[1].key, format!("step:{GAME}:3:false"));
    let s = Fdg::stepCall::abi_decode(&calls[1].calldata).unwrap();
    assert_eq!((s._claimIndex, s._isAttack, s._stateData.as_ref()), (U256::from(3), false, &b"state"[..]));
    // The oracle is read once per game.
    let after_first = eth.served();
    game.calls_for(&step).await.unwrap();
    assert_eq!(game.oracle().await.unwrap(), ORACLE);
    assert_eq!((after_first - before, eth.served() - after_first), (2, 0));

    let local = Action::Step {
        claim_index: 3,
        is_attack: false,
        state_data: Bytes::from_static(b"state"),
        proof: Bytes::from_static(b"proof"),
        preimage: Some(PreimageLoad::Local { ident: 2, claim_index: 3, offset: 0 }),
        deadline: 0,
    };
    let calls = game.calls_for(&local).await.unwrap();
    assert_eq!(calls[0].kind, ActionKind::AddLocalData);
    assert_eq!((calls[0].target, calls[0].key.as_str()), (GAME, format!("local:{GAME}:3:2:0").as_str()));

    let calls = game.calls_for(&Action::ResolveClaim { claim_index: 5 }).await.unwrap();
    assert_eq!(calls[0].key, format!("resolve-claim:{GAME}:5"));
    let r = Fdg::resolveClaimCall::abi_decode(&calls[0].calldata).unwrap();
    assert_eq!((r._claimIndex, r._numToResolve), (U256::from(5), U256::ZERO));
    assert_eq!(
        game.calls_for(&Action::Resolve).await.unwrap()[0].calldata,
        Bytes::from(Fdg::resolveCall {}.abi_encode())
    );
    let who = Address::repeat_byte(0xee);
    let c = game.claim_credit(who);
    assert_eq!((c.kind, c.key), (ActionKind::ClaimCredit, format!("claim-credit:{GAME}:{who}")));
}

const WETH: Address = Address::repeat_byte(0x33);
const REGISTRY: Address = Address::repeat_byte(0x44);
const ME: Address = Address::repeat_byte(0xee);

/// A 2.x game (FDG 2.4.2's getters) with an ASR 3.x registry: resolved at 1000, delay 100.
fn game_2(version: &str, permissioned: bool) -> FakeChain {
    let mut f = game_1_2(version, 73, 30);
    f.answer(GAME, Fdg::maxClockDurationCall {}, 302_400u64);
    f.answer(GAME, Fdg::clockExtensionCall {}, 10_800u64);
    f.answer(GAME, Later::bondDistributionModeCall {}, U256::ZERO);
    f.answer(GAME, Later::l2SequenceNumberCall {}, U256::from(20));
    f.answer(ORACLE, PreimageOracle::challengePeriodCall {}, U256::from(86_400));
    if permissioned {
        f.answer(GAME, Permissioned::proposerCall {}, Address::repeat_byte(0x51));
        f.answer(GAME, Permissioned::challengerCall {}, Address::repeat_byte(0x52));
    }
    f.answer(GAME, Fdg::statusCall {}, U256::from(2));
    f.answer(GAME, Fdg::resolvedAtCall {}, 1_000u64);
    f.answer(REGISTRY, Asr::disputeGameFinalityDelaySecondsCall {}, U256::from(100));
    f.answer(REGISTRY, Asr::pausedCall {}, false);
    f.answer(REGISTRY, Asr::isGameRegisteredCall { _game: GAME }, true);
    f.answer(REGISTRY, Asr::isGameBlacklistedCall { _game: GAME }, false);
    f.answer(REGISTRY, Asr::isGameRetiredCall { _game: GAME }, false);
    f.answer(GAME, Later::normalModeCreditCall(ME), U256::from(7));
    f.answer(GAME, Later::refundModeCreditCall(ME), U256::from(3));
    f.answer(GAME, Later::hasUnlockedCreditCall(ME), false);
    f.answer(WETH, DelayedWETH::withdrawalsCall { owner: GAME, guy: ME }, (U256::ZERO, U256::ZERO));
    f
}

#[tokio::test]
async fn a_1_3_game_has_the_step_extension_of_its_oracle() {
    let mut eth = game_1_2("1.3.1-beta.5", 8, 4);
    eth.answer(ORACLE, PreimageOracle::challengePeriodCall {}, U256::from(60));
    let eth = Arc::new(eth);
    let game = detect_and_open(eth, GAME).await.unwrap();
    assert_eq!(game.family(), GameFamily { kind: GameKind::Fault, line: Line::V1_3 });
    let p = game.parameters().await.unwrap();
    assert_eq!((p.clocks.step_period(), p.oracle_challenge_period, p.roles), (Some(60), 60, None));
    assert_eq!(game.bond_mode().await.unwrap(), BondMode::Legacy);
    assert!(game.unlock_credit(ME).is_none() && game.close_game().is_none());
}

#[tokio::test]
async fn a_2_x_permissioned_game_is_detected_with_its_roles() {
    // A PermissionedDisputeGame may report 2.4.0 while running 2.4.2's code.
    let game = detect_and_open(Arc::new(game_2("2.4.0", true)), GAME).await.unwrap();
    assert_eq!(game.family(), GameFamily { kind: GameKind::Permissioned, line: Line::V2 });
    assert_eq!(game.family().to_string(), "PermissionedDisputeGame 2.x");
    let p = game.parameters().await.unwrap();
    let roles = p.roles.unwrap();
    assert_eq!((roles.proposer, roles.challenger), (Address::repeat_byte(0x51), Address::repeat_byte(0x52)));
    assert_eq!((p.depth.max(), p.depth.split(), p.clocks.step_period()), (73, 30, Some(86_400)));
    let plain = detect_and_open(Arc::new(game_2("2.4.2", false)), GAME).await.unwrap();
    assert_eq!(plain.family(), GameFamily { kind: GameKind::Fault, line: Line::V2 });
}

#[tokio::test]
async fn a_version_that_lies_about_its_bond_modes_is_refused() {
    let mut eth = game_2("1.3.0", false);
    eth.answers.remove(&(GAME, Later::l2SequenceNumberCall {}.abi_encode().into()));
    let err = detect(&eth, GAME).await.unwrap_err().to_string();
    assert!(err.contains("\"1.3.0\"") && err.contains("answers bondDistributionMode()"), "{err}");
    let mut eth = game_2("2.4.2", false);
    eth.answers.remove(&(GAME, Later::bondDistributionModeCall {}.abi_encode().into()));
    let err = detect(&eth, GAME).await.unwrap_err().to_string();
    assert!(err.contains("does not answer bondDistributionMode()") && err.contains("2.x has"), "{err}");
}

#[tokio::test]
async fn a_proposal_beyond_u64_names_no_block() {
    let mut eth = game_2("2.3.0", false);
    eth.answer(GAME, Fdg::l2BlockNumberCall {}, U256::from(u64::MAX) + U256::from(1));
    let game = open(GameFamily { kind: GameKind::Fault, line: Line::V2 }, Arc::new(eth), GAME);
    let err = game.parameters().await.unwrap_err().to_string();
    assert!(err.contains("l2BlockNumber") && err.contains("names no L2 block"), "{err}");
}

#[tokio::test]
async fn two_phase_bonds_are_read_with_the_registry_s_finality() {
    let eth = Arc::new(game_2("2.4.2", false));
    let game = open(GameFamily { kind: GameKind::Fault, line: Line::V2 }, eth.clone(), GAME);
    assert_eq!(game.bond_mode().await.unwrap(), BondMode::Undecided);
    let s = game.credit_state(ME).await.unwrap();
    assert_eq!((s.normal, s.refund, s.unlocked, s.unlocked_at), (U256::from(7), U256::from(3), false, 0));
    let c = game.closing().await.unwrap();
    assert_eq!((c.status, c.resolved_at, c.finality_delay, c.paused), (GameStatus::DefenderWins, 1_000, 100, false));
    assert_eq!(c.check(BondMode::Undecided, 1_100), Err(CloseBlocked::NotFinalized { at: 1_101 }));
    assert!(game.standing().await.unwrap().is_proper());
    // The delay is read once.
    let n = eth.served();
    game.closing().await.unwrap();
    assert_eq!(eth.served() - n, 3);
    let unlock = game.unlock_credit(ME).unwrap();
    let claim = game.claim_credit(ME);
    assert_eq!(unlock.calldata, claim.calldata);
    assert_ne!(unlock.key, claim.key);
    assert_eq!(unlock.kind, ActionKind::UnlockCredit);
    let close = game.close_game().unwrap();
    assert_eq!((close.kind, close.key), (ActionKind::CloseGame, format!("close:{GAME}")));
    assert_eq!(close.calldata, Bytes::from(Later::closeGameCall {}.abi_encode()));
}

#[tokio::test]
async fn a_2_2_registry_defers_the_delay_to_its_portal_and_cannot_pause() {
    const PORTAL: Address = Address::repeat_byte(0x55);
    let mut eth = game_2("1.4.1", false);
    eth.answers.remove(&(GAME, Later::l2SequenceNumberCall {}.abi_encode().into()));
    eth.answers.remove(&(REGISTRY, Asr::disputeGameFinalityDelaySecondsCall {}.abi_encode().into()));
    eth.answers.remove(&(REGISTRY, Asr::pausedCall {}.abi_encode().into()));
    eth.answer(REGISTRY, Asr::portalCall {}, PORTAL);
    eth.answer(PORTAL, Portal2::disputeGameFinalityDelaySecondsCall {}, U256::from(250));
    let game = detect_and_open(Arc::new(eth), GAME).await.unwrap();
    assert_eq!(game.family().line, Line::V1_4);
    let c = game.closing().await.unwrap();
    assert_eq!((c.finality_delay, c.paused), (250, false));
}

#[tokio::test]
async fn legacy_credit_is_the_credit_mapping() {
    let mut eth = game_1_2("1.2.0", 8, 4);
    eth.answer(GAME, Fdg::creditCall(ME), U256::from(9));
    eth.answer(WETH, DelayedWETH::withdrawalsCall { owner: GAME, guy: ME }, (U256::from(9), U256::from(500)));
    let game = open(GameFamily::FAULT_V1_2, Arc::new(eth), GAME);
    let s = game.credit_state(ME).await.unwrap();
    assert_eq!((s.normal, s.refund, s.unlocked_at), (U256::from(9), U256::ZERO, 500));
    assert!(game.standing().await.unwrap().is_proper());
}

/// A super-root game's getters over `extra` as extraData and `root` as root claim.
fn super_game(version: &str, extra: Vec<u8>, root: B256, sequence: u64) -> FakeChain {
    use crate::fdg::fault::Super;
    let mut f = game_2(version, false);
    f.answers.retain(|(to, data), _| {
        *to != GAME
            || (data[..] != Fdg::l2BlockNumberCall {}.abi_encode()[..]
                && data[..] != Fdg::startingBlockNumberCall {}.abi_encode()[..]
                && data[..] != Fdg::l2ChainIdCall {}.abi_encode()[..])
    });
    f.answer(GAME, Super::startingSequenceNumberCall {}, U256::from(4));
    f.answer(GAME, Later::l2SequenceNumberCall {}, U256::from(sequence));
    f.answer(GAME, Super::extraDataCall {}, Bytes::from(extra));
    f.answer(GAME, Fdg::rootClaimCall {}, root);
    f
}

#[tokio::test]
async fn super_root_games_are_read_from_their_extra_data_and_bad_proposals_named() {
    use riposte_solver::trace::super_root::{ChainOutput, SuperRoot};
    let sr = SuperRoot::single(1_000, 901, B256::repeat_byte(7));
    let eth = Arc::new(super_game("0.7.2", sr.encode(), sr.hash(), 1_000));
    let g = detect_and_open(eth, GAME).await.unwrap();
    assert_eq!(g.family(), GameFamily { kind: GameKind::SuperFault, line: Line::V2 });
    let p = g.parameters().await.unwrap();
    assert_eq!((p.super_root.as_ref(), p.l2_chain_id, p.l2_block_number, p.starting_block), (Some(&sr), 901, 1_000, 4));

    // extraData that does not hash to the root claim.
    let eth = Arc::new(super_game("0.7.2", sr.encode(), B256::repeat_byte(1), 1_000));
    let err = detect_and_open(eth, GAME).await.unwrap().parameters().await.unwrap_err().to_string();
    assert!(err.contains("extraData") && err.contains("does not hash to rootClaim"), "{err}");
    // A timestamp other than the sequence number.
    let eth = Arc::new(super_game("0.7.2", sr.encode(), sr.hash(), 1_001));
    let err = detect_and_open(eth, GAME).await.unwrap().parameters().await.unwrap_err().to_string();
    assert!(err.contains("l2SequenceNumber 1001"), "{err}");
    // A proposal at or before the anchor's timestamp (4) decides nothing.
    let early = SuperRoot::single(4, 901, B256::repeat_byte(7));
    let eth = Arc::new(super_game("0.7.2", early.encode(), early.hash(), 4));
    let err = detect_and_open(eth, GAME).await.unwrap().parameters().await.unwrap_err().to_string();
    assert!(err.contains("l2SequenceNumber 4") && err.contains("startingSequenceNumber 4"), "{err}");
    // Two chains: no interop yet.
    let two = SuperRoot {
        timestamp: 1_000,
        chains: vec![
            ChainOutput { chain_id: U256::from(10), output_root: B256::ZERO },
            ChainOutput { chain_id: U256::from(8453), output_root: B256::ZERO },
        ],
    };
    let eth = Arc::new(super_game("0.7.2", two.encode(), two.hash(), 1_000));
    let err = detect_and_open(eth, GAME).await.unwrap().parameters().await.unwrap_err().to_string();
    assert!(err.contains("over 2 chains"), "{err}");
    // Not a preimage at all.
    let eth = Arc::new(super_game("0.7.2", vec![1; 40], B256::ZERO, 1_000));
    let err = detect_and_open(eth, GAME).await.unwrap().parameters().await.unwrap_err().to_string();
    assert!(err.contains("40 bytes"), "{err}");
    // The simplified SuperPermissionedDisputeGame 1.x: nothing to play.
    let eth = super_game("1.0.0", sr.encode(), sr.hash(), 1_000);
    let err = detect(&eth, GAME).await.unwrap_err().to_string();
    assert!(err.contains("\"1.0.0\"") && err.contains("nothing to play"), "{err}");
}

fn simple_game(version: &str, extra: Vec<u8>, root: B256, sequence: u64) -> FakeChain {
    use crate::fdg::simple::SimpleSuperPermissioned as S;
    let mut f = FakeChain { answers: HashMap::new(), calls: Mutex::new(Vec::new()) };
    f.answer(GAME, S::versionCall {}, version.to_string());
    f.answer(GAME, S::rootClaimCall {}, root);
    f.answer(GAME, S::extraDataCall {}, Bytes::from(extra));
    f.answer(GAME, S::l2SequenceNumberCall {}, U256::from(sequence));
    f.answer(GAME, S::l1HeadCall {}, B256::repeat_byte(0x11));
    f.answer(GAME, S::proposerCall {}, Address::repeat_byte(0x22));
    f.answer(GAME, S::anchorStateRegistryCall {}, Address::repeat_byte(0x33));
    f.answer(GAME, S::statusCall {}, U256::from(2));
    f.answer(GAME, S::createdAtCall {}, 500u64);
    f.answer(GAME, S::resolvedAtCall {}, 500u64);
    f.answer(GAME, S::wasRespectedGameTypeWhenCreatedCall {}, false);
    f
}

#[tokio::test]
async fn the_simplified_super_permissioned_game_is_told_apart_and_read() {
    use crate::fdg::simple::{is_simple, read};
    use riposte_solver::trace::super_root::SuperRoot;
    let sr = SuperRoot::single(1_000, 10, B256::repeat_byte(7));
    let f = simple_game("1.0.0", sr.encode(), sr.hash(), 1_000);
    assert!(is_simple(&f, GAME).await.unwrap());
    let p = read(&f, GAME).await.unwrap();
    assert_eq!(
        (p.super_root, p.status, p.resolved_at, p.respected),
        (sr.clone(), GameStatus::DefenderWins, 500, false)
    );
    assert_eq!((p.proposer, p.registry), (Address::repeat_byte(0x22), Address::repeat_byte(0x33)));
    // A bisection game (it has claims) and a 0.7 version are not the simplified game.
    let mut claims = simple_game("1.0.0", sr.encode(), sr.hash(), 1_000);
    claims.answer(GAME, crate::fdg::simple::SimpleSuperPermissioned::claimDataLenCall {}, U256::from(1));
    assert!(!is_simple(&claims, GAME).await.unwrap());
    assert!(!is_simple(&simple_game("0.7.0", sr.encode(), sr.hash(), 1_000), GAME).await.unwrap());
    // A proposal that does not hash to its root, or names another timestamp, is named.
    let err = read(&simple_game("1.0.0", sr.encode(), B256::ZERO, 1_000), GAME).await.unwrap_err().to_string();
    assert!(err.contains("does not hash to rootClaim"), "{err}");
    let err = read(&simple_game("1.0.0", sr.encode(), sr.hash(), 999), GAME).await.unwrap_err().to_string();
    assert!(err.contains("l2SequenceNumber 999"), "{err}");
}
