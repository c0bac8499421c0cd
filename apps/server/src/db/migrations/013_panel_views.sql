-- Blind review on record. An expert sees the panel's verdicts on an item only once their own is in; from then on
-- their revisions may copy the panel. So the first time a reviewer is served other reviewers' verdicts of an item
-- (GET /api/items/:id/verdicts, or the lead's desk) is kept, and every verdict revision says whether it was made
-- after it. Agreement figures use each reviewer's latest revision made before (docs/AGGREGATION.md); a lead who saw
-- the panel of an item does not then join that panel.
CREATE TABLE panel_views (
  item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id       INTEGER NOT NULL REFERENCES users(id),
  first_seen_at TEXT NOT NULL,  -- ISO 8601
  via           TEXT NOT NULL CHECK (via IN ('verdicts', 'desk')),
  PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;

-- 1 when the reviewer had seen the panel's verdicts of the item (panel_views) before storing this revision. Revisions
-- stored before this migration could not be told apart and count as blind (0).
ALTER TABLE verdicts ADD COLUMN after_seeing_panel INTEGER NOT NULL DEFAULT 0 CHECK (after_seeing_panel IN (0, 1));
-- The dashboard counts them; few revisions are, so the index stays small.
CREATE INDEX verdicts_after_seeing_panel ON verdicts(item_id, user_id) WHERE after_seeing_panel = 1;
