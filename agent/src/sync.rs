//! Reading games: the factory's game list, a game's fixed parameters (after checking its
//! version), its claims, and which subgames are resolved.

use alloy::{
    eips::BlockId,
    primitives::{Address, U256},
    providers::DynProvider,
};
use anyhow::{Context, Result, bail};
use riposte_game::{Claim, ClaimTree, Clock, ClockParams, GameDepth, Position};
use riposte_storage::GameRecord;

use super::{batch_call, bindings::DisputeGameFactory as Dgf, bindings::FaultDisputeGameV120 as Fdg, call};

/// The `FaultDisputeGame` versions riposte can play.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GameVersion {
    /// 1.2.x: npm `@eth-optimism/contracts-bedrock@0.17.3`.
    V1_2,
}

impl GameVersion {
    /// Maps `version()` to a supported version, or refuses it by name.
    pub(crate) fn parse(version: &str) -> Result<Self> {
        let mut parts = version.split(['.', '-']);
        match (parts.next(), parts.next()) {
            (Some("1"), Some("2")) => Ok(Self::V1_2),
            _ => bail!(
                "FaultDisputeGame version {version:?} is not supported (riposte plays 1.2.x; 1.3+ changes local data, \
                 clock extensions and the bond flow)"
            ),
        }
    }
}

/// An entry of the factory's game list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FactoryGame {
    pub(crate) index: u64,
    pub(crate) game_type: u32,
    pub(crate) created_at: u64,
    pub(crate) address: Address,
}

/// `gameCount()`.
pub(crate) async fn game_count(l1: &DynProvider, factory: Address) -> Result<u64> {
    let n = call(l1, factory, Dgf::gameCountCall {}).await.context("reading gameCount() of the factory")?;
    u64::try_from(n).with_context(|| format!("factory {factory} reports an absurd game count {n}"))
}

/// `gameAtIndex(i)` for each index, in one batch.
pub(crate) async fn games_at(l1: &DynProvider, factory: Address, indexes: &[u64]) -> Result<Vec<FactoryGame>> {
    let calls: Vec<_> = indexes.iter().map(|&i| Dgf::gameAtIndexCall { _index: U256::from(i) }).collect();
    let out = batch_call(l1, factory, &calls, BlockId::latest()).await?;
    Ok(indexes
        .iter()
        .zip(out)
        .map(|(&index, r)| FactoryGame { index, game_type: r.gameType_, created_at: r.timestamp_, address: r.proxy_ })
        .collect())
}

fn u8_of(v: U256, what: &str, game: Address) -> Result<u8> {
    u8::try_from(v).with_context(|| format!("game {game}: {what} {v} does not fit the rules (at most 125)"))
}

fn u64_of(v: U256, what: &str, game: Address) -> Result<u64> {
    u64::try_from(v).with_context(|| format!("game {game}: {what} {v} does not fit 64 bits"))
}

/// Whether a game is read to be played (its version must be one riposte plays) or only to be
/// looked at (any version whose getters answer: they keep their selectors across versions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// The daemon and the tools that send transactions.
    Play,
    /// list-games and show.
    Inspect,
}

/// Reads a game's fixed facts, checking its version first (to play it) and validating its
/// parameters as the constructor would.
pub(crate) async fn read_game(
    l1: &DynProvider,
    factory: &FactoryGame,
    factory_address: Address,
    purpose: Purpose,
) -> Result<GameRecord> {
    let a = factory.address;
    let version = call(l1, a, Fdg::versionCall {}).await.with_context(|| format!("reading version() of game {a}"))?;
    if purpose == Purpose::Play {
        GameVersion::parse(&version).with_context(|| format!("game {a}"))?;
    }
    let (root, l1_head, l2_block, start_block, start_root, max_depth, split_depth, max_clock, ext, status) =
        tokio::try_join!(
            call(l1, a, Fdg::rootClaimCall {}),
            call(l1, a, Fdg::l1HeadCall {}),
            call(l1, a, Fdg::l2BlockNumberCall {}),
            call(l1, a, Fdg::startingBlockNumberCall {}),
            call(l1, a, Fdg::startingRootHashCall {}),
            call(l1, a, Fdg::maxGameDepthCall {}),
            call(l1, a, Fdg::splitDepthCall {}),
            call(l1, a, Fdg::maxClockDurationCall {}),
            call(l1, a, Fdg::clockExtensionCall {}),
            call(l1, a, Fdg::statusCall {}),
        )
        .with_context(|| format!("reading the parameters of game {a}"))?;
    let (prestate, chain_id, vm, weth) = tokio::try_join!(
        call(l1, a, Fdg::absolutePrestateCall {}),
        call(l1, a, Fdg::l2ChainIdCall {}),
        call(l1, a, Fdg::vmCall {}),
        call(l1, a, Fdg::wethCall {}),
    )
    .with_context(|| format!("reading the components of game {a}"))?;
    let record = GameRecord {
        address: a,
        factory: factory_address,
        game_index: factory.index,
        game_type: factory.game_type,
        created_at: factory.created_at,
        version,
        root_claim: root,
        l1_head,
        l2_block_number: u64_of(l2_block, "l2BlockNumber", a)?,
        starting_block: u64_of(start_block, "startingBlockNumber", a)?,
        starting_root: start_root,
        max_depth: u8_of(max_depth, "maxGameDepth", a)?,
        split_depth: u8_of(split_depth, "splitDepth", a)?,
        max_clock_duration: max_clock,
        clock_extension: ext,
        status,
        absolute_prestate: prestate,
        l2_chain_id: u64_of(chain_id, "l2ChainId", a)?,
        vm,
        weth,
    };
    rules_of(&record)?;
    Ok(record)
}

