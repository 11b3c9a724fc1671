-- Games riposte tracks and the claims it has read from them.
-- u128/U256 quantities are stored as decimal TEXT (SQLite integers are 64-bit signed);
-- addresses and hashes as 0x-prefixed lowercase hex.

CREATE TABLE factory_cursor (
    factory     TEXT PRIMARY KEY NOT NULL,
    next_index  INTEGER NOT NULL CHECK (next_index >= 0)
);

CREATE TABLE games (
    address             TEXT PRIMARY KEY NOT NULL,
    factory             TEXT NOT NULL,
    game_index          INTEGER NOT NULL,
    game_type           INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    version             TEXT NOT NULL,
    root_claim          TEXT NOT NULL,
    l1_head             TEXT NOT NULL,
    l2_block_number     INTEGER NOT NULL,
    starting_block      INTEGER NOT NULL,
    starting_root       TEXT NOT NULL,
    max_depth           INTEGER NOT NULL,
    split_depth         INTEGER NOT NULL,
    max_clock_duration  INTEGER NOT NULL,
    clock_extension     INTEGER NOT NULL,
    status              INTEGER NOT NULL DEFAULT 0,
    UNIQUE (factory, game_index)
);

CREATE TABLE claims (
    game            TEXT NOT NULL REFERENCES games (address),
    idx             INTEGER NOT NULL CHECK (idx >= 0),
    parent_index    INTEGER NOT NULL,
    countered_by    TEXT NOT NULL,
    claimant        TEXT NOT NULL,
    bond            TEXT NOT NULL,
    value           TEXT NOT NULL,
    position        TEXT NOT NULL,
    clock_duration  INTEGER NOT NULL,
    clock_timestamp INTEGER NOT NULL,
    PRIMARY KEY (game, idx)
);
