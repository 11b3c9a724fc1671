//! Which honest trace plays which game type: the alphabet trace (type 255) or riposte's MIPS VM
//! running the configured program (type 0), each below L2 output roots; super roots on top of
//! the alphabet trace or of nothing yet (types 9 and 5).

use std::{path::Path, sync::Arc};

use alloy::primitives::B256;
use riposte_game::Position;
use riposte_solver::{
    TraceError,
    trace::{
        ExecSubgame, ExecTrace, GameView, SplitTrace, StepData, TraceAccessor, Unplayable,
        alphabet::AlphabetTrace,
        super_root::{NO_INTEROP_VM, SuperTrace},
    },
};
use riposte_vm::{
    NoOracle,
    trace::{SubgameOracle, VmTrace},
};

use riposte_chain::{outputs::L2Outputs, super_chain::L2SuperChain};

/// The oracle of a Cannon subgame: the game's local data; no global preimage source yet.
type Oracles = fn(&ExecSubgame) -> Result<SubgameOracle<NoOracle>, TraceError>;

fn subgame_oracle(subgame: &ExecSubgame) -> Result<SubgameOracle<NoOracle>, TraceError> {
    Ok(SubgameOracle::new(subgame, NoOracle))
}

/// The configured Cannon program's trace, shared by every game.
pub type CannonVm = VmTrace<Oracles>;

/// Loads the program riposte plays Cannon games with.
pub fn load_cannon(elf: &Path, snapshot_every: u64) -> Result<CannonVm, String> {
    let bytes = std::fs::read(elf).map_err(|e| format!("cannon-elf {}: {e}", elf.display()))?;
    VmTrace::from_elf(&bytes, subgame_oracle as Oracles)
        .map(|t| t.with_snapshot_every(snapshot_every))
        .map_err(|e| format!("cannon-elf {}: {e}", elf.display()))
}

/// The VM trace run on tokio's blocking pool: a position may cost millions of instructions.
#[derive(Clone)]
pub struct BlockingVm(pub Arc<CannonVm>);

fn joined(e: tokio::task::JoinError) -> TraceError {
    TraceError::Unsupported(format!("the VM task ended: {e}"))
}

impl ExecTrace for BlockingVm {
    async fn state_at(&self, subgame: &ExecSubgame, index: u128) -> Result<B256, TraceError> {
        let (vm, subgame) = (Arc::clone(&self.0), subgame.clone());
        tokio::task::spawn_blocking(move || vm.state_at_blocking(&subgame, index)).await.map_err(joined)?
    }

    async fn step_data(&self, subgame: &ExecSubgame, index: u128) -> Result<StepData, TraceError> {
        let (vm, subgame) = (Arc::clone(&self.0), subgame.clone());
        tokio::task::spawn_blocking(move || vm.step_data_blocking(&subgame, index)).await.map_err(joined)?
    }
}

/// Output roots only: no execution trace for the game type.
const NO_EXEC: Unplayable = Unplayable("no execution trace for this game type");

/// The honest trace of one game.
pub enum GameTrace {
    /// Game type 255.
    Alphabet(SplitTrace<L2Outputs, AlphabetTrace>),
    /// Game type 0.
    Cannon(SplitTrace<L2Outputs, BlockingVm>),
    /// Output roots only, to judge claims down to the split of any game type (never to play).
    OutputsOnly(SplitTrace<L2Outputs, Unplayable>),
    /// A super-root game (type 9 or 5) whose prestate is the alphabet's (the devnet).
    SuperAlphabet(SplitTrace<SuperTrace<L2SuperChain>, AlphabetTrace>),
    /// A super-root game of any other prestate: the top half only (MIPS64 with kona's interop
    /// program below, which riposte cannot run yet).
    SuperOnly(SplitTrace<SuperTrace<L2SuperChain>, Unplayable>),
}

