-- Gold items (docs/AGGREGATION.md, "Gold items"): a final item a lead marks gold, its final labels at that moment
-- being the answer. The review queue then mixes gold items into each expert's stream at the project's gold_rate, as
-- probes: an expert who did not judge the item in its panel gets it as an open item, once at most, and their answer
-- is kept apart from the panel's verdicts (gold_probe_answers), so the item's final labels never move. Each expert's
-- reliability against gold is measured on their first answers.
ALTER TABLE projects ADD COLUMN gold_rate REAL NOT NULL DEFAULT 0.05 CHECK (gold_rate >= 0 AND gold_rate <= 0.5);

CREATE TABLE gold_items (
  item_id    INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  answer     TEXT NOT NULL,    -- JSON FinalLabels: the item's final labels when it was marked
  marked_by  INTEGER NOT NULL REFERENCES users(id),
  marked_at  TEXT NOT NULL     -- ISO 8601
);
CREATE INDEX gold_items_by_project ON gold_items(project_id, item_id);

-- A gold item served to an expert: reserved until expires_at (unix ms, as a claim), answered or skipped. One row per
-- item and expert, so an expert never gets the same gold item twice.
CREATE TABLE gold_probes (
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  served_at  TEXT NOT NULL,     -- ISO 8601
  expires_at INTEGER NOT NULL,  -- unix ms
  skipped_at TEXT,
  PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;
CREATE INDEX gold_probes_by_user ON gold_probes(user_id, project_id);

-- An expert's answers to a gold item, every revision kept (as verdicts are), apart from the panel's verdicts.
CREATE TABLE gold_probe_answers (
  item_id     INTEGER NOT NULL,
  user_id     INTEGER NOT NULL,
  revision    INTEGER NOT NULL,
  labels      TEXT NOT NULL,
  problematic TEXT,
  mistakes    TEXT NOT NULL,
  comment     TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  PRIMARY KEY (item_id, user_id, revision),
  FOREIGN KEY (item_id, user_id) REFERENCES gold_probes(item_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;
