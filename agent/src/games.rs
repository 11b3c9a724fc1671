//! Games opened as the family `riposte-contracts` detects, once per run and shared by the
//! indexer, the players and the tools.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use alloy::primitives::Address;
use riposte_contracts::{DisputeGame, EthCall};

use crate::error::Result;

/// Games opened as the family they were detected to be, once per run.
pub struct Games {
    eth: Arc<dyn EthCall>,
    opened: Mutex<HashMap<Address, Arc<dyn DisputeGame>>>,
}

impl Games {
    /// Opens games through `eth`.
    pub fn new(eth: Arc<dyn EthCall>) -> Self {
        Self { eth, opened: Mutex::new(HashMap::new()) }
    }

    /// `eth_call` on L1.
    pub fn eth(&self) -> &Arc<dyn EthCall> {
        &self.eth
    }

    /// The game at `address` as the family it was detected to be.
    pub async fn open(&self, address: Address) -> Result<Arc<dyn DisputeGame>> {
        if let Some(g) = self.opened.lock().ok().and_then(|m| m.get(&address).cloned()) {
            return Ok(g);
        }
        let g = riposte_contracts::fdg::detect_and_open(self.eth.clone(), address).await?;
        if let Ok(mut m) = self.opened.lock() {
            m.insert(address, g.clone());
        }
        Ok(g)
    }
}
