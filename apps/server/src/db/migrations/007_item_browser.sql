-- The item browser (GET /api/projects/:projectId/items) filters, sorts and counts a project's items in SQL, so a
-- page of a 50,000-item project is one indexed query and a count. What it filters on from each item's panel (the
-- kinds of its disputes, the final grades of its mistakes) gets a row per fact here, written by aggregation in the
-- transaction that writes the item's consensus (features/items/item-facets.repository.ts), and deleted with it.
-- Items aggregated before this migration get their rows at their next aggregation (a verdict or a decision on the
-- item; a quorum change re-aggregates the whole project).

-- The kinds of the current disputes of an item's panel aggregate, once the panel is complete (one row per kind,
-- however many disputes of it).
CREATE TABLE item_dispute_kinds (
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  kind       TEXT NOT NULL CHECK (kind IN ('class', 'problematic', 'severity', 'category')),
  project_id INTEGER NOT NULL,
  PRIMARY KEY (item_id, kind)
) WITHOUT ROWID;
CREATE INDEX item_dispute_kinds_by_kind ON item_dispute_kinds(project_id, kind);

-- Per model whose top-1 is a mistake under an item's final labels: the final grade of that mistake ('ungraded'
-- when the final labels give none). Rows exist only while the item has final labels (agreed or final).
CREATE TABLE item_final_mistakes (
  item_id    INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  model_id   INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  severity   TEXT NOT NULL CHECK (severity IN ('Major', 'Minor', 'Borderline', 'ungraded')),
  category   TEXT,
  PRIMARY KEY (item_id, model_id)
) WITHOUT ROWID;
CREATE INDEX item_final_mistakes_by_grade ON item_final_mistakes(project_id, severity, category);

-- The class filter: images whose original label is the class, and images whose top-1 (of any model) is.
CREATE INDEX images_by_original_class ON images(project_id, original_class_idx);
CREATE INDEX predictions_top1_by_class ON predictions(class_idx, image_id) WHERE rank = 1;

-- Sorts that walk an index instead of sorting every match (the row id, i.e. the item id, ends each index).
CREATE INDEX items_by_priority ON items(project_id, models_wrong, confidence);
CREATE INDEX items_by_verdicts ON items(project_id, verdict_count);
CREATE INDEX item_consensus_by_divisiveness ON item_consensus(project_id, divisiveness);
CREATE INDEX item_consensus_by_update ON item_consensus(project_id, updated_at);

-- The models whose top-1 is outside an item's accepted labels (what made the image an item), as a bit mask by model
-- position (bit p: the model at position p, for positions below 62; the repository looks the others up in
-- predictions). The wrongModel filter reads it for items without final labels instead of two look-ups per item.
-- The image's accepted labels and predictions never change after the import, which writes them before the item: so
-- the mask is computed once, when the item is inserted, and here for the items already there.
ALTER TABLE items ADD COLUMN top1_mistake_models INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER items_top1_mistake_models AFTER INSERT ON items BEGIN
  UPDATE items SET top1_mistake_models = (
    SELECT coalesce(sum(1 << m.position), 0) FROM predictions p JOIN models m ON m.id = p.model_id
    WHERE p.image_id = NEW.image_id AND p.rank = 1 AND m.position < 62
      AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = p.image_id AND a.class_idx = p.class_idx)
  ) WHERE id = NEW.id;
END;

UPDATE items SET top1_mistake_models = (
  SELECT coalesce(sum(1 << m.position), 0) FROM predictions p JOIN models m ON m.id = p.model_id
  WHERE p.image_id = items.image_id AND p.rank = 1 AND m.position < 62
    AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = p.image_id AND a.class_idx = p.class_idx)
);
