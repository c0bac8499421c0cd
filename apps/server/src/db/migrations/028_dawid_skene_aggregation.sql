-- How the panel's verdicts become final labels (the project setting `aggregation`, docs/AGGREGATION.md "Dawid–Skene
-- aggregation of the panel"): `quorum` (as before: a class is decided when q experts agree) or `dawid-skene` (each
-- class by its posterior P(present) under every expert's estimated confusion matrix: correct at or above 0.8, wrong
-- at or below 0.2, a dispute for the lead between). Changed by the settings route, which moves settings_version
-- (migration 016) and re-aggregates the project in the background.
ALTER TABLE projects ADD COLUMN aggregation TEXT NOT NULL DEFAULT 'quorum' CHECK (aggregation IN ('quorum', 'dawid-skene'));

-- The model a verdict's aggregation uses under dawid-skene, as the last estimation left it (a project without a row
-- here uses core's initial model: class priors 1/2, every expert at the prior's rows). Written only when an
-- estimation ends, together with settings_version, so every instance reads it again.
CREATE TABLE project_confusion_models (
  project_id     INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  prior_original REAL NOT NULL,    -- P(present) of an item's original label
  prior_other    REAL NOT NULL,    -- P(present) of any other class
  passes         INTEGER NOT NULL, -- EM passes the estimation ran
  converged      INTEGER NOT NULL CHECK (converged IN (0, 1)),
  questions      INTEGER NOT NULL, -- (item, class) pairs judged by someone, in its last pass
  verdicts       INTEGER NOT NULL, -- the project's verdicts when it started (a later one starts when they have grown)
  estimated_at   TEXT NOT NULL     -- ISO 8601
);

-- Each expert's confusion matrix in that model: P(judgement | the class is absent), P(judgement | present).
CREATE TABLE expert_confusion (
  project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id         INTEGER NOT NULL REFERENCES users(id),
  absent_wrong    REAL NOT NULL,
  absent_unclear  REAL NOT NULL,
  absent_correct  REAL NOT NULL,
  present_wrong   REAL NOT NULL,
  present_unclear REAL NOT NULL,
  present_correct REAL NOT NULL,
  judgements      INTEGER NOT NULL, -- class judgements of theirs the estimation read
  fixed_absent    INTEGER NOT NULL DEFAULT 0 CHECK (fixed_absent IN (0, 1)),  -- the row held at the gold items' estimate
  fixed_present   INTEGER NOT NULL DEFAULT 0 CHECK (fixed_present IN (0, 1)),
  PRIMARY KEY (project_id, user_id)
) WITHOUT ROWID;

-- An estimation under way (in the background, a step of items at a time; resumed at start): the pass, where it
-- stands in it, the previous pass's model (JSON; NULL in the first pass, which starts from the majority vote) and this
-- pass's expected counts so far (JSON: core's ConfusionTally).
CREATE TABLE confusion_estimation_pending (
  project_id   INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  pass         INTEGER NOT NULL,
  next_item_id INTEGER NOT NULL,
  done         INTEGER NOT NULL, -- judged items read in this pass
  model        TEXT,
  tally        TEXT NOT NULL,
  verdicts     INTEGER NOT NULL, -- the project's verdicts when it started
  started_at   TEXT NOT NULL
);
