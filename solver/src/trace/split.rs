use alloy_primitives::B256;
use riposte_game::Position;

use super::{ExecTrace, GameView, OutputTrace, StepData, TraceAccessor};
use crate::TraceError;

/// A split game's trace: output roots from `outputs` down to the split depth, execution states
/// from `exec` below it.
#[derive(Debug, Clone)]
pub struct SplitTrace<O, E> {
    outputs: O,
    exec: E,
}

impl<O: OutputTrace, E: ExecTrace> SplitTrace<O, E> {
    /// Joins an output trace and an execution trace.
    pub fn new(outputs: O, exec: E) -> Self {
        Self { outputs, exec }
    }
}

impl<O: OutputTrace, E: ExecTrace> TraceAccessor for SplitTrace<O, E> {
    async fn get(&self, view: &GameView, reference: usize, position: Position) -> Result<B256, TraceError> {
        if view.depth.is_output_position(position) {
            let block = view.output_block(position)?;
            return self.outputs.output_at(block).await;
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
}
