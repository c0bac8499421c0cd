-- A reviewer's verdict in progress on an item (judgements, added classes, problematic flag and reason, grades,
-- comment), saved as they work so a reload, a crash, a session that ends or another device finds it again. One row per
-- reviewer and item; only its owner ever reads it (blind review), and storing a verdict on the item deletes it.
-- `base_revision` is the revision of their own verdict the draft revises (0 for a first verdict).
CREATE TABLE verdict_drafts (
  user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  base_revision INTEGER NOT NULL CHECK (base_revision >= 0),
  content       TEXT NOT NULL,
  updated_at    TEXT NOT NULL,
  PRIMARY KEY (user_id, item_id)
) WITHOUT ROWID;

-- The `Idempotency-Key` of each verdict POST, per user, with what the request was (a SHA-256 of the item and the body)
-- and the outcome it had, written in the same transaction as the verdict: a repeated POST with the same key gets the
-- same answer and stores nothing more. Kept at least 24 hours (`created_at` in unix ms; older keys are swept).
CREATE TABLE idempotency_keys (
  user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  fingerprint     TEXT NOT NULL,
  outcome         TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  PRIMARY KEY (user_id, idempotency_key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
