//! Honest traces: what the honest value is at each position of a game.
//!
//! A game's trace is split: at depths up to the split depth a claim is an L2 output root
//! ([`OutputTrace`]) or a super root ([`super_root::SuperTrace`]), both a [`TopTrace`]; below it a claim is a VM state hash inside an execution subgame that runs
//! from an agreed output to a disputed one ([`ExecTrace`]). [`SplitTrace`] joins the two into
//! the [`TraceAccessor`] the solver asks.

use std::future::Future;

use alloy_primitives::{B256, Bytes};
use riposte_game::{ClaimTree, ClockParams, ExecOutputs, GameDepth, Line, Position};

use crate::TraceError;

pub mod alphabet;
pub mod output;
mod split;
pub mod super_root;

pub use split::SplitTrace;

/// Everything about one game the solver and the traces read: its claims and fixed parameters.
#[derive(Debug, Clone)]
pub struct GameView {
    /// The claims read from `claimData`.
    pub tree: ClaimTree,
    /// `maxGameDepth()` and `splitDepth()`.
    pub depth: GameDepth,
    /// `maxClockDuration()` and `clockExtension()`.
    pub clocks: ClockParams,
    /// `startingBlockNumber()`: the anchor's L2 block.
    pub starting_block: u64,
    /// `startingRootHash()`: the anchor's output root.
    pub starting_root: B256,
    /// `l2BlockNumber()`: the block the root claim is about.
    pub l2_block_number: u64,
    /// `absolutePrestate()`.
    pub absolute_prestate: B256,
    /// `l1Head()`.
    pub l1_head: B256,
    /// `l2ChainId()`.
    pub l2_chain_id: u64,
    /// The contract line whose rules apply (local data differs between lines).
    pub line: Line,
    /// A super-root game (`SuperFaultDisputeGame`): the sequence numbers above are L2
    /// timestamps, and local data ident 4 is the proposal's timestamp in every subgame.
    pub super_root: bool,
}

impl GameView {
    /// The L2 block an output position commits to, clamped to the proposal's block as an
    /// honest actor must (a claim beyond the proposal stands for the proposal's own output).
    pub fn output_block(&self, position: Position) -> Result<u64, TraceError> {
        Ok(self.depth.output_block(position, self.starting_block, self.l2_block_number)?)
    }

    /// The execution subgame `position` lies in, found from claim `reference` (the claim at
    /// `position`, or the claim a move to `position` counters).
    pub fn exec_subgame(&self, reference: usize, position: Position) -> Result<ExecSubgame, TraceError> {
        let split = self.depth.split();
        let outputs = self.tree.exec_outputs_at(reference, position, split, self.starting_root)?;
        let exec_root = Position::from_gindex(position.gindex() >> (position.depth() - split - 1))?;
        let agreed_block = match outputs.starting_index {
            None => self.starting_block,
            Some(_) => {
                let pos = Position::from_gindex(outputs.starting_position)?;
                self.depth.unclamped_output_block(pos, self.starting_block)?
            }
        };
        // What `addLocalData` ident 4 gives the VM: clamped to the proposal from 1.3 on; a
        // super-root game gives its proposal's timestamp whatever the subgame.
        let disputed_block = if self.super_root {
            self.l2_block_number
        } else {
            let bisected = self.depth.unclamped_output_block(outputs.disputed_position, self.starting_block)?;
            riposte_game::rules::disputed_l2_block(self.line, bisected, self.l2_block_number)
        };
        Ok(ExecSubgame {
            local_context: outputs.local_context(),
            outputs,
            exec_root,
            agreed_block,
            disputed_block,
            l1_head: self.l1_head,
            l2_chain_id: self.l2_chain_id,
            absolute_prestate: self.absolute_prestate,
        })
    }

    /// The index of `position` inside its execution subgame (0 = the first instruction).
    pub fn exec_index(&self, position: Position) -> Result<u128, TraceError> {
        Ok(self.depth.exec_trace_index(position)?)
    }
}

/// One execution subgame: the program runs from `agreed_block`'s output to the disputed one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecSubgame {
    /// The starting (agreed) and disputed output claims.
    pub outputs: ExecOutputs,
    /// The position of the subgame's root (depth split + 1).
    pub exec_root: Position,
    /// `_computeLocalContext` of the two outputs: keys the VM's local preimages.
    pub local_context: B256,
    /// L2 block of the agreed output (for a super-root game: the anchor's timestamp plus the
    /// agreed claim's trace index, which names no block).
    pub agreed_block: u64,
    /// L2 block of the disputed output as the contract's local data gives it (ident 4; for a
    /// super-root game the proposal's timestamp).
    pub disputed_block: u64,
    /// The game's L1 head.
    pub l1_head: B256,
    /// The L2 chain id.
    pub l2_chain_id: u64,
    /// The game's absolute prestate.
    pub absolute_prestate: B256,
}

