//! Where the player's actions go: the transaction manager, or a recorder in monitor-only mode.

use std::{collections::HashSet, sync::Mutex};

use crate::error::Result;
use riposte_contracts::BoxFuture;
use riposte_storage::NewIntent;

use riposte_txmgr::{Outcome, Responder};

/// Takes the transactions of one action, in order.
pub trait ActionSink: Send + Sync {
    /// Sends `intents` in order, stopping at the first that does not land (a load must land
    /// before its step); returns how many were confirmed now.
    fn send(&self, intents: Vec<NewIntent>) -> BoxFuture<'_, Result<usize>>;

    /// L1 reorganised under the game: transactions may have left the chain.
    fn reorged(&self) -> BoxFuture<'_, Result<()>>;
}

/// Sends through the transaction manager, exactly once per intent key.
pub struct Sender<'a>(pub &'a Responder);

impl ActionSink for Sender<'_> {
    fn send(&self, intents: Vec<NewIntent>) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move {
            let mut confirmed = 0;
            for intent in intents {
                let key = intent.key.clone();
                match self.0.submit(intent).await {
                    Ok(Outcome::Confirmed { .. }) => confirmed += 1,
                    Ok(Outcome::AlreadyDone) => {}
                    Ok(Outcome::Reverted { reason, .. }) => {
                        tracing::warn!(%key, %reason, "action reverted");
                        break;
                    }
                    Err(e) => {
                        tracing::error!(%key, error = format!("{e:#}"), "action not sent");
                        break;
                    }
                }
            }
            Ok(confirmed)
        })
    }

    fn reorged(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move { Ok(self.0.resync_nonce().await?) })
    }
}

/// Monitor-only: records what would be sent and logs each action once; sends nothing.
#[derive(Default)]
pub struct Recorder {
    seen: Mutex<HashSet<String>>,
    recorded: Mutex<Vec<NewIntent>>,
}

impl Recorder {
    /// A recorder that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every distinct intent recorded, in the order first seen.
    pub fn recorded(&self) -> Vec<NewIntent> {
        self.recorded.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl<S: ActionSink + ?Sized> ActionSink for &S {
    fn send(&self, intents: Vec<NewIntent>) -> BoxFuture<'_, Result<usize>> {
        (**self).send(intents)
    }

    fn reorged(&self) -> BoxFuture<'_, Result<()>> {
        (**self).reorged()
    }
}

impl ActionSink for Recorder {
    fn send(&self, intents: Vec<NewIntent>) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move {
            for i in intents {
                let new = self.seen.lock().is_ok_and(|mut s| s.insert(i.key.clone()));
                if new {
                    tracing::info!(key = %i.key, kind = %i.kind, target = %i.target, value = %i.value, "monitor only: would send");
                    if let Ok(mut r) = self.recorded.lock() {
                        r.push(i);
                    }
                }
            }
            Ok(0)
        })
    }

    fn reorged(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async { Ok(()) })
    }
}
