//! Super roots, the claims of `SuperFaultDisputeGame` (type 9) at and above its split depth.
//!
//! - [`SuperRoot`]: the SuperV1 preimage `0x01 ‖ timestamp (u64 BE) ‖ (chainId (u256 BE) ‖
//!   outputRoot)*` in ascending chain-id order, and its keccak hash (the claim). A game's
//!   `extraData` is this preimage and its `rootClaim` the hash.
//! - [`TransitionState`]: one of the 127 intermediate states between super roots one second
//!   apart: `0xff ‖ rlp([superV1, [[blockHash, outputRoot]...], step])`.
//! - [`trace_point`]: which of them the top game's trace index stands for, 128 per second of L2
//!   time, repeating the proposal's super root from its timestamp on.
//! - [`invalid`]: the claim for a state that was not safely derivable from L1 by the game's L1
//!   head (`keccak256("invalid")`).
//!
//! No I/O: the honest values come from sources behind traits elsewhere.

use alloy_primitives::{B256, U256, keccak256};
use alloy_rlp::{Encodable, Header};

/// The version byte of a SuperV1 preimage.
pub const SUPER_ROOT_VERSION: u8 = 1;
/// The version byte of an encoded transition state.
pub const TRANSITION_STATE_VERSION: u8 = 0xff;
/// Trace leaves per second of L2 time: the super root, then 127 transition steps.
pub const STEPS_PER_TIMESTAMP: u64 = 128;
/// The last transition step before the next super root.
pub const MAX_TRANSITION_STEPS: u64 = STEPS_PER_TIMESTAMP - 1;

/// `keccak256("invalid")`: the claim of a state that cannot be derived from L1 by the L1 head.
pub fn invalid() -> B256 {
    keccak256(b"invalid")
}

/// Why bytes are not a SuperV1 preimage.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperRootError {
    /// Not `9 + 64·k` bytes with `k ≥ 1`.
    #[error("a super root preimage of {0} bytes (9 + 64 per chain, at least one chain)")]
    Length(usize),
    /// The first byte is not 1.
    #[error("super root version {0} (only 1 is known)")]
    Version(u8),
    /// Chain ids not strictly ascending: no honest super root is encoded so.
    #[error("chain ids out of order or repeated at entry {0}")]
    Order(usize),
}

/// One chain's entry in a super root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainOutput {
    /// The chain id.
    pub chain_id: U256,
    /// Its output root at the super root's timestamp.
    pub output_root: B256,
}

/// A SuperV1 super root: the output roots of every chain of a dependency set at one L2 time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuperRoot {
    /// The L2 timestamp.
    pub timestamp: u64,
    /// The chains, in ascending chain-id order.
    pub chains: Vec<ChainOutput>,
}

impl SuperRoot {
    /// The super root of one chain.
    pub fn single(timestamp: u64, chain_id: u64, output_root: B256) -> Self {
        Self { timestamp, chains: vec![ChainOutput { chain_id: U256::from(chain_id), output_root }] }
    }

    /// The SuperV1 preimage.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(9 + 64 * self.chains.len());
        out.push(SUPER_ROOT_VERSION);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        for c in &self.chains {
            out.extend_from_slice(&c.chain_id.to_be_bytes::<32>());
            out.extend_from_slice(c.output_root.as_slice());
        }
        out
    }

    /// The claim: keccak256 of the preimage.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Decodes a SuperV1 preimage (a game's `extraData`), refusing any other shape.
    pub fn decode(bytes: &[u8]) -> Result<Self, SuperRootError> {
        let n = bytes.len();
        if n < 73 || !(n - 9).is_multiple_of(64) {
            return Err(SuperRootError::Length(n));
        }
        if bytes[0] != SUPER_ROOT_VERSION {
            return Err(SuperRootError::Version(bytes[0]));
        }
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&bytes[1..9]);
        let chains: Vec<ChainOutput> = bytes[9..]
            .chunks_exact(64)
            .map(|c| ChainOutput { chain_id: U256::from_be_slice(&c[..32]), output_root: B256::from_slice(&c[32..]) })
            .collect();
        if let Some(i) = chains.windows(2).position(|w| w[0].chain_id >= w[1].chain_id) {
            return Err(SuperRootError::Order(i + 1));
        }
        Ok(Self { timestamp: u64::from_be_bytes(ts), chains })
    }
}

