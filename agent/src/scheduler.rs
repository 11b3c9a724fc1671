//! Which games are due on a head: the scheduler's memory between cycles, and nothing else.
//!
//! A game is looked at when something may have changed in it (a `Move` or `Resolved` log since
//! the last head, a clock running out, a look that failed or acted, an L1 reorg, a claim that
//! arrived while it was being looked at) and never twice at once. Due games come most urgent
//! first, so when slots are short the clock closest to running out is served first. Not
//! persisted: after a restart every game is looked at once.

use std::collections::{HashMap, HashSet};

use alloy::primitives::Address;
use riposte_chain::Head;

/// What looking at one game did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Actions planned (in monitor mode: recorded, not sent).
    pub planned: usize,
    /// Transactions confirmed.
    pub confirmed: usize,
    /// L1 time at which the game must be looked at again even if nothing happens.
    pub wake: Option<u64>,
    /// Something is left to do: look again on the next head.
    pub unfinished: bool,
    /// The earliest deadline of an honest response planned in this look.
    pub due: Option<u64>,
    /// Wei of our claims' bonds in the game (0 once it is resolved).
    pub locked: u128,
    /// Every clock has run out and what pays us is resolved, but the game stays in progress
    /// (selective resolution): its credit can be claimed now.
    pub claim_credit: bool,
}

/// The scheduler's memory.
#[derive(Debug, Default)]
pub struct Scheduler {
    last_head: Option<Head>,
    /// Look at these on the next head whatever happens (a look failed or left work undone).
    dirty: HashSet<Address>,
    /// Look at these as soon as they are idle, without waiting for a new head: a change arrived
    /// while they were being looked at, or no slot was free. On a quiet chain the next head may
    /// only come once someone moves; waiting for it could let a clock run out.
    recheck: HashSet<Address>,
    /// Per game, the L1 time at which a clock runs out and it must be looked at again.
    wake: HashMap<Address, u64>,
    /// Per game, the earliest deadline of an honest response its last look planned.
    deadline: HashMap<Address, u64>,
    /// Games looked at since start.
    seen: HashSet<Address>,
    /// Per game in progress, the wei our claims in it hold.
    locked: HashMap<Address, u128>,
}

impl Scheduler {
    /// A scheduler that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// The blocks whose logs tell which games changed since the last head, when the chain
    /// moved on without a reorg (`None` on the first head, on the same head, or after a reorg).
    pub fn log_range(&self, head: &Head) -> Option<(u64, u64)> {
        let last = self.last_head?;
        (!head.reorged_since(&last) && head.number > last.number).then_some((last.number + 1, head.number))
    }

    /// Whether `head` means L1 reorganised since the last head.
    pub fn reorged(&self, head: &Head) -> bool {
        self.last_head.is_some_and(|l| head.reorged_since(&l))
    }

    /// Whether a new head is needed before anything is due: no game waits for a recheck that
    /// is not busy.
    pub fn wants_recheck(&self, busy: &HashSet<Address>) -> bool {
        self.recheck.iter().any(|g| !busy.contains(g))
    }

    /// The games due at `head` among `active` (games in progress), most urgent first: a known
    /// response deadline or clock before none, earlier before later. `touched` are the games
    /// with logs since the last head; games in `busy` are being looked at and are marked for a
    /// recheck instead (their look may have read the claims before this head's).
    pub fn select(
        &mut self,
        head: Head,
        active: &[Address],
        touched: &HashSet<Address>,
        busy: &HashSet<Address>,
    ) -> Vec<Address> {
        let reorged = self.reorged(&head);
        self.last_head = Some(head);
        let mut due = Vec::new();
        for &g in active {
            let wanted = reorged
                || touched.contains(&g)
                || !self.seen.contains(&g)
                || self.dirty.contains(&g)
                || self.recheck.contains(&g)
                || self.wake.get(&g).is_some_and(|&t| head.timestamp >= t);
            if !wanted {
                continue;
            }
            if busy.contains(&g) {
                self.recheck.insert(g);
            } else {
                self.recheck.remove(&g);
                due.push(g);
            }
        }
        due.sort_by_key(|g| self.urgency(g));
        due
    }

    /// The L1 time by which the game needs an answer, as far as its last look told.
    fn urgency(&self, g: &Address) -> u64 {
        let deadline = self.deadline.get(g).copied();
        let wake = self.wake.get(g).copied();
        deadline.into_iter().chain(wake).min().unwrap_or(u64::MAX)
    }

    /// A due game got no slot: look at it as soon as one frees.
    pub fn defer(&mut self, game: Address) {
        self.recheck.insert(game);
    }

    /// Books what a look did. A look that failed (or panicked) leaves the game due on the next
    /// head.
    pub fn record(&mut self, game: Address, outcome: Result<&Progress, ()>) {
        self.seen.insert(game);
        match outcome {
            Ok(p) => {
                if p.unfinished {
                    self.dirty.insert(game);
                } else {
                    self.dirty.remove(&game);
                }
                match p.wake {
                    Some(t) => self.wake.insert(game, t),
                    None => self.wake.remove(&game),
                };
                match p.due {
                    Some(t) => self.deadline.insert(game, t),
                    None => self.deadline.remove(&game),
                };
                self.locked.insert(game, p.locked);
            }
            Err(()) => {
                self.dirty.insert(game);
            }
        }
    }

