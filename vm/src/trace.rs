//! The execution trace of Cannon games for the solver: the claim at exec trace index `i` is
//! the state hash after `i + 1` instructions of the program, and the step data of index `i`
//! is the witness of instruction `i + 1` (its pre-state is the state after `i`).
//!
//! Each execution subgame (one local context) runs the program with its own local data, on
//! any VM behind [`FaultVm`] (MIPS32 by default). Runs keep snapshots every `snapshot_every`
//! instructions, so answering position after position of a bisection resumes from the
//! nearest snapshot instead of instruction 0.

use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use alloy_primitives::{B256, Bytes};
use riposte_game::VmStatus;
use riposte_solver::TraceError;
use riposte_solver::trace::{ExecSubgame, ExecTrace, Preimage, StepData};

use crate::fault_vm::{FaultVm, VmKind};
use crate::oracle::{KECCAK_KEY_TYPE, NoOracle, OracleError, PreimageOracle, local_key};
use crate::vm::{Mips32, Snapshot};
use crate::witness::StepWitness;
use crate::{State, StateWitness, VmError, load_elf};

/// Snapshot interval when none is set: a resume then costs at most ~0.1 s of execution.
pub const DEFAULT_SNAPSHOT_EVERY: u64 = 10_000_000;

/// Local data idents the game's `addLocalData` provides.
pub const L1_HEAD_IDENT: u64 = 1;
/// The agreed (starting) output root.
pub const STARTING_OUTPUT_IDENT: u64 = 2;
/// The disputed output root.
pub const DISPUTED_OUTPUT_IDENT: u64 = 3;
/// The disputed L2 block number (u64, big-endian).
pub const DISPUTED_BLOCK_IDENT: u64 = 4;
/// The L2 chain id (u64, big-endian).
pub const CHAIN_ID_IDENT: u64 = 5;

/// The oracle of one execution subgame: local data 1–5 from the subgame, every other key
/// from `global`.
#[derive(Debug, Clone)]
pub struct SubgameOracle<G> {
    locals: [(B256, Arc<[u8]>); 5],
    global: G,
}

impl<G> SubgameOracle<G> {
    /// The local data `addLocalData` gives `subgame`, over `global`.
    pub fn new(subgame: &ExecSubgame, global: G) -> Self {
        let word = |b: B256| -> Arc<[u8]> { Arc::from(b.as_slice()) };
        let number = |n: u64| -> Arc<[u8]> { Arc::from(n.to_be_bytes().as_slice()) };
        Self {
            locals: [
                (local_key(L1_HEAD_IDENT), word(subgame.l1_head)),
                (local_key(STARTING_OUTPUT_IDENT), word(subgame.outputs.starting_claim)),
                (local_key(DISPUTED_OUTPUT_IDENT), word(subgame.outputs.disputed_claim)),
                (local_key(DISPUTED_BLOCK_IDENT), number(subgame.disputed_block)),
                (local_key(CHAIN_ID_IDENT), number(subgame.l2_chain_id)),
            ],
            global,
        }
    }
}

impl<G: PreimageOracle> PreimageOracle for SubgameOracle<G> {
    fn preimage(&mut self, key: B256) -> Result<Option<Arc<[u8]>>, OracleError> {
        if let Some((_, data)) = self.locals.iter().find(|(k, _)| *k == key) {
            return Ok(Some(data.clone()));
        }
        self.global.preimage(key)
    }

    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        self.global.hint(hint)
    }
}

/// One subgame's run: snapshots by instruction count, and where the program exited.
struct Run<S> {
    snapshots: BTreeMap<u64, S>,
    exited_at: Option<u64>,
}

impl<S> Default for Run<S> {
    fn default() -> Self {
        Self { snapshots: BTreeMap::new(), exited_at: None }
    }
}

/// The execution trace of a program (its initial state) on a VM of kind `K`, run per
/// subgame with the oracle `oracles` makes for that subgame. `K` is the MIPS32 VM unless set.
pub struct VmTrace<F, K: VmKind = Mips32> {
    prestate: K::Snapshot,
    absolute_prestate: B256,
    oracles: F,
    snapshot_every: u64,
    runs: Mutex<HashMap<B256, Run<K::Snapshot>>>,
    /// State hashes already computed, by (local context, steps): the solver asks for the same
    /// positions at every look at a game.
    hashes: Mutex<HashMap<(B256, u64), B256>>,
    /// VM runs started (resumed from a snapshot), for tests and diagnostics.
    resumes: AtomicU64,
    kind: PhantomData<fn() -> K>,
}

