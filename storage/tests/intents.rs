//! Intents and attempts on a real SQLite file: the write-ahead record of every transaction.
#![allow(clippy::unwrap_used)] // test fixtures: a failure is the test failing

use alloy_primitives::{Address, B256, Bytes, U256};
use riposte_storage::{Attempt, IntentState, NewIntent, StorageError, Store};

fn intent(key: &str) -> NewIntent {
    NewIntent {
        game: Address::repeat_byte(1),
        kind: "move".into(),
        key: key.into(),
        target: Address::repeat_byte(1),
        calldata: Bytes::from(vec![0x47, 0x27, 0x77, 0xc6]),
        value: U256::from(80_000_000_000_000_000u64),
    }
}

#[tokio::test]
async fn intent_lifecycle_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let id = {
        let store = Store::open(&path).await.unwrap();
        let i = store.insert_intent(&intent("move:a"), 100).await.unwrap();
        assert_eq!(i.state, IntentState::Pending);
        assert_eq!(i.intent, intent("move:a"));
        store
            .record_attempt(&Attempt {
                intent_id: i.id,
                nonce: 7,
                tx_hash: B256::repeat_byte(0xAA),
                raw: Bytes::from(vec![1, 2, 3]),
                max_fee_per_gas: 3_000_000_000,
                max_priority_fee_per_gas: 1_000_000_000,
                sent_at: 101,
            })
            .await
            .unwrap();
        store.close().await;
        i.id
    };
    let store = Store::open(&path).await.unwrap();
    let i = store.intent_by_key("move:a").await.unwrap().unwrap();
    assert_eq!((i.id, i.state, i.nonce, i.tx_hash), (id, IntentState::Sent, Some(7), Some(B256::repeat_byte(0xAA))));
    assert_eq!(store.intents_in_state(IntentState::Sent).await.unwrap().len(), 1);
    let attempts = store.attempts(id).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].raw, Bytes::from(vec![1, 2, 3]));
    assert_eq!(store.max_signed_nonce().await.unwrap(), Some(7));
    store.set_intent_state(id, IntentState::Confirmed, None, Some(42), None, 102).await.unwrap();
    let i = store.intent_by_key("move:a").await.unwrap().unwrap();
    assert_eq!((i.state, i.block, i.tx_hash), (IntentState::Confirmed, Some(42), Some(B256::repeat_byte(0xAA))));
}

#[tokio::test]
async fn an_action_is_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db")).await.unwrap();
    store.insert_intent(&intent("move:a"), 1).await.unwrap();
    let err = store.insert_intent(&intent("move:a"), 2).await.unwrap_err();
    assert!(matches!(err, StorageError::Sqlx { .. }), "{err}");
    assert!(err.to_string().contains("move:a"), "{err}");
    assert_eq!(store.intents().await.unwrap().len(), 1);
    assert_eq!(store.max_signed_nonce().await.unwrap(), None);
}

#[tokio::test]
async fn credits_are_recorded_once_per_game_and_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("r.db")).await.unwrap();
    let (g, r) = (Address::repeat_byte(1), Address::repeat_byte(2));
    store.record_credit_claimed(g, r, U256::from(5), B256::repeat_byte(3), 10).await.unwrap();
    store.record_credit_claimed(g, r, U256::from(5), B256::repeat_byte(3), 11).await.unwrap();
    assert_eq!(store.credits_claimed().await.unwrap(), vec![(g, r, U256::from(5))]);
}