    /// Wei of our bonds in every game in progress.
    pub fn locked_total(&self) -> u128 {
        self.locked.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::B256;

    use super::*;

    fn head(number: u64, timestamp: u64) -> Head {
        let hash = |n: u64| B256::left_padding_from(&n.to_be_bytes());
        Head { number, hash: hash(number), parent_hash: hash(number.wrapping_sub(1)), timestamp }
    }

    fn games(n: u8) -> Vec<Address> {
        (1..=n).map(Address::repeat_byte).collect()
    }

    fn quiet() -> Progress {
        Progress::default()
    }

    /// Every game looked at once and left quiet.
    fn settled(games: &[Address]) -> Scheduler {
        let mut s = Scheduler::new();
        let due = s.select(head(1, 100), games, &HashSet::new(), &HashSet::new());
        assert_eq!(due.len(), games.len(), "every game is looked at once after a start");
        for g in games {
            s.record(*g, Ok(&quiet()));
        }
        s
    }

    #[test]
    fn quiet_games_are_left_alone_and_touched_ones_are_due() {
        let gs = games(3);
        let mut s = settled(&gs);
        assert_eq!(s.log_range(&head(2, 112)), Some((2, 2)));
        assert!(s.select(head(2, 112), &gs, &HashSet::new(), &HashSet::new()).is_empty());
        let touched = HashSet::from([gs[1]]);
        assert_eq!(s.select(head(3, 124), &gs, &touched, &HashSet::new()), vec![gs[1]]);
    }

    #[test]
    fn a_claim_that_lands_while_its_game_is_looked_at_is_looked_at_again() {
        let gs = games(2);
        let mut s = settled(&gs);
        // A log for game 0 arrives while its look is in flight: not due now, but marked.
        let busy = HashSet::from([gs[0]]);
        let touched = HashSet::from([gs[0]]);
        assert!(s.select(head(2, 112), &gs, &touched, &busy).is_empty());
        assert!(!s.wants_recheck(&busy), "still busy");
        // The look ends having planned nothing: the recheck makes it due without a new head.
        s.record(gs[0], Ok(&quiet()));
        assert!(s.wants_recheck(&HashSet::new()));
        assert_eq!(s.select(head(2, 112), &gs, &HashSet::new(), &HashSet::new()), vec![gs[0]]);
        assert!(!s.wants_recheck(&HashSet::new()), "the recheck is consumed");
    }

    #[test]
    fn a_game_whose_look_failed_or_panicked_is_due_on_the_next_head() {
        let gs = games(2);
        let mut s = settled(&gs);
        s.record(gs[1], Err(()));
        assert_eq!(s.select(head(2, 112), &gs, &HashSet::new(), &HashSet::new()), vec![gs[1]]);
        // Once a look succeeds quietly it is left alone again.
        s.record(gs[1], Ok(&quiet()));
        assert!(s.select(head(3, 124), &gs, &HashSet::new(), &HashSet::new()).is_empty());
    }

    #[test]
    fn a_game_that_acted_is_looked_at_again_to_see_its_move_stay() {
        let gs = games(1);
        let mut s = settled(&gs);
        s.record(gs[0], Ok(&Progress { planned: 1, unfinished: true, ..quiet() }));
        assert_eq!(s.select(head(2, 112), &gs, &HashSet::new(), &HashSet::new()), gs);
    }

    #[test]
    fn a_clock_running_out_wakes_its_game() {
        let gs = games(2);
        let mut s = settled(&gs);
        s.record(gs[0], Ok(&Progress { wake: Some(500), ..quiet() }));
        assert!(s.select(head(2, 499), &gs, &HashSet::new(), &HashSet::new()).is_empty());
        assert_eq!(s.select(head(3, 500), &gs, &HashSet::new(), &HashSet::new()), vec![gs[0]]);
    }

    #[test]
    fn the_clock_closest_to_running_out_is_served_first() {
        let gs = games(4);
        let mut s = settled(&gs);
        s.record(gs[0], Ok(&Progress { due: Some(900), unfinished: true, ..quiet() }));
        s.record(gs[1], Err(()));
        s.record(gs[2], Ok(&Progress { due: Some(300), wake: Some(800), unfinished: true, ..quiet() }));
        s.record(gs[3], Ok(&Progress { wake: Some(600), unfinished: true, ..quiet() }));
        let due = s.select(head(2, 112), &gs, &HashSet::new(), &HashSet::new());
        assert_eq!(due, vec![gs[2], gs[3], gs[0], gs[1]]);
    }

    #[test]
    fn a_game_with_no_free_slot_is_rechecked() {
        let gs = games(1);
        let mut s = settled(&gs);
        s.defer(gs[0]);
        assert!(s.wants_recheck(&HashSet::new()));
        assert_eq!(s.select(head(1, 100), &gs, &HashSet::new(), &HashSet::new()), gs);
    }

    #[test]
    fn a_reorg_makes_every_game_due_and_reads_no_log_range() {
        let gs = games(3);
        let mut s = settled(&gs);
        let mut other = head(1, 100);
        other.hash = B256::repeat_byte(0xee);
        assert!(s.reorged(&other));
        assert_eq!(s.log_range(&other), None);
        assert_eq!(s.select(other, &gs, &HashSet::new(), &HashSet::new()).len(), 3);
        // A successor whose parent is not the head we saw is a reorg too.
        let mut s = settled(&gs);
        let mut orphan = head(2, 112);
        orphan.parent_hash = B256::repeat_byte(0xdd);
        assert!(s.reorged(&orphan));
        assert_eq!(s.select(orphan, &gs, &HashSet::new(), &HashSet::new()).len(), 3);
    }

    #[test]
    fn locked_bonds_add_up_over_games() {
        let gs = games(2);
        let mut s = settled(&gs);
        s.record(gs[0], Ok(&Progress { locked: 5, ..quiet() }));
        s.record(gs[1], Ok(&Progress { locked: 7, ..quiet() }));
        assert_eq!(s.locked_total(), 12);
        s.record(gs[1], Ok(&Progress { locked: 0, ..quiet() }));
        assert_eq!(s.locked_total(), 5);
    }
}
