use std::collections::BTreeMap;

use alloy_primitives::{Address, U256};

use crate::{ClaimTree, ClockParams, GameError, Result};

/// `GameStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum GameStatus {
    /// The game has not been resolved.
    InProgress = 0,
    /// The root claim was countered.
    ChallengerWins = 1,
    /// The root claim stood.
    DefenderWins = 2,
}

impl GameStatus {
    /// The status from its ABI value.
    pub fn from_u8(v: u8) -> Result<Self> {
        match v {
            0 => Ok(Self::InProgress),
            1 => Ok(Self::ChallengerWins),
            2 => Ok(Self::DefenderWins),
            other => Err(GameError::UnknownGameStatus(other)),
        }
    }
}

/// One bond paid out by `resolveClaim` (`_distributeBond`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    /// The claim whose bond is paid.
    pub claim: usize,
    /// Who is credited.
    pub recipient: Address,
    /// The bond, in wei.
    pub amount: u128,
}

/// What resolving every claim of a tree leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The game's status after `resolve()`.
    pub status: GameStatus,
    /// Each claim's `counteredBy` after resolution (zero when it stands).
    pub countered_by: Vec<Address>,
    /// Every bond payout, in resolution order (descending claim index).
    pub payouts: Vec<Payout>,
    /// `credit(address)` of every recipient once every claim is resolved.
    pub credits: BTreeMap<Address, U256>,
}

impl Resolution {
    /// The credit an address ends with (zero if it is paid nothing).
    pub fn credit(&self, who: Address) -> U256 {
        self.credits.get(&who).copied().unwrap_or_default()
    }

    /// `true` if claim `index` ends countered.
    pub fn is_countered(&self, index: usize) -> bool {
        self.countered_by.get(index).is_some_and(|a| *a != Address::ZERO)
    }
}

impl ClaimTree {
    /// Resolves every subgame as `resolveClaim` would, children first, then the game as
    /// `resolve()` would.
    ///
    /// The subgame rule: a claim without children pays its bond to its claimant, or to whoever
    /// stepped against it; a claim with children is countered by the left-most (lowest
    /// position) uncountered child, whose claimant takes the bond, and otherwise refunds its
    /// claimant. `l2_block_number_challenger` is the address recorded by a successful
    /// `challengeRootL2Block`: it counters the root and takes the root's bond.
    ///
    /// Claims already resolved on chain resolve to the same outcome, so the result is the
    /// game's final outcome if nobody moves again.
    pub fn resolve(&self, l2_block_number_challenger: Option<Address>) -> Resolution {
        let claims = self.claims();
        let mut countered_by: Vec<Address> = claims.iter().map(|c| c.countered_by).collect();
        let mut payouts = Vec::with_capacity(claims.len());
        // Every parent has a smaller index than its children, so descending order is bottom-up.
        for i in (0..claims.len()).rev() {
            let claim = &claims[i];
            let kids = &self.children_unchecked(i);
            if kids.is_empty() && i != 0 {
                let recipient = if claim.is_countered() { claim.countered_by } else { claim.claimant };
                payouts.push(Payout { claim: i, recipient, amount: claim.bond });
                continue;
            }
            let mut leftmost: Option<(u128, Address)> = None;
            for &k in kids.iter() {
                let pos = claims[k].position.gindex();
                if countered_by[k] == Address::ZERO && leftmost.is_none_or(|(best, _)| pos < best) {
                    leftmost = Some((pos, claims[k].claimant));
                }
            }
            let counter = leftmost.map_or(Address::ZERO, |(_, who)| who);
            match l2_block_number_challenger {
                Some(challenger) if i == 0 => {
                    payouts.push(Payout { claim: 0, recipient: challenger, amount: claim.bond });
                    countered_by[0] = challenger;
                }
                _ => {
                    let recipient = if counter == Address::ZERO { claim.claimant } else { counter };
                    payouts.push(Payout { claim: i, recipient, amount: claim.bond });
                    countered_by[i] = counter;
                }
            }
        }
        let mut credits = BTreeMap::new();
        for p in &payouts {
            *credits.entry(p.recipient).or_insert(U256::ZERO) += U256::from(p.amount);
        }
        let status =
            if countered_by[0] == Address::ZERO { GameStatus::DefenderWins } else { GameStatus::ChallengerWins };
        Resolution { status, countered_by, payouts, credits }
    }

    fn children_unchecked(&self, index: usize) -> &[usize] {
        self.children(index).unwrap_or(&[])
    }
}

