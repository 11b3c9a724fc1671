//! What the factory holds and which games changed: new games in the window are read and
//! stored; one `eth_getLogs` per head tells which of the tracked games emitted a change event.

use std::collections::{HashMap, HashSet};

use crate::error::{Context, Result};
use alloy::{
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::Filter,
};
use riposte_contracts::{
    dgf::{Factory, FactoryGame},
    fdg::simple::{self, SimpleProposal},
};
use riposte_storage::{GameRecord, ProposalRecord, Store};

use crate::{config::Config, games::Games, sync};

/// Which games riposte tracks: type, allowlist and window.
#[derive(Debug, Clone)]
pub struct Scope {
    /// Game types with a trace.
    pub game_types: Vec<u32>,
    /// Only these games (empty: all).
    pub allowlist: Vec<Address>,
    /// Seconds back from now a game may have been created.
    pub window_secs: u64,
}

impl Scope {
    /// The scope the configuration asks for.
    pub fn of(cfg: &Config) -> Self {
        Self {
            game_types: cfg.trace_type.iter().map(|t| t.game_type()).collect(),
            allowlist: cfg.game_allowlist.clone(),
            window_secs: cfg.game_window.0.as_secs(),
        }
    }

    fn wanted(&self, game_type: u32, address: Address) -> bool {
        self.game_types.contains(&game_type) && (self.allowlist.is_empty() || self.allowlist.contains(&address))
    }

    /// Whether a stored game is in scope at L1 time `now`.
    pub fn contains(&self, g: &GameRecord, now: u64) -> bool {
        self.wanted(g.game_type, g.address) && g.created_at >= now.saturating_sub(self.window_secs)
    }
}

/// The stored record of a proposal without a bisection game.
fn proposal_record(p: &SimpleProposal, fg: &FactoryGame, factory: Address) -> ProposalRecord {
    ProposalRecord {
        address: p.address,
        factory,
        game_index: fg.index,
        game_type: fg.game_type,
        created_at: fg.created_at,
        root_claim: p.root_claim,
        super_root: p.super_root.encode().into(),
        l1_head: p.l1_head,
        registry: p.registry,
        respected: p.respected,
        state: "pending".into(),
    }
}

/// Reads the factory and the change logs.
pub struct Indexer<'a> {
    /// L1, for `eth_getLogs`.
    pub l1: &'a DynProvider,
    /// Games opened by family.
    pub games: &'a Games,
    /// The database.
    pub store: &'a Store,
    /// The factory.
    pub factory: Address,
    /// What to track.
    pub scope: &'a Scope,
}

