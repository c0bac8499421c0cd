-- Users, sessions, projects and their reference data (vocabulary, images, models, predictions),
-- the review queue (items and claims) and the experts' verdicts with every revision.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'lead', 'expert')),
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL
);

-- A session is looked up by the SHA-256 of its cookie token, so a leaked database does not leak live sessions.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at INTEGER NOT NULL -- unix ms
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE projects (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE,
  description         TEXT NOT NULL DEFAULT '',
  image_dir           TEXT NOT NULL,       -- absolute path recorded at import
  panel_size          INTEGER NOT NULL CHECK (panel_size >= 1),
  top_k               INTEGER NOT NULL CHECK (top_k >= 1),
  claim_ms            INTEGER NOT NULL CHECK (claim_ms > 0),
  mistake_categories  TEXT NOT NULL,       -- JSON array of strings
  manifest_sha256     TEXT NOT NULL,       -- of the manifest and every file it names: makes re-import idempotent
  created_at          TEXT NOT NULL
);

CREATE TABLE classes (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  idx        INTEGER NOT NULL,
  key        TEXT NOT NULL,
  names      TEXT NOT NULL, -- JSON array, first is the display name
  gloss      TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (project_id, idx),
  UNIQUE (project_id, key)
) WITHOUT ROWID;

CREATE TABLE models (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  position     INTEGER NOT NULL, -- order of the manifest
  name         TEXT NOT NULL,
  display_name TEXT NOT NULL,
  illustrative INTEGER NOT NULL DEFAULT 0,
  UNIQUE (project_id, name)
);

CREATE TABLE images (
  id                 INTEGER PRIMARY KEY,
  project_id         INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  position           INTEGER NOT NULL, -- order of the original labels file
  file               TEXT NOT NULL,    -- relative to the project's image folder
  original_class_idx INTEGER NOT NULL,
  missing            INTEGER NOT NULL DEFAULT 0, -- the file was not on disk at import
  UNIQUE (project_id, file)
);

-- Accepted labels of an image: the original label at import (later: prior multi-labels, final decisions).
CREATE TABLE accepted_labels (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  class_idx INTEGER NOT NULL,
  PRIMARY KEY (image_id, class_idx)
) WITHOUT ROWID;

CREATE TABLE predictions (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  model_id  INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  rank      INTEGER NOT NULL CHECK (rank >= 1),
  class_idx INTEGER NOT NULL,
  score     REAL,   -- NULL when the model gave a ranking only
  PRIMARY KEY (image_id, model_id, rank)
) WITHOUT ROWID;

-- An item is an image on which at least one model's top-1 is outside the accepted labels.
CREATE TABLE items (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  image_id       INTEGER NOT NULL UNIQUE REFERENCES images(id) ON DELETE CASCADE,
  status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_review', 'agreed', 'disputed', 'final')),
  models_wrong   INTEGER NOT NULL,  -- priority: more models wrong first
  confidence     REAL NOT NULL,     -- then higher top-1 score of the wrong models
  verdict_count  INTEGER NOT NULL DEFAULT 0 -- experts with a current verdict
);
CREATE INDEX items_queue ON items(project_id, models_wrong DESC, confidence DESC, id) WHERE status IN ('open', 'in_review');

-- A claim reserves one of an item's panel slots for one expert until it expires.
CREATE TABLE claims (
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires_at INTEGER NOT NULL, -- unix ms
  PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;
CREATE INDEX claims_by_user ON claims(user_id, expires_at);

CREATE TABLE skips (
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  skipped_at TEXT NOT NULL,
  PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;

-- Every revision of every verdict is kept; the current verdict of an expert is their highest revision.
CREATE TABLE verdicts (
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  revision    INTEGER NOT NULL CHECK (revision >= 1),
  labels      TEXT NOT NULL, -- JSON {classKey: judgement}
  problematic TEXT,          -- JSON {reason} or NULL
  mistakes    TEXT NOT NULL, -- JSON {modelName: {severity, category}}
  comment     TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  PRIMARY KEY (item_id, user_id, revision)
) WITHOUT ROWID;
CREATE INDEX verdicts_by_user ON verdicts(user_id, item_id);
