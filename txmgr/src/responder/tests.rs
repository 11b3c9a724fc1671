use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy::{
    consensus::{Transaction, TxEnvelope},
    eips::eip2718::Decodable2718,
    network::EthereumWallet,
    primitives::{Address, B256, Bytes, U256},
    providers::DynProvider,
    signers::local::PrivateKeySigner,
    sol_types::{Revert as ErrorString, SolError},
};
use riposte_contracts::Revert;
use riposte_storage::{IntentState, NewIntent, Store};

use super::{
    Outcome, Responder, ResponderOptions,
    fake::{Answer, Estimate, FakeChain},
};
use crate::{IntentStore, MemoryStore, TxError, TxErrorKind, TxMetrics};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Waits at most `wait` ms, never bumps.
fn patient(wait: u64) -> ResponderOptions {
    ResponderOptions { resubmit_after: Duration::from_secs(60), poll: ms(2), wait_limit: ms(wait) }
}

fn wallet() -> EthereumWallet {
    EthereumWallet::from(PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap())
}

fn intent(key: &str) -> NewIntent {
    NewIntent {
        game: Address::repeat_byte(1),
        kind: "move".into(),
        key: key.into(),
        target: Address::repeat_byte(2),
        calldata: Bytes::from_static(&[0xde, 0xad]),
        value: U256::from(1_000),
    }
}

#[derive(Debug, Default)]
struct Counts {
    sent: Vec<String>,
    failed: Vec<String>,
    bonds: f64,
}

#[derive(Debug, Clone, Default)]
struct Recorded(Arc<Mutex<Counts>>);

impl Recorded {
    fn get<T>(&self, f: impl FnOnce(&Counts) -> T) -> T {
        f(&self.0.lock().unwrap())
    }
}

impl TxMetrics for Recorded {
    fn action_sent(&self, kind: &str, _inclusion_secs: f64) {
        self.0.lock().unwrap().sent.push(kind.into());
    }
    fn action_failed(&self, kind: &str) {
        self.0.lock().unwrap().failed.push(kind.into());
    }
    fn bond_posted(&self, wei: f64) {
        self.0.lock().unwrap().bonds += wei;
    }
}

async fn responder(
    chain: &FakeChain,
    store: &MemoryStore,
    opts: ResponderOptions,
) -> (Responder<FakeChain, MemoryStore>, Recorded) {
    let metrics = Recorded::default();
    let r = Responder::new(chain.clone(), wallet(), store.clone(), metrics.clone(), opts).await.unwrap();
    (r, metrics)
}

/// Mines once `ready` holds (checked every 2 ms, for at most 5 s).
fn mine_when(chain: &FakeChain, ready: impl Fn(&FakeChain) -> bool + Send + 'static) -> tokio::task::JoinHandle<()> {
    let chain = chain.clone();
    tokio::spawn(async move {
        for _ in 0..2500 {
            if ready(&chain) {
                break;
            }
            tokio::time::sleep(ms(2)).await;
        }
        chain.mine();
    })
}

fn decode(raw: &Bytes) -> TxEnvelope {
    TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap()
}

async fn stored(store: &MemoryStore, key: &str) -> riposte_storage::Intent {
    store.intent_by_key(key).await.unwrap().unwrap()
}

#[tokio::test]
async fn sends_an_intent_once_and_a_second_submit_of_its_key_is_already_done() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    let (r, metrics) = responder(&chain, &store, patient(500)).await;

    let Outcome::Confirmed { tx, block } = r.submit(intent("move:a")).await.unwrap() else { panic!("not confirmed") };
    let i = stored(&store, "move:a").await;
    assert_eq!((i.state, i.tx_hash, i.block), (IntentState::Confirmed, Some(tx), Some(block)));
    assert_eq!(chain.received().len(), 1);
    let sent = decode(&chain.received()[0]);
    assert_eq!((*sent.tx_hash(), sent.nonce(), sent.chain_id()), (tx, 0, Some(31337)));
    assert_eq!(sent.to(), Some(Address::repeat_byte(2)));
    assert_eq!(sent.value(), U256::from(1_000));

    assert_eq!(r.submit(intent("move:a")).await.unwrap(), Outcome::AlreadyDone);
    assert_eq!(chain.received().len(), 1, "nothing sent the second time");
    assert_eq!(store.all_attempts().len(), 1);
    assert_eq!(metrics.get(|m| (m.sent.clone(), m.bonds)), (vec!["move".to_string()], 1_000.0));
}

