//! Records what riposte's reader asks a 2.x game and what the chain answers, so that CI checks
//! the reader against real answers offline (`contracts/tests/recorded.rs`). Runs only on a 2.x
//! release (`RIPOSTE_OP_ARTIFACTS`); with `RIPOSTE_RECORD_ANSWERS=FILE` it writes the answers.
//! The file holds `eth_call` inputs and return data only: no contract code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use alloy::primitives::{Address, Bytes, U256, keccak256};
use alloy::providers::Provider;
use riposte_contracts::{BoxFuture, CallError, EthCall, fdg};
use riposte_devnet::{ALPHABET_GAME_TYPE, Devnet, DevnetOptions, PERMISSIONED_GAME_TYPE, Stack};
use riposte_solver::trace::super_root::SuperRoot;
use serde_json::json;

/// Passes calls to the chain and keeps every answer (return data, or revert data).
struct Recorder {
    inner: riposte_chain::Rpc,
    seen: Mutex<Vec<serde_json::Value>>,
}

impl EthCall for Recorder {
    fn call(&self, to: Address, data: Bytes) -> BoxFuture<'_, Result<Bytes, CallError>> {
        Box::pin(async move {
            let out = self.inner.call(to, data.clone()).await;
            let entry = match &out {
                Ok(b) => json!({ "to": to, "data": data, "ok": b }),
                Err(CallError::Reverted(r)) => json!({ "to": to, "data": data, "revert": r.data }),
                Err(e) => panic!("the devnet failed a call: {e}"),
            };
            self.seen.lock().unwrap().push(entry);
            out
        })
    }
}

#[tokio::test]
async fn what_the_reader_asks_a_2_x_game_is_answered_and_recorded() {
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    if devnet.deployment().stack != Stack::V2 {
        eprintln!(
            "what_the_reader_asks_a_2_x_game_is_answered_and_recorded: did not run: needs a 2.x contracts release \
             (RIPOSTE_OP_ARTIFACTS)"
        );
        return;
    }
    let (proposer, challenger) = (devnet.account(1), devnet.account(2));
    let block = devnet.anchor().1 + 16;
    let game = devnet.create_game(ALPHABET_GAME_TYPE, keccak256("recorded wrong root"), block).await.unwrap();
    game.attack(challenger, 0, keccak256("recorded counter")).await.unwrap();
    let pdg = devnet.create_game(PERMISSIONED_GAME_TYPE, keccak256("recorded permissioned root"), block).await.unwrap();
    // Both games resolve once every clock has run out.
    devnet.increase_time(game.clocks.max_duration() + 1).await.unwrap();
    for i in [1, 0] {
        game.resolve_claim(proposer, i).await.unwrap();
    }
    game.resolve(proposer).await.unwrap();
    pdg.resolve_claim(proposer, 0).await.unwrap();
    pdg.resolve(proposer).await.unwrap();

    // A super-root game over the L2's block 20, when the release has SuperFaultDisputeGame.
    let super_game = if devnet.deployment().super_game_impl != Address::ZERO {
        let (output, proof) = devnet.output_root(20).await.unwrap();
        let header = devnet.l2().provider().get_block_by_hash(proof.latest_blockhash).await.unwrap().unwrap().header;
        let sr = SuperRoot::single(header.timestamp, devnet.options().l2_chain_id, output);
        Some((devnet.create_super_game(&sr).await.unwrap(), sr))
    } else {
        eprintln!("no SuperFaultDisputeGame in the release: no super-root game recorded");
        None
    };

    let provider = alloy::providers::ProviderBuilder::new().connect_http(devnet.l1_url().clone());
    let rec = Arc::new(Recorder {
        inner: riposte_chain::Rpc(alloy::providers::Provider::erased(provider)),
        seen: Mutex::new(Vec::new()),
    });
    let eth: Arc<dyn EthCall> = rec.clone();
    for (address, kind) in [(game.address(), fdg::GameKind::Fault), (pdg.address(), fdg::GameKind::Permissioned)] {
        let g = fdg::detect_and_open(eth.clone(), address).await.unwrap();
        assert_eq!(g.family().kind, kind);
        let p = g.parameters().await.unwrap();
        assert!(p.version.starts_with("2."), "{}", p.version);
        let n = g.claim_count().await.unwrap();
        g.claims((0..n).collect()).await.unwrap();
        g.resolved_subgames((0..n).collect()).await.unwrap();
        g.bond_mode().await.unwrap();
        for who in [proposer, challenger] {
            g.credit_state(who).await.unwrap();
        }
        g.closing().await.unwrap();
        g.standing().await.unwrap();
    }
    if let Some((address, sr)) = &super_game {
        let g = fdg::detect_and_open(eth.clone(), *address).await.unwrap();
        assert_eq!(g.family().kind, fdg::GameKind::SuperFault);
        let p = g.parameters().await.unwrap();
        assert_eq!(p.super_root.as_ref(), Some(sr));
        g.claims(vec![0]).await.unwrap();
        g.bond_mode().await.unwrap();
        g.credit_state(proposer).await.unwrap();
    }
    let answers = rec.seen.lock().unwrap().clone();
    assert!(answers.len() > 40, "{} answers", answers.len());
    if let Some(path) = std::env::var_os("RIPOSTE_RECORD_ANSWERS") {
        let file = json!({
            "source": "eth_call answers of a local anvil running op-contracts v7.0.0 forge artifacts (FaultDisputeGame 2.4.2, PermissionedDisputeGame 2.4.0, SuperFaultDisputeGame 0.7.2, AnchorStateRegistry 3.9.0, DelayedWETH 1.5.1, PreimageOracle 1.1.5) deployed by riposte-devnet with its default options, recorded by ops/devnet/tests/recorded.rs; return data only, no contract code",
            "game": game.address(),
            "permissioned_game": pdg.address(),
            "proposer": proposer,
            "challenger": challenger,
            "super_game": super_game.as_ref().map(|(a, _)| *a),
            "super_root": super_game.as_ref().map(|(_, sr)| alloy::primitives::hex::encode_prefixed(sr.encode())),
            "answers": answers,
        });
        std::fs::write(&path, serde_json::to_vec_pretty(&file).unwrap()).unwrap();
        eprintln!("recorded {} answers to {}", rec.seen.lock().unwrap().len(), std::path::Path::new(&path).display());
    }
}

