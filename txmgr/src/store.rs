//! The storage the responder needs: intents and their signed attempts.

use std::{
    future::{Future, ready},
    sync::{Arc, Mutex, PoisonError},
};

use alloy::primitives::B256;
use riposte_storage::{Attempt, Intent, IntentState, NewIntent, Result, StorageError, Store};

/// Durable intents and attempts. Each write must be durable when its future resolves: the
/// responder broadcasts a transaction only after [`record_attempt`](Self::record_attempt) returned.
pub trait IntentStore: Send + Sync {
    /// The intent with this key, if any.
    fn intent_by_key(&self, key: &str) -> impl Future<Output = Result<Option<Intent>>> + Send;

    /// Records a new intent in state `pending` with a fresh id and returns it. The key must be new.
    fn insert_intent(&self, new: &NewIntent, now: u64) -> impl Future<Output = Result<Intent>> + Send;

    /// Records a signed attempt and marks its intent `sent` (with the attempt's nonce and hash),
    /// atomically. The intent must exist and the transaction hash must be new.
    fn record_attempt(&self, a: &Attempt) -> impl Future<Output = Result<()>> + Send;

    /// Moves an intent to `state`. `tx_hash` replaces the stored hash only when given; `block` and
    /// `error` always replace theirs (`None` clears them). An unknown id changes nothing.
    fn set_intent_state(
        &self,
        id: i64,
        state: IntentState,
        tx_hash: Option<B256>,
        block: Option<u64>,
        error: Option<&str>,
        now: u64,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Every intent in `state`, oldest first.
    fn intents_in_state(&self, state: IntentState) -> impl Future<Output = Result<Vec<Intent>>> + Send;

    /// The attempts of an intent, in signing order.
    fn attempts(&self, intent_id: i64) -> impl Future<Output = Result<Vec<Attempt>>> + Send;

    /// The highest nonce ever signed, if any.
    fn max_signed_nonce(&self) -> impl Future<Output = Result<Option<u64>>> + Send;
}

impl IntentStore for Store {
    fn intent_by_key(&self, key: &str) -> impl Future<Output = Result<Option<Intent>>> + Send {
        Store::intent_by_key(self, key)
    }

    fn insert_intent(&self, new: &NewIntent, now: u64) -> impl Future<Output = Result<Intent>> + Send {
        Store::insert_intent(self, new, now)
    }

    fn record_attempt(&self, a: &Attempt) -> impl Future<Output = Result<()>> + Send {
        Store::record_attempt(self, a)
    }

    fn set_intent_state(
        &self,
        id: i64,
        state: IntentState,
        tx_hash: Option<B256>,
        block: Option<u64>,
        error: Option<&str>,
        now: u64,
    ) -> impl Future<Output = Result<()>> + Send {
        Store::set_intent_state(self, id, state, tx_hash, block, error, now)
    }

    fn intents_in_state(&self, state: IntentState) -> impl Future<Output = Result<Vec<Intent>>> + Send {
        Store::intents_in_state(self, state)
    }

    fn attempts(&self, intent_id: i64) -> impl Future<Output = Result<Vec<Attempt>>> + Send {
        Store::attempts(self, intent_id)
    }

    fn max_signed_nonce(&self) -> impl Future<Output = Result<Option<u64>>> + Send {
        Store::max_signed_nonce(self)
    }
}

/// An [`IntentStore`] in memory with the SQLite store's semantics (ids from 1, unique keys and
/// transaction hashes, attempts only for known intents), for tests. Clones share the same data.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    tables: Arc<Mutex<Tables>>,
}

#[derive(Debug, Default)]
struct Tables {
    intents: Vec<Intent>,
    attempts: Vec<Attempt>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every intent, oldest first.
    pub fn intents(&self) -> Vec<Intent> {
        self.with(|t| t.intents.clone())
    }

    /// Every attempt of every intent, in signing order.
    pub fn all_attempts(&self) -> Vec<Attempt> {
        self.with(|t| t.attempts.clone())
    }

    fn with<T>(&self, f: impl FnOnce(&mut Tables) -> T) -> T {
        // A panic while holding the lock cannot leave a half-done write: every write below
        // checks first and then mutates without failing.
        let mut t = self.tables.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut t)
    }
}

fn refused(table: &'static str, column: &'static str, key: String, reason: &str) -> StorageError {
    StorageError::Corrupt { table, column, key, reason: reason.into() }
}

impl IntentStore for MemoryStore {
    fn intent_by_key(&self, key: &str) -> impl Future<Output = Result<Option<Intent>>> + Send {
        ready(Ok(self.with(|t| t.intents.iter().find(|i| i.intent.key == key).cloned())))
    }

    fn insert_intent(&self, new: &NewIntent, _now: u64) -> impl Future<Output = Result<Intent>> + Send {
        ready(self.with(|t| {
            if t.intents.iter().any(|i| i.intent.key == new.key) {
                return Err(refused("intents", "action_key", new.key.clone(), "UNIQUE constraint failed"));
            }
            let id = t.intents.last().map_or(1, |i| i.id + 1);
            let intent = Intent {
                id,
                intent: new.clone(),
                state: IntentState::Pending,
                nonce: None,
                tx_hash: None,
                block: None,
                error: None,
            };
            t.intents.push(intent.clone());
            Ok(intent)
        }))
    }

