-- What an import writes by the million costs less to write (on PostgreSQL, every row an import inserts is checked
-- row by row, by a query per foreign key and a call per row trigger):
--
-- 1. The import computes each item's top-1 mistake mask (items.top1_mistake_models, 007) itself, from the predictions
--    and accepted labels it writes just before the item, and inserts it with the item: the trigger that computed it
--    from the rows of those tables (an UPDATE of every new item) now fills only the mask of an item inserted without
--    one (0, the column's default), as before. A mask of 0 given by the import is computed again, to the same 0.
--
-- 2. predictions.model_id no longer references models(id). Its check ran once per prediction against the few models
--    of a project (on PostgreSQL, a quarter to a third of what an import of 50,000 images with five models' top-5
--    cost the server), and its ON DELETE CASCADE walked the whole predictions table for each model deleted (no index
--    starts with model_id). Like the model_id of item_final_mistakes, project_mistake_counts and
--    project_score_deltas, it names a model of the project its image belongs to, written by the import that wrote
--    both; a project's predictions go with its images (image_id's foreign key), and models are deleted only with their
--    project. SQLite drops a foreign key by rebuilding the table.
DROP TRIGGER items_top1_mistake_models;

CREATE TABLE predictions_020 (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  model_id  INTEGER NOT NULL, -- a model of the image's project (models.id)
  rank      INTEGER NOT NULL CHECK (rank >= 1),
  class_idx INTEGER NOT NULL,
  score     REAL,   -- NULL when the model gave a ranking only
  PRIMARY KEY (image_id, model_id, rank)
) WITHOUT ROWID;
INSERT INTO predictions_020 (image_id, model_id, rank, class_idx, score)
  SELECT image_id, model_id, rank, class_idx, score FROM predictions ORDER BY image_id, model_id, rank;
DROP TABLE predictions;
ALTER TABLE predictions_020 RENAME TO predictions;
CREATE INDEX predictions_top1_by_class ON predictions(class_idx, image_id) WHERE rank = 1;

CREATE TRIGGER items_top1_mistake_models AFTER INSERT ON items WHEN NEW.top1_mistake_models = 0 BEGIN
  UPDATE items SET top1_mistake_models = (
    SELECT coalesce(sum(1 << m.position), 0) FROM predictions p JOIN models m ON m.id = p.model_id
    WHERE p.image_id = NEW.image_id AND p.rank = 1 AND m.position < 62
      AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = p.image_id AND a.class_idx = p.class_idx)
  ) WHERE id = NEW.id;
END;