#[tokio::test]
async fn records_every_attempt_before_broadcasting_it() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.watch(&store);
    // Stuck long enough for two fee bumps, so re-signed attempts are checked too.
    let opts = ResponderOptions { resubmit_after: ms(15), poll: ms(2), wait_limit: ms(2000) };
    let (r, _) = responder(&chain, &store, opts).await;
    let miner = mine_when(&chain, |c| c.received().len() >= 4);

    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
    miner.await.unwrap();
    assert!(chain.received().len() >= 4);
    assert!(store.all_attempts().len() >= 3);
    assert_eq!(chain.unrecorded(), Vec::<B256>::new(), "broadcast before the attempt was stored");
}

#[tokio::test]
async fn a_restarted_responder_rebroadcasts_the_recorded_transaction_instead_of_signing_a_new_one() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    let (first, _) = responder(&chain, &store, patient(20)).await;
    let err = first.submit(intent("move:a")).await.unwrap_err();
    assert!(matches!(err, TxError::NotMined { .. }), "{err}");
    assert_eq!(err.kind(), TxErrorKind::Retry);
    assert_eq!(stored(&store, "move:a").await.state, IntentState::Sent);
    let recorded = store.all_attempts();
    assert_eq!(recorded.len(), 1);
    drop(first);
    // The node restarted too and lost the transaction.
    chain.drop_pool();
    let offered = chain.received().len();

    let (second, _) = responder(&chain, &store, patient(2000)).await;
    let miner = mine_when(&chain, |c| c.pooled(0).is_some());
    second.reconcile().await.unwrap();
    miner.await.unwrap();

    let i = stored(&store, "move:a").await;
    assert_eq!((i.state, i.tx_hash), (IntentState::Confirmed, Some(recorded[0].tx_hash)));
    assert_eq!(store.all_attempts(), recorded, "nothing new signed");
    let received = chain.received();
    assert_eq!(received.len(), offered + 1, "broadcast again once");
    assert!(received.iter().all(|raw| *raw == recorded[0].raw), "only the recorded bytes were ever broadcast");

    // The next action takes the nonce after the one in flight, not the node's stale count.
    chain.auto_mine(true);
    assert!(matches!(second.submit(intent("move:b")).await.unwrap(), Outcome::Confirmed { .. }));
    let b = stored(&store, "move:b").await;
    let nonces: Vec<u64> = store.attempts(b.id).await.unwrap().iter().map(|a| a.nonce).collect();
    assert_eq!(nonces, [1]);
}

#[tokio::test]
async fn a_second_submit_of_a_sent_intent_waits_for_it_instead_of_signing_again() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    let (first, _) = responder(&chain, &store, patient(20)).await;
    assert!(matches!(first.submit(intent("move:a")).await, Err(TxError::NotMined { .. })));
    let recorded = store.all_attempts();

    let (second, _) = responder(&chain, &store, patient(2000)).await;
    let miner = mine_when(&chain, |_| true);
    let outcome = second.submit(intent("move:a")).await.unwrap();
    miner.await.unwrap();
    assert!(matches!(outcome, Outcome::Confirmed { tx, .. } if tx == recorded[0].tx_hash));
    assert_eq!(store.all_attempts(), recorded);
}

