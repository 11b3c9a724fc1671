//! Support shared by the integration tests.
#![allow(dead_code)]

pub(crate) mod mt64_cases;
pub(crate) mod onchain;
