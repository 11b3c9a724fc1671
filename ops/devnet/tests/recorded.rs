//! Records what riposte's reader asks a 2.x game and what the chain answers, so that CI checks
//! the reader against real answers offline (`contracts/tests/recorded.rs`). Runs only on a 2.x
//! release (`RIPOSTE_OP_ARTIFACTS`); with `RIPOSTE_RECORD_ANSWERS=FILE` it writes the answers.
//! The file holds `eth_call` inputs and return data only: no contract code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use alloy::primitives::{Address, Bytes, keccak256};
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
