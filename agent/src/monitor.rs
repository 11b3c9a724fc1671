//! The monitor's judgement of the games in the window, as op-dispute-mon makes it, computed from
//! what was read of them (no I/O here): agreement of each root with the honest trace and the
//! forecast (who wins if the tree resolves now) against who should win; resolution status;
//! per-claim status (resolved, clock expired, first or second half, resolvable); honest actors'
//! claims and bonds; the latest valid proposal. The result feeds the metrics (op-dispute-mon's
//! names under riposte's prefix) and the alerts logged by `riposte monitor`.

use alloy_primitives::{Address, U256};
use riposte_game::{ClaimTree, ClockParams, GameStatus};
use std::collections::BTreeMap;

/// How long a resolvable game or claim may stay unresolved before it is warned about.
pub const RESOLUTION_GRACE: u64 = 60;

/// What the monitor read of one game.
#[derive(Debug, Clone)]
pub struct Observed {
    /// The game.
    pub address: Address,
    /// Its type.
    pub game_type: u32,
    /// When it was created.
    pub created_at: u64,
    /// Its status on chain.
    pub status: GameStatus,
    /// Its L2 block number (or timestamp for super-root games).
    pub l2_block: u64,
    /// Its claims.
    pub tree: ClaimTree,
    /// Its clock rules.
    pub clocks: ClockParams,
    /// `resolvedSubgames` of each claim.
    pub resolved: Vec<bool>,
    /// Whether the root is the honest output (`None`: riposte cannot say).
    pub root_agrees: Option<bool>,
    /// Who challenged the root's L2 block number (output-root games from 1.1).
    pub block_number_challenger: Option<Address>,
    /// The game's DelayedWETH.
    pub weth: Address,
    /// That DelayedWETH's ETH balance (`None`: not read).
    pub weth_balance: Option<U256>,
    /// Credits the game still holds for its participants, in its bond mode (wei).
    pub credits: U256,
    /// The registry's anchor for the game's type (L2 block or timestamp), if read.
    pub anchor: Option<u64>,
    /// The root claim.
    pub root_claim: alloy_primitives::B256,
    /// What each configured node says the output (or, for super-root games, the super root)
    /// at `l2_block` is (name, answer).
    pub node_roots: Vec<(String, Result<alloy_primitives::B256, String>)>,
    /// A super-root game (its nodes are super-root nodes).
    pub is_super: bool,
    /// Its bond mode (`None`: not read).
    pub bond_mode: Option<riposte_game::BondMode>,
    /// What the game and its DelayedWETH hold for each participant.
    pub recipients: Vec<Recipient>,
    /// The DelayedWETH's withdrawal delay (seconds), if read.
    pub weth_delay: Option<u64>,
}

/// One participant's credit in a game, as the contracts hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient {
    /// Who.
    pub address: Address,
    /// Its credit in the game's mode (zero once withdrawn).
    pub held: U256,
    /// Whether it has been unlocked (1.4+: the first `claimCredit`; legacy: always).
    pub unlocked: bool,
    /// When it was last unlocked in DelayedWETH (0 = never).
    pub unlocked_at: u64,
    /// `DelayedWETH.withdrawals(game, address).amount`.
    pub requested: U256,
}

/// Alert severity, as op-dispute-mon logs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Needs a person.
    Error,
    /// Worth a look.
    Warn,
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// Severity.
    pub level: Level,
    /// The game.
    pub game: Address,
    /// op-dispute-mon's message (so its users' log alerts match).
    pub message: &'static str,
    /// Details.
    pub detail: String,
}

/// `games_agreement` labels: status, completion, result_correctness, root_agreement.
pub type AgreementLabels = (&'static str, &'static str, &'static str, &'static str);
/// `claims` labels: resolved, clock, game_time_period, resolvable.
pub type ClaimLabels = (&'static str, &'static str, &'static str, &'static str);

