-- Proposals without a bisection game: the simplified SuperPermissionedDisputeGame 1.0 (Upgrade
-- 20's type 5), resolved at creation. riposte judges each and, once final, offers the honest ones
-- to the registry as its anchor. `state`: pending, dishonest, not-respected, invalid,
-- superseded, anchored.
CREATE TABLE proposals (
    address     TEXT PRIMARY KEY NOT NULL,
    factory     TEXT NOT NULL,
    game_index  INTEGER NOT NULL,
    game_type   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    root_claim  TEXT NOT NULL,
    super_root  TEXT NOT NULL,
    l1_head     TEXT NOT NULL,
    registry    TEXT NOT NULL,
    respected   INTEGER NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending'
);
