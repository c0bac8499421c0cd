-- A qualification set (docs/AGGREGATION.md, "Gold items"): a new expert's first `gold_qualification` items are gold
-- items, where the project has enough they may be served, before the gold rate takes over. 0 (the default): none.
ALTER TABLE projects ADD COLUMN gold_qualification INTEGER NOT NULL DEFAULT 0 CHECK (gold_qualification >= 0 AND gold_qualification <= 100);