/// The simplified `SuperPermissionedDisputeGame` 1.0 (Upgrade 20's type 5) read through
/// `fdg::simple` on the real contract: a proposal resolved at creation; once final and
/// respected, `setAnchorState` makes it the super-root registry's anchor.
#[tokio::test]
async fn the_simplified_type_5_game_is_read_and_becomes_the_anchor_once_final() {
    use riposte_contracts::{asr::AnchorStateRegistry3 as Asr, fdg::simple};
    let devnet = Devnet::start(DevnetOptions::default()).await.unwrap();
    let d = devnet.deployment();
    if d.super_permissioned_game_impl == Address::ZERO || d.super_game_impl == Address::ZERO {
        eprintln!(
            "the_simplified_type_5_game_is_read_and_becomes_the_anchor_once_final: did not run: needs a release with \
             SuperFaultDisputeGame and the simplified SuperPermissionedDisputeGame 1.0 in RIPOSTE_OP_ARTIFACTS"
        );
        return;
    }
    let eth: Arc<dyn EthCall> = Arc::new(riposte_chain::Rpc(alloy::providers::Provider::erased(
        alloy::providers::ProviderBuilder::new().connect_http(devnet.l1_url().clone()),
    )));
    devnet.set_super_respected_game_type(riposte_devnet::SUPER_PERMISSIONED_GAME_TYPE).await.unwrap();
    let (_, anchor_t) = devnet.super_anchor();
    let sr = devnet.super_root_at(anchor_t + 10).await.unwrap();
    let game = devnet.create_super_game_of(riposte_devnet::SUPER_PERMISSIONED_GAME_TYPE, &sr).await.unwrap();
    if !simple::is_simple(eth.as_ref(), game).await.unwrap() {
        eprintln!("the release's SuperPermissionedDisputeGame is the 0.7 bisection game: read as such");
        let g = fdg::detect_and_open(eth.clone(), game).await.unwrap();
        assert_eq!(g.family().kind, fdg::GameKind::SuperPermissioned);
        return;
    }
    // The bisection games are not simplified ones.
    let nine = devnet.create_super_game(&devnet.super_root_at(anchor_t + 12).await.unwrap()).await.unwrap();
    assert!(!simple::is_simple(eth.as_ref(), nine).await.unwrap());
    let p = simple::read(eth.as_ref(), game).await.unwrap();
    assert_eq!((p.super_root.clone(), p.root_claim, p.proposer), (sr.clone(), sr.hash(), devnet.account(1)));
    assert_eq!(
        (p.status, p.registry, p.respected),
        (riposte_game::GameStatus::DefenderWins, d.super_anchor_registry, true)
    );
    assert!(p.version.starts_with("1."), "{}", p.version);
    let asr = d.super_anchor_registry;
    let finalized = |g| riposte_contracts::call(eth.as_ref(), asr, Asr::isGameFinalizedCall { _game: g });
    assert!(!finalized(game).await.unwrap(), "not final before the finality delay");
    devnet.increase_time(devnet.options().finality_delay + 1).await.unwrap();
    assert!(finalized(game).await.unwrap());
    assert!(riposte_contracts::call(eth.as_ref(), asr, Asr::isGameClaimValidCall { _game: game }).await.unwrap());
    let set = Asr::setAnchorStateCall { _game: game };
    devnet.l1().send("AnchorStateRegistry", devnet.account(5), asr, &set, U256::ZERO).await.unwrap();
    let anchor = riposte_contracts::call(eth.as_ref(), asr, Asr::getAnchorRootCall {}).await.unwrap();
    assert_eq!((anchor.root, anchor.l2SequenceNumber), (sr.hash(), U256::from(sr.timestamp)));
}
