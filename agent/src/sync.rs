//! Bringing a stored game up to date with the chain: its record from the parameters its
//! contract reports, and the claims that changed since the last look (with reorg detection).

use crate::error::{AgentError, Context, Result};
use alloy::primitives::Address;
use riposte_contracts::{DisputeGame, GameParams, dgf::FactoryGame};
use riposte_game::{Claim, ClaimTree, ClockParams, GameDepth, Line};
use riposte_storage::GameRecord;

/// The stored record of a game, from its factory entry and its parameters.
pub fn record_of(p: GameParams, fg: &FactoryGame, factory: Address) -> GameRecord {
    GameRecord {
        address: fg.address,
        factory,
        game_index: fg.index,
        game_type: p.game_type,
        created_at: fg.created_at,
        version: p.version,
        root_claim: p.root_claim,
        l1_head: p.l1_head,
        l2_block_number: p.l2_block_number,
        starting_block: p.starting_block,
        starting_root: p.starting_root,
        max_depth: p.depth.max(),
        split_depth: p.depth.split(),
        max_clock_duration: p.clocks.max_duration(),
        clock_extension: p.clocks.extension(),
        status: p.status as u8,
        absolute_prestate: p.absolute_prestate,
        l2_chain_id: p.l2_chain_id,
        vm: p.vm,
        weth: p.weth,
        oracle_challenge_period: p.oracle_challenge_period,
        anchor_registry: p.anchor_registry,
        proposer: p.roles.map_or(Address::ZERO, |r| r.proposer),
        challenger: p.roles.map_or(Address::ZERO, |r| r.challenger),
        super_root: p.super_root.as_ref().map(|sr| sr.encode().into()),
    }
}

/// The rules a stored game is played by.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The contract line (from the stored `version()`).
    pub line: Line,
    /// `maxGameDepth()` and `splitDepth()`.
    pub depth: GameDepth,
    /// The clock rules of the line.
    pub clocks: ClockParams,
}

/// The line, depth and clock rules of a stored game (errors name the game).
pub fn rules_of(g: &GameRecord) -> Result<Rules> {
    let game = || format!("game {}", g.address);
    // A super-root game's version is its own family's (0.7.x plays by 2.x's rules).
    let line = if g.super_root.is_some() { Line::of_super_version(&g.version) } else { Line::of_version(&g.version) };
    let line = line.ok_or_else(|| {
        AgentError::from(riposte_contracts::ContractError::Unsupported {
            game: g.address,
            reason: format!("stored version {:?} is no line riposte plays", g.version),
        })
    })?;
    let depth = riposte_game::depth_of(line, g.max_depth, g.split_depth).with_context(game)?;
    let clocks = if line.has_step_extension() {
        ClockParams::with_step_period(g.max_clock_duration, g.clock_extension, g.oracle_challenge_period)
    } else {
        ClockParams::new(g.max_clock_duration, g.clock_extension)
    }
    .with_context(game)?;
    Ok(Rules { line, depth, clocks })
}

/// What changed in a game's claims since they were last read.
#[derive(Debug, Default)]
pub struct ClaimUpdate {
    /// Claims appended since.
    pub new: Vec<Claim>,
    /// Known max-depth claims whose `counteredBy` changed (a step adds no claim).
    pub countered: Vec<(u64, Claim)>,
    /// The chain no longer holds what was read (a reorg): these are all its claims now.
    pub reorged: Option<Vec<Claim>>,
}

/// Reads the claims of a game beyond `known` (a tree already read, or none), re-reads the
/// max-depth claims not yet countered, and checks the last known claim is still there: if the
/// chain has fewer claims or a different last one, the whole list is read again.
pub async fn refresh_claims(g: &dyn DisputeGame, max_depth: u8, known: Option<&ClaimTree>) -> Result<ClaimUpdate> {
    let game = g.address();
    let len = g.claim_count().await?;
    let have = known.map_or(0, |t| t.len() as u64);
    let reload = |why: String| async move {
        tracing::warn!(game = %game, why, "claims changed under riposte (reorg); reading them all again");
        let all: Vec<u64> = (0..len).collect();
        Ok::<_, crate::error::AgentError>(ClaimUpdate { reorged: Some(g.claims(all).await?), ..ClaimUpdate::default() })
    };
    if len < have {
        return reload(format!("{len} claims on chain, {have} read before")).await;
    }
    let new_idx: Vec<u64> = (have..len).collect();
    let steppable: Vec<u64> = known
        .map(|t| {
            t.claims()
                .iter()
                .enumerate()
                .filter(|(_, c)| c.position.depth() == max_depth && !c.is_countered())
                .map(|(i, _)| i as u64)
                .collect()
        })
        .unwrap_or_default();
    let mut all = new_idx.clone();
    all.extend_from_slice(&steppable);
    let last_known = have.checked_sub(1);
    all.extend(last_known);
    if all.is_empty() {
        return Ok(ClaimUpdate::default());
    }
    let mut claims: Vec<Claim> = g.claims(all).await?;
    if let (Some(i), Some(t)) = (last_known, known) {
        let now = claims.pop();
        let before = t.get(i as usize).ok();
        let same = match (now, before) {
            (Some(a), Some(b)) => a.value == b.value && a.position == b.position && a.parent_index == b.parent_index,
            _ => false,
        };
        if !same {
            return reload(format!("claim {i} is not the one read before")).await;
        }
    }
    let (new, old) = claims.split_at(new_idx.len());
    let countered = steppable
        .iter()
        .zip(old)
        .filter(|(i, c)| known.and_then(|t| t.get(**i as usize).ok()).is_some_and(|k| k.countered_by != c.countered_by))
        .map(|(i, c)| (*i, *c))
        .collect();
    Ok(ClaimUpdate { new: new.to_vec(), countered, reorged: None })
}
