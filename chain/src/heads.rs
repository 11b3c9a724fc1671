//! The stream of new L1 heads, each with its header, so a cycle reads the head once.
//!
//! Over WebSocket the node announces each head; over HTTP `eth_blockNumber` is polled (cheap)
//! and the header is read only when the number changes.

use std::time::Duration;

use alloy::{
    consensus::BlockHeader,
    eips::BlockNumberOrTag,
    primitives::B256,
    providers::{DynProvider, Provider},
};
use futures::StreamExt;
use tokio::sync::watch;

/// An L1 head: what a cycle needs of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub hash: B256,
    /// Parent hash (to tell a reorg from a successor).
    pub parent_hash: B256,
    /// Block timestamp: "now" for the game clocks.
    pub timestamp: u64,
}

impl Head {
    /// The head of an RPC header.
    pub fn of(h: &alloy::rpc::types::Header) -> Self {
        Self { number: h.number(), hash: h.hash, parent_hash: h.parent_hash(), timestamp: h.timestamp() }
    }

    /// Whether `self`, seen after `last`, means the chain reorganised under us.
    pub fn reorged_since(&self, last: &Head) -> bool {
        self.number < last.number
            || (self.number == last.number && self.hash != last.hash)
            || (self.number == last.number + 1 && self.parent_hash != last.hash)
    }
}

/// New L1 heads as they come; the newest wins when the reader is slower than the chain.
pub struct HeadStream {
    rx: watch::Receiver<Option<Head>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for HeadStream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HeadStream {
    /// Watches `l1`: a subscription over WebSocket (polled every `fallback_poll` besides, in case
    /// a notification is lost), `eth_blockNumber` every `poll` over HTTP.
    pub fn spawn(l1: DynProvider, poll: Duration, fallback_poll: Duration) -> Self {
        let (tx, rx) = watch::channel(None);
        let task = tokio::spawn(watch_heads(l1, tx, poll, fallback_poll));
        Self { rx, task }
    }

    /// Waits for a head newer than the last one returned (`None` once the watcher stopped).
    pub async fn next(&mut self) -> Option<Head> {
        self.rx.changed().await.ok()?;
        *self.rx.borrow_and_update()
    }

    /// The newest head seen, if any.
    pub fn latest(&self) -> Option<Head> {
        *self.rx.borrow()
    }
}

fn publish(tx: &watch::Sender<Option<Head>>, head: Head) {
    tx.send_if_modified(|cur| {
        if *cur == Some(head) {
            return false;
        }
        *cur = Some(head);
        true
    });
}

async fn header_at(l1: &DynProvider, number: u64) -> Option<Head> {
    match l1.get_block_by_number(BlockNumberOrTag::Number(number)).await {
        Ok(Some(b)) => Some(Head::of(&b.header)),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(number, error = %e, "cannot read the L1 head's header");
            None
        }
    }
}

/// Polls `eth_blockNumber` every `every`, publishing the header when the number moves (or, on
/// the same number, when the hash changed: a reorg at the tip is found on the next move).
async fn poll(l1: &DynProvider, tx: &watch::Sender<Option<Head>>, last: &mut Option<u64>) {
    match l1.get_block_number().await {
        Ok(n) if Some(n) != *last => {
            if let Some(h) = header_at(l1, n).await {
                *last = Some(n);
                publish(tx, h);
            }
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "cannot read the L1 head"),
    }
}

async fn watch_heads(l1: DynProvider, tx: watch::Sender<Option<Head>>, every: Duration, fallback: Duration) {
    let mut last = None;
    poll(&l1, &tx, &mut last).await;
    loop {
        match l1.subscribe_blocks().await {
            Ok(sub) => {
                tracing::info!("subscribed to new L1 heads");
                let mut stream = sub.into_stream();
                loop {
                    tokio::select! {
                        h = stream.next() => match h {
                            Some(h) => {
                                last = Some(h.number());
                                publish(&tx, Head::of(&h));
                            }
                            None => break,
                        },
                        _ = tokio::time::sleep(fallback) => poll(&l1, &tx, &mut last).await,
                    }
                }
                tracing::warn!("L1 head subscription ended; resubscribing");
            }
            Err(e) if e.to_string().contains("subscriptions are not available") => {
                // HTTP: poll for ever.
                loop {
                    tokio::time::sleep(every).await;
                    if tx.is_closed() {
                        return;
                    }
                    poll(&l1, &tx, &mut last).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot subscribe to L1 heads; retrying in 10 s"),
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
        if tx.is_closed() {
            return;
        }
    }
}