/// State hashes kept before the cache starts over.
const HASH_CACHE: usize = 1 << 16;

impl<F, K: VmKind> std::fmt::Debug for VmTrace<F, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VmTrace")
            .field("absolute_prestate", &self.absolute_prestate)
            .field("snapshot_every", &self.snapshot_every)
            .finish_non_exhaustive()
    }
}

fn source(what: String, e: impl std::error::Error + Send + Sync + 'static) -> TraceError {
    TraceError::Source { what, source: Box::new(e) }
}

impl<F, O> VmTrace<F, Mips32>
where
    F: Fn(&ExecSubgame) -> Result<O, TraceError> + Send + Sync,
    O: PreimageOracle,
{
    /// The trace of the MIPS32 program whose initial state is `prestate`.
    pub fn new(prestate: State, oracles: F) -> Self {
        Self::from_prestate(Snapshot { state: prestate, hint_buf: Vec::new() }, oracles)
    }

    /// The trace of a MIPS32 program ELF, loaded as [`load_elf`] does.
    pub fn from_elf(elf: &[u8], oracles: F) -> Result<Self, VmError> {
        Ok(Self::new(load_elf(elf)?, oracles))
    }

    /// The initial state's witness (the pre-state of the step at trace index 0).
    pub fn prestate_witness(&self) -> StateWitness {
        self.prestate.state.clone().encode()
    }
}

impl<F, O, K> VmTrace<F, K>
where
    F: Fn(&ExecSubgame) -> Result<O, TraceError> + Send + Sync,
    O: PreimageOracle,
    K: VmKind,
{
    /// The trace of the program whose initial state is the snapshot `prestate`.
    pub fn from_prestate(prestate: K::Snapshot, oracles: F) -> Self {
        // Hashing through a VM keeps whatever the hash caches (MIPS32: the memory root) in the
        // prestate every run resumes from.
        let mut vm = K::Vm::<NoOracle>::resume(prestate, NoOracle);
        let absolute_prestate = VmStatus::Unfinished.stamp(vm.state_hash());
        Self {
            prestate: vm.snapshot(),
            absolute_prestate,
            oracles,
            snapshot_every: DEFAULT_SNAPSHOT_EVERY,
            runs: Mutex::new(HashMap::new()),
            hashes: Mutex::new(HashMap::new()),
            resumes: AtomicU64::new(0),
            kind: PhantomData,
        }
    }

    /// Keeps a snapshot every `n` instructions (at least 1).
    pub fn with_snapshot_every(mut self, n: u64) -> Self {
        self.snapshot_every = n.max(1);
        self
    }

    /// The absolute prestate claim: the initial state's hash with status UNFINISHED.
    pub fn absolute_prestate(&self) -> B256 {
        self.absolute_prestate
    }

    /// A VM of `subgame` after `steps` instructions (or at its exit, if it exits before).
    fn vm_after(&self, subgame: &ExecSubgame, steps: u64) -> Result<K::Vm<O>, TraceError> {
        if subgame.absolute_prestate != self.absolute_prestate {
            return Err(TraceError::Unsupported(format!(
                "the game's absolute prestate {} is not this program's {}",
                subgame.absolute_prestate, self.absolute_prestate
            )));
        }
        let context = subgame.local_context;
        let (start, snapshot, exited_at) = {
            let runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
            match runs.get(&context) {
                Some(run) => {
                    let (at, snap) =
                        run.snapshots.range(..=steps).next_back().map_or((0, &self.prestate), |(at, snap)| (*at, snap));
                    (at, snap.clone(), run.exited_at)
                }
                None => (0, self.prestate.clone(), None),
            }
        };
        let oracle = (self.oracles)(subgame)?;
        self.resumes.fetch_add(1, Ordering::Relaxed);
        let mut vm = K::Vm::<O>::resume(snapshot, oracle);
        if exited_at.is_some_and(|e| start >= e) {
            return Ok(vm);
        }
        let mut taken = Vec::new();
        let mut at = start;
        while at < steps && !vm.exited() {
            let next_snapshot = (at / self.snapshot_every + 1) * self.snapshot_every;
            let target = next_snapshot.min(steps);
            at += vm.run(target - at).map_err(|e| source(format!("running subgame {context} to {steps}"), e))?;
            if at == next_snapshot || vm.exited() {
                taken.push((at, vm.snapshot()));
            }
        }
        let exited = vm.exited().then_some(at);
        let mut runs = self.runs.lock().unwrap_or_else(PoisonError::into_inner);
        let run = runs.entry(context).or_default();
        run.snapshots.extend(taken);
        if exited.is_some() {
            run.exited_at = exited;
        }
        Ok(vm)
    }

    /// The state hash after `steps` instructions of `subgame` (the exit state past the exit).
    pub fn state_after(&self, subgame: &ExecSubgame, steps: u64) -> Result<B256, TraceError> {
        let key = (subgame.local_context, steps);
        if subgame.absolute_prestate == self.absolute_prestate
            && let Some(h) = self.hashes.lock().unwrap_or_else(PoisonError::into_inner).get(&key)
        {
            return Ok(*h);
        }
        let hash = self.vm_after(subgame, steps)?.state_hash();
        let mut hashes = self.hashes.lock().unwrap_or_else(PoisonError::into_inner);
        if hashes.len() >= HASH_CACHE {
            hashes.clear();
        }
        hashes.insert(key, hash);
        Ok(hash)
    }

    /// How many times a VM was resumed from a snapshot to answer a question.
    pub fn resumes(&self) -> u64 {
        self.resumes.load(Ordering::Relaxed)
    }

    /// The witness of the instruction executed after `steps` instructions of `subgame`.
    pub fn witness_after(&self, subgame: &ExecSubgame, steps: u64) -> Result<StepWitness, TraceError> {
        let mut vm = self.vm_after(subgame, steps)?;
        vm.step_with_witness()
            .map_err(|e| source(format!("witness of step {steps} of subgame {}", subgame.local_context), e))
    }

    /// [`ExecTrace::state_at`], run on the calling thread (it may execute many instructions:
    /// async callers move it off their runtime).
    pub fn state_at_blocking(&self, subgame: &ExecSubgame, index: u128) -> Result<B256, TraceError> {
        self.state_after(subgame, steps_of(index, 1)?)
    }

    /// [`ExecTrace::step_data`], run on the calling thread.
    pub fn step_data_blocking(&self, subgame: &ExecSubgame, index: u128) -> Result<StepData, TraceError> {
        let w = self.witness_after(subgame, steps_of(index, 0)?)?;
        let preimage = preimage_load(&w)?;
        Ok(StepData { state_data: Bytes::from(w.state), proof: Bytes::from(w.proof), preimage })
    }
}

