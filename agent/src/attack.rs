//! `riposte attack`: scripted dishonest play for rehearsals on testnets. It proposes garbage
//! roots or attacks games with garbage claims so an operator can watch their defenders (riposte
//! or op-challenger) answer. It refuses to run unless told the chain id it is attacking.

use crate::{
    error::{AgentError, Context, Result},
    run::Agent,
    tools::Purpose,
};
use alloy::{primitives::Address, providers::Provider};
use riposte_contracts::dgf::{self, Factory};
use riposte_game::{GameStatus, VmStatus};
use riposte_solver::{Action, TraceAccessor, plan_resolution};
use std::time::{Duration, Instant};

/// What to rehearse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Propose `--games` garbage roots and attack every honest answer with garbage.
    GarbageRoot,
    /// Attack `--game` (an honest proposal) and every honest answer in it with garbage.
    AttackHonest,
    /// Like the others, but answer each claim only `--margin` before its clock runs out.
    ClockDrain,
    /// Propose garbage roots and bait the other side with correct claims: defend its claims
    /// with the honest value wherever a defend is legal (garbage attacks elsewhere).
    Bait,
    /// Propose garbage roots, answer with garbage, and freeload: counter each of its own claims
    /// that the other side already countered once more, with garbage, hoping for the bond.
    Freeload,
}

/// How to run it.
#[derive(Debug, Clone)]
pub struct AttackOptions {
    /// The scenario.
    pub scenario: Scenario,
    /// The game to attack (attack-honest; clock-drain without it proposes a garbage root).
    pub game: Option<Address>,
    /// How many garbage roots to propose.
    pub games: u32,
    /// The L2 block the proposals claim.
    pub l2_block: Option<u64>,
    /// The game type to propose.
    pub game_type: u32,
    /// Seconds before a deadline that clock-drain answers.
    pub margin: u64,
    /// Print the moves of one round; send nothing.
    pub dry_run: bool,
    /// The L1 chain id the operator says it is attacking.
    pub i_know_chain_id: Option<u64>,
    /// Stop after this long even if games are unresolved.
    pub limit: Duration,
}

/// A value that is not the honest one; below the split it carries status INVALID, as an
/// execution-subgame root countering an output must.
pub fn garbage(game: Address, parent_index: usize, below_split: bool) -> alloy::primitives::B256 {
    let v = alloy::primitives::keccak256([game.as_slice(), &parent_index.to_be_bytes(), b"riposte attack"].concat());
    if below_split { VmStatus::Invalid.stamp(v) } else { v }
}

/// The dishonest moves of one round in `game`: a garbage attack on every claim someone else made
/// that is unanswered, not at max depth and still open (for clock-drain: only those within the
/// margin of their deadline).
async fn round(
    agent: &Agent,
    g: &crate::tools::LiveGame,
    dg: &dyn riposte_contracts::DisputeGame,
    me: Address,
    o: &AttackOptions,
    now: u64,
) -> Result<Vec<Action>> {
    if g.record.status != GameStatus::InProgress as u8 {
        return Ok(Vec::new());
    }
    let (tree, depth, clocks) = (&g.view.tree, g.view.depth, g.view.clocks);
    let trace = if o.scenario == Scenario::Bait { Some(agent.trace_for(&g.record).await?) } else { None };
    let mut out = Vec::new();
    for (i, c) in tree.claims().iter().enumerate() {
        if c.position.depth() >= depth.max() {
            continue;
        }
        let kids = tree.children(i)?;
        let deadline = tree.response_deadline(i, clocks)?;
        if now >= deadline || (o.scenario == Scenario::ClockDrain && deadline.saturating_sub(now) > o.margin) {
            continue;
        }
        let ours = c.claimant == me;
        let by_others = kids.iter().any(|k| tree.get(*k).is_ok_and(|k| k.claimant != me));
        let by_us = kids.iter().any(|k| tree.get(*k).is_ok_and(|k| k.claimant == me));
        // Freeloading: one more counter of our own claim, beside the other side's.
        let freeload = o.scenario == Scenario::Freeload && ours && by_others && !by_us;
        if !freeload && (ours || !kids.is_empty()) {
            continue;
        }
        let (is_attack, value) = match &trace {
            Some(t) if depth.check_move(i, c.position, false).is_ok() => {
                let position = depth.check_move(i, c.position, false)?;
                (false, t.get(&g.view, i, position).await?)
            }
            _ => {
                let position = depth.check_move(i, c.position, true)?;
                // A freeloader's value must differ from the counter already there.
                let salt = if freeload { i + (1 << 20) } else { i };
                (true, garbage(g.record.address, salt, position.depth() > depth.split()))
            }
        };
        let position = depth.check_move(i, c.position, is_attack)?;
        if tree.claims().iter().any(|x| x.parent() == Some(i) && x.position == position && x.value == value) {
            continue;
        }
        let bond = dg.required_bond(position).await?;
        out.push(Action::Move { parent_index: i, parent_value: c.value, is_attack, position, value, bond, deadline });
    }
    Ok(out)
}

