//! One look at one game: read the claims that changed, store them, ask the solver, hand its
//! actions to the sink, then resolve what can be resolved.

use crate::error::{Context, Result};
use alloy::primitives::Address;
use riposte_contracts::DisputeGame;
use riposte_game::ClaimTree;
use riposte_solver::{Action, Plan, TraceAccessor, plan_moves, plan_resolution, trace::GameView};
use riposte_storage::{GameRecord, NewIntent, Store};

use crate::{metrics::Metrics, scheduler::Progress, sink::ActionSink, sync};

/// What a look needs besides the game: where claims are kept, who we are, how we resolve.
pub struct Player<'a> {
    /// The database.
    pub store: &'a Store,
    /// Counters.
    pub metrics: &'a Metrics,
    /// Our address (claims of ours are counted as locked bonds; a step against one is an alert).
    pub me: Option<Address>,
    /// Selective resolution: only subgames that pay these addresses.
    pub selective: Option<&'a [Address]>,
    /// A Multicall3 (`aggregate3`) to send a round of resolution through in one transaction.
    pub batcher: Option<Address>,
    /// The root was shown to claim the wrong L2 block (`challengeRootL2Block`): its block has
    /// no honest output to bisect over, and the root is countered already; only resolve.
    pub root_challenged: bool,
}

/// Resolution calls per batched transaction (about 90,000 to 130,000 gas each).
const BATCH_MAX: usize = 64;

/// The intent of one call, filed under `game`.
pub fn intent_of(game: Address, c: riposte_contracts::TxCall) -> NewIntent {
    NewIntent { game, kind: c.kind.as_str().into(), key: c.key, target: c.target, calldata: c.calldata, value: c.value }
}

/// The transactions an action is made of, in order (a preimage load before its step), each
/// keyed by what it does so it is never sent twice.
pub async fn intents_for(g: &GameRecord, game: &dyn DisputeGame, action: &Action) -> Result<Vec<NewIntent>> {
    Ok(game.calls_for(action).await?.into_iter().map(|c| intent_of(g.address, c)).collect())
}

/// Why our key may not move in `g`, or `None` when it may: anyone may in a permissionless
/// game, only the proposer and the challenger in a `PermissionedDisputeGame` (whose moves
/// from anyone else revert `BadAuth`). Without a key nothing is sent, so nothing is refused.
pub fn move_refusal(g: &GameRecord, me: Option<Address>) -> Option<String> {
    let permissioned = g.proposer != Address::ZERO || g.challenger != Address::ZERO;
    match me {
        Some(me) if permissioned && me != g.proposer && me != g.challenger => Some(format!(
            "permissioned game: riposte's key {me} is neither its proposer {} nor its challenger {}",
            g.proposer, g.challenger
        )),
        _ => None,
    }
}