/// One honest actor's claims and bonds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HonestStats {
    /// Claims in unresolved subgames.
    pub pending_claims: u64,
    /// Resolved claims that stood.
    pub valid_claims: u64,
    /// Resolved claims that were countered.
    pub invalid_claims: u64,
    /// Bonds of pending claims (wei).
    pub pending_bonds: U256,
    /// Bonds of its countered claims (wei).
    pub lost_bonds: U256,
    /// Bonds of claims it countered (wei).
    pub won_bonds: U256,
}

/// The judgement of every game of one cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    /// `games_agreement` counts.
    pub agreement: BTreeMap<AgreementLabels, u64>,
    /// Games riposte cannot judge, by type.
    pub unjudged: BTreeMap<u32, u64>,
    /// `resolution_status` counts by (completion, max_duration).
    pub resolution: BTreeMap<(&'static str, &'static str), u64>,
    /// `claims` counts.
    pub claims: BTreeMap<ClaimLabels, u64>,
    /// Per honest actor.
    pub honest: BTreeMap<Address, HonestStats>,
    /// `games{game_type}`.
    pub games: BTreeMap<u32, u64>,
    /// The highest L2 block of a proposal riposte agrees with.
    pub latest_valid_proposal_l2_block: u64,
    /// `l2_block_challenges{root_agreement}`: games whose root's block number was challenged.
    pub l2_block_challenges: BTreeMap<&'static str, u64>,
    /// `latest_proposal{root_agreement}`: the newest creation time of a proposal riposte agrees
    /// (`agree`) and disagrees (`disagree`) with.
    pub latest_proposal: BTreeMap<&'static str, u64>,
    /// Each game type's anchor (L2 block or timestamp).
    pub anchors: BTreeMap<u32, u64>,
    /// Games on whose output the answering rollup nodes disagree.
    pub different_root_games: u64,
    /// Games some nodes answered and others could not.
    pub mixed_availability_games: u64,
    /// Games where the nodes agree with each other but not with riposte's own verdict.
    pub riposte_vs_nodes_games: u64,
    /// Node answers that were errors, this cycle.
    pub node_errors: u64,
    /// `credits{credit=below|expected|above, withdrawable=withdrawable|non_withdrawable}`:
    /// unclaimed credits of resolved games against the payout the claims give.
    pub credits: BTreeMap<(&'static str, &'static str), u64>,
    /// `withdrawal_requests{delayedWETH, credits=matching|divergent}`.
    pub withdrawal_requests: BTreeMap<(Address, &'static str), u64>,
    /// Per DelayedWETH: collateral required (unresolved bonds plus unclaimed credits of its
    /// games) and its ETH balance.
    pub collateral: BTreeMap<Address, (U256, Option<U256>)>,
    /// What to log.
    pub alerts: Vec<Alert>,
}

/// Every `games_agreement` status with its other labels, so each is exported (zero or not).
pub const AGREEMENT_STATUSES: [AgreementLabels; 8] = [
    ("agree_defender_ahead", "in_progress", "correct", "agree"),
    ("disagree_defender_ahead", "in_progress", "incorrect", "disagree"),
    ("agree_challenger_ahead", "in_progress", "incorrect", "agree"),
    ("disagree_challenger_ahead", "in_progress", "correct", "disagree"),
    ("agree_defender_wins", "complete", "correct", "agree"),
    ("disagree_defender_wins", "complete", "incorrect", "disagree"),
    ("agree_challenger_wins", "complete", "incorrect", "agree"),
    ("disagree_challenger_wins", "complete", "correct", "disagree"),
];

fn agreement_labels(agree: bool, complete: bool, defender: bool) -> AgreementLabels {
    let i = usize::from(complete) * 4 + usize::from(!defender) * 2 + usize::from(!agree);
    AGREEMENT_STATUSES[i]
}

