//! What the operator views show of games and claims, computed once for the terminal (`show`,
//! `list-games`) and the web page and its JSON API.

use alloy_primitives::{Address, B256, U256};
use riposte_solver::trace::GameView;
use serde::Serialize;

/// A claim's verdict by the honest trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The honest trace has this value here.
    Honest,
    /// It does not.
    Dishonest,
    /// riposte cannot say (no trace for this part of the game).
    Unknown,
}

impl Verdict {
    /// From the honesty vector's entry.
    pub const fn of(h: Option<bool>) -> Self {
        match h {
            Some(true) => Self::Honest,
            Some(false) => Self::Dishonest,
            None => Self::Unknown,
        }
    }

    /// As `show` prints it.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Honest => "honest",
            Self::Dishonest => "DISHONEST",
            Self::Unknown => "?",
        }
    }
}

/// One claim, as the views show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClaimRow {
    /// Its index.
    pub index: usize,
    /// Its parent's index (`None` for the root).
    pub parent: Option<usize>,
    /// `root`, `attack` or `defend`.
    pub kind: &'static str,
    /// Generalized index.
    pub position: String,
    /// Depth.
    pub depth: u8,
    /// Trace index at max depth (`None` where it overflows).
    pub trace_index: Option<String>,
    /// What the position stands for (`block 12`, `t=… step 3/127`) above the split.
    pub stands_for: Option<String>,
    /// The claimed value.
    pub value: B256,
    /// Who made it.
    pub claimant: Address,
    /// Its bond in wei.
    pub bond_wei: String,
    /// Seconds left to answer it (0 when its clock has run out).
    pub clock_left: u64,
    /// The honest trace's verdict.
    pub verdict: Verdict,
    /// Who countered it (`None`: nobody).
    pub countered_by: Option<Address>,
    /// Whether its subgame is resolved (`None`: not read).
    pub resolved: Option<bool>,
    /// Its children's indexes, in insertion order.
    pub children: Vec<usize>,
}

/// What an output position of `view` stands for: an L2 block, or for a super-root game a
/// timestamp's super root or a transition step towards the next second's.
pub fn stands_for(view: &GameView, pos: riposte_game::Position) -> Option<String> {
    use riposte_solver::trace::super_root::{TracePoint, trace_point};
    if !view.depth.is_output_position(pos) {
        return None;
    }
    if !view.super_root {
        return view.output_block(pos).ok().map(|b| format!("block {b}"));
    }
    let index = view.depth.output_trace_index(pos).ok()?;
    Some(match trace_point(index, view.starting_block, view.l2_block_number) {
        TracePoint::Super { timestamp } => format!("t={timestamp}"),
        TracePoint::Transition { timestamp, step } => format!("t={timestamp} step {step}/127"),
    })
}

/// The rows of every claim of `view`, in index order.
pub fn claim_rows(view: &GameView, now: u64, honest: &[Option<bool>], resolved: Option<&[bool]>) -> Vec<ClaimRow> {
    let (tree, depth, clocks) = (&view.tree, view.depth, view.clocks);
    tree.claims()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let kind = match c.parent() {
                None => "root",
                Some(p) => match tree.get(p) {
                    Ok(parent) if parent.position.attack().ok() == Some(c.position) => "attack",
                    _ => "defend",
                },
            };
            ClaimRow {
                index: i,
                parent: c.parent(),
                kind,
                position: c.position.gindex().to_string(),
                depth: c.position.depth(),
                trace_index: c.position.trace_index(depth.max()).ok().map(|t| t.to_string()),
                stands_for: stands_for(view, c.position),
                value: c.value,
                claimant: c.claimant,
                bond_wei: U256::from(c.bond).to_string(),
                clock_left: tree.response_deadline(i, clocks).map(|d| d.saturating_sub(now)).unwrap_or(0),
                verdict: Verdict::of(honest.get(i).copied().flatten()),
                countered_by: c.is_countered().then_some(c.countered_by),
                resolved: resolved.and_then(|r| r.get(i).copied()),
                children: tree.children(i).map(<[usize]>::to_vec).unwrap_or_default(),
            }
        })
        .collect()
}

/// One game, as the game list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GameRow {
    /// Its index in the factory.
    pub index: u64,
    /// Its address.
    pub address: Address,
    /// Its game type.
    pub game_type: u32,
    /// Its version (empty when unreadable).
    pub version: String,
    /// `InProgress`, `ChallengerWins`, `DefenderWins` or `unknown`.
    pub status: String,
    /// How many claims.
    pub claims: usize,
    /// The root claim's verdict.
    pub root: Verdict,
    /// Who wins if the tree resolves as it stands (in-progress games), e.g. `DefenderWins`.
    pub forecast: Option<String>,
    /// Its L2 block number (or timestamp for super-root games).
    pub l2_block: u64,
    /// Seconds to the nearest deadline riposte must meet (`None`: nothing to answer).
    pub next_deadline: Option<u64>,
    /// The last column of `list-games`: the deadline, or bonds once resolved, or why not.
    pub note: String,
    /// Why the game could not be read (every other field then is a placeholder).
    pub error: Option<String>,
}

/// One game in full.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GameDetail {
    /// The list's row.
    pub row: GameRow,
    /// `block` or `timestamp` (super-root games).
    pub unit: &'static str,
    /// The anchor's block (or timestamp) the game started from.
    pub starting_block: u64,
    /// Every claim.
    pub claims: Vec<ClaimRow>,
    /// riposte's own address (its claims are marked), if it has a key.
    pub me: Option<Address>,
}