impl Player<'_> {
    /// Brings the claims of `g` up to date, then plays and resolves it with `trace` as the
    /// truth. A game someone else resolved is recorded and left.
    pub async fn look<T: TraceAccessor>(
        &self,
        g: &GameRecord,
        game: &dyn DisputeGame,
        trace: &T,
        sink: &dyn ActionSink,
        now: u64,
    ) -> Result<Progress> {
        let sync::Rules { line, depth, clocks } = sync::rules_of(g)?;
        let status = game.status().await? as u8;
        if status != g.status {
            tracing::info!(status, "game resolved");
            self.store.upsert_game(&GameRecord { status, ..g.clone() }).await?;
            return Ok(Progress::default());
        }
        let tree = self.sync(g, game, depth.max(), sink).await?;
        // The claims are read at the latest block, which may be newer than the head this look
        // started from: L1 time is at least the newest claim's.
        let now = tree.claims().iter().map(|c| c.clock.timestamp).fold(now, u64::max);
        let view = GameView {
            tree,
            depth,
            clocks,
            starting_block: g.starting_block,
            starting_root: g.starting_root,
            l2_block_number: g.l2_block_number,
            absolute_prestate: g.absolute_prestate,
            l1_head: g.l1_head,
            l2_chain_id: g.l2_chain_id,
            line,
            super_root: g.super_root.is_some(),
        };
        let locked = self
            .me
            .map_or(0, |me| view.tree.claims().iter().filter(|c| c.claimant == me).map(|c| c.bond).sum::<u128>());
        // A refusal to move is known before the plan: a trace that cannot finish the game still
        // judges it (to say what riposte would do), and a failure to judge then leaves only
        // resolution, which needs no trace.
        let role = move_refusal(g, self.me);
        let withheld_as = if role.is_some() { "no_role" } else { "cannot_step" };
        let refusal = role.or_else(|| {
            trace.step_refusal().map(|why| {
                format!("riposte cannot finish this game's execution half ({why}), so it places no bond in it")
            })
        });
        let plan = match (self.root_challenged, &refusal) {
            (true, _) => Plan::default(),
            (false, None) => plan_moves(&view, trace, now).await?,
            (false, Some(why)) => plan_moves(&view, trace, now).await.unwrap_or_else(|e| {
                tracing::warn!(error = %e, "not judging this game's claims: {why}");
                Plan::default()
            }),
        };
        for s in &plan.skipped {
            tracing::warn!(?s, "honest counter cannot be made");
        }
        let due = plan.actions.iter().filter_map(Action::deadline).min();
        let mut confirmed = 0;
        let mut planned = plan.actions.len();
        // Look again when the next clock runs out (a response is due, or a claim can be resolved).
        let wake =
            (0..view.tree.len()).filter_map(|i| view.tree.response_deadline(i, clocks).ok()).filter(|&d| d > now).min();
        match &refusal {
            Some(why) if !plan.actions.is_empty() => {
                tracing::warn!(game = %g.address, moves = plan.actions.len(), "not moving: {why}");
                self.metrics.moves_withheld(withheld_as, plan.actions.len());
                planned -= plan.actions.len();
            }
            _ => {
                for action in &plan.actions {
                    confirmed += sink.send(intents_for(g, game, action).await?).await?;
                }
            }
        }
        // Resolution: which subgames are already resolved, among those whose clocks ran out.
        let expired: Vec<u64> = (0..view.tree.len())
            .filter(|&i| view.tree.is_expired(i, clocks, now).unwrap_or(false))
            .map(|i| i as u64)
            .collect();
        let mut claim_credit = false;
        // A 1.4+ game pays nothing before it is resolved and finalised: selective resolution
        // would strand our credit, so such games are resolved in full.
        let selective = if line.has_two_phase_bonds() { None } else { self.selective };
        if !expired.is_empty() {
            let flags = game.resolved_subgames(expired.clone()).await?;
            let mut resolved = vec![false; view.tree.len()];
            for (i, f) in expired.iter().zip(flags) {
                if let Some(r) = resolved.get_mut(*i as usize) {
                    *r = f;
                }
            }
            let steps = plan_resolution(&view, &resolved, now, selective)?;
            planned += steps.len();
            match self.batcher {
                // Bottom-up in one transaction: every resolveClaim of the round, then resolve().
                Some(batcher) if steps.len() > 1 => {
                    let mut calls = Vec::with_capacity(steps.len());
                    for action in &steps {
                        calls.extend(game.calls_for(action).await?);
                    }
                    for chunk in calls.chunks(BATCH_MAX) {
                        let call = match chunk {
                            [one] => one.clone(),
                            many => riposte_contracts::multicall::batch(batcher, many),
                        };
                        confirmed += sink.send(vec![intent_of(g.address, call)]).await?;
                    }
                }
                _ => {
                    for action in &steps {
                        confirmed += sink.send(intents_for(g, game, action).await?).await?;
                    }
                }
            }
            if steps.contains(&Action::Resolve) {
                let status = game.status().await? as u8;
                if status != g.status {
                    tracing::info!(status, "game resolved");
                    self.store.upsert_game(&GameRecord { status, ..g.clone() }).await?;
                }
            }
            // With selective resolution nobody may ever call resolve(): once every clock has run
            // out and what pays us is resolved, the credit can be claimed from the game in progress.
            claim_credit = selective.is_some() && steps.is_empty() && wake.is_none();
        }
        // A game acted on is looked at again on the next cycle: to try again what did not land,
        // and to see that what landed is still there (a reorg may take it before we see its
        // block). So is a game whose clocks have all run out but which is not resolved yet.
        let unfinished = planned > 0 || (wake.is_none() && !expired.is_empty());
        Ok(Progress { planned, confirmed, wake, unfinished, due, locked, claim_credit })
    }

    /// Reads the claims that changed since the stored ones, stores them, and returns the tree.
    async fn sync(
        &self,
        g: &GameRecord,
        game: &dyn DisputeGame,
        max_depth: u8,
        sink: &dyn ActionSink,
    ) -> Result<ClaimTree> {
        let known = self.store.claim_tree(g.address).await?;
        let update = sync::refresh_claims(game, max_depth, known.as_ref()).await?;
        if let Some(all) = update.reorged {
            self.store.replace_claims(g.address, &all).await?;
            sink.reorged().await?;
            return ClaimTree::from_claims(all).with_context(|| format!("claims of game {}", g.address));
        }
        let have = known.as_ref().map_or(0, |t| t.len() as u64);
        if !update.new.is_empty() {
            self.store.append_claims(g.address, have, &update.new).await?;
            self.metrics.claims_seen(update.new.len() as u64);
        }
        for (i, c) in &update.countered {
            self.store.set_countered_by(g.address, *i, c.countered_by).await?;
            if Some(c.claimant) == self.me && Some(c.countered_by) != self.me {
                // A step succeeded against one of our claims: our trace was wrong somewhere.
                self.metrics.honest_claim_countered();
                tracing::error!(claim = i, by = %c.countered_by, "a claim riposte made was countered by a step");
            }
        }
        match known {
            Some(mut t) => {
                for c in update.new {
                    t.push(c).with_context(|| format!("game {} sent a claim that breaks the rules", g.address))?;
                }
                for (i, c) in update.countered {
                    t.set_countered_by(i as usize, c.countered_by)?;
                }
                Ok(t)
            }
            None => ClaimTree::from_claims(update.new).with_context(|| format!("claims of game {}", g.address)),
        }
    }
}

#[cfg(test)]
mod tests;
