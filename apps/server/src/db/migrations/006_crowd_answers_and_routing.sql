-- Crowd answers imported with a project (ReaL's .npz layout), kept apart from the expert panel: crowd raters are not
-- users and their answers are not verdicts. Dawid–Skene aggregates them at import; its posteriors are kept per
-- (image, class) pair with the route they took (docs/AGGREGATION.md, "Routing with Dawid–Skene").

-- Where a prior judgement came from: the prior labels file of the manifest, or a confident crowd pair.
ALTER TABLE prior_labels ADD COLUMN source TEXT NOT NULL DEFAULT 'file' CHECK (source IN ('file', 'crowd'));

-- The routing settings and the aggregation's outcome, one row per project imported with crowd answers.
CREATE TABLE crowd_aggregations (
  project_id           INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  threshold            REAL NOT NULL,    -- posterior >= threshold: prior correct
  band_low             REAL NOT NULL,    -- posterior < band_low: prior wrong
  band_high            REAL NOT NULL,    -- band_low <= posterior < band_high: reviewed by the panel
  questions            INTEGER NOT NULL, -- in the file, including those about images outside the project
  answers              INTEGER NOT NULL, -- in the file
  iterations           INTEGER NOT NULL,
  converged            INTEGER NOT NULL,
  prior_absent         REAL NOT NULL,    -- estimated share of absent pairs among the answered questions
  prior_present        REAL NOT NULL
);

CREATE TABLE crowd_raters (
  id          INTEGER PRIMARY KEY,
  project_id  INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  external_id INTEGER NOT NULL,  -- the file's rater id (`ids`)
  position    INTEGER NOT NULL,  -- index along the tensor's first axis
  confusion   TEXT NOT NULL,     -- JSON [[P(no|absent), P(maybe|absent), P(yes|absent)], [... | present]] as estimated
  UNIQUE (project_id, external_id)
);

-- One row per answer given to a question about a project image.
CREATE TABLE crowd_answers (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  class_idx INTEGER NOT NULL,
  rater_id  INTEGER NOT NULL REFERENCES crowd_raters(id) ON DELETE CASCADE,
  answer    TEXT NOT NULL CHECK (answer IN ('no', 'maybe', 'yes')),
  PRIMARY KEY (image_id, class_idx, rater_id)
) WITHOUT ROWID;

-- The Dawid–Skene posterior of every answered (project image, class) pair, and what the routing did with it.
CREATE TABLE crowd_posteriors (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  class_idx INTEGER NOT NULL,
  posterior REAL NOT NULL,     -- P(the class is present)
  answers   INTEGER NOT NULL,  -- how many raters answered
  route     TEXT NOT NULL CHECK (route IN ('label', 'absent', 'review', 'none', 'file')),
  PRIMARY KEY (image_id, class_idx)
) WITHOUT ROWID;

-- Classes a review item shows as candidates besides its original label, accepted labels and the models' top-k:
-- classes judged wrong beforehand ('prior') and crowd pairs in the uncertain band ('crowd').
CREATE TABLE item_extra_candidates (
  item_id   INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  class_idx INTEGER NOT NULL,
  source    TEXT NOT NULL CHECK (source IN ('prior', 'crowd')),
  PRIMARY KEY (item_id, class_idx)
) WITHOUT ROWID;
