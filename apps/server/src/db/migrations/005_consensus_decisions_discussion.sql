-- Panel consensus, the lead's decisions and the per-item discussion. Everything here about an item is recomputed in
-- the transaction of each of its verdicts and decisions (and for a whole project when its quorum changes), so the
-- lead's queue and the dashboard are current to the last verdict and never re-read the verdicts themselves.

-- What aggregating an item's current verdicts decided: its final labels, how divided the panel is, and what the item
-- adds to the dashboard's figures. One row per item that has at least one verdict. The aggregate itself (votes, the
-- disputes' wording) is recomputed from the verdicts when an item is shown: storing it would make re-aggregating a
-- whole project (a quorum change) much slower.
CREATE TABLE item_consensus (
  item_id          INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  disputes         TEXT NOT NULL,  -- JSON [{kind, classKey | model}]: what the aggregate disputes, without the wording
  final            TEXT,           -- JSON FinalLabels while the item is agreed or final, else NULL
  final_at         TEXT,           -- when those final labels were set
  divisiveness     REAL NOT NULL,  -- disputes + mean entropy of the class votes (docs/AGGREGATION.md)
  problematic      INTEGER NOT NULL DEFAULT 0, -- the final labels leave the image out of evaluation
  major_slice      INTEGER NOT NULL DEFAULT 0, -- every model's top-1 is a Major mistake under the final labels
  major_models     TEXT,           -- ',id,id,': the models whose top-1 is a Major mistake under the final labels
  -- Per model, how it fares before and with the final labels (JSON, NULL without final labels), and per current
  -- verdict its agreement with the final labels (JSON): the item's share of the project totals below, kept so that
  -- a change of the item replaces exactly its old share.
  outcomes         TEXT,
  raters           TEXT NOT NULL,
  -- Fleiss' kappa over the item's (item, class) units judged by exactly the panel size: units, Σ per-unit agreement,
  -- judgements per category.
  fleiss_units     INTEGER NOT NULL,
  fleiss_agreement REAL NOT NULL,
  fleiss_correct   INTEGER NOT NULL,
  fleiss_wrong     INTEGER NOT NULL,
  fleiss_unclear   INTEGER NOT NULL,
  -- Krippendorff's alpha over the item's units with at least two judgements: units, pairable values, Σ o_cc,
  -- pairable values per category.
  alpha_units      INTEGER NOT NULL,
  alpha_values     INTEGER NOT NULL,
  alpha_agreement  REAL NOT NULL,
  alpha_correct    INTEGER NOT NULL,
  alpha_wrong      INTEGER NOT NULL,
  alpha_unclear    INTEGER NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX item_consensus_by_project ON item_consensus(project_id);
CREATE INDEX items_by_status ON items(project_id, status);

-- Project totals the dashboard reads instead of every item; each change of an item takes out its old share
-- (item_consensus.outcomes, .raters) and adds its new one, in the same transaction.

-- Per model and original class: what the final labels change against the project's baseline (over the items with
-- final labels: images counted, hits, ReaL images counted, ReaL hits, with final labels minus before them).
CREATE TABLE project_score_deltas (
  project_id         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_id           INTEGER NOT NULL,
  original_class_idx INTEGER NOT NULL,
  counted            INTEGER NOT NULL,
  hits               INTEGER NOT NULL,
  real_counted       INTEGER NOT NULL,
  real_hits          INTEGER NOT NULL,
  PRIMARY KEY (project_id, model_id, original_class_idx)
) WITHOUT ROWID;

-- Per model: mistakes under the final labels by severity (Major, Minor, Borderline, or ungraded) and category ('' when
-- ungraded), and as severity 'replaced' the baseline mistakes of the items that have final labels.
CREATE TABLE project_mistake_counts (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  model_id   INTEGER NOT NULL,
  severity   TEXT NOT NULL,
  category   TEXT NOT NULL,
  count      INTEGER NOT NULL,
  PRIMARY KEY (project_id, model_id, severity, category)
) WITHOUT ROWID;

-- Per expert: current verdicts in the project, and their class judgements equal to the final labels out of those
-- the final labels judge.
CREATE TABLE project_rater_totals (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  verdicts   INTEGER NOT NULL,
  agreements INTEGER NOT NULL,
  compared   INTEGER NOT NULL,
  PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;

-- Every decision of a lead on an item, never changed: finalize (a disputed item), override (an agreed or final one),
-- reopen (back to disputed, final labels withdrawn). The latest one is in force.
CREATE TABLE decisions (
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  sequence   INTEGER NOT NULL CHECK (sequence >= 1),
  kind       TEXT NOT NULL CHECK (kind IN ('finalize', 'override', 'reopen')),
  lead_id    INTEGER NOT NULL REFERENCES users(id),
  final      TEXT,           -- JSON FinalLabels; NULL for a reopen
  note       TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (item_id, sequence)
) WITHOUT ROWID;

CREATE TABLE discussion_messages (
  id         INTEGER PRIMARY KEY,
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  body       TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX discussion_by_item ON discussion_messages(item_id, id);
