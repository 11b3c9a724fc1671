-- What later FaultDisputeGame lines add to a game's fixed facts: the oracle challenge period
-- (the 1.3+ step clock extension), the registry that decides finality and bond modes, and the
-- permissioned game's roles (zero addresses for permissionless games).
ALTER TABLE games ADD COLUMN oracle_challenge_period INTEGER NOT NULL DEFAULT 0;
ALTER TABLE games ADD COLUMN anchor_registry TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000';
ALTER TABLE games ADD COLUMN proposer TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000';
ALTER TABLE games ADD COLUMN challenger TEXT NOT NULL DEFAULT '0x0000000000000000000000000000000000000000';
