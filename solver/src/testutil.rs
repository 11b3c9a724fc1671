//! Test doubles: an in-memory output trace and a poll loop for futures that never wait.

use std::{
    collections::HashMap,
    future::Future,
    pin::pin,
    task::{Context, Poll, Waker},
};

use alloy_primitives::{B256, keccak256};

use crate::{TraceError, trace::OutputTrace};

/// Runs a future whose data sources are in memory (ready on first poll).
pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// Honest output roots: a fixed function of the block, or an explicit map with gaps.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outputs {
    pub(crate) overrides: HashMap<u64, B256>,
    pub(crate) missing: Vec<u64>,
}

/// The honest output root of `block` in tests.
pub(crate) fn honest_output(block: u64) -> B256 {
    keccak256(format!("output {block}"))
}

impl OutputTrace for Outputs {
    async fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        if self.missing.contains(&block) {
            return Err(TraceError::Source {
                what: format!("output root of L2 block {block}"),
                source: "unavailable".into(),
            });
        }
        Ok(self.overrides.get(&block).copied().unwrap_or_else(|| honest_output(block)))
    }
}