/// A block a transition state has derived for one chain, pending consolidation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingBlock {
    /// The block's hash.
    pub block_hash: B256,
    /// Its output root.
    pub output_root: B256,
}

/// An intermediate state of the transition from one super root to the next second's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionState {
    /// The SuperV1 preimage the transition starts from.
    pub super_root: Vec<u8>,
    /// The blocks derived so far, in chain-id order.
    pub pending: Vec<PendingBlock>,
    /// The step, 1 to 127.
    pub step: u64,
}

impl TransitionState {
    /// `0xff ‖ rlp([superRoot, [[blockHash, outputRoot], …], step])`.
    pub fn encode(&self) -> Vec<u8> {
        let mut pending = Vec::new();
        for p in &self.pending {
            let mut pair = Vec::with_capacity(66);
            p.block_hash.encode(&mut pair);
            p.output_root.encode(&mut pair);
            Header { list: true, payload_length: pair.len() }.encode(&mut pending);
            pending.extend_from_slice(&pair);
        }
        let mut payload = Vec::new();
        self.super_root.as_slice().encode(&mut payload);
        Header { list: true, payload_length: pending.len() }.encode(&mut payload);
        payload.extend_from_slice(&pending);
        self.step.encode(&mut payload);
        let mut out = vec![TRANSITION_STATE_VERSION];
        Header { list: true, payload_length: payload.len() }.encode(&mut out);
        out.extend_from_slice(&payload);
        out
    }

    /// The claim: keccak256 of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// What a top-game trace index stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TracePoint {
    /// The super root at this timestamp.
    Super {
        /// L2 timestamp.
        timestamp: u64,
    },
    /// Transition step `step` (1 to 127) from the super root at `timestamp` towards the next
    /// second's.
    Transition {
        /// L2 timestamp of the super root the transition starts from.
        timestamp: u64,
        /// The step.
        step: u64,
    },
}

/// The point trace index `index` of the top game stands for, from the anchor's timestamp
/// `prestate` (`startingSequenceNumber`) to the proposal's `proposal` (`l2SequenceNumber`):
/// `k = index + 1` steps after the anchor, `prestate + k / 128` seconds and `k mod 128` steps;
/// from the proposal's timestamp on, the proposal's super root repeats.
pub fn trace_point(index: u128, prestate: u64, proposal: u64) -> TracePoint {
    let k = index.saturating_add(1);
    let seconds = k / u128::from(STEPS_PER_TIMESTAMP);
    let step = (k % u128::from(STEPS_PER_TIMESTAMP)) as u64;
    let t = u128::from(prestate).saturating_add(seconds);
    if t >= u128::from(proposal) {
        return TracePoint::Super { timestamp: proposal };
    }
    // t < proposal ≤ u64::MAX.
    let timestamp = t as u64;
    if step == 0 { TracePoint::Super { timestamp } } else { TracePoint::Transition { timestamp, step } }
}

