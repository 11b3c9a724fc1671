-- What the agent intends to send, every signed attempt, and credits claimed.
-- An intent is written before anything is signed; an attempt is written before it is broadcast,
-- so after a crash every transaction that may be on the network is known.

CREATE TABLE intents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    game        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    action_key  TEXT NOT NULL UNIQUE,
    target      TEXT NOT NULL,
    calldata    TEXT NOT NULL,
    value       TEXT NOT NULL,
    -- pending: not signed yet; sent: at least one attempt broadcast; confirmed; reverted;
    -- failed: never made it on chain (simulation revert, send error); abandoned: dropped at restart.
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'confirmed', 'reverted', 'failed', 'abandoned')),
    nonce       INTEGER,
    tx_hash     TEXT,
    block       INTEGER,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE INDEX intents_by_state ON intents (state);

CREATE TABLE attempts (
    intent_id               INTEGER NOT NULL REFERENCES intents (id),
    nonce                   INTEGER NOT NULL,
    tx_hash                 TEXT NOT NULL UNIQUE,
    raw                     TEXT NOT NULL,
    max_fee_per_gas         TEXT NOT NULL,
    max_priority_fee_per_gas TEXT NOT NULL,
    sent_at                 INTEGER NOT NULL
);

CREATE INDEX attempts_by_intent ON attempts (intent_id);

CREATE TABLE credits_claimed (
    game        TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    amount      TEXT NOT NULL,
    tx_hash     TEXT NOT NULL,
    claimed_at  INTEGER NOT NULL,
    PRIMARY KEY (game, recipient)
);
