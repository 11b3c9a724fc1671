//! Derivation on data handed in by the caller: the first stages (calldata to frames, frames to
//! channels, channels to batches) and the rules of today's forks that kona 0.4.5 lacks (the
//! Jovian L1-info deposit, blob base fees by L1 fork, SystemConfig updates 6 and 7).

pub mod attributes;
pub mod batches;
pub mod blob_fee;
pub mod calldata;
pub mod channel;
pub mod l1_info;
pub mod system_config;
pub mod upgrades;
