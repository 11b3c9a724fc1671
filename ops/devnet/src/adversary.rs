//! A scripted dishonest player for end-to-end games: it answers every claim of a target (the
//! honest agent) that nobody has answered yet, as its tactic says.

use alloy::primitives::{Address, B256, keccak256};
use riposte_game::{GameStatus, VmStatus};

use crate::{FaultGame, Result, alphabet};

/// How the adversary answers a claim at a given depth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    /// Attack (`true`) or defend.
    pub attack: bool,
    /// Post the honest value (a correct claim with the wrong pivot, to bait the agent into
    /// defending) instead of garbage.
    pub truthful: bool,
}

/// The adversary's playbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tactic {
    /// Attack every claim of the target with garbage.
    Garbage,
    /// `replies[d]` says how to answer a target claim at depth `d - 1` (making a claim at
    /// depth `d`); depths without an entry get a garbage attack.
    Script(Vec<Option<Reply>>),
}

/// A dishonest player in one game.
#[derive(Debug, Clone)]
pub struct Adversary<'a> {
    game: FaultGame<'a>,
    who: Address,
    tactic: Tactic,
}

/// A value that is not the honest one: below the split depth it carries status INVALID, as an
/// execution-subgame root attacking an output must.
pub fn garbage(game: Address, parent_index: usize, below_split: bool) -> B256 {
    let v = keccak256([game.as_slice(), &parent_index.to_be_bytes(), b"adversary"].concat());
    if below_split { VmStatus::Invalid.stamp(v) } else { v }
}

impl<'a> Adversary<'a> {
    /// An adversary playing from `who` in `game`.
    pub fn new(game: FaultGame<'a>, who: Address, tactic: Tactic) -> Self {
        Self { game, who, tactic }
    }

    /// The game played.
    pub fn game(&self) -> &FaultGame<'a> {
        &self.game
    }

    fn reply(&self, new_depth: u8) -> Reply {
        match &self.tactic {
            Tactic::Garbage => Reply { attack: true, truthful: false },
            Tactic::Script(replies) => replies
                .get(usize::from(new_depth))
                .copied()
                .flatten()
                .unwrap_or(Reply { attack: true, truthful: false }),
        }
    }

    /// Answers every claim of `target` that has no answer yet and is not at max depth.
    /// Returns the number of moves made.
    pub async fn round(&self, target: Address) -> Result<usize> {
        let g = &self.game;
        if g.status().await? != GameStatus::InProgress {
            return Ok(0);
        }
        let tree = g.tree().await?;
        let mut moves = 0;
        for (i, c) in tree.claims().iter().enumerate() {
            let answered = !tree.children(i)?.is_empty();
            if c.claimant != target || answered || c.position.depth() >= g.depth.max() {
                continue;
            }
            let new_depth = c.position.depth() + 1;
            let mut reply = self.reply(new_depth);
            if !reply.attack && (i == 0 || new_depth == g.depth.split() + 2) {
                // Roots cannot be defended; attack instead.
                reply.attack = true;
            }
            let position = g.depth.check_move(i, c.position, reply.attack)?;
            let value = match (reply.truthful, position.depth() > g.depth.split()) {
                (false, below) => garbage(g.address(), i, below),
                (true, false) => g.honest_output(position).await?,
                (true, true) => alphabet::honest_exec_claim(
                    &tree,
                    i,
                    reply.attack,
                    g.depth,
                    g.starting_block,
                    g.starting_root,
                    g.clamp(),
                )?,
            };
            if reply.attack {
                g.attack(self.who, i, value).await?;
            } else {
                g.defend(self.who, i, value).await?;
            }
            moves += 1;
        }
        Ok(moves)
    }
}
