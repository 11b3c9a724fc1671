//! A handle on one deployed `FaultDisputeGame` (1.2 or 2.x): its fixed facts, its claims as
//! [`riposte_game::Claim`]s, and a wrapper per call the tests make.

use alloy::eips::BlockId;
use alloy::primitives::{Address, B256, Bytes, U256};
use riposte_game::{BondMode, Claim, ClaimTree, ClockParams, GameDepth, GameStatus, Line, Position};

use crate::chain::TxOutcome;
use crate::{Devnet, DevnetError, Result};
use riposte_contracts::fdg::fault::{FaultDisputeGame as Fdg, Later, Super};
use riposte_contracts::oracle::PreimageOracle as IPreimageOracle;
use riposte_contracts::vm::BigStepper as IBigStepper;

const LABEL: &str = "FaultDisputeGame";

/// One game on the devnet's L1.
#[derive(Debug, Clone)]
pub struct FaultGame<'a> {
    devnet: &'a Devnet,
    address: Address,
    /// `gameType()`.
    pub game_type: u32,
    /// `maxGameDepth()` and `splitDepth()`.
    pub depth: GameDepth,
    /// `maxClockDuration()` and `clockExtension()`.
    pub clocks: ClockParams,
    /// `startingBlockNumber()`: the anchor's L2 block frozen at creation (a super-root game's
    /// `startingSequenceNumber()`, a timestamp).
    pub starting_block: u64,
    /// `startingRootHash()`: the anchor's output root frozen at creation.
    pub starting_root: B256,
    /// `l2BlockNumber()`: the proposal's L2 block (a super-root game's `l2SequenceNumber()`, a
    /// timestamp).
    pub l2_block: u64,
    /// `rootClaim()`.
    pub root_claim: B256,
    /// The line of rules its `version()` names.
    pub line: Line,
    /// A `SuperFaultDisputeGame`: local data ident 4 is the proposal's timestamp everywhere.
    pub super_root: bool,
}

fn to_u64(what: &str, v: U256) -> Result<u64> {
    u64::try_from(v).map_err(|_| DevnetError::Decode { what: what.into(), reason: format!("{v} does not fit a u64") })
}

fn to_u8(what: &str, v: U256) -> Result<u8> {
    u8::try_from(v).map_err(|_| DevnetError::Decode { what: what.into(), reason: format!("{v} does not fit a u8") })
}

impl<'a> FaultGame<'a> {
    pub(crate) async fn load(devnet: &'a Devnet, address: Address) -> Result<Self> {
        let l1 = devnet.l1();
        let game_type = l1.call(LABEL, address, &Fdg::gameTypeCall {}).await?;
        let max = to_u8("maxGameDepth", l1.call(LABEL, address, &Fdg::maxGameDepthCall {}).await?)?;
        let split = to_u8("splitDepth", l1.call(LABEL, address, &Fdg::splitDepthCall {}).await?)?;
        let ext = l1.call(LABEL, address, &Fdg::clockExtensionCall {}).await?;
        let max_clock = l1.call(LABEL, address, &Fdg::maxClockDurationCall {}).await?;
        let starting_root = l1.call(LABEL, address, &Fdg::startingRootHashCall {}).await?;
        let root_claim = l1.call(LABEL, address, &Fdg::rootClaimCall {}).await?;
        let version = l1.call(LABEL, address, &Fdg::versionCall {}).await?;
        // A super-root game's sequence numbers are timestamps, under other getters.
        let super_line = Line::of_super_version(&version);
        let (starting_block, l2_block) = if super_line.is_some() {
            (
                l1.call(LABEL, address, &Super::startingSequenceNumberCall {}).await?,
                l1.call(LABEL, address, &Later::l2SequenceNumberCall {}).await?,
            )
        } else {
            (
                l1.call(LABEL, address, &Fdg::startingBlockNumberCall {}).await?,
                l1.call(LABEL, address, &Fdg::l2BlockNumberCall {}).await?,
            )
        };
        let line = super_line
            .or_else(|| Line::of_version(&version))
            .ok_or_else(|| DevnetError::Decode { what: "version()".into(), reason: format!("{version:?}") })?;
        let clocks = if line.has_step_extension() {
            let vm = l1.call(LABEL, address, &Fdg::vmCall {}).await?;
            let oracle = l1.call("VM", vm, &IBigStepper::oracleCall {}).await?;
            let period = l1.call("PreimageOracle", oracle, &IPreimageOracle::challengePeriodCall {}).await?;
            ClockParams::with_step_period(max_clock, ext, to_u64("challengePeriod", period)?)?
        } else {
            ClockParams::new(max_clock, ext)?
        };
        Ok(Self {
            devnet,
            address,
            game_type,
            line,
            depth: GameDepth::new(max, split)?,
            clocks,
            starting_block: to_u64("startingBlockNumber", starting_block)?,
            starting_root,
            l2_block: to_u64("l2BlockNumber", l2_block)?,
            root_claim,
            super_root: super_line.is_some(),
        })
    }

