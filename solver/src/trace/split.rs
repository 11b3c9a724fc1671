use alloy_primitives::B256;
use riposte_game::Position;

use super::{ExecTrace, GameView, StepData, TopTrace, TraceAccessor};
use crate::TraceError;

/// A split game's trace: output or super roots from `top` down to the split depth, execution
/// states from `exec` below it.
#[derive(Debug, Clone)]
pub struct SplitTrace<T, E> {
    top: T,
    exec: E,
}

impl<T: TopTrace, E: ExecTrace> SplitTrace<T, E> {
    /// Joins a top-half trace and an execution trace.
    pub fn new(top: T, exec: E) -> Self {
        Self { top, exec }
    }

    /// The top half.
    pub fn top(&self) -> &T {
        &self.top
    }
}

impl<T: TopTrace, E: ExecTrace> TraceAccessor for SplitTrace<T, E> {
    async fn get(&self, view: &GameView, reference: usize, position: Position) -> Result<B256, TraceError> {
        if view.depth.is_output_position(position) {
            return self.top.top_claim(view, position).await;
        }
        let subgame = view.exec_subgame(reference, position)?;
        self.exec.state_at(&subgame, view.exec_index(position)?).await
    }

    async fn step_data(&self, view: &GameView, reference: usize, position: Position) -> Result<StepData, TraceError> {
        if position.depth() != view.depth.max() {
            return Err(TraceError::Unsupported(format!(
                "step data asked at depth {}, steps happen at max depth {}",
                position.depth(),
                view.depth.max()
            )));
        }
        let subgame = view.exec_subgame(reference, position)?;
        self.exec.step_data(&subgame, view.exec_index(position)?).await
    }

    fn step_refusal(&self) -> Option<&'static str> {
        self.exec.refusal()
    }
}
