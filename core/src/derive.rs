//! The first derivation stages, on data handed in by the caller.

pub mod batches;
pub mod calldata;
pub mod channel;