    /// The honest output root at output `position` (depth ≤ split): the real output root of
    /// L2 block `startingBlock + traceIndex(split) + 1`, clamped to the proposal's block as
    /// op-challenger does.
    pub async fn honest_output(&self, position: Position) -> Result<B256> {
        let block = self.depth.output_block(position, self.starting_block, self.l2_block)?;
        Ok(self.devnet.output_root(block).await?.0)
    }

    /// The game's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The block the disputed L2 block number is clamped to in local data (1.3+), if any.
    pub fn clamp(&self) -> Option<u64> {
        self.line.clamps_disputed_block().then_some(self.l2_block)
    }

    /// `bondDistributionMode()` (1.4+), or legacy.
    pub async fn bond_mode(&self) -> Result<BondMode> {
        if !self.line.has_two_phase_bonds() {
            return Ok(BondMode::Legacy);
        }
        let m = self.devnet.l1().call(LABEL, self.address, &Later::bondDistributionModeCall {}).await?;
        Ok(BondMode::from_u8(m)?)
    }

    /// `closeGame()` (1.4+) sent by `from`.
    pub async fn close_game(&self, from: Address) -> Result<TxOutcome> {
        self.devnet.l1().send(LABEL, from, self.address, &Later::closeGameCall {}, U256::ZERO).await
    }

    /// `claimDataLen()`.
    pub async fn claim_count(&self) -> Result<usize> {
        let n = self.devnet.l1().call(LABEL, self.address, &Fdg::claimDataLenCall {}).await?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// `claimData(index)`.
    pub async fn claim(&self, index: usize) -> Result<Claim> {
        let c = self.devnet.l1().call(LABEL, self.address, &Fdg::claimDataCall(U256::from(index))).await?;
        riposte_contracts::fdg::fault::claim_of(self.address, index as u64, c)
            .map_err(|e| DevnetError::Decode { what: format!("claimData({index})"), reason: e.to_string() })
    }

    /// Every claim (`claimDataLen` + `claimData`).
    pub async fn claims(&self) -> Result<Vec<Claim>> {
        let n = self.claim_count().await?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(self.claim(i).await?);
        }
        Ok(out)
    }

    /// The chain's claims as a validated [`ClaimTree`].
    pub async fn tree(&self) -> Result<ClaimTree> {
        Ok(ClaimTree::from_claims(self.claims().await?)?)
    }

    /// `getRequiredBond(position)`.
    pub async fn required_bond(&self, position: Position) -> Result<U256> {
        let call = Fdg::getRequiredBondCall { _position: position.gindex() };
        self.devnet.l1().call(LABEL, self.address, &call).await
    }

    /// `getChallengerDuration(index)` at the latest block.
    pub async fn challenger_duration(&self, index: usize) -> Result<u64> {
        self.challenger_duration_at(index, None).await
    }

    /// `getChallengerDuration(index)` evaluated at L1 block `block`.
    pub async fn challenger_duration_at(&self, index: usize, block: Option<u64>) -> Result<u64> {
        let call = Fdg::getChallengerDurationCall { _claimIndex: U256::from(index) };
        self.devnet.l1().call_at(LABEL, self.address, &call, None, block.map(BlockId::number)).await
    }

    /// `status()`.
    pub async fn status(&self) -> Result<GameStatus> {
        let s = self.devnet.l1().call(LABEL, self.address, &Fdg::statusCall {}).await?;
        Ok(GameStatus::from_u8(s)?)
    }

    /// `credit(who)`.
    pub async fn credit(&self, who: Address) -> Result<U256> {
        self.devnet.l1().call(LABEL, self.address, &Fdg::creditCall(who)).await
    }