/// Runs a scenario until its games are resolved or the limit passes.
pub async fn attack(agent: &Agent, o: &AttackOptions) -> Result<()> {
    let chain = agent.l1().get_chain_id().await?;
    if o.i_know_chain_id != Some(chain) {
        return Err(AgentError::Start(format!(
            "refusing to attack L1 chain {chain}: pass --i-know-chain-id {chain} to confirm it is a chain you may attack"
        )));
    }
    let me = match (agent.sender(), o.dry_run) {
        (Some(me), _) => me,
        (None, true) => Address::ZERO,
        (None, false) => return Err(AgentError::Start("an attack sends transactions: give a private key".into())),
    };
    let factory = agent.config().game_factory_address;
    let f = Factory::new(agent.eth().as_ref(), factory);
    let mut games: Vec<Address> = o.game.into_iter().collect();
    if o.scenario == Scenario::AttackHonest && games.is_empty() {
        return Err(AgentError::Start("attack-honest needs --game (the honest proposal to attack)".into()));
    }
    if games.is_empty() {
        let l2_block = match o.l2_block {
            Some(b) => b,
            None => return Err(AgentError::Start(format!("{:?} proposes garbage roots: give --l2-block", o.scenario))),
        };
        let bond = f.init_bond(o.game_type).await?;
        // The factory's game count makes each rehearsal's roots new (a repeated proposal reverts).
        let count = f.game_count().await?;
        for n in 0..o.games.max(1) {
            let root =
                alloy::primitives::keccak256(format!("riposte attack {:?} {me} {count} {n} {l2_block}", o.scenario));
            let extra = dgf::output_extra_data(l2_block);
            if o.dry_run {
                println!(
                    "would propose garbage root {root} for L2 block {l2_block} (type {}, bond {bond} wei)",
                    o.game_type
                );
                continue;
            }
            let call = dgf::propose_output_call(factory, o.game_type, root, l2_block, bond);
            crate::tools::send_all(agent, vec![crate::player::intent_of(factory, call)]).await?;
            let game = f.game_of(o.game_type, root, extra).await?;
            if game == Address::ZERO {
                return Err(AgentError::Start(format!(
                    "the proposal of {root} for L2 block {l2_block} was not created (the factory refused it; see above)"
                )));
            }
            println!("proposed garbage root {root} for L2 block {l2_block}: game {game}");
            games.push(game);
        }
    }
    let started = Instant::now();
    loop {
        let mut open = 0;
        for &game in &games {
            let g = agent.live_game(game, None, Purpose::Play).await?;
            // Read after the game, so no claim it holds is newer than `now`.
            let now = agent.l1_now().await?;
            let dg = agent.game(game).await?;
            let moves = round(agent, &g, dg.as_ref(), me, o, now).await.with_context(|| format!("game {game}"))?;
            if g.record.status == GameStatus::InProgress as u8 {
                open += 1;
            }
            for m in &moves {
                if let Action::Move { parent_index, position, value, is_attack, .. } = m {
                    let kind = if *is_attack { "attack" } else { "defend" };
                    println!("game {game}: {kind} claim {parent_index} at position {} with {value}", position.gindex());
                }
                if !o.dry_run {
                    crate::tools::send_all(agent, crate::player::intents_for(&g.record, dg.as_ref(), m).await?).await?;
                }
            }
            // Resolve what can be resolved, so a rehearsal ends by itself.
            if !o.dry_run && g.record.status == GameStatus::InProgress as u8 {
                let flags = dg.resolved_subgames((0..g.view.tree.len() as u64).collect()).await?;
                for a in plan_resolution(&g.view, &flags, now, None)? {
                    crate::tools::send_all(agent, crate::player::intents_for(&g.record, dg.as_ref(), &a).await?)
                        .await?;
                }
            }
        }
        if o.dry_run {
            return Ok(());
        }
        if open == 0 {
            for &game in &games {
                let g = agent.live_game(game, None, Purpose::Play).await?;
                let status =
                    GameStatus::from_u8(g.record.status).map_or_else(|_| "unknown".into(), |s| format!("{s:?}"));
                println!("game {game}: {status}");
            }
            return Ok(());
        }
        if started.elapsed() > o.limit {
            println!("stopping after {:?}: {open} games still in progress", o.limit);
            return Ok(());
        }
        tokio::time::sleep(agent.config().http_poll_interval.0.max(Duration::from_millis(500))).await;
    }
}