#[tokio::test]
async fn a_stuck_transaction_is_resigned_on_its_nonce_with_fees_bumped_at_least_ten_percent() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    let opts = ResponderOptions { resubmit_after: ms(15), poll: ms(2), wait_limit: ms(2000) };
    let (r, _) = responder(&chain, &store, opts).await;
    // The fake node, like geth, refuses a replacement below +10%: mined is the last one it took.
    let miner = mine_when(&chain, |c| c.received().len() >= 4);

    let Outcome::Confirmed { tx, .. } = r.submit(intent("move:a")).await.unwrap() else { panic!("not confirmed") };
    miner.await.unwrap();
    let attempts = store.all_attempts();
    assert!(attempts.len() >= 3, "{} attempts", attempts.len());
    assert!(attempts.iter().all(|a| a.nonce == 0), "a bump keeps the nonce");
    for w in attempts.windows(2) {
        let (old, new) = (&w[0], &w[1]);
        assert!(
            new.max_fee_per_gas * 10 >= old.max_fee_per_gas * 11,
            "{} -> {}",
            old.max_fee_per_gas,
            new.max_fee_per_gas
        );
        assert!(new.max_priority_fee_per_gas * 10 >= old.max_priority_fee_per_gas * 11);
        assert_eq!(decode(&new.raw).nonce(), 0);
    }
    assert_ne!(tx, attempts[0].tx_hash, "a replacement was mined, not the first attempt");
    assert!(attempts.iter().any(|a| a.tx_hash == tx));
    assert_eq!(stored(&store, "move:a").await.state, IntentState::Confirmed);
}

#[tokio::test]
async fn nonce_too_low_resynchronises_with_the_chain_and_sends_on_its_nonce() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    let (r, _) = responder(&chain, &store, patient(500)).await;
    // The key sent three transactions elsewhere after this responder read its nonce.
    chain.others_mined(3);

    let Outcome::Confirmed { tx, .. } = r.submit(intent("move:a")).await.unwrap() else { panic!("not confirmed") };
    let attempts = store.all_attempts();
    assert_eq!(attempts.iter().map(|a| a.nonce).collect::<Vec<_>>(), [0, 3]);
    assert_eq!(tx, attempts[1].tx_hash);

    assert!(matches!(r.submit(intent("move:b")).await.unwrap(), Outcome::Confirmed { .. }));
    assert_eq!(store.all_attempts().last().map(|a| a.nonce), Some(4));
    assert_eq!(store.all_attempts().len(), 3);
}

#[tokio::test]
async fn a_simulated_revert_marks_the_intent_failed_and_sends_nothing() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    let (r, metrics) = responder(&chain, &store, patient(500)).await;
    let data = Bytes::from(ErrorString::from("too early".to_string()).abi_encode());
    chain.set_estimate(Estimate::Revert(data.clone()));

    let outcome = r.submit(intent("move:a")).await.unwrap();
    let want = Revert::decode(data).to_string();
    assert!(want.contains("too early"), "{want}");
    assert_eq!(outcome, Outcome::Reverted { tx: None, reason: want.clone() });
    let i = stored(&store, "move:a").await;
    assert_eq!((i.state, i.error), (IntentState::Failed, Some(want)));

    chain.set_estimate(Estimate::RevertWithoutData);
    let outcome = r.submit(intent("move:b")).await.unwrap();
    assert_eq!(outcome, Outcome::Reverted { tx: None, reason: "execution reverted".into() });

    assert!(chain.received().is_empty());
    assert!(store.all_attempts().is_empty());
    assert_eq!(metrics.get(|m| m.failed.len()), 2);

    // Once the call passes, the failed intent is sent.
    chain.set_estimate(Estimate::Gas(50_000));
    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
}

#[tokio::test]
async fn an_estimate_the_node_does_not_answer_fails_the_intent_without_sending() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    let (r, _) = responder(&chain, &store, patient(500)).await;
    chain.set_estimate(Estimate::Down);
    let err = r.submit(intent("move:a")).await.unwrap_err();
    assert!(matches!(err, TxError::Estimate { ref key, .. } if key == "move:a"), "{err}");
    assert_eq!(err.kind(), TxErrorKind::IntentFailed);
    assert!(err.to_string().contains("move:a"));
    let i = stored(&store, "move:a").await;
    assert_eq!((i.state, i.error.as_deref()), (IntentState::Failed, Some("connection refused")));
    assert!(chain.received().is_empty());
}