impl Indexer<'_> {
    /// Reads the games created since the last scan (on the first scan: back to the window's
    /// start) and stores those in scope. `prestates_of` gives the absolute prestates riposte's
    /// trace for a game type starts from (a game with another one is skipped), or `None` when
    /// any prestate may be found by its hash once the game is played.
    pub async fn scan(&self, now: u64, prestates_of: impl Fn(u32) -> Option<Vec<B256>>) -> Result<()> {
        let mut known: HashMap<u32, Option<Vec<B256>>> = HashMap::new();
        let dgf = Factory::new(self.games.eth().as_ref(), self.factory);
        let count = dgf.game_count().await?;
        let cursor = self.store.factory_cursor(self.factory).await?;
        if cursor >= count {
            return Ok(());
        }
        let window_start = now.saturating_sub(self.scope.window_secs);
        let mut found: Vec<FactoryGame> = Vec::new();
        if cursor == 0 {
            // Newest first, stopping at the first game older than the window.
            let mut hi = count;
            'outer: while hi > 0 {
                let lo = hi.saturating_sub(100);
                let idx: Vec<u64> = (lo..hi).rev().collect();
                for g in dgf.games_at(&idx).await? {
                    if g.created_at < window_start {
                        break 'outer;
                    }
                    found.push(g);
                }
                hi = lo;
            }
        } else {
            let idx: Vec<u64> = (cursor..count).collect();
            found = dgf.games_at(&idx).await?;
        }
        for fg in found {
            if self.scope.allowlist.is_empty() && !self.scope.game_types.contains(&fg.game_type) {
                tracing::info!(game = %fg.address, index = fg.index, game_type = fg.game_type, "not tracking game: its type has no trace-type configured (riposte plays types {:?})", self.scope.game_types);
                continue;
            }
            if !self.scope.wanted(fg.game_type, fg.address) || self.store.game(fg.address).await?.is_some() {
                continue;
            }
            let read = async {
                let game = self.games.open(fg.address).await?;
                Ok::<_, crate::error::AgentError>(sync::record_of(game.parameters().await?, &fg, self.factory))
            };
            let read = read.await;
            // A proposal without a bisection game (the simplified type-5 game): judged and
            // settled apart from the games.
            if read.is_err() && simple::is_simple(self.games.eth().as_ref(), fg.address).await.unwrap_or(false) {
                match simple::read(self.games.eth().as_ref(), fg.address).await {
                    Ok(p) => {
                        tracing::info!(game = %fg.address, index = fg.index, game_type = fg.game_type, root = %p.root_claim, timestamp = p.super_root.timestamp, "tracking new permissioned super-root proposal (no bisection game)");
                        self.store.insert_proposal(&proposal_record(&p, &fg, self.factory)).await?;
                    }
                    Err(e) => tracing::error!(game = %fg.address, error = %e, "skipping proposal"),
                }
                continue;
            }
            // Asked once per game type and scan: the answer may read the prestates directories.
            let prestates = match &read {
                Ok(r) => known.entry(r.game_type).or_insert_with(|| prestates_of(r.game_type)).clone(),
                Err(_) => None,
            };
            match read.with_context(|| format!("game {}", fg.address)) {
                // A super-root game is tracked whatever its prestate: the trace is chosen by it,
                // and one riposte cannot step in is judged and resolved but never bet on.
                Ok(record) if record.super_root.is_some() => {
                    tracing::info!(game = %fg.address, index = fg.index, game_type = fg.game_type, root = %record.root_claim, timestamp = record.l2_block_number, "tracking new super-root game");
                    self.store.upsert_game(&record).await?;
                }
                Ok(record) if prestates.as_ref().is_some_and(|p| p.is_empty()) => {
                    tracing::warn!(game = %fg.address, game_type = record.game_type, version = %record.version, "not tracking game: riposte has no trace for its type with this configuration");
                }
                Ok(record) if prestates.as_ref().is_some_and(|p| !p.contains(&record.absolute_prestate)) => {
                    tracing::error!(game = %fg.address, game_type = record.game_type, prestate = %record.absolute_prestate, "game's absolute prestate is not the one riposte's trace for its type starts from; skipping game");
                }
                Ok(record) => {
                    tracing::info!(game = %fg.address, index = fg.index, game_type = fg.game_type, root = %record.root_claim, l2_block = record.l2_block_number, "tracking new game");
                    self.store.upsert_game(&record).await?;
                }
                Err(e) => tracing::error!(game = %fg.address, error = format!("{e:#}"), "skipping game"),
            }
        }
        self.store.set_factory_cursor(self.factory, count).await?;
        Ok(())
    }

    /// The games among `games` that emitted a change event in blocks `from..=to`: one
    /// `eth_getLogs` filtered by event only (whatever the number of games), matched here.
    pub async fn touched(&self, games: &[Address], from: u64, to: u64) -> Result<HashSet<Address>> {
        let ours: HashSet<Address> = games.iter().copied().collect();
        let mut out = HashSet::new();
        if ours.is_empty() {
            return Ok(out);
        }
        let topics = riposte_contracts::fdg::change_topics();
        let mut start = from;
        while start <= to {
            let end = to.min(start + 999);
            let filter = Filter::new().event_signature(topics.clone()).from_block(start).to_block(end);
            let logs = self.l1.get_logs(&filter).await.with_context(|| format!("eth_getLogs {start}..={end}"))?;
            out.extend(logs.iter().map(|l| l.address()).filter(|a| ours.contains(a)));
            start = end + 1;
        }
        Ok(out)
    }
}