/// Judges the games of one cycle.
pub fn assess(games: &[Observed], honest_actors: &[Address], now: u64) -> Assessment {
    let mut out = Assessment::default();
    for a in honest_actors {
        out.honest.insert(*a, HonestStats::default());
    }
    for g in games {
        *out.games.entry(g.game_type).or_default() += 1;
        if let Some(a) = g.anchor {
            out.anchors.insert(g.game_type, a);
        }
        if let Some(agree) = g.root_agrees {
            let label = if agree { "agree" } else { "disagree" };
            let latest = out.latest_proposal.entry(label).or_default();
            *latest = (*latest).max(g.created_at);
            if let Some(challenger) = g.block_number_challenger {
                *out.l2_block_challenges.entry(label).or_default() += 1;
                if agree {
                    out.alerts.push(Alert {
                        level: Level::Warn,
                        game: g.address,
                        message: "Valid block number challenged",
                        detail: format!("by {challenger}"),
                    });
                }
            }
        }
        // Simplified super-root proposals (type 5) have no bisection: one in progress is a
        // proposal only its permissioned roles can stop.
        if g.game_type == 5 && g.status == GameStatus::InProgress {
            out.alerts.push(Alert {
                level: Level::Warn,
                game: g.address,
                message: "Permissioned super-root proposal in progress",
                detail: format!("L2 timestamp {}", g.l2_block),
            });
        }
        nodes(g, &mut out);
        credits(g, now, &mut out);
        forecast(g, &mut out);
        resolution(g, now, &mut out);
        claims(g, now, honest_actors, &mut out);
        let unresolved: U256 = g
            .tree
            .claims()
            .iter()
            .enumerate()
            .filter(|(i, _)| !g.resolved.get(*i).copied().unwrap_or(false))
            .map(|(_, c)| U256::from(c.bond))
            .sum();
        let entry = out.collateral.entry(g.weth).or_insert((U256::ZERO, g.weth_balance));
        entry.0 += unresolved + g.credits;
    }
    for (weth, (required, available)) in &out.collateral {
        if let Some(available) = available
            && available < required
        {
            out.alerts.push(Alert {
                level: Level::Error,
                game: *weth,
                message: "Insufficient collateral",
                detail: format!("DelayedWETH {weth} holds {available} wei, its games need {required}"),
            });
        }
    }
    out
}

/// Credits and withdrawal requests of a resolved game against what its claims pay (op-dispute-
/// mon's bond and withdrawal monitors): a held credit equal to the expected payout is
/// `expected`, a withdrawn one (zero) is not counted; a request must match the held credit once
/// it is unlocked (legacy games unlock as claims resolve), and none may exist while the mode is
/// undecided.
fn credits(g: &Observed, now: u64, out: &mut Assessment) {
    use riposte_game::BondMode;
    let Some(mode) = g.bond_mode else { return };
    if mode == BondMode::Undecided {
        for r in g.recipients.iter().filter(|r| !r.requested.is_zero()) {
            out.alerts.push(Alert {
                level: Level::Error,
                game: g.address,
                message: "Withdrawal requested while the bond mode is undecided",
                detail: format!("{} requested {} wei", r.address, r.requested),
            });
        }
        return;
    }
    if g.status == GameStatus::InProgress {
        return;
    }
    let resolution = g.tree.resolve(g.block_number_challenger);
    for r in &g.recipients {
        let expected = if mode == BondMode::Refund {
            g.tree.claims().iter().filter(|c| c.claimant == r.address).map(|c| U256::from(c.bond)).sum()
        } else {
            resolution.credit(r.address)
        };
        if !r.held.is_zero() {
            let credit = match r.held.cmp(&expected) {
                std::cmp::Ordering::Less => "below",
                std::cmp::Ordering::Equal => "expected",
                std::cmp::Ordering::Greater => "above",
            };
            let withdrawable = r.unlocked && g.weth_delay.is_some_and(|d| now >= r.unlocked_at.saturating_add(d));
            let w = if withdrawable { "withdrawable" } else { "non_withdrawable" };
            *out.credits.entry((credit, w)).or_default() += 1;
            if credit != "expected" {
                out.alerts.push(Alert {
                    level: Level::Error,
                    game: g.address,
                    message: "Credit differs from the expected payout",
                    detail: format!("{} holds {} wei, its claims pay {expected}", r.address, r.held),
                });
            }
            let want = if r.unlocked { r.held } else { U256::ZERO };
            let matching = if r.requested == want { "matching" } else { "divergent" };
            *out.withdrawal_requests.entry((g.weth, matching)).or_default() += 1;
            if matching == "divergent" {
                out.alerts.push(Alert {
                    level: Level::Error,
                    game: g.address,
                    message: "Withdrawal request does not match the credit",
                    detail: format!("{} requested {} wei, holds {} wei", r.address, r.requested, r.held),
                });
            }
        }
    }
}

