//! Exactly-once transactions: intents before signing, raw attempts before broadcast, nonces,
//! fee bumps, reconciliation. The sender still lives in the agent (`agent/src/responder.rs`);
//! it moves here next.
