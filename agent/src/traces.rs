//! Which honest trace plays which game type: the alphabet trace (type 255) or riposte's MIPS or
//! MIPS64 VM running the configured program (type 0), each below L2 output roots; super roots on top of
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
    mt64::{self, Mips64, Snapshot64},
    trace::{SubgameOracle, VmTrace},
};

use riposte_chain::{outputs::L2Outputs, super_chain::L2SuperChain};

/// The oracle of a Cannon subgame: the game's local data; no global preimage source yet.
pub(crate) type Oracles = fn(&ExecSubgame) -> Result<SubgameOracle<NoOracle>, TraceError>;

/// The oracles every Cannon trace reads.
pub(crate) fn subgame_oracles() -> Oracles {
    subgame_oracle as Oracles
}

fn subgame_oracle(subgame: &ExecSubgame) -> Result<SubgameOracle<NoOracle>, TraceError> {
    Ok(SubgameOracle::new(subgame, NoOracle))
}

/// The configured Cannon program's trace, shared by every game: on the 32-bit `MIPS.sol` of
/// 1.x releases or on Cannon64 (`MIPS64.sol` 1.10, state version 8), chosen by the program file.
pub enum CannonVm {
    /// A 32-bit MIPS ELF.
    Mips32(VmTrace<Oracles>),
    /// A 64-bit MIPS ELF (loaded as `cannon load-elf` does) or a Cannon64 prestate file.
    Mips64(VmTrace<Oracles, Mips64>),
}

impl CannonVm {
    /// The state hash the program starts from (the game's `absolutePrestate`).
    pub fn absolute_prestate(&self) -> B256 {
        match self {
            Self::Mips32(t) => t.absolute_prestate(),
            Self::Mips64(t) => t.absolute_prestate(),
        }
    }

    /// The VM, for logs.
    pub fn vm_name(&self) -> &'static str {
        match self {
            Self::Mips32(_) => "MIPS (32-bit)",
            Self::Mips64(_) => "Cannon64 (MIPS64, state version 8)",
        }
    }

    fn state_at_blocking(&self, subgame: &ExecSubgame, index: u128) -> Result<B256, TraceError> {
        match self {
            Self::Mips32(t) => t.state_at_blocking(subgame, index),
            Self::Mips64(t) => t.state_at_blocking(subgame, index),
        }
    }

    fn step_data_blocking(&self, subgame: &ExecSubgame, index: u128) -> Result<StepData, TraceError> {
        match self {
            Self::Mips32(t) => t.step_data_blocking(subgame, index),
            Self::Mips64(t) => t.step_data_blocking(subgame, index),
        }
    }
}

/// Loads the program riposte plays Cannon games with: a 32-bit MIPS ELF, a 64-bit one, or a
/// Cannon64 prestate (cannon's `.bin` / `.bin.gz`).
pub fn load_cannon(path: &Path, snapshot_every: u64) -> Result<CannonVm, String> {
    let named = |e: String| format!("cannon-elf {}: {e}", path.display());
    let bytes = std::fs::read(path).map_err(|e| named(e.to_string()))?;
    if bytes.starts_with(b"\x7fELF") && bytes.get(4) == Some(&1) {
        let trace = VmTrace::from_elf(&bytes, subgame_oracles()).map_err(|e| named(e.to_string()))?;
        return Ok(CannonVm::Mips32(trace.with_snapshot_every(snapshot_every)));
    }
    let snapshot = if bytes.starts_with(b"\x7fELF") {
        let mut s = mt64::load_elf(&bytes).map_err(|e| named(e.to_string()))?;
        mt64::patch_stack(&mut s);
        s
    } else {
        Snapshot64::read_file_bytes(&bytes).map_err(|e| named(e.to_string()))?
    };
    Ok(CannonVm::Mips64(VmTrace::from_prestate(snapshot, subgame_oracles()).with_snapshot_every(snapshot_every)))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn cannon_elf_takes_a_mips64_elf_or_its_prestate_file() {
        let elf = riposte_devnet::devnet_dir().join("build/go64/verdict.elf");
        let from_elf = load_cannon(&elf, 1000).unwrap();
        assert_eq!(from_elf.vm_name(), "Cannon64 (MIPS64, state version 8)");
        let mut s = mt64::load_elf(&std::fs::read(&elf).unwrap()).unwrap();
        mt64::patch_stack(&mut s);
        let file = std::env::temp_dir().join(format!("riposte-traces-{}.bin.gz", std::process::id()));
        std::fs::write(&file, s.to_bin_gz()).unwrap();
        let from_file = load_cannon(&file, 1000).unwrap();
        assert_eq!(from_file.absolute_prestate(), from_elf.absolute_prestate());
        assert_eq!(from_elf.absolute_prestate(), s.state.hash());
        let mips32 = load_cannon(&riposte_devnet::devnet_dir().join("build/mips/verdict.elf"), 1000).unwrap();
        assert_eq!(mips32.vm_name(), "MIPS (32-bit)");
        std::fs::write(&file, b"not a program").unwrap();
        assert!(load_cannon(&file, 1000).err().unwrap().contains("snapshot"));
        let _ = std::fs::remove_file(&file);
    }
}