/// The rollup nodes' view of a game's output, next to each other and to riposte's.
fn nodes(g: &Observed, out: &mut Assessment) {
    if g.node_roots.is_empty() {
        return;
    }
    let answers: Vec<_> = g.node_roots.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    let errors = g.node_roots.len() - answers.len();
    out.node_errors += errors as u64;
    if errors > 0 && !answers.is_empty() {
        out.mixed_availability_games += 1;
    }
    let Some(first) = answers.first() else { return };
    if answers.iter().any(|r| r != first) {
        out.different_root_games += 1;
        let said: Vec<String> = g
            .node_roots
            .iter()
            .map(|(n, r)| format!("{n}: {}", r.as_ref().map_or_else(|e| e.clone(), |v| v.to_string())))
            .collect();
        out.alerts.push(Alert {
            level: Level::Error,
            game: g.address,
            message: if g.is_super {
                "Super-root nodes disagree on the super root"
            } else {
                "Rollup nodes disagree on the output root"
            },
            detail: format!("L2 block {}: {}", g.l2_block, said.join("; ")),
        });
        return;
    }
    let nodes_agree = **first == g.root_claim;
    if let Some(ours) = g.root_agrees
        && ours != nodes_agree
    {
        out.riposte_vs_nodes_games += 1;
        out.alerts.push(Alert {
            level: Level::Error,
            game: g.address,
            message: if g.is_super {
                "riposte's super root differs from the super-root nodes'"
            } else {
                "riposte's output root differs from the rollup nodes'"
            },
            detail: format!(
                "L2 block {}: riposte judges the root {}, the nodes say {first}",
                g.l2_block,
                if ours { "honest" } else { "dishonest" }
            ),
        });
    }
}

fn forecast(g: &Observed, out: &mut Assessment) {
    let Some(agree) = g.root_agrees else {
        *out.unjudged.entry(g.game_type).or_default() += 1;
        return;
    };
    if agree {
        out.latest_valid_proposal_l2_block = out.latest_valid_proposal_l2_block.max(g.l2_block);
    }
    let expected = if agree { GameStatus::DefenderWins } else { GameStatus::ChallengerWins };
    let complete = g.status != GameStatus::InProgress;
    let result = if complete {
        g.status
    } else if g.block_number_challenger.is_some() {
        GameStatus::ChallengerWins
    } else {
        g.tree.resolve(g.block_number_challenger).status
    };
    let defender = result == GameStatus::DefenderWins;
    *out.agreement.entry(agreement_labels(agree, complete, defender)).or_default() += 1;
    if result != expected {
        let (level, message) = if complete {
            (Level::Error, "Unexpected game result")
        } else {
            (Level::Warn, "Forecasting unexpected game result")
        };
        out.alerts.push(Alert {
            level,
            game: g.address,
            message,
            detail: format!("expected {expected:?}, {} {result:?}", if complete { "got" } else { "forecast" }),
        });
    }
}

fn resolution(g: &Observed, now: u64, out: &mut Assessment) {
    let duration = now.saturating_sub(g.created_at);
    let max_reached = duration >= 2 * g.clocks.max_duration();
    let max = if max_reached { "max_duration" } else { "before_max_duration" };
    let completion = if g.status != GameStatus::InProgress {
        "complete"
    } else if g.resolved.iter().all(|r| *r) && !g.resolved.is_empty() {
        let late = duration.saturating_sub(2 * g.clocks.max_duration());
        if max_reached && late > RESOLUTION_GRACE {
            out.alerts.push(Alert {
                level: Level::Warn,
                game: g.address,
                message: "Resolvable game has taken too long to resolve",
                detail: format!("{late}s past its maximum duration"),
            });
        }
        "resolvable"
    } else {
        "in_progress"
    };
    *out.resolution.entry((completion, max)).or_default() += 1;
}