#[tokio::test]
async fn a_mined_revert_is_recorded_reverted_with_the_replayed_reason() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    chain.revert_on_mine(true);
    chain.set_replay("reverted: ClockTimeExceeded()");
    let (r, metrics) = responder(&chain, &store, patient(500)).await;

    let outcome = r.submit(intent("move:a")).await.unwrap();
    let Outcome::Reverted { tx: Some(tx), reason } = outcome.clone() else { panic!("{outcome:?}") };
    assert_eq!(reason, "reverted: ClockTimeExceeded()");
    let i = stored(&store, "move:a").await;
    let block = chain.block();
    assert_eq!((i.state, i.tx_hash, i.block), (IntentState::Reverted, Some(tx), Some(block)));
    assert_eq!(i.error.as_deref(), Some("reverted: ClockTimeExceeded()"));
    assert_eq!(chain.replays(), [block - 1], "replayed on the state before its block");
    assert_eq!(metrics.get(|m| (m.sent.len(), m.failed.len())), (0, 1));

    // Settled: asked again, the stored outcome comes back and nothing is sent.
    assert_eq!(r.submit(intent("move:a")).await.unwrap(), outcome);
    assert_eq!(chain.received().len(), 1);
}

#[tokio::test]
async fn a_mined_revert_whose_replay_succeeds_says_so() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    chain.revert_on_mine(true);
    let (r, _) = responder(&chain, &store, patient(500)).await;
    let Outcome::Reverted { reason, .. } = r.submit(intent("move:a")).await.unwrap() else { panic!("not reverted") };
    assert!(reason.contains("the replay succeeds"), "{reason}");
}

#[tokio::test]
async fn a_confirmed_intent_whose_transaction_was_reorged_out_is_sent_again() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    let (r, _) = responder(&chain, &store, patient(500)).await;
    let Outcome::Confirmed { tx: first, .. } = r.submit(intent("move:a")).await.unwrap() else { panic!() };
    assert_eq!(r.submit(intent("move:a")).await.unwrap(), Outcome::AlreadyDone);

    chain.reorg_everything();
    // New fees: the re-signed transaction is a new one.
    chain.set_base_fee(2_000_000_000);
    let Outcome::Confirmed { tx: again, .. } = r.submit(intent("move:a")).await.unwrap() else { panic!() };
    assert_ne!(again, first);
    assert_eq!(chain.received().len(), 2);
    let nonces: Vec<u64> = store.all_attempts().iter().map(|a| a.nonce).collect();
    assert_eq!(nonces, [0, 0], "the reorg gave the nonce back");
    let i = stored(&store, "move:a").await;
    assert_eq!((i.state, i.tx_hash), (IntentState::Confirmed, Some(again)));
}

#[tokio::test]
async fn an_already_known_answer_counts_as_broadcast() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    chain.answer_next(Answer::AlreadyKnown);
    let (r, _) = responder(&chain, &store, patient(500)).await;
    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
    assert_eq!(store.all_attempts().len(), 1);
}

#[tokio::test]
async fn a_refused_broadcast_fails_the_intent_and_a_later_submit_sends_it() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.answer_next(Answer::Refuse("insufficient funds for gas * price + value"));
    let (r, metrics) = responder(&chain, &store, patient(500)).await;
    let err = r.submit(intent("move:a")).await.unwrap_err();
    assert!(matches!(err, TxError::Refused { .. }), "{err}");
    assert_eq!(err.kind(), TxErrorKind::IntentFailed);
    let i = stored(&store, "move:a").await;
    assert_eq!(i.state, IntentState::Failed);
    assert_eq!(i.error.as_deref(), Some("insufficient funds for gas * price + value"));
    assert_eq!(metrics.get(|m| m.failed.len()), 1);

    chain.auto_mine(true);
    chain.set_base_fee(2_000_000_000);
    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
    let nonces: Vec<u64> = store.all_attempts().iter().map(|a| a.nonce).collect();
    assert_eq!(nonces, [0, 0], "the refused nonce is used again");
}

