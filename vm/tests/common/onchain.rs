//! Asking the devnet's real `MIPS64.sol` about riposte's witnesses: the preimage parts the
//! steps read loaded into its `PreimageOracle`, then `step` by eth_call, several at a time.

use std::collections::BTreeSet;

use alloy::primitives::{Address, B256, Bytes, U256};
use riposte_contracts::{oracle::PreimageOracle as IOracleLoader, vm::BigStepper as IBigStepper};
use riposte_devnet::Devnet;
use riposte_vm::{StepWitness, local_key};

/// How many eth_calls are in flight at once.
const CONCURRENCY: usize = 8;

/// The caller of `step` and the local context its local data is loaded under.
pub(crate) struct Stepper<'a> {
    pub(crate) devnet: &'a Devnet,
    pub(crate) from: Address,
    pub(crate) context: B256,
    /// Parts loaded so far (key, offset).
    pub(crate) loaded: BTreeSet<(B256, u64)>,
}

impl<'a> Stepper<'a> {
    pub(crate) fn new(devnet: &'a Devnet, context: B256) -> Self {
        Self { devnet, from: devnet.account(0), context, loaded: BTreeSet::new() }
    }

    /// Loads the part each witness reads, once: local data (`locals`, by ident) with
    /// `loadLocalData`, keccak256 preimages with `loadKeccak256PreimagePart`.
    pub(crate) async fn load_preimages<'w>(
        &mut self,
        witnesses: impl IntoIterator<Item = &'w StepWitness>,
        locals: &[(u64, Vec<u8>)],
    ) {
        let oracle = self.devnet.deployment().preimage_oracle;
        for w in witnesses {
            let Some(read) = &w.preimage else { continue };
            if !self.loaded.insert((read.key, read.offset)) {
                continue;
            }
            if read.is_local() {
                let (ident, data) = locals.iter().find(|(i, _)| local_key(*i) == read.key).unwrap();
                let mut word = [0u8; 32];
                word[..data.len()].copy_from_slice(data);
                let call = IOracleLoader::loadLocalDataCall {
                    _ident: U256::from(*ident),
                    _localContext: self.context,
                    _word: B256::from(word),
                    _size: U256::from(data.len()),
                    _partOffset: U256::from(read.offset),
                };
                self.devnet.l1().send("PreimageOracle", self.from, oracle, &call, U256::ZERO).await.unwrap();
            } else {
                let call = IOracleLoader::loadKeccak256PreimagePartCall {
                    _partOffset: U256::from(read.offset),
                    _preimage: Bytes::from(read.data.to_vec()),
                };
                self.devnet.l1().send("PreimageOracle", self.from, oracle, &call, U256::ZERO).await.unwrap();
            }
        }
    }

    /// `MIPS64.step` of every witness, in order: the post-state, or the revert in words.
    pub(crate) async fn step_all(&self, witnesses: &[StepWitness]) -> Vec<Result<B256, String>> {
        let mips = self.devnet.deployment().mips;
        let mut answers = vec![Err("no answer".to_owned()); witnesses.len()];
        let mut set = tokio::task::JoinSet::new();
        let mut next = 0;
        while next < witnesses.len() || !set.is_empty() {
            while next < witnesses.len() && set.len() < CONCURRENCY {
                let w = &witnesses[next];
                let call = IBigStepper::stepCall {
                    _stateData: Bytes::from(w.state.clone()),
                    _proof: Bytes::from(w.proof.clone()),
                    _localContext: self.context,
                };
                let (chain, from, i) = (self.devnet.l1().clone(), self.from, next);
                set.spawn(async move { (i, chain.call_at("MIPS64", mips, &call, Some(from), None).await) });
                next += 1;
            }
            if let Some(joined) = set.join_next().await {
                let (i, r) = joined.unwrap();
                answers[i] = r.map_err(|e| e.to_string());
            }
        }
        answers
    }
}