fn claims(g: &Observed, now: u64, honest_actors: &[Address], out: &mut Assessment) {
    let first_half = now.saturating_sub(g.created_at) <= g.clocks.max_duration();
    let n = g.tree.len();
    let expired: Vec<bool> = (0..n).map(|i| g.tree.is_expired(i, g.clocks, now).unwrap_or(false)).collect();
    // A claim is resolvable once it and every descendant have expired clocks; children have
    // larger indexes than their parents, so one pass from the end settles it.
    let mut resolvable = expired.clone();
    for i in (0..n).rev() {
        if let Ok(c) = g.tree.get(i)
            && let Some(p) = c.parent()
            && p < n
            && !resolvable[i]
        {
            resolvable[p] = false;
        }
    }
    for (i, c) in g.tree.claims().iter().enumerate() {
        let resolved = g.resolved.get(i).copied().unwrap_or(false);
        let labels = (
            if resolved { "resolved" } else { "unresolved" },
            if expired[i] { "expired" } else { "not_expired" },
            if first_half { "first_half" } else { "second_half" },
            if resolvable[i] { "resolvable" } else { "unresolvable" },
        );
        *out.claims.entry(labels).or_default() += 1;
        if first_half && resolved {
            out.alerts.push(Alert {
                level: Level::Error,
                game: g.address,
                message: "Claim resolved in the first half of the game duration",
                detail: format!("claim {i}"),
            });
        }
        if !resolved && resolvable[i] {
            let late = g.tree.response_deadline(i, g.clocks).map(|d| now.saturating_sub(d)).unwrap_or(0);
            if late >= RESOLUTION_GRACE {
                out.alerts.push(Alert {
                    level: Level::Warn,
                    game: g.address,
                    message: "Claim unresolved after clock expiration",
                    detail: format!("claim {i}, {late}s"),
                });
            }
        }
        let bond = U256::from(c.bond);
        if !resolved {
            if let Some(s) = honest_actors.contains(&c.claimant).then(|| out.honest.get_mut(&c.claimant)).flatten() {
                s.pending_claims += 1;
                s.pending_bonds += bond;
            }
            continue;
        }
        if let Some(s) = honest_actors.contains(&c.claimant).then(|| out.honest.get_mut(&c.claimant)).flatten() {
            if c.is_countered() {
                s.invalid_claims += 1;
                s.lost_bonds += bond;
                out.alerts.push(Alert {
                    level: Level::Error,
                    game: g.address,
                    message: "Claim resolved against honest actor",
                    detail: format!("claim {i} of {} countered by {}", c.claimant, c.countered_by),
                });
            } else {
                s.valid_claims += 1;
            }
        }
        if let Some(s) = honest_actors.contains(&c.countered_by).then(|| out.honest.get_mut(&c.countered_by)).flatten()
        {
            s.won_bonds += bond;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;
    use riposte_game::{Claim, Clock, Position, ROOT_PARENT_INDEX};

    const HONEST: Address = Address::repeat_byte(0xaa);
    const LIAR: Address = Address::repeat_byte(0xbb);
    const MAX: u64 = 100;

    fn claim(
        parent: Option<usize>,
        position: u64,
        by: Address,
        countered_by: Address,
        ts: u64,
        duration: u64,
    ) -> Claim {
        Claim {
            parent_index: parent.map_or(ROOT_PARENT_INDEX, |p| u32::try_from(p).expect("small")),
            countered_by,
            claimant: by,
            bond: 10,
            value: B256::repeat_byte(1),
            position: Position::from_gindex(u128::from(position)).expect("position"),
            clock: Clock::new(duration, ts),
        }
    }

    fn game(claims: Vec<Claim>, status: GameStatus, resolved: Vec<bool>, agrees: Option<bool>) -> Observed {
        Observed {
            address: Address::repeat_byte(1),
            game_type: 255,
            created_at: 0,
            status,
            l2_block: 20,
            tree: ClaimTree::from_claims(claims).expect("tree"),
            clocks: ClockParams::new(MAX, 0).expect("clocks"),
            resolved,
            root_agrees: agrees,
            block_number_challenger: None,
            weth: Address::repeat_byte(0xee),
            weth_balance: Some(U256::from(1_000)),
            credits: U256::ZERO,
            anchor: Some(4),
            root_claim: B256::repeat_byte(1),
            node_roots: Vec::new(),
            is_super: false,
            bond_mode: Some(riposte_game::BondMode::Legacy),
            recipients: Vec::new(),
            weth_delay: Some(100),
        }
    }

    #[test]
    fn a_dishonest_root_countered_by_the_honest_actor_is_forecast_for_the_challenger() {
        // The liar's root at t=0, the honest attack at t=10; at t=30 nothing has expired.
        let g = game(
            vec![claim(None, 1, LIAR, Address::ZERO, 0, 0), claim(Some(0), 2, HONEST, Address::ZERO, 10, 10)],
            GameStatus::InProgress,
            vec![false, false],
            Some(false),
        );
        let a = assess(std::slice::from_ref(&g), &[HONEST], 30);
        assert_eq!(a.agreement.get(&("disagree_challenger_ahead", "in_progress", "correct", "disagree")), Some(&1));
        assert!(a.alerts.is_empty(), "{:?}", a.alerts);
        assert_eq!(a.resolution.get(&("in_progress", "before_max_duration")), Some(&1));
        assert_eq!(a.claims.get(&("unresolved", "not_expired", "first_half", "unresolvable")), Some(&2));
        let h = a.honest[&HONEST];
        assert_eq!((h.pending_claims, h.pending_bonds), (1, U256::from(10)));
        // Two unresolved bonds of 10 wei against a balance of 1,000.
        assert_eq!(a.collateral[&Address::repeat_byte(0xee)], (U256::from(20), Some(U256::from(1_000))));
        assert_eq!(a.latest_valid_proposal_l2_block, 0, "not a valid proposal");
        // Late in the game the honest attack has expired, the root has not been answered again:
        // both are resolvable (the attack's clock and the root's, whose only child expired).
        let late = assess(&[g], &[HONEST], 500);
        assert_eq!(late.claims.get(&("unresolved", "expired", "second_half", "resolvable")), Some(&2));
        assert!(
            late.alerts.iter().any(|x| x.message == "Claim unresolved after clock expiration"),
            "{:?}",
            late.alerts
        );
        assert_eq!(late.resolution.get(&("in_progress", "max_duration")), Some(&1));
    }

    #[test]
    fn an_honest_root_lost_is_an_error_and_the_honest_actor_loses_its_bonds() {
        // The honest root, countered by the liar's uncountered attack: ChallengerWins.
        let g = game(
            vec![claim(None, 1, HONEST, LIAR, 0, 0), claim(Some(0), 2, LIAR, Address::ZERO, 10, 10)],
            GameStatus::ChallengerWins,
            vec![true, true],
            Some(true),
        );
        let a = assess(&[g], &[HONEST], 1_000);
        assert_eq!(a.agreement.get(&("agree_challenger_wins", "complete", "incorrect", "agree")), Some(&1));
        let messages: Vec<_> = a.alerts.iter().map(|x| (x.level, x.message)).collect();
        assert!(messages.contains(&(Level::Error, "Unexpected game result")), "{messages:?}");
        assert!(messages.contains(&(Level::Error, "Claim resolved against honest actor")), "{messages:?}");
        let h = a.honest[&HONEST];
        assert_eq!((h.invalid_claims, h.lost_bonds, h.won_bonds), (1, U256::from(10), U256::ZERO));
        assert_eq!(a.latest_valid_proposal_l2_block, 20);
        assert_eq!(a.latest_proposal.get("agree"), Some(&0));
        assert_eq!(a.anchors.get(&255), Some(&4));
        assert_eq!(a.resolution.get(&("complete", "max_duration")), Some(&1));
    }

    #[test]
    fn block_number_challenges_and_type_5_proposals_are_named() {
        let mut valid =
            game(vec![claim(None, 1, HONEST, Address::ZERO, 0, 0)], GameStatus::InProgress, vec![false], Some(true));
        valid.block_number_challenger = Some(LIAR);
        let mut super5 = valid.clone();
        super5.game_type = 5;
        super5.block_number_challenger = None;
        let a = assess(&[valid, super5], &[], 10);
        assert_eq!(a.l2_block_challenges.get("agree"), Some(&1));
        let messages: Vec<_> = a.alerts.iter().map(|x| x.message).collect();
        assert!(messages.contains(&"Valid block number challenged"), "{messages:?}");
        assert!(messages.contains(&"Permissioned super-root proposal in progress"), "{messages:?}");
        // A challenged block number forecasts the challenger, whatever the tree says.
        assert_eq!(a.agreement.get(&("agree_challenger_ahead", "in_progress", "incorrect", "agree")), Some(&1));
    }

    #[test]
    fn rollup_nodes_are_compared_with_each_other_and_with_riposte() {
        let g =
            game(vec![claim(None, 1, HONEST, Address::ZERO, 0, 0)], GameStatus::InProgress, vec![false], Some(true));
        let root = g.root_claim;
        let with = |answers: Vec<Result<B256, String>>| {
            let mut g = g.clone();
            g.node_roots = answers.into_iter().enumerate().map(|(i, r)| (format!("node{i}"), r)).collect();
            assess(&[g], &[], 10)
        };
        let a = with(vec![Ok(root), Ok(root)]);
        assert_eq!((a.different_root_games, a.mixed_availability_games, a.riposte_vs_nodes_games), (0, 0, 0));
        let a = with(vec![Ok(root), Ok(B256::repeat_byte(9))]);
        assert_eq!(a.different_root_games, 1);
        assert!(
            a.alerts
                .iter()
                .any(|x| x.message == "Rollup nodes disagree on the output root" && x.detail.contains("node1"))
        );
        let a = with(vec![Ok(root), Err("connection refused".into())]);
        assert_eq!((a.mixed_availability_games, a.node_errors), (1, 1));
        let a = with(vec![Ok(B256::repeat_byte(9)), Ok(B256::repeat_byte(9))]);
        assert_eq!(a.riposte_vs_nodes_games, 1, "riposte says honest, both nodes say otherwise");
        let a = with(vec![Err("down".into())]);
        assert_eq!((a.node_errors, a.mixed_availability_games), (1, 0));
        // Super-root games name their sources as super-root nodes.
        let mut s = g.clone();
        s.is_super = true;
        s.node_roots = vec![("a".into(), Ok(root)), ("b".into(), Ok(B256::repeat_byte(9)))];
        let a = assess(&[s], &[], 10);
        assert!(a.alerts.iter().any(|x| x.message == "Super-root nodes disagree on the super root"), "{:?}", a.alerts);
    }

    #[test]
    fn credits_and_withdrawal_requests_are_checked_against_the_payout() {
        use riposte_game::BondMode;
        // The liar's root countered by the honest attack: the honest actor is owed both bonds.
        let mut g = game(
            vec![claim(None, 1, LIAR, HONEST, 0, 0), claim(Some(0), 2, HONEST, Address::ZERO, 10, 10)],
            GameStatus::ChallengerWins,
            vec![true, true],
            Some(false),
        );
        let owed = U256::from(20);
        let honest = |held: u64, unlocked: bool, requested: u64| Recipient {
            address: HONEST,
            held: U256::from(held),
            unlocked,
            unlocked_at: 500,
            requested: U256::from(requested),
        };
        g.recipients = vec![
            honest(20, true, 20),
            Recipient { address: LIAR, held: U256::ZERO, unlocked: true, unlocked_at: 0, requested: U256::ZERO },
        ];
        let a = assess(std::slice::from_ref(&g), &[], 1_000);
        assert_eq!(a.credits.get(&("expected", "withdrawable")), Some(&1), "{:?}", a.credits);
        assert_eq!(a.withdrawal_requests.get(&(g.weth, "matching")), Some(&1));
        assert!(a.alerts.is_empty(), "{:?}", a.alerts);
        assert_eq!(resolve_credit(&g), owed);
        // Before the delay passed: non-withdrawable. More than owed: above, an error.
        g.recipients = vec![honest(30, true, 30)];
        let a = assess(std::slice::from_ref(&g), &[], 550);
        assert_eq!(a.credits.get(&("above", "non_withdrawable")), Some(&1));
        assert!(a.alerts.iter().any(|x| x.message == "Credit differs from the expected payout"));
        // A 1.4 credit not yet unlocked with a request already there: divergent.
        g.bond_mode = Some(BondMode::Normal);
        g.recipients = vec![honest(20, false, 5)];
        let a = assess(std::slice::from_ref(&g), &[], 1_000);
        assert_eq!(a.withdrawal_requests.get(&(g.weth, "divergent")), Some(&1));
        // Refund mode: each claimant gets its own bonds back.
        g.bond_mode = Some(BondMode::Refund);
        g.recipients = vec![honest(10, true, 10)];
        let a = assess(std::slice::from_ref(&g), &[], 1_000);
        assert_eq!(a.credits.get(&("expected", "withdrawable")), Some(&1), "{:?}", a.alerts);
        // Undecided with a request: an error.
        g.bond_mode = Some(BondMode::Undecided);
        g.recipients = vec![honest(10, false, 10)];
        let a = assess(std::slice::from_ref(&g), &[], 1_000);
        assert!(a.alerts.iter().any(|x| x.message == "Withdrawal requested while the bond mode is undecided"));
    }

    fn resolve_credit(g: &Observed) -> U256 {
        g.tree.resolve(None).credit(HONEST)
    }

    #[test]
    fn a_delayed_weth_holding_less_than_its_games_owe_is_an_error() {
        let mut g = game(
            vec![claim(None, 1, LIAR, HONEST, 0, 0), claim(Some(0), 2, HONEST, Address::ZERO, 10, 10)],
            GameStatus::ChallengerWins,
            vec![true, true],
            Some(false),
        );
        g.credits = U256::from(900);
        let mut other = g.clone();
        other.credits = U256::from(200);
        let a = assess(&[g, other], &[], 1_000);
        assert_eq!(a.collateral[&Address::repeat_byte(0xee)].0, U256::from(1_100));
        assert!(
            a.alerts.iter().any(|x| x.message == "Insufficient collateral" && x.level == Level::Error),
            "{:?}",
            a.alerts
        );
    }

    #[test]
    fn won_bonds_unjudged_games_and_every_status_label() {
        let won = game(
            vec![claim(None, 1, LIAR, HONEST, 0, 0), claim(Some(0), 2, HONEST, Address::ZERO, 10, 10)],
            GameStatus::ChallengerWins,
            vec![true, true],
            Some(false),
        );
        let mut unknown = won.clone();
        unknown.root_agrees = None;
        unknown.game_type = 9;
        let a = assess(&[won, unknown], &[HONEST], 1_000);
        // Both games count for the honest actor (judged or not, its claims are on chain).
        let h = a.honest[&HONEST];
        assert_eq!((h.valid_claims, h.won_bonds), (2, U256::from(20)));
        assert_eq!(a.unjudged.get(&9), Some(&1));
        assert_eq!((a.games.get(&255), a.games.get(&9)), (Some(&1), Some(&1)));
        // The eight statuses are distinct and cover agree/disagree × complete × defender.
        for agree in [true, false] {
            for complete in [true, false] {
                for defender in [true, false] {
                    let l = agreement_labels(agree, complete, defender);
                    assert_eq!(l.0.starts_with("agree"), agree);
                    assert_eq!(l.1 == "complete", complete);
                    assert_eq!(l.0.contains("defender"), defender);
                    assert_eq!(l.2 == "correct", agree == defender);
                }
            }
        }
    }
}
