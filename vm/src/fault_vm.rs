//! The seam between a fault-proof VM and the execution trace: what the trace asks of a VM
//! (state hash, run, step witness, snapshot), so each VM is written once and the trace once.

use alloy_primitives::B256;

use crate::oracle::PreimageOracle;
use crate::witness::StepWitness;

/// A fault-proof VM running a program and reading preimages from [`FaultVm::Oracle`].
///
/// An instruction that fails leaves the state as it was: the on-chain step reverts on that
/// pre-state too, so the trace cannot go on past it.
pub trait FaultVm: Sized {
    /// Where the program's preimages and hints go.
    type Oracle: PreimageOracle;
    /// Everything a run resumes from except the oracle; cloning it is cheap.
    type Snapshot: Clone;
    /// Why an instruction could not execute.
    type Error: std::error::Error + Send + Sync + 'static;

    /// A VM resuming from `snapshot` (a program's prestate is a snapshot at instruction 0).
    fn resume(snapshot: Self::Snapshot, oracle: Self::Oracle) -> Self;

    /// The resumable part of this VM.
    fn snapshot(&self) -> Self::Snapshot;

    /// The state hash a claim carries: keccak256 of the encoded state, the status byte on top.
    fn state_hash(&mut self) -> B256;

    /// `true` once the program exited; an exited VM never changes again.
    fn exited(&self) -> bool;

    /// Executes up to `max_steps` instructions, stopping early at the exit; returns how many ran.
    fn run(&mut self, max_steps: u64) -> Result<u64, Self::Error>;

    /// Executes one instruction (none once exited) and returns what the contract's `step`
    /// needs to execute it.
    fn step_with_witness(&mut self) -> Result<StepWitness, Self::Error>;
}

/// One VM for every oracle (e.g. [`Mips32`](crate::Mips32) for [`Vm`](crate::Vm)): a trace
/// names its VM by kind, and the oracle type comes from the trace's oracle factory.
pub trait VmKind {
    /// The snapshot of every VM of this kind; the trace keeps them across threads.
    type Snapshot: Clone + Send + Sync;
    /// The VM reading preimages from `O`.
    type Vm<O: PreimageOracle>: FaultVm<Oracle = O, Snapshot = Self::Snapshot>;
}

/// A fake VM for tests of the logic above the seam.
#[cfg(test)]
pub(crate) mod counter {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use alloy_primitives::B256;
    use riposte_game::VmStatus;

    use super::{FaultVm, VmKind};
    use crate::oracle::{OracleError, PreimageOracle, local_key};
    use crate::witness::{PreimageRead, StepWitness};

    /// The local data the counter reads (the disputed L2 block number).
    pub(crate) const READ_IDENT: u64 = 4;

    /// A counter machine's state: each instruction adds one to `steps`; the instruction after
    /// `read_at` steps reads local data [`READ_IDENT`]; the program exits (code 0) at `exit_at`.
    #[derive(Debug, Clone)]
    pub(crate) struct CounterState {
        pub(crate) steps: u64,
        pub(crate) read_at: u64,
        pub(crate) exit_at: u64,
        /// Instructions executed by every VM resumed from this state or its snapshots.
        pub(crate) executed: Arc<AtomicU64>,
    }

    impl CounterState {
        /// The encoded state: the step count, big-endian.
        pub(crate) fn encode(steps: u64) -> [u8; 8] {
            steps.to_be_bytes()
        }

        /// The state hash after `steps` instructions of a program exiting at `exit_at`.
        pub(crate) fn hash(steps: u64, exit_at: u64) -> B256 {
            let steps = steps.min(exit_at);
            VmStatus::from_exit(steps == exit_at, 0).state_hash(&Self::encode(steps))
        }
    }

    /// What stops a counter.
    #[derive(Debug, thiserror::Error)]
    pub(crate) enum CounterError {
        /// The oracle does not have the local data the program reads.
        #[error("preimage {0} missing")]
        PreimageMissing(B256),
        /// The oracle failed.
        #[error("oracle: {0}")]
        Oracle(OracleError),
    }

    /// The counter machine running with oracle `O`.
    pub(crate) struct Counter<O> {
        state: CounterState,
        oracle: O,
    }

    /// The counter's [`VmKind`].
    pub(crate) enum CounterKind {}

    impl VmKind for CounterKind {
        type Snapshot = CounterState;
        type Vm<O: PreimageOracle> = Counter<O>;
    }

    impl<O: PreimageOracle> Counter<O> {
        fn read(&mut self) -> Result<PreimageRead, CounterError> {
            let key = local_key(READ_IDENT);
            let data = self.oracle.preimage(key).map_err(CounterError::Oracle)?;
            let data = data.ok_or(CounterError::PreimageMissing(key))?;
            Ok(PreimageRead { key, offset: 0, data })
        }
    }

    impl<O: PreimageOracle> FaultVm for Counter<O> {
        type Oracle = O;
        type Snapshot = CounterState;
        type Error = CounterError;

        fn resume(state: CounterState, oracle: O) -> Self {
            Self { state, oracle }
        }

        fn snapshot(&self) -> CounterState {
            self.state.clone()
        }

        fn state_hash(&mut self) -> B256 {
            CounterState::hash(self.state.steps, self.state.exit_at)
        }

        fn exited(&self) -> bool {
            self.state.steps >= self.state.exit_at
        }

        // Unlike a real VM, a failing read stops the whole batch before its first instruction.
        fn run(&mut self, max_steps: u64) -> Result<u64, CounterError> {
            let s = &self.state;
            let n = max_steps.min(s.exit_at.saturating_sub(s.steps));
            if (s.steps..s.steps + n).contains(&s.read_at) {
                self.read()?;
            }
            self.state.steps += n;
            self.state.executed.fetch_add(n, Ordering::Relaxed);
            Ok(n)
        }

        fn step_with_witness(&mut self) -> Result<StepWitness, CounterError> {
            let pre_status = VmStatus::from_exit(self.exited(), 0);
            let state = CounterState::encode(self.state.steps).to_vec();
            let preimage =
                (!self.exited() && self.state.steps == self.state.read_at).then(|| self.read()).transpose()?;
            if !self.exited() {
                self.state.steps += 1;
                self.state.executed.fetch_add(1, Ordering::Relaxed);
            }
            Ok(StepWitness { state, pre_status, proof: Vec::new(), preimage })
        }
    }
}