#[tokio::test]
async fn a_refused_broadcast_is_sent_again_with_the_same_bytes_when_fees_did_not_move() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.answer_next(Answer::Refuse("connection reset by peer"));
    let (r, _) = responder(&chain, &store, patient(500)).await;
    assert!(r.submit(intent("move:a")).await.is_err());
    chain.auto_mine(true);
    // Same nonce, same fees: the same signed bytes, already in the store before the first try.
    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
    let attempts = store.all_attempts();
    assert_eq!(attempts.len(), 1, "one attempt recorded, sent twice");
    let received = chain.received();
    assert_eq!(received.len(), 2, "refused once, then accepted");
    assert_eq!(received[0], received[1], "the same bytes both times");
    assert_eq!(stored(&store, "move:a").await.state, IntentState::Confirmed);
}

#[tokio::test]
async fn a_nonce_taken_by_another_transaction_fails_the_intent_after_the_grace_period() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    let (mut r, metrics) = responder(&chain, &store, patient(2000)).await;
    r.nonce_grace = ms(20);
    let other = {
        let chain = chain.clone();
        tokio::spawn(async move {
            while chain.pooled(0).is_none() {
                tokio::time::sleep(ms(2)).await;
            }
            chain.others_mined(1);
        })
    };
    let err = r.submit(intent("move:a")).await.unwrap_err();
    other.await.unwrap();
    assert!(matches!(err, TxError::NonceUsed { nonce: 0, .. }), "{err}");
    assert_eq!(err.kind(), TxErrorKind::IntentFailed);
    let i = stored(&store, "move:a").await;
    assert_eq!((i.state, i.error.as_deref()), (IntentState::Failed, Some("nonce 0 was used by another transaction")));
    assert_eq!(metrics.get(|m| m.failed.len()), 1);
}

#[tokio::test]
async fn an_unreadable_receipt_leaves_the_intent_sent_and_a_later_submit_settles_it_without_signing() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    chain.auto_mine(true);
    chain.receipts_down(true);
    let (r, _) = responder(&chain, &store, patient(500)).await;
    let err = r.submit(intent("move:a")).await.unwrap_err();
    assert!(matches!(err, TxError::Chain { .. }), "{err}");
    assert_eq!(err.kind(), TxErrorKind::Retry);
    assert!(err.to_string().contains("move:a"), "{err}");
    assert_eq!(stored(&store, "move:a").await.state, IntentState::Sent);

    chain.receipts_down(false);
    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
    assert_eq!(store.all_attempts().len(), 1);
}

#[tokio::test]
async fn reconcile_abandons_intents_never_signed_and_a_later_submit_sends_them() {
    let (chain, store) = (FakeChain::new(), MemoryStore::new());
    store.insert_intent(&intent("move:a"), 1).await.unwrap();
    chain.auto_mine(true);
    let (r, _) = responder(&chain, &store, patient(500)).await;
    r.reconcile().await.unwrap();
    assert_eq!(stored(&store, "move:a").await.state, IntentState::Abandoned);
    assert!(chain.received().is_empty());

    assert!(matches!(r.submit(intent("move:a")).await.unwrap(), Outcome::Confirmed { .. }));
    assert_eq!(chain.received().len(), 1);
}

#[allow(dead_code, clippy::let_underscore_future)]
fn the_futures_can_be_spawned(fake: &Responder<FakeChain, MemoryStore>, l1: &Responder<DynProvider, Store>) {
    fn send<T: Send>(_: &T) {}
    send(&fake.submit(intent("k")));
    send(&fake.reconcile());
    send(&l1.submit(intent("k")));
    send(&l1.reconcile());
    send(&l1.resync_nonce());
}