/// The L2 block a chain has at timestamp `t`: the last one with a timestamp at or before `t`
/// (`genesis_number + (t − genesis_time) / block_time`), or `None` before genesis or with a
/// block time of 0.
pub fn block_at(genesis_number: u64, genesis_time: u64, block_time: u64, t: u64) -> Option<u64> {
    let since = t.checked_sub(genesis_time)?;
    genesis_number.checked_add(since.checked_div(block_time)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use alloy_primitives::{b256, hex};
    use proptest::prelude::*;

    use super::*;

    // Vectors of ../design super-roots.md §3.1 and §3.4, computed there with another keccak and
    // encoder; matching them is the second, independent computation.
    #[test]
    fn super_root_and_transition_vectors() {
        let sr = SuperRoot::single(1_788_842_855, 10, B256::repeat_byte(0x11));
        let enc = sr.encode();
        assert_eq!(enc.len(), 73);
        assert_eq!(hex::encode(&enc[..9]), "01000000006a9f9367");
        assert_eq!(sr.hash(), b256!("c6abf0dfd646d76134b8a70a4c11f88217bb8b00d6b4ee0797175a4f4da6fe0c"));
        assert_eq!(invalid(), b256!("ffd7db0f9d5cdeb49c4c9eba649d4dc6d852d64671e65488e57f58584992ac68"));
        let ts = |step| TransitionState {
            super_root: enc.clone(),
            pending: vec![PendingBlock { block_hash: B256::repeat_byte(0x22), output_root: B256::repeat_byte(0x33) }],
            step,
        };
        let one = ts(1).encode();
        assert_eq!(one.len(), 149);
        assert_eq!(hex::encode(&one[..5]), "fff892b849");
        assert_eq!(hex::encode(&one[78..82]), "f844f842");
        assert_eq!(ts(1).hash(), b256!("654a6443536a9e91078801c717dfdce09a76bef73e77fa091e7baf732171763f"));
        assert_eq!(ts(127).hash(), b256!("7b66dc652906c52b7248ab79178c95f9452fba7c3243fbdacd4ca1d79a643670"));
    }

    #[test]
    fn preimages_of_other_shapes_are_refused() {
        let sr = SuperRoot::single(5, 10, B256::repeat_byte(1));
        assert_eq!(SuperRoot::decode(&sr.encode()).unwrap(), sr);
        assert_eq!(SuperRoot::decode(&[1; 72]), Err(SuperRootError::Length(72)));
        assert_eq!(SuperRoot::decode(&[1; 74]), Err(SuperRootError::Length(74)));
        let mut v2 = sr.encode();
        v2[0] = 2;
        assert_eq!(SuperRoot::decode(&v2), Err(SuperRootError::Version(2)));
        let two = SuperRoot {
            timestamp: 5,
            chains: vec![
                ChainOutput { chain_id: U256::from(10), output_root: B256::ZERO },
                ChainOutput { chain_id: U256::from(10), output_root: B256::ZERO },
            ],
        };
        assert_eq!(SuperRoot::decode(&two.encode()), Err(SuperRootError::Order(1)));
    }

    #[test]
    fn trace_points_of_the_first_seconds_and_the_extension() {
        let (p, q) = (1_000, 1_003);
        assert_eq!(trace_point(0, p, q), TracePoint::Transition { timestamp: p, step: 1 });
        assert_eq!(trace_point(126, p, q), TracePoint::Transition { timestamp: p, step: 127 });
        assert_eq!(trace_point(127, p, q), TracePoint::Super { timestamp: p + 1 });
        assert_eq!(trace_point(128, p, q), TracePoint::Transition { timestamp: p + 1, step: 1 });
        // At and after the proposal's timestamp, its super root.
        assert_eq!(trace_point(3 * 128 - 1, p, q), TracePoint::Super { timestamp: q });
        assert_eq!(trace_point(3 * 128, p, q), TracePoint::Super { timestamp: q });
        assert_eq!(trace_point(u128::MAX, p, q), TracePoint::Super { timestamp: q });
    }

    #[test]
    fn blocks_at_timestamps_of_op_mainnet_and_sepolia() {
        // The U20 anchors (super-roots.md §1.2): OP Mainnet's Bedrock genesis block 105235063 at
        // 1686068903, OP Sepolia's genesis 0 at 1691802540, 2 s blocks.
        assert_eq!(block_at(105_235_063, 1_686_068_903, 2, 1_788_842_855), Some(156_622_039));
        assert_eq!(block_at(0, 1_691_802_540, 2, 1_788_848_992), Some(48_523_226));
        // Off the block grid: the block one second earlier.
        assert_eq!(block_at(0, 100, 2, 103), Some(1));
        assert_eq!(block_at(0, 100, 2, 99), None);
        assert_eq!(block_at(0, 100, 0, 103), None);
    }

    proptest! {
        #[test]
        fn the_trace_advances_one_step_at_a_time_up_to_the_proposal(i in 0u128..1_000_000, p in 0u64..1_000_000, len in 1u64..10_000) {
            let q = p + len;
            let (a, b) = (trace_point(i, p, q), trace_point(i + 1, p, q));
            let key = |t: TracePoint| match t {
                TracePoint::Super { timestamp } => (timestamp, 0),
                TracePoint::Transition { timestamp, step } => (timestamp, step),
            };
            let (ka, kb) = (key(a), key(b));
            if ka == (q, 0) {
                prop_assert_eq!(kb, (q, 0));
            } else if ka.1 == MAX_TRANSITION_STEPS {
                prop_assert_eq!(kb, (ka.0 + 1, 0));
            } else {
                prop_assert_eq!(kb, (ka.0, ka.1 + 1));
            }
            prop_assert!(ka.0 >= p && ka.0 <= q);
        }

        #[test]
        fn super_roots_round_trip(ts in any::<u64>(), ids in proptest::collection::btree_set(any::<u64>(), 1..5)) {
            let chains = ids.iter().map(|&id| ChainOutput { chain_id: U256::from(id), output_root: keccak256(id.to_be_bytes()) }).collect();
            let sr = SuperRoot { timestamp: ts, chains };
            prop_assert_eq!(SuperRoot::decode(&sr.encode()).unwrap(), sr);
        }
    }
}

/// What the super-root trace of a one-chain dependency set reads of its chain.
pub trait SuperChain: Send + Sync {
    /// The chain id.
    fn chain_id(&self) -> u64;

    /// The block the chain has at L2 time `t` (see [`block_at`]); `None` before genesis.
    fn block_at(&self, t: u64) -> Option<u64>;

    /// The verified output root and the hash of `block`.
    fn output(&self, block: u64) -> impl std::future::Future<Output = Result<(B256, B256), crate::TraceError>> + Send;

    /// Whether `block` was safe, derivable from L1 data up to the game's L1 head. A source not
    /// yet synced past that head answers an error, never `false`.
    fn safe_by_l1_head(&self, block: u64) -> impl std::future::Future<Output = Result<bool, crate::TraceError>> + Send;
}

/// The honest claim at `point` for a one-chain set: the super root or transition state, or
/// [`invalid`] when a block it needs was not safe by the L1 head (invalid is absorbing: a
/// transition from an invalid super root is invalid).
pub async fn claim_at<C: SuperChain>(chain: &C, point: TracePoint) -> Result<B256, crate::TraceError> {
    let (t, step) = match point {
        TracePoint::Super { timestamp } => (timestamp, 0),
        TracePoint::Transition { timestamp, step } => (timestamp, step),
    };
    let Some(block) = chain.block_at(t) else {
        return Err(crate::TraceError::Unsupported(format!("L2 time {t} is before the chain's genesis")));
    };
    if !chain.safe_by_l1_head(block).await? {
        return Ok(invalid());
    }
    let (output, _) = chain.output(block).await?;
    let sr = SuperRoot::single(t, chain.chain_id(), output);
    if step == 0 {
        return Ok(sr.hash());
    }
    // Steps 1..=127 from super(t): the one chain's block at t + 1 is pending from step 1 on.
    let next = t
        .checked_add(1)
        .and_then(|n| chain.block_at(n))
        .ok_or_else(|| crate::TraceError::Unsupported(format!("no L2 time after {t}")))?;
    if !chain.safe_by_l1_head(next).await? {
        return Ok(invalid());
    }
    let (next_output, next_hash) = chain.output(next).await?;
    let ts = TransitionState {
        super_root: sr.encode(),
        pending: vec![PendingBlock { block_hash: next_hash, output_root: next_output }],
        step,
    };
    Ok(ts.hash())
}

/// The honest top half of a super-root game over one chain: super roots and transition states
/// down to the split depth (`view.starting_block` and `view.l2_block_number` are the anchor's
/// and the proposal's timestamps). Joined with an execution trace in a
/// [`super::SplitTrace`]; live games step on MIPS64 with kona's interop program
/// ([`NO_INTEROP_VM`] until riposte runs it).
#[derive(Debug, Clone)]
pub struct SuperTrace<C> {
    chain: C,
}

/// Why a live super-root game's execution half is not played.
pub const NO_INTEROP_VM: &str =
    "below the split a super-root game steps on MIPS64 with kona's interop program, which riposte cannot run yet";

impl<C: SuperChain> SuperTrace<C> {
    /// The trace over `chain`.
    pub fn new(chain: C) -> Self {
        Self { chain }
    }

    /// The chain the trace reads.
    pub fn chain(&self) -> &C {
        &self.chain
    }

    /// Whether a game's starting root (`startingRootHash`) is the super root riposte computes
    /// at the anchor's timestamp (`startingSequenceNumber`): a game that starts from another is
    /// not one whose honest trace riposte knows. Returns riposte's super root when they differ.
    pub async fn starting_root_differs(&self, timestamp: u64, root: B256) -> Result<Option<B256>, crate::TraceError> {
        let ours = claim_at(&self.chain, TracePoint::Super { timestamp }).await?;
        Ok((ours != root).then_some(ours))
    }
}

impl<C: SuperChain> super::TopTrace for SuperTrace<C> {
    async fn top_claim(
        &self,
        view: &super::GameView,
        position: riposte_game::Position,
    ) -> Result<B256, crate::TraceError> {
        let index = view.depth.output_trace_index(position)?;
        claim_at(&self.chain, trace_point(index, view.starting_block, view.l2_block_number)).await
    }
}

#[cfg(test)]
mod trace_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::{TraceError, testutil::block_on};

    /// Genesis block 0 at time 100, 2 s blocks, safe up to `safe`.
    struct Chain {
        safe: u64,
    }

    fn out(block: u64) -> (B256, B256) {
        (keccak256(format!("output {block}")), keccak256(format!("hash {block}")))
    }

    impl SuperChain for Chain {
        fn chain_id(&self) -> u64 {
            901
        }
        fn block_at(&self, t: u64) -> Option<u64> {
            block_at(0, 100, 2, t)
        }
        async fn output(&self, block: u64) -> Result<(B256, B256), TraceError> {
            Ok(out(block))
        }
        async fn safe_by_l1_head(&self, block: u64) -> Result<bool, TraceError> {
            Ok(block <= self.safe)
        }
    }

    #[test]
    fn claims_are_super_roots_transitions_or_invalid() {
        block_on(claims());
    }

    async fn claims() {
        let c = Chain { safe: 10 };
        // Super root at t = 104: block 2.
        let want = SuperRoot::single(104, 901, out(2).0).hash();
        assert_eq!(claim_at(&c, TracePoint::Super { timestamp: 104 }).await.unwrap(), want);
        // Step 5 from t = 104 towards 105: block 2 again (off the 2 s grid) is pending.
        let ts = TransitionState {
            super_root: SuperRoot::single(104, 901, out(2).0).encode(),
            pending: vec![PendingBlock { block_hash: out(2).1, output_root: out(2).0 }],
            step: 5,
        };
        assert_eq!(claim_at(&c, TracePoint::Transition { timestamp: 104, step: 5 }).await.unwrap(), ts.hash());
        // From 105 to 106 the pending block is block 3.
        let ts = TransitionState {
            super_root: SuperRoot::single(105, 901, out(2).0).encode(),
            pending: vec![PendingBlock { block_hash: out(3).1, output_root: out(3).0 }],
            step: 1,
        };
        assert_eq!(claim_at(&c, TracePoint::Transition { timestamp: 105, step: 1 }).await.unwrap(), ts.hash());
        // Block 11 is not safe by the L1 head: t = 122 is invalid, and so is the transition
        // into it from t = 121 (block 10 safe, block 11 needed).
        assert_eq!(claim_at(&c, TracePoint::Super { timestamp: 122 }).await.unwrap(), invalid());
        assert_eq!(claim_at(&c, TracePoint::Transition { timestamp: 121, step: 1 }).await.unwrap(), invalid());
        assert_ne!(claim_at(&c, TracePoint::Super { timestamp: 121 }).await.unwrap(), invalid());
        // Before genesis: no claim can be computed.
        assert!(claim_at(&c, TracePoint::Super { timestamp: 99 }).await.is_err());
    }

    fn view(starting: u64, proposal: u64, root: B256, starting_root: B256) -> crate::GameView {
        use riposte_game::{Claim, ClaimTree, ClockParams, GameDepth, Line, Position, ROOT_PARENT_INDEX};
        let root = Claim {
            parent_index: ROOT_PARENT_INDEX,
            countered_by: Default::default(),
            claimant: Default::default(),
            bond: 1,
            value: root,
            position: Position::ROOT,
            clock: Default::default(),
        };
        crate::GameView {
            tree: ClaimTree::new(root).unwrap(),
            // Split depth 10: 1024 leaves, 8 seconds of L2 time.
            depth: GameDepth::new(14, 10).unwrap(),
            clocks: ClockParams::with_step_period(300, 30, 60).unwrap(),
            starting_block: starting,
            starting_root,
            l2_block_number: proposal,
            absolute_prestate: B256::ZERO,
            l1_head: B256::ZERO,
            l2_chain_id: 901,
            line: Line::V2,
            super_root: true,
        }
    }

    #[test]
    fn the_super_trace_answers_the_top_half_and_refuses_the_bottom_by_name() {
        block_on(async {
            use crate::{
                TraceAccessor,
                trace::{SplitTrace, Unplayable},
            };
            use riposte_game::Position;
            let c = Chain { safe: 1_000 };
            let trace = SplitTrace::new(SuperTrace::new(Chain { safe: 1_000 }), Unplayable(NO_INTEROP_VM));
            let anchor = claim_at(&c, TracePoint::Super { timestamp: 104 }).await.unwrap();
            let v = view(104, 108, B256::ZERO, anchor);
            assert_eq!(trace.top().starting_root_differs(104, anchor).await.unwrap(), None);
            assert_eq!(trace.top().starting_root_differs(104, B256::ZERO).await.unwrap(), Some(anchor));
            assert_eq!(trace.step_refusal(), Some(NO_INTEROP_VM));
            // The root stands for the proposal's super root.
            let root = trace.get(&v, 0, Position::ROOT).await.unwrap();
            assert_eq!(root, claim_at(&c, TracePoint::Super { timestamp: 108 }).await.unwrap());
            // The first leaf is step 1 after the anchor; leaf 127 the next second's super root.
            let leaf = |i| Position::from_depth_index(10, i).unwrap();
            assert_eq!(
                trace.get(&v, 0, leaf(0)).await.unwrap(),
                claim_at(&c, TracePoint::Transition { timestamp: 104, step: 1 }).await.unwrap()
            );
            assert_eq!(
                trace.get(&v, 0, leaf(127)).await.unwrap(),
                claim_at(&c, TracePoint::Super { timestamp: 105 }).await.unwrap()
            );
            // Below the split: refused, naming why.
            let mut v = v;
            let (parent, pos) = path_to_split(&mut v);
            let below = pos.attack().unwrap();
            let err = trace.get(&v, parent, below).await.unwrap_err().to_string();
            assert!(err.contains("MIPS64") && err.contains("interop"), "{err}");
            assert!(trace.step_data(&v, 0, Position::from_depth_index(14, 0).unwrap()).await.is_err());
        });
    }

    /// Attacks from the root down to the split depth; the last claim's index and position.
    fn path_to_split(v: &mut crate::GameView) -> (usize, riposte_game::Position) {
        use riposte_game::{Claim, Position};
        let mut parent: usize = 0;
        let mut pos = Position::ROOT;
        for _ in 0..v.depth.split() {
            pos = pos.attack().unwrap();
            let claim = Claim {
                parent_index: u32::try_from(parent).unwrap(),
                countered_by: Default::default(),
                claimant: Default::default(),
                bond: 1,
                value: B256::repeat_byte(1),
                position: pos,
                clock: Default::default(),
            };
            parent = v.tree.push(claim).unwrap();
        }
        (parent, pos)
    }

    #[test]
    fn below_the_split_the_alphabet_vm_sees_the_proposal_timestamp_in_every_subgame() {
        block_on(async {
            use crate::{
                TraceAccessor,
                trace::{SplitTrace, alphabet},
            };
            let c = Chain { safe: 1_000 };
            let anchor = claim_at(&c, TracePoint::Super { timestamp: 104 }).await.unwrap();
            let mut v = view(104, 108, B256::repeat_byte(7), anchor);
            let (parent, pos) = path_to_split(&mut v);
            let trace = SplitTrace::new(SuperTrace::new(Chain { safe: 1_000 }), alphabet::AlphabetTrace);
            let below = pos.attack().unwrap();
            let sub = v.exec_subgame(parent, below).unwrap();
            assert_eq!(sub.disputed_block, 108);
            let got = trace.get(&v, parent, below).await.unwrap();
            assert_eq!(got, alphabet::state_hash(108, v.exec_index(below).unwrap()).unwrap());
            assert_eq!(trace.step_refusal(), None);
        });
    }
}