/// The depth and clock rules of a stored game (errors name the game).
pub(crate) fn rules_of(g: &GameRecord) -> Result<(GameDepth, ClockParams)> {
    let depth = GameDepth::new(g.max_depth, g.split_depth).with_context(|| format!("game {}", g.address))?;
    let clocks =
        ClockParams::new(g.max_clock_duration, g.clock_extension).with_context(|| format!("game {}", g.address))?;
    Ok((depth, clocks))
}

/// `claimDataLen()`.
pub(crate) async fn claim_count(l1: &DynProvider, game: Address) -> Result<u64> {
    let n = call(l1, game, Fdg::claimDataLenCall {}).await?;
    u64_of(n, "claimDataLen", game)
}

/// `claimData(i)` for `indexes`, batched, checked to be representable.
pub(crate) async fn claims_at(l1: &DynProvider, game: Address, indexes: &[u64]) -> Result<Vec<Claim>> {
    let calls: Vec<_> = indexes.iter().map(|&i| Fdg::claimDataCall(U256::from(i))).collect();
    let out = batch_call(l1, game, &calls, BlockId::latest()).await?;
    indexes
        .iter()
        .zip(out)
        .map(|(&i, c)| {
            Ok(Claim {
                parent_index: c.parentIndex,
                countered_by: c.counteredBy,
                claimant: c.claimant,
                bond: c.bond,
                value: c.claim,
                position: Position::from_gindex(c.position)
                    .with_context(|| format!("game {game}: claim {i} has position {}", c.position))?,
                clock: Clock::from_raw(c.clock),
            })
        })
        .collect()
}

/// `resolvedSubgames(i)` for `indexes`, batched.
pub(crate) async fn resolved_subgames(l1: &DynProvider, game: Address, indexes: &[u64]) -> Result<Vec<bool>> {
    let calls: Vec<_> = indexes.iter().map(|&i| Fdg::resolvedSubgamesCall(U256::from(i))).collect();
    batch_call(l1, game, &calls, BlockId::latest()).await
}

/// `status()`.
pub(crate) async fn status(l1: &DynProvider, game: Address) -> Result<u8> {
    call(l1, game, Fdg::statusCall {}).await
}

/// What changed in a game's claims since they were last read.
#[derive(Debug, Default)]
pub(crate) struct ClaimUpdate {
    /// Claims appended since.
    pub(crate) new: Vec<Claim>,
    /// Known max-depth claims whose `counteredBy` changed (a step adds no claim).
    pub(crate) countered: Vec<(u64, Claim)>,
    /// The chain no longer holds what was read (a reorg): these are all its claims now.
    pub(crate) reorged: Option<Vec<Claim>>,
}

/// Reads the claims of a game beyond `known` (a tree already read, or none), re-reads the
/// max-depth claims not yet countered, and checks the last known claim is still there: if the
/// chain has fewer claims or a different last one, the whole list is read again.
pub(crate) async fn refresh_claims(
    l1: &DynProvider,
    game: Address,
    max_depth: u8,
    known: Option<&ClaimTree>,
) -> Result<ClaimUpdate> {
    let len = claim_count(l1, game).await?;
    let have = known.map_or(0, |t| t.len() as u64);
    let reload = |why: String| async move {
        tracing::warn!(game = %game, why, "claims changed under riposte (reorg); reading them all again");
        let all: Vec<u64> = (0..len).collect();
        Ok::<_, anyhow::Error>(ClaimUpdate {
            reorged: Some(claims_at(l1, game, &all).await?),
            ..ClaimUpdate::default()
        })
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
    let mut claims = claims_at(l1, game, &all).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(GameVersion::parse("1.2.0").unwrap(), GameVersion::V1_2);
        assert_eq!(GameVersion::parse("1.2.1-beta.3").unwrap(), GameVersion::V1_2);
        let err = GameVersion::parse("1.3.1-beta.5").unwrap_err().to_string();
        assert!(err.contains("1.3.1-beta.5") && err.contains("not supported"), "{err}");
        assert!(GameVersion::parse("2.4.0").is_err());
        assert!(GameVersion::parse("").is_err());
    }
}