/// A preimage the VM reads during a step, which must be in the oracle before the step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preimage {
    /// Local data, loaded by the game itself with `addLocalData(ident, claimIndex, offset)`.
    Local {
        /// The local key identifier (1 L1 head … 5 chain id).
        ident: u64,
        /// Part offset the VM reads at.
        offset: u32,
    },
    /// A global keccak256 preimage, loaded with `loadKeccak256PreimagePart(offset, data)`.
    Keccak {
        /// The preimage itself (without the length prefix).
        data: Bytes,
        /// Part offset the VM reads at.
        offset: u32,
    },
}

/// What a `step` needs: the pre-state witness, the VM's proof, and the preimage it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepData {
    /// `_stateData`: the encoded pre-state, whose hash the contract checks.
    pub state_data: Bytes,
    /// `_proof`: the VM's witness (memory proofs for MIPS, empty for the alphabet VM).
    pub proof: Bytes,
    /// The preimage to load before stepping, if the step reads one.
    pub preimage: Option<Preimage>,
}

/// The honest value at any position of a game, and the data to step at its leaves.
///
/// `reference` is the index of a claim that locates `position` in the tree: the claim at
/// `position` itself, or the claim a move to `position` would counter. Implementations may
/// do I/O; the solver only awaits them.
pub trait TraceAccessor: Send + Sync {
    /// The honest claim at `position`.
    fn get(
        &self,
        view: &GameView,
        reference: usize,
        position: Position,
    ) -> impl Future<Output = Result<B256, TraceError>> + Send;

    /// The data for a step that produces the state at `position` (a max-depth position): its
    /// pre-state is the state just before it.
    fn step_data(
        &self,
        view: &GameView,
        reference: usize,
        position: Position,
    ) -> impl Future<Output = Result<StepData, TraceError>> + Send;

    /// Why this trace cannot answer every position down to a step, if it cannot. Such a trace
    /// (the top half only) may judge claims, but a bond placed on it may be lost at the bottom.
    fn step_refusal(&self) -> Option<&'static str> {
        None
    }
}

/// The claims of a split game at and above its split depth: output roots, or super roots and
/// transition states.
pub trait TopTrace: Send + Sync {
    /// The honest claim at output position `position`.
    fn top_claim(&self, view: &GameView, position: Position) -> impl Future<Output = Result<B256, TraceError>> + Send;
}

impl<O: OutputTrace> TopTrace for O {
    async fn top_claim(&self, view: &GameView, position: Position) -> Result<B256, TraceError> {
        self.output_at(view.output_block(position)?).await
    }
}

/// Honest L2 output roots (the top half of a split game).
pub trait OutputTrace: Send + Sync {
    /// The output root of L2 block `block`.
    fn output_at(&self, block: u64) -> impl Future<Output = Result<B256, TraceError>> + Send;
}

/// An honest execution trace (the bottom half of a split game).
pub trait ExecTrace: Send + Sync {
    /// The state hash, with its status byte, after instruction `index` of `subgame` (index 0 is
    /// the state after the first instruction).
    fn state_at(&self, subgame: &ExecSubgame, index: u128) -> impl Future<Output = Result<B256, TraceError>> + Send;

    /// The pre-state witness, proof and preimage of instruction `index` of `subgame`.
    fn step_data(
        &self,
        subgame: &ExecSubgame,
        index: u128,
    ) -> impl Future<Output = Result<StepData, TraceError>> + Send;

    /// Why this trace answers nothing, if it does not (see [`Unplayable`]).
    fn refusal(&self) -> Option<&'static str> {
        None
    }
}

/// No execution trace: every question below the split is refused with the reason.
#[derive(Debug, Clone, Copy)]
pub struct Unplayable(pub &'static str);

impl ExecTrace for Unplayable {
    async fn state_at(&self, _: &ExecSubgame, _: u128) -> Result<B256, TraceError> {
        Err(TraceError::Unsupported(self.0.into()))
    }

    async fn step_data(&self, _: &ExecSubgame, _: u128) -> Result<StepData, TraceError> {
        Err(TraceError::Unsupported(self.0.into()))
    }

    fn refusal(&self) -> Option<&'static str> {
        Some(self.0)
    }
}
