//! Looks in flight, one task per game: a slow look (waiting for a receipt) never holds back the
//! others, a game is never looked at twice at once, and a look that panics still frees its game
//! with an error, so the scheduler looks at it again.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    time::Duration,
};

use alloy::primitives::Address;
use tokio::task::{Id, JoinError, JoinSet};

use crate::{
    error::{AgentError, Result},
    scheduler::Progress,
};

/// The tasks looking at games.
#[derive(Default)]
pub struct Looks {
    set: JoinSet<(Address, Result<Progress>)>,
    /// Which game each task looks at, to free a game whose task panicked.
    tasks: HashMap<Id, Address>,
    busy: HashSet<Address>,
}

impl Looks {
    /// No look in flight.
    pub fn new() -> Self {
        Self::default()
    }

    /// The games being looked at.
    pub fn busy(&self) -> &HashSet<Address> {
        &self.busy
    }

    /// How many looks are in flight.
    pub fn len(&self) -> usize {
        self.busy.len()
    }

    /// Whether no look is in flight.
    pub fn is_empty(&self) -> bool {
        self.busy.is_empty()
    }

    /// Starts looking at `game` (on the runtime this is called from).
    pub fn spawn(&mut self, game: Address, look: impl Future<Output = Result<Progress>> + Send + 'static) {
        self.busy.insert(game);
        let task = self.set.spawn(async move { (game, look.await) });
        self.tasks.insert(task.id(), game);
    }

    /// A finished look, if one is ready now.
    pub fn try_next(&mut self) -> Option<(Address, Result<Progress>)> {
        loop {
            let done = self.set.try_join_next_with_id()?;
            if let Some(r) = self.settle(done) {
                return Some(r);
            }
        }
    }

    /// The next look to finish (`None` when none is in flight).
    pub async fn next(&mut self) -> Option<(Address, Result<Progress>)> {
        loop {
            let done = self.set.join_next_with_id().await?;
            if let Some(r) = self.settle(done) {
                return Some(r);
            }
        }
    }

    /// Lets the looks in flight finish for at most `limit`, then cancels the rest.
    pub async fn finish_within(&mut self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async { while self.set.join_next().await.is_some() {} }).await;
        self.set.abort_all();
    }

    fn settle(
        &mut self,
        done: std::result::Result<(Id, (Address, Result<Progress>)), JoinError>,
    ) -> Option<(Address, Result<Progress>)> {
        let (game, r) = match done {
            Ok((id, (game, r))) => {
                self.tasks.remove(&id);
                (game, r)
            }
            Err(e) => {
                let game = self.tasks.remove(&e.id())?;
                (game, Err(AgentError::Task(format!("looking at the game ended abnormally: {e}"))))
            }
        };
        self.busy.remove(&game);
        Some((game, r))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::collections::HashSet;

    use alloy::primitives::B256;
    use riposte_chain::Head;

    use super::*;
    use crate::scheduler::Scheduler;

    #[tokio::test]
    async fn a_game_whose_look_panics_is_freed_and_looked_at_again() {
        let (a, b) = (Address::repeat_byte(1), Address::repeat_byte(2));
        let mut s = Scheduler::new();
        let head = |n: u64| Head {
            number: n,
            hash: B256::with_last_byte(n as u8),
            parent_hash: B256::with_last_byte(n as u8 - 1),
            timestamp: 100 + n,
        };
        let mut looks = Looks::new();
        // Both are due on the first head, and looked at.
        assert_eq!(s.select(head(1), &[a, b], &HashSet::new(), looks.busy()), vec![a, b]);
        looks.spawn(a, async { panic!("a bug in a trace") });
        looks.spawn(b, async { Ok(Progress::default()) });
        assert_eq!(looks.busy(), &HashSet::from([a, b]));
        let mut outcomes = Vec::new();
        while let Some((game, r)) = looks.next().await {
            outcomes.push((game, r.is_ok()));
            s.record(game, r.as_ref().map_err(|_| ()));
            if let Err(e) = r {
                assert!(e.to_string().contains("ended abnormally"), "{e}");
            }
        }
        outcomes.sort();
        assert_eq!(outcomes, vec![(a, false), (b, true)]);
        assert!(looks.is_empty(), "the panicking game is free again");
        // On the next head only the game whose look panicked is due.
        assert_eq!(s.select(head(2), &[a, b], &HashSet::new(), looks.busy()), vec![a]);
    }

    #[tokio::test]
    async fn looks_in_flight_are_cancelled_after_the_shutdown_grace() {
        let mut looks = Looks::new();
        looks.spawn(Address::repeat_byte(1), async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(Progress::default())
        });
        let started = std::time::Instant::now();
        looks.finish_within(Duration::from_millis(50)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(looks.try_next().is_none());
    }
}