    fn record_attempt(&self, a: &Attempt) -> impl Future<Output = Result<()>> + Send {
        ready(self.with(|t| {
            if t.attempts.iter().any(|b| b.tx_hash == a.tx_hash) {
                return Err(refused("attempts", "tx_hash", a.tx_hash.to_string(), "UNIQUE constraint failed"));
            }
            let Some(i) = t.intents.iter_mut().find(|i| i.id == a.intent_id) else {
                return Err(refused("attempts", "intent_id", a.intent_id.to_string(), "FOREIGN KEY constraint failed"));
            };
            i.state = IntentState::Sent;
            i.nonce = Some(a.nonce);
            i.tx_hash = Some(a.tx_hash);
            t.attempts.push(a.clone());
            Ok(())
        }))
    }

    fn set_intent_state(
        &self,
        id: i64,
        state: IntentState,
        tx_hash: Option<B256>,
        block: Option<u64>,
        error: Option<&str>,
        _now: u64,
    ) -> impl Future<Output = Result<()>> + Send {
        self.with(|t| {
            if let Some(i) = t.intents.iter_mut().find(|i| i.id == id) {
                i.state = state;
                i.tx_hash = tx_hash.or(i.tx_hash);
                i.block = block;
                i.error = error.map(str::to_owned);
            }
        });
        ready(Ok(()))
    }

    fn intents_in_state(&self, state: IntentState) -> impl Future<Output = Result<Vec<Intent>>> + Send {
        ready(Ok(self.with(|t| t.intents.iter().filter(|i| i.state == state).cloned().collect())))
    }

    fn attempts(&self, intent_id: i64) -> impl Future<Output = Result<Vec<Attempt>>> + Send {
        ready(Ok(self.with(|t| t.attempts.iter().filter(|a| a.intent_id == intent_id).cloned().collect())))
    }

    fn max_signed_nonce(&self) -> impl Future<Output = Result<Option<u64>>> + Send {
        ready(Ok(self.with(|t| t.attempts.iter().map(|a| a.nonce).max())))
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Address, Bytes, U256};

    use super::*;

    fn new(key: &str) -> NewIntent {
        NewIntent {
            game: Address::repeat_byte(1),
            kind: "move".into(),
            key: key.into(),
            target: Address::repeat_byte(2),
            calldata: Bytes::from_static(&[1, 2, 3]),
            value: U256::from(7),
        }
    }

    fn attempt(intent_id: i64, nonce: u64, hash: u8) -> Attempt {
        Attempt {
            intent_id,
            nonce,
            tx_hash: B256::repeat_byte(hash),
            raw: Bytes::from(vec![hash]),
            max_fee_per_gas: 10,
            max_priority_fee_per_gas: 1,
            sent_at: 5,
        }
    }

    #[tokio::test]
    async fn assigns_increasing_ids_and_refuses_a_key_twice() {
        let s = MemoryStore::new();
        let a = s.insert_intent(&new("a"), 1).await.unwrap();
        let b = s.insert_intent(&new("b"), 1).await.unwrap();
        assert_eq!((a.id, b.id), (1, 2));
        assert_eq!(a.state, IntentState::Pending);
        assert!(s.insert_intent(&new("a"), 2).await.is_err());
        assert_eq!(s.intents().len(), 2);
        assert_eq!(s.intent_by_key("b").await.unwrap(), Some(b));
        assert_eq!(s.intent_by_key("c").await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_attempt_marks_its_intent_sent_and_needs_a_known_intent_and_a_new_hash() {
        let s = MemoryStore::new();
        let i = s.insert_intent(&new("a"), 1).await.unwrap();
        s.record_attempt(&attempt(i.id, 4, 9)).await.unwrap();
        let sent = s.intent_by_key("a").await.unwrap().unwrap();
        assert_eq!((sent.state, sent.nonce, sent.tx_hash), (IntentState::Sent, Some(4), Some(B256::repeat_byte(9))));
        assert!(s.record_attempt(&attempt(i.id, 4, 9)).await.is_err(), "same hash twice");
        assert!(s.record_attempt(&attempt(99, 5, 8)).await.is_err(), "unknown intent");
        s.record_attempt(&attempt(i.id, 4, 10)).await.unwrap();
        let hashes: Vec<_> = s.attempts(i.id).await.unwrap().iter().map(|a| a.tx_hash).collect();
        assert_eq!(hashes, [B256::repeat_byte(9), B256::repeat_byte(10)]);
        assert_eq!(s.max_signed_nonce().await.unwrap(), Some(4));
    }

    #[tokio::test]
    async fn a_state_change_keeps_the_hash_unless_given_and_replaces_block_and_error() {
        let s = MemoryStore::new();
        let i = s.insert_intent(&new("a"), 1).await.unwrap();
        s.record_attempt(&attempt(i.id, 0, 9)).await.unwrap();
        s.set_intent_state(i.id, IntentState::Failed, None, Some(3), Some("boom"), 2).await.unwrap();
        let got = s.intent_by_key("a").await.unwrap().unwrap();
        assert_eq!((got.tx_hash, got.block, got.error.as_deref()), (Some(B256::repeat_byte(9)), Some(3), Some("boom")));
        s.set_intent_state(i.id, IntentState::Confirmed, Some(B256::repeat_byte(1)), None, None, 3).await.unwrap();
        let got = s.intent_by_key("a").await.unwrap().unwrap();
        assert_eq!(
            (got.state, got.tx_hash, got.block, got.error),
            (IntentState::Confirmed, Some(B256::repeat_byte(1)), None, None)
        );
        assert_eq!(s.intents_in_state(IntentState::Confirmed).await.unwrap().len(), 1);
        assert!(s.intents_in_state(IntentState::Pending).await.unwrap().is_empty());
        assert_eq!(s.max_signed_nonce().await.unwrap(), Some(0));
    }
}
