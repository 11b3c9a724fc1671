//! The 2.x reader against answers a real `FaultDisputeGame` 2.4.2, `PermissionedDisputeGame`
//! 2.4.0 and `SuperFaultDisputeGame` 0.7.2 gave (recorded from op-contracts v7.0.0 bytecode on anvil by
//! `ops/devnet/tests/recorded.rs`; return data only). Expected values come from the devnet's
//! default options and riposte's own bond formula, not from the file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::HashMap, sync::Arc};

use alloy_primitives::{Address, Bytes, U256};
use riposte_contracts::{BoxFuture, CallError, EthCall, GameKind, Revert, fdg};
use riposte_game::{BondMode, GameStatus, Line, Position, required_bond};

const FIXTURE: &str = include_str!("fixtures/fdg-2.4.2-anvil.json");

/// Answers from the recording; a call it does not hold fails the test by name.
struct Replay(HashMap<(Address, Bytes), Result<Bytes, Bytes>>);

impl EthCall for Replay {
    fn call(&self, to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>> {
        let answer = match self.0.get(&(to, data.clone())) {
            Some(Ok(b)) => Ok(b.clone()),
            Some(Err(r)) => Err(CallError::Reverted(Revert::decode(r.clone()))),
            None => panic!("the recording has no answer to {data} on {to}"),
        };
        Box::pin(async move { answer })
    }
}

struct Recorded {
    eth: Arc<dyn EthCall>,
    game: Address,
    permissioned: Address,
    super_game: Address,
    super_root: Bytes,
    proposer: Address,
    challenger: Address,
}

fn recorded() -> Recorded {
    let v: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    let addr = |k: &str| v[k].as_str().unwrap().parse::<Address>().unwrap();
    let bytes = |x: &serde_json::Value| x.as_str().unwrap().parse::<Bytes>().unwrap();
    let mut answers = HashMap::new();
    for a in v["answers"].as_array().unwrap() {
        let key = (a["to"].as_str().unwrap().parse().unwrap(), bytes(&a["data"]));
        let answer = if a.get("ok").is_some() { Ok(bytes(&a["ok"])) } else { Err(bytes(&a["revert"])) };
        answers.insert(key, answer);
    }
    Recorded {
        eth: Arc::new(Replay(answers)),
        game: addr("game"),
        permissioned: addr("permissioned_game"),
        super_game: addr("super_game"),
        super_root: bytes(&v["super_root"]),
        proposer: addr("proposer"),
        challenger: addr("challenger"),
    }
}

/// The devnet's defaults: 0.08 ETH init bond, alphabet depths 8/4, clocks 300/30, oracle
/// challenge period 120 s, finality delay 10 s, anchor at block 4, proposal at block 20.
const INIT_BOND: u64 = 80_000_000_000_000_000;

#[tokio::test]
async fn a_recorded_2_4_2_game_reads_as_2_x_with_the_later_clock_rules() {
    let r = recorded();
    let g = fdg::detect_and_open(r.eth.clone(), r.game).await.unwrap();
    assert_eq!((g.family().kind, g.family().line), (GameKind::Fault, Line::V2));
    let p = g.parameters().await.unwrap();
    assert_eq!((p.version.as_str(), p.game_type), ("2.4.2", 255));
    assert_eq!((p.depth.max(), p.depth.split()), (8, 4));
    assert_eq!((p.clocks.max_duration(), p.clocks.extension(), p.clocks.step_period()), (300, 30, Some(120)));
    assert_eq!((p.starting_block, p.l2_block_number, p.l2_chain_id), (4, 20, 901));
    assert_eq!(p.status, GameStatus::ChallengerWins);
    assert_eq!(p.roles, None);
    // The challenger's uncountered attack won both bonds; nothing is unlocked before the close.
    let claims = g.claims(vec![0, 1]).await.unwrap();
    let attack_bond = required_bond(Position::from_gindex(2).unwrap(), 8).unwrap();
    assert_eq!(U256::from(claims[1].bond), attack_bond);
    assert_eq!(g.bond_mode().await.unwrap(), BondMode::Undecided);
    let c = g.credit_state(r.challenger).await.unwrap();
    assert_eq!((c.normal, c.refund), (U256::from(INIT_BOND) + attack_bond, attack_bond));
    assert_eq!((c.unlocked, c.unlocked_at), (false, 0));
    let p_state = g.credit_state(r.proposer).await.unwrap();
    assert_eq!((p_state.normal, p_state.refund), (U256::ZERO, U256::from(INIT_BOND)));
    let closing = g.closing().await.unwrap();
    assert_eq!((closing.finality_delay, closing.paused, closing.status), (10, false, GameStatus::ChallengerWins));
    assert!(closing.resolved_at > 0);
    assert!(g.standing().await.unwrap().is_proper());
}

#[tokio::test]
async fn a_recorded_permissioned_game_reports_2_4_0_and_its_roles() {
    let r = recorded();
    let g = fdg::detect_and_open(r.eth.clone(), r.permissioned).await.unwrap();
    assert_eq!((g.family().kind, g.family().line), (GameKind::Permissioned, Line::V2));
    let p = g.parameters().await.unwrap();
    assert_eq!((p.version.as_str(), p.game_type), ("2.4.0", 1));
    let roles = p.roles.unwrap();
    assert_eq!((roles.proposer, roles.challenger), (r.proposer, r.challenger));
    assert_eq!(p.status, GameStatus::DefenderWins);
    let s = g.credit_state(r.proposer).await.unwrap();
    assert_eq!((s.normal, s.refund), (U256::from(INIT_BOND), U256::from(INIT_BOND)));
}

#[tokio::test]
async fn a_recorded_super_root_game_reads_its_proposal_from_extra_data() {
    let r = recorded();
    let g = fdg::detect_and_open(r.eth.clone(), r.super_game).await.unwrap();
    assert_eq!((g.family().kind, g.family().line), (GameKind::SuperFault, Line::V2));
    assert_eq!(g.family().to_string(), "SuperFaultDisputeGame 0.7");
    let p = g.parameters().await.unwrap();
    assert_eq!((p.version.as_str(), p.game_type), ("0.7.2", 9));
    let sr = p.super_root.expect("a super root");
    // The proposal: the devnet L2's chain 901, its timestamp the game's sequence number, its
    // preimage the extraData that hashes to the root claim.
    assert_eq!(sr.encode(), r.super_root.to_vec());
    assert_eq!(sr.hash(), p.root_claim);
    assert_eq!((sr.chains.len(), p.l2_chain_id, p.l2_block_number), (1, 901, sr.timestamp));
    assert_eq!((p.depth.max(), p.depth.split(), p.clocks.step_period()), (8, 4, Some(120)));
    assert_eq!(g.bond_mode().await.unwrap(), BondMode::Undecided);
    let s = g.credit_state(r.proposer).await.unwrap();
    assert_eq!(s.refund, U256::from(INIT_BOND), "the creator's bond is its refund credit");
    // No L2-block-number challenge in super-root games.
    assert!(!g.l2_block_challenged().await.unwrap());
}