impl GameTrace {
    /// The trace for a game of `game_type` starting from `prestate`, if riposte is set up to
    /// play it. A permissioned game (type 1) is played with the trace whose absolute prestate
    /// it has: the alphabet's (the devnet) or the configured Cannon program's.
    pub fn of(
        game_type: u32,
        prestate: B256,
        outputs: &L2Outputs,
        cannon: Option<&Arc<CannonVm>>,
    ) -> Result<Self, TraceError> {
        let alphabet = || Self::Alphabet(SplitTrace::new(outputs.clone(), AlphabetTrace));
        let cannon_trace =
            |vm: &Arc<CannonVm>| Self::Cannon(SplitTrace::new(outputs.clone(), BlockingVm(Arc::clone(vm))));
        match (game_type, cannon) {
            (255, _) => Ok(alphabet()),
            (0, Some(vm)) => Ok(cannon_trace(vm)),
            (0, None) => Err(TraceError::Unsupported("game type 0 (Cannon) needs cannon-elf".into())),
            (1, _) if prestate == riposte_solver::trace::alphabet::absolute_prestate() => Ok(alphabet()),
            (1, Some(vm)) if prestate == vm.absolute_prestate() => Ok(cannon_trace(vm)),
            (1, _) => Err(TraceError::Unsupported(format!(
                "permissioned game with absolute prestate {prestate}: neither the alphabet's nor the configured cannon-elf's"
            ))),
            (other, _) => Err(TraceError::Unsupported(format!("game type {other} has no trace in riposte"))),
        }
    }

    /// The trace of a super-root game over `chain`, chosen by its absolute prestate.
    pub fn of_super(prestate: B256, chain: L2SuperChain) -> Self {
        let top = SuperTrace::new(chain);
        if prestate == riposte_solver::trace::alphabet::absolute_prestate() {
            Self::SuperAlphabet(SplitTrace::new(top, AlphabetTrace))
        } else {
            Self::SuperOnly(SplitTrace::new(top, Unplayable(NO_INTEROP_VM)))
        }
    }

    /// The top half of a super-root trace (none for output-root traces).
    pub fn super_top(&self) -> Option<&SuperTrace<L2SuperChain>> {
        match self {
            Self::SuperAlphabet(t) => Some(t.top()),
            Self::SuperOnly(t) => Some(t.top()),
            _ => None,
        }
    }

    /// Output roots only (see [`GameTrace::OutputsOnly`]).
    pub fn outputs_only(outputs: &L2Outputs) -> Self {
        Self::OutputsOnly(SplitTrace::new(outputs.clone(), NO_EXEC))
    }

    /// The absolute prestates riposte's traces for `game_type` start from (none: no trace).
    /// A super-root game of another prestate is still judged (its top half), never bet on.
    pub fn absolute_prestates(game_type: u32, cannon: Option<&Arc<CannonVm>>) -> Vec<B256> {
        let alphabet = riposte_solver::trace::alphabet::absolute_prestate();
        let program = cannon.map(|vm| vm.absolute_prestate());
        match game_type {
            255 => vec![alphabet],
            0 => program.into_iter().collect(),
            1 => std::iter::once(alphabet).chain(program).collect(),
            _ => Vec::new(),
        }
    }
}

impl TraceAccessor for GameTrace {
    async fn get(&self, view: &GameView, reference: usize, position: Position) -> Result<B256, TraceError> {
        match self {
            Self::Alphabet(t) => t.get(view, reference, position).await,
            Self::Cannon(t) => t.get(view, reference, position).await,
            Self::OutputsOnly(t) => t.get(view, reference, position).await,
            Self::SuperAlphabet(t) => t.get(view, reference, position).await,
            Self::SuperOnly(t) => t.get(view, reference, position).await,
        }
    }

    async fn step_data(&self, view: &GameView, reference: usize, position: Position) -> Result<StepData, TraceError> {
        match self {
            Self::Alphabet(t) => t.step_data(view, reference, position).await,
            Self::Cannon(t) => t.step_data(view, reference, position).await,
            Self::OutputsOnly(t) => t.step_data(view, reference, position).await,
            Self::SuperAlphabet(t) => t.step_data(view, reference, position).await,
            Self::SuperOnly(t) => t.step_data(view, reference, position).await,
        }
    }

    fn step_refusal(&self) -> Option<&'static str> {
        match self {
            Self::Alphabet(t) => t.step_refusal(),
            Self::Cannon(t) => t.step_refusal(),
            Self::OutputsOnly(t) => t.step_refusal(),
            Self::SuperAlphabet(t) => t.step_refusal(),
            Self::SuperOnly(t) => t.step_refusal(),
        }
    }
}