fn steps_of(index: u128, extra: u64) -> Result<u64, TraceError> {
    u64::try_from(index)
        .ok()
        .and_then(|i| i.checked_add(extra))
        .ok_or_else(|| TraceError::Unsupported(format!("exec trace index {index} is beyond 2^64 instructions")))
}

/// The preimage a step needs loaded, in the solver's terms.
fn preimage_load(w: &StepWitness) -> Result<Option<Preimage>, TraceError> {
    let Some(read) = &w.preimage else { return Ok(None) };
    let offset = u32::try_from(read.offset).map_err(|_| {
        TraceError::Unsupported(format!("preimage {} read at offset {} past 4 GiB", read.key, read.offset))
    })?;
    if read.is_local() {
        let ident = read.key[1..24]
            .iter()
            .all(|b| *b == 0)
            .then(|| u64::from_be_bytes(read.key[24..].try_into().unwrap_or_default()))
            .ok_or_else(|| TraceError::Unsupported(format!("local key {} has no u64 ident", read.key)))?;
        return Ok(Some(Preimage::Local { ident, offset }));
    }
    if read.key[0] == KECCAK_KEY_TYPE {
        return Ok(Some(Preimage::Keccak { data: Bytes::from(read.data.to_vec()), offset }));
    }
    Err(TraceError::Unsupported(format!(
        "the step reads preimage {} of type {}, which cannot be loaded yet",
        read.key, read.key[0]
    )))
}