    /// `resolvedSubgames(i)` for every claim.
    pub async fn resolved_subgames(&self) -> Result<Vec<bool>> {
        let n = self.claim_count().await?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            out.push(self.devnet.l1().call(LABEL, self.address, &Fdg::resolvedSubgamesCall(U256::from(i))).await?);
        }
        Ok(out)
    }

    /// `attack(claimData[parent].claim, parent, value)` paying `getRequiredBond` of the new position.
    pub async fn attack(&self, from: Address, parent_index: usize, value: B256) -> Result<TxOutcome> {
        self.counter(from, parent_index, value, true).await
    }

    /// `defend(claimData[parent].claim, parent, value)` paying `getRequiredBond` of the new position.
    pub async fn defend(&self, from: Address, parent_index: usize, value: B256) -> Result<TxOutcome> {
        self.counter(from, parent_index, value, false).await
    }

    async fn counter(&self, from: Address, parent_index: usize, value: B256, is_attack: bool) -> Result<TxOutcome> {
        let parent = self.claim(parent_index).await?;
        let position = parent.position.make_move(is_attack)?;
        let bond = self.required_bond(position).await?;
        self.move_raw(from, parent.value, parent_index, value, is_attack, bond).await
    }

    /// `attack`/`defend` with every argument and the value sent given explicitly.
    pub async fn move_raw(
        &self,
        from: Address,
        disputed: B256,
        parent_index: usize,
        value: B256,
        is_attack: bool,
        bond: U256,
    ) -> Result<TxOutcome> {
        let l1 = self.devnet.l1();
        let parent = U256::from(parent_index);
        if is_attack {
            let call = Fdg::attackCall { _disputed: disputed, _parentIndex: parent, _claim: value };
            l1.send(LABEL, from, self.address, &call, bond).await
        } else {
            let call = Fdg::defendCall { _disputed: disputed, _parentIndex: parent, _claim: value };
            l1.send(LABEL, from, self.address, &call, bond).await
        }
    }

    /// `step(claim_index, is_attack, state_data, proof)`.
    pub async fn step(
        &self,
        from: Address,
        claim_index: usize,
        is_attack: bool,
        state_data: Bytes,
        proof: Bytes,
    ) -> Result<TxOutcome> {
        let call = Fdg::stepCall {
            _claimIndex: U256::from(claim_index),
            _isAttack: is_attack,
            _stateData: state_data,
            _proof: proof,
        };
        self.devnet.l1().send(LABEL, from, self.address, &call, U256::ZERO).await
    }

    /// `addLocalData(ident, exec_leaf_index, part_offset)`.
    pub async fn add_local_data(
        &self,
        from: Address,
        ident: u64,
        exec_leaf_index: usize,
        part_offset: u64,
    ) -> Result<TxOutcome> {
        let call = Fdg::addLocalDataCall {
            _ident: U256::from(ident),
            _execLeafIdx: U256::from(exec_leaf_index),
            _partOffset: U256::from(part_offset),
        };
        self.devnet.l1().send(LABEL, from, self.address, &call, U256::ZERO).await
    }

    /// `resolveClaim(claim_index, 0)` (all children at once).
    pub async fn resolve_claim(&self, from: Address, claim_index: usize) -> Result<TxOutcome> {
        let call = Fdg::resolveClaimCall { _claimIndex: U256::from(claim_index), _numToResolve: U256::ZERO };
        self.devnet.l1().send(LABEL, from, self.address, &call, U256::ZERO).await
    }

    /// `resolve()`.
    pub async fn resolve(&self, from: Address) -> Result<TxOutcome> {
        self.devnet.l1().send(LABEL, from, self.address, &Fdg::resolveCall {}, U256::ZERO).await
    }

    /// `claimCredit(recipient)` sent by `from`.
    pub async fn claim_credit(&self, from: Address, recipient: Address) -> Result<TxOutcome> {
        let call = Fdg::claimCreditCall { _recipient: recipient };
        self.devnet.l1().send(LABEL, from, self.address, &call, U256::ZERO).await
    }

    /// `eth_call` of the game's VM `step` as the game would make it (`from` = the game, so the
    /// oracle finds the local data the game loaded).
    pub async fn vm_step(&self, state_data: Bytes, proof: Bytes, local_context: B256) -> Result<B256> {
        let vm = self.devnet.l1().call(LABEL, self.address, &Fdg::vmCall {}).await?;
        let call = IBigStepper::stepCall { _stateData: state_data, _proof: proof, _localContext: local_context };
        self.devnet.l1().call_at("VM", vm, &call, Some(self.address), None).await
    }
}
