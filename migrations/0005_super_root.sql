-- A super-root game's proposal: the SuperV1 preimage its extraData carries (hex), whose hash is
-- the root claim. NULL for output-root games.
ALTER TABLE games ADD COLUMN super_root TEXT;