impl<F, O, K> ExecTrace for VmTrace<F, K>
where
    F: Fn(&ExecSubgame) -> Result<O, TraceError> + Send + Sync,
    O: PreimageOracle,
    K: VmKind,
{
    async fn state_at(&self, subgame: &ExecSubgame, index: u128) -> Result<B256, TraceError> {
        self.state_at_blocking(subgame, index)
    }

    async fn step_data(&self, subgame: &ExecSubgame, index: u128) -> Result<StepData, TraceError> {
        self.step_data_blocking(subgame, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MapOracle, Vm};
    use alloy_primitives::keccak256;
    use riposte_game::{ExecOutputs, Position};

    const BASE: u32 = 0x1000;

    /// A program: counts $t0 down from 40 (3 instructions a round), reads 8 bytes of local
    /// data 4 into 0x8000, then exits with code 1.
    fn program() -> State {
        let code: [u32; 22] = [
            0x2408_0028, // addiu $t0, $zero, 40
            0x2508_ffff, // addiu $t0, $t0, -1
            0x1500_fffe, // bne $t0, $zero, -2
            0x0000_0000, // nop
            // write local key 4 (at 0x9000) to fd 6, 32 bytes, 4 at a time
            0x3c11_0000, // lui $s1, 0
            0x3631_9000, // ori $s1, $s1, 0x9000
            0x2412_0020, // addiu $s2, $zero, 32
            0x2404_0006, // addiu $a0, $zero, 6
            0x0220_2821, // addu $a1, $s1, $zero
            0x0240_3021, // addu $a2, $s2, $zero
            0x2402_0fa4, // addiu $v0, $zero, 4004
            0x0000_000c, // syscall
            0x0222_8821, // addu $s1, $s1, $v0
            0x0242_9023, // subu $s2, $s2, $v0
            0x1640_fff8, // bne $s2, $zero, -8 (to addiu $a0)
            0x0000_0000, // nop
            // read 4 bytes of it to 0x8000
            0x2404_0005, // addiu $a0, $zero, 5
            0x3405_8000, // ori $a1, $zero, 0x8000
            0x2406_0004, // addiu $a2, $zero, 4
            0x2402_0fa3, // addiu $v0, $zero, 4003
            0x0000_000c, // syscall
            0x2404_0001, // addiu $a0, $zero, 1  (then exit below)
        ];
        let mut s = State { pc: BASE, next_pc: BASE + 4, heap: 0x2000_0000, ..State::default() };
        for (i, w) in code.iter().enumerate() {
            s.memory.write_word(BASE + 4 * i as u32, *w);
        }
        s.memory.write_word(BASE + 4 * 22, 0x2402_1096); // addiu $v0, $zero, 4246
        s.memory.write_word(BASE + 4 * 23, 0x0000_000c); // syscall
        s.memory.set_range(0x9000, local_key(DISPUTED_BLOCK_IDENT).as_slice());
        s
    }

    fn subgame(absolute_prestate: B256, disputed: u8) -> ExecSubgame {
        let disputed_position = Position::from_gindex(1 << 30).unwrap();
        let outputs = ExecOutputs {
            starting_claim: B256::repeat_byte(1),
            starting_position: 0,
            starting_index: None,
            disputed_claim: B256::repeat_byte(disputed),
            disputed_position,
            disputed_index: 1,
        };
        ExecSubgame {
            local_context: outputs.local_context(),
            outputs,
            exec_root: Position::from_gindex(1 << 31).unwrap(),
            agreed_block: 4,
            disputed_block: 5,
            l1_head: keccak256(b"l1 head"),
            l2_chain_id: 901,
            absolute_prestate,
        }
    }

    type Oracles = fn(&ExecSubgame) -> Result<SubgameOracle<MapOracle>, TraceError>;

    fn trace(every: u64) -> VmTrace<Oracles> {
        let oracles: Oracles = |g| Ok(SubgameOracle::new(g, MapOracle::new()));
        VmTrace::new(program(), oracles).with_snapshot_every(every)
    }

    /// Hashes after each instruction, from a fresh VM.
    fn reference(g: &ExecSubgame) -> Vec<B256> {
        let mut vm = Vm::new(program(), SubgameOracle::new(g, MapOracle::new()));
        let mut hashes = Vec::new();
        while !vm.state().exited {
            vm.step().unwrap();
            hashes.push(vm.state_mut().hash());
        }
        hashes
    }

    #[tokio::test]
    async fn claims_are_post_states_in_any_order_and_pad_past_the_exit() {
        let t = trace(7);
        let g = subgame(t.absolute_prestate(), 2);
        let reference = reference(&g);
        assert!(reference.len() > 150);
        assert_eq!(reference.last().unwrap()[0], VmStatus::Invalid as u8);
        let n = reference.len() as u128;
        for index in [100u128, 3, 0, 99, n - 1, 57, 58, 1, n - 2, 12] {
            assert_eq!(t.state_at(&g, index).await.unwrap(), reference[index as usize], "index {index}");
        }
        // Past the exit every claim is the exit state.
        for index in [n, n + 1, 1 << 40] {
            assert_eq!(t.state_at(&g, index).await.unwrap(), reference[n as usize - 1]);
        }
        // Asked again (as at every look at a game), the answers come without running the VM,
        // and a subgame with other local data is not answered from them.
        let resumes = t.resumes();
        for index in [100u128, 3, 0, 99, n - 1, 57] {
            assert_eq!(t.state_at(&g, index).await.unwrap(), reference[index as usize]);
        }
        assert_eq!(t.resumes(), resumes, "answered from the cache");
        let other = subgame(t.absolute_prestate(), 3);
        assert_eq!(t.state_at(&other, 99).await.unwrap(), self::reference(&other)[99]);
        assert!(t.resumes() > resumes);
    }

    #[tokio::test]
    async fn step_data_is_the_pre_state_of_the_claimed_instruction() {
        let t = trace(16);
        let g = subgame(t.absolute_prestate(), 2);
        let reference = reference(&g);
        let first = t.step_data(&g, 0).await.unwrap();
        assert_eq!(first.state_data.as_ref(), t.prestate_witness().as_slice());
        assert_eq!(VmStatus::Unfinished.state_hash(&first.state_data), t.absolute_prestate());
        for index in [1u128, 50, 151] {
            let d = t.step_data(&g, index).await.unwrap();
            assert_eq!(keccak256(&d.state_data)[1..], reference[index as usize - 1][1..]);
            assert_eq!(d.proof.len(), 2 * crate::memory::PROOF_LEN);
        }
        // Find the read of local data 4: offset 0, and the data is the disputed block.
        let mut found = false;
        for index in 0..reference.len() as u128 {
            if let Some(p) = t.step_data(&g, index).await.unwrap().preimage {
                assert_eq!(p, Preimage::Local { ident: DISPUTED_BLOCK_IDENT, offset: 0 });
                found = true;
            }
        }
        assert!(found);
        let past = t.step_data(&g, 1 << 30).await.unwrap();
        assert_eq!(VmStatus::Invalid.state_hash(&past.state_data), *reference.last().unwrap());
    }

    #[tokio::test]
    async fn subgames_run_apart_and_foreign_prestates_are_refused() {
        let t = trace(5);
        let a = subgame(t.absolute_prestate(), 2);
        let b = subgame(t.absolute_prestate(), 3);
        let last = reference(&a).len() as u128 - 1;
        // Same program, same local data 4: both exit identically, but each has its own run.
        assert_eq!(t.state_at(&a, last).await.unwrap(), t.state_at(&b, last).await.unwrap());
        assert_eq!(t.runs.lock().unwrap().len(), 2);
        let foreign = subgame(B256::repeat_byte(3), 2);
        assert!(matches!(t.state_at(&foreign, 0).await, Err(TraceError::Unsupported(_))));
    }

    mod counter_vm {
        //! The trace over a fake VM ([`CounterKind`]): its logic does not depend on MIPS.

        use std::sync::atomic::AtomicU64;

        use super::*;
        use crate::fault_vm::counter::{CounterKind, CounterState, READ_IDENT};

        const READ_AT: u64 = 42;
        const EXIT_AT: u64 = 100;

        type Oracles = fn(&ExecSubgame) -> Result<SubgameOracle<NoOracle>, TraceError>;

        /// A counter trace snapshotting every `every` instructions, and its work meter.
        fn counter_trace(every: u64) -> (VmTrace<Oracles, CounterKind>, Arc<AtomicU64>) {
            let executed = Arc::new(AtomicU64::new(0));
            let prestate = CounterState { steps: 0, read_at: READ_AT, exit_at: EXIT_AT, executed: executed.clone() };
            let oracles: Oracles = |g| Ok(SubgameOracle::new(g, NoOracle));
            (VmTrace::from_prestate(prestate, oracles).with_snapshot_every(every), executed)
        }

        fn executed(meter: &AtomicU64) -> u64 {
            meter.load(Ordering::Relaxed)
        }

        #[test]
        fn claims_are_the_counters_post_states_and_pad_past_its_exit() {
            let (t, _) = counter_trace(10);
            assert_eq!(t.absolute_prestate(), VmStatus::Unfinished.state_hash(&CounterState::encode(0)));
            let g = subgame(t.absolute_prestate(), 2);
            for index in [0u128, 41, 42, 98, 7, 50] {
                let claim = t.state_at_blocking(&g, index).unwrap();
                assert_eq!(claim, CounterState::hash(index as u64 + 1, EXIT_AT), "index {index}");
                assert_eq!(claim[0], VmStatus::Unfinished as u8);
            }
            let exit = CounterState::hash(EXIT_AT, EXIT_AT);
            assert_eq!(exit[0], VmStatus::Valid as u8);
            for index in [99u128, 100, 1 << 40] {
                assert_eq!(t.state_at_blocking(&g, index).unwrap(), exit, "index {index}");
            }
        }

        #[test]
        fn questions_resume_from_the_nearest_snapshot_and_repeats_hit_the_cache() {
            let (t, meter) = counter_trace(10);
            let g = subgame(t.absolute_prestate(), 2);
            t.state_at_blocking(&g, 54).unwrap();
            assert_eq!((t.resumes(), executed(&meter)), (1, 55), "a first question runs from instruction 0");
            t.state_at_blocking(&g, 56).unwrap();
            assert_eq!((t.resumes(), executed(&meter)), (2, 55 + 7), "resumed from the snapshot at 50");
            t.state_at_blocking(&g, 20).unwrap();
            assert_eq!((t.resumes(), executed(&meter)), (3, 62 + 1), "resumed from the snapshot at 20");
            for index in [54u128, 56, 20] {
                t.state_at_blocking(&g, index).unwrap();
            }
            assert_eq!((t.resumes(), executed(&meter)), (3, 63), "repeats are answered from the cache");
            // Past the exit, the recorded exit snapshot answers without running.
            t.state_at_blocking(&g, 500).unwrap();
            let after_exit = executed(&meter);
            t.state_at_blocking(&g, 700).unwrap();
            assert_eq!(executed(&meter), after_exit);
            // Another local context has its own run, from instruction 0.
            let other = subgame(t.absolute_prestate(), 3);
            t.state_at_blocking(&other, 9).unwrap();
            assert_eq!(executed(&meter), after_exit + 10);
            assert_eq!(t.runs.lock().unwrap().len(), 2);
        }

        #[test]
        fn step_data_is_the_counters_pre_state_and_its_local_read() {
            let (t, _) = counter_trace(16);
            let g = subgame(t.absolute_prestate(), 2);
            for index in [0u128, 1, 41, 43, 99] {
                let d = t.step_data_blocking(&g, index).unwrap();
                assert_eq!(d.state_data.as_ref(), CounterState::encode(index as u64).as_slice(), "index {index}");
                assert_eq!(d.preimage, None, "index {index}");
                // The pre-state of step `index` is the claim at `index - 1`.
                if index > 0 {
                    let claim = t.state_at_blocking(&g, index - 1).unwrap();
                    assert_eq!(keccak256(&d.state_data)[1..], claim[1..]);
                }
            }
            let read = t.step_data_blocking(&g, READ_AT as u128).unwrap();
            assert_eq!(read.preimage, Some(Preimage::Local { ident: READ_IDENT, offset: 0 }));
            let past = t.step_data_blocking(&g, 1 << 30).unwrap();
            assert_eq!(VmStatus::Valid.state_hash(&past.state_data), CounterState::hash(EXIT_AT, EXIT_AT));
        }

        #[test]
        fn a_vm_error_fails_the_question_with_its_source() {
            // Without the subgame's local data, the counter cannot read at instruction 43.
            let executed = Arc::new(AtomicU64::new(0));
            let prestate = CounterState { steps: 0, read_at: READ_AT, exit_at: EXIT_AT, executed };
            let bare: fn(&ExecSubgame) -> Result<MapOracle, TraceError> = |_| Ok(MapOracle::new());
            let t: VmTrace<_, CounterKind> = VmTrace::from_prestate(prestate, bare).with_snapshot_every(8);
            let g = subgame(t.absolute_prestate(), 2);
            assert!(t.state_at_blocking(&g, 30).is_ok());
            let err = t.state_at_blocking(&g, 60).unwrap_err();
            assert!(matches!(err, TraceError::Source { .. }), "{err}");
            assert!(err.to_string().contains("missing"), "{err}");
            assert!(matches!(t.step_data_blocking(&g, READ_AT as u128), Err(TraceError::Source { .. })));
        }
    }
}