/// The claims that `resolveClaim` accepts at time `now`, in an order that works (descending
/// index: children before parents), given which subgames are already resolved on chain.
///
/// A claim can be resolved once its challenger clock has run out and all its children are
/// resolved; a child resolvable now counts, since it comes earlier in the returned order.
pub fn resolvable_claims(tree: &ClaimTree, resolved: &[bool], clocks: ClockParams, now: u64) -> Result<Vec<usize>> {
    let n = tree.len();
    if resolved.len() != n {
        return Err(GameError::MalformedClaim {
            index: resolved.len().min(n),
            reason: format!("resolution flags for {} claims, the tree has {n}", resolved.len()),
        });
    }
    let mut done = resolved.to_vec();
    let mut order = Vec::new();
    for i in (0..n).rev() {
        if done[i] || !tree.is_expired(i, clocks, now)? {
            continue;
        }
        if tree.children(i)?.iter().all(|&k| done[k]) {
            done[i] = true;
            order.push(i);
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use alloy_primitives::B256;

    use super::*;
    use crate::tree::tests::{addr, mv, root};
    use crate::{Claim, Clock};

    fn push(t: &mut ClaimTree, parent: usize, attack: bool, who: u8, bond: u128) -> usize {
        let mut c: Claim = mv(t, parent, attack, B256::repeat_byte(t.len() as u8), addr(who), Clock::new(0, 10));
        c.bond = bond;
        t.push(c).unwrap()
    }

    #[test]
    fn unchallenged_root_refunds_creator() {
        let t = ClaimTree::new(root(1, 0)).unwrap();
        let r = t.resolve(None);
        assert_eq!(r.status, GameStatus::DefenderWins);
        assert_eq!(r.credit(addr(0xAA)), U256::from(1_000));
        assert_eq!(r.payouts, vec![Payout { claim: 0, recipient: addr(0xAA), amount: 1_000 }]);
    }

    #[test]
    fn both_modes_predicted_for_every_participant() {
        // root(AA, 1000) ← 1 by B (50) ← 2 by AA (70); a second attack on the root by C (50),
        // countered by AA (70).
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 0xB, 50);
        push(&mut t, 1, true, 0xAA, 70);
        push(&mut t, 0, true, 0xC, 50);
        push(&mut t, 3, true, 0xAA, 70);
        let c = t.predicted_credits(None);
        assert_eq!(c.of(addr(0xAA), crate::BondMode::Normal), U256::from(1_000 + 50 + 70 + 50 + 70));
        assert_eq!(c.of(addr(0xB), crate::BondMode::Normal), U256::ZERO);
        // Refund: everyone gets what they posted, the creator the root bond too.
        assert_eq!(c.of(addr(0xAA), crate::BondMode::Refund), U256::from(1_000 + 70 + 70));
        assert_eq!(c.of(addr(0xB), crate::BondMode::Refund), U256::from(50));
        assert_eq!(c.of(addr(0xC), crate::BondMode::Refund), U256::from(50));
        // Both modes pay out exactly what was deposited.
        let total = |m: &std::collections::BTreeMap<Address, U256>| m.values().fold(U256::ZERO, |a, b| a + b);
        assert_eq!(total(&c.normal), total(&c.refund));
        // An L2-block-number challenger takes the root bond in normal mode, nothing in refund.
        let c = t.predicted_credits(Some(addr(0xD)));
        assert_eq!(c.of(addr(0xD), crate::BondMode::Normal), U256::from(1_000));
        assert_eq!(c.of(addr(0xD), crate::BondMode::Refund), U256::ZERO);
    }

    #[test]
    fn uncountered_attack_wins_root_bond() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 1, 50);
        let r = t.resolve(None);
        assert_eq!(r.status, GameStatus::ChallengerWins);
        assert_eq!(r.countered_by[0], addr(1));
        assert_eq!(r.credit(addr(1)), U256::from(1_050));
        assert_eq!(r.credit(addr(0xAA)), U256::ZERO);
    }

    #[test]
    fn countered_attack_loses_and_defender_wins() {
        // root(AA) ← 1 by B ← 2 by AA: 2 stands, so 1 is countered, so the root stands.
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 0xB, 50);
        push(&mut t, 1, true, 0xAA, 70);
        let r = t.resolve(None);
        assert_eq!(r.status, GameStatus::DefenderWins);
        assert!(r.is_countered(1));
        assert!(!r.is_countered(2));
        // The creator gets their root bond, claim 1's bond and claim 2's refund.
        assert_eq!(r.credit(addr(0xAA)), U256::from(1_000 + 50 + 70));
        assert_eq!(r.credit(addr(0xB)), U256::ZERO);
    }

    #[test]
    fn leftmost_uncountered_child_takes_the_bond() {
        // Two counters of claim 1 (attack at gindex 4 by C, defend at 6 by D); both stand.
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 0xB, 50);
        push(&mut t, 1, false, 0xD, 70); // gindex 6, inserted first
        push(&mut t, 1, true, 0xC, 70); // gindex 4, left-most
        let r = t.resolve(None);
        assert_eq!(r.countered_by[1], addr(0xC));
        assert_eq!(r.credit(addr(0xC)), U256::from(50 + 70));
        assert_eq!(r.credit(addr(0xD)), U256::from(70));
        // Claim 1 is countered, so the root stands.
        assert_eq!(r.status, GameStatus::DefenderWins);
        assert_eq!(r.credit(addr(0xAA)), U256::from(1_000));
    }

    #[test]
    fn equal_positions_first_inserted_wins() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 0xB, 50);
        push(&mut t, 0, true, 0xC, 50);
        let r = t.resolve(None);
        assert_eq!(r.countered_by[0], addr(0xB));
        assert_eq!(r.credit(addr(0xB)), U256::from(1_050));
        assert_eq!(r.credit(addr(0xC)), U256::from(50));
    }

    #[test]
    fn stepped_leaf_pays_the_stepper() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        let leaf = push(&mut t, 0, true, 0xB, 50);
        t.set_countered_by(leaf, addr(0xE)).unwrap();
        let r = t.resolve(None);
        assert_eq!(r.credit(addr(0xE)), U256::from(50));
        // The stepped child is countered, so the root stands and refunds its creator.
        assert_eq!(r.status, GameStatus::DefenderWins);
        assert_eq!(r.credit(addr(0xAA)), U256::from(1_000));
    }

    #[test]
    fn l2_block_number_challenge_takes_root() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 0xB, 50);
        let r = t.resolve(Some(addr(0xF)));
        assert_eq!(r.status, GameStatus::ChallengerWins);
        assert_eq!(r.countered_by[0], addr(0xF));
        assert_eq!(r.credit(addr(0xF)), U256::from(1_000));
        assert_eq!(r.credit(addr(0xB)), U256::from(50));
    }

    #[test]
    fn resolution_is_idempotent_on_resolved_data() {
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        push(&mut t, 0, true, 0xB, 50);
        push(&mut t, 1, true, 0xC, 60);
        push(&mut t, 1, true, 0xD, 60);
        let first = t.resolve(None);
        let mut resolved = t.clone();
        for (i, by) in first.countered_by.iter().enumerate() {
            resolved.set_countered_by(i, *by).unwrap();
        }
        assert_eq!(resolved.resolve(None), first);
    }

    #[test]
    fn resolvable_claims_children_first_after_expiry() {
        let clocks = ClockParams::new(100, 10).unwrap();
        let mut t = ClaimTree::new(root(1, 0)).unwrap();
        // Claim 1 at t=10 (its parent, the root, has duration 0); claim 2 at t=50 under it.
        t.push(mv(&t, 0, true, B256::repeat_byte(2), addr(1), Clock::new(10, 10))).unwrap();
        t.push(mv(&t, 1, true, B256::repeat_byte(3), addr(2), Clock::new(40, 50))).unwrap();
        let none = vec![false; 3];
        // Claim 2 expires at 50 + (100 - 10) = 140, claim 1 at 10 + 100 = 110, the root at 100.
        assert_eq!(resolvable_claims(&t, &none, clocks, 109).unwrap(), Vec::<usize>::new());
        assert_eq!(resolvable_claims(&t, &none, clocks, 139).unwrap(), Vec::<usize>::new());
        assert_eq!(resolvable_claims(&t, &none, clocks, 140).unwrap(), vec![2, 1, 0]);
        assert_eq!(resolvable_claims(&t, &[false, false, true], clocks, 110).unwrap(), vec![1, 0]);
        assert_eq!(resolvable_claims(&t, &[true, true, true], clocks, 500).unwrap(), Vec::<usize>::new());
        assert!(resolvable_claims(&t, &[false], clocks, 500).is_err());
    }

    #[test]
    fn status_bytes() {
        assert_eq!(GameStatus::from_u8(1).unwrap(), GameStatus::ChallengerWins);
        assert_eq!(GameStatus::from_u8(2).unwrap(), GameStatus::DefenderWins);
        assert_eq!(GameStatus::from_u8(0).unwrap(), GameStatus::InProgress);
        assert_eq!(GameStatus::from_u8(3), Err(GameError::UnknownGameStatus(3)));
    }
}
