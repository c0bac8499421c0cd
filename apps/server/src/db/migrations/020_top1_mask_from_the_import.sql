-- The import computes each item's top-1 mistake mask (items.top1_mistake_models, 007) itself, from the predictions
-- and accepted labels it writes just before the item, and inserts it with the item: the trigger that computed it
-- from the rows of those tables (an UPDATE of every new item here, a look-up per item on PostgreSQL) now fills only
-- the mask of an item inserted without one (0, the column's default), which it computes as before. A mask of 0 given
-- by the import is computed again, to the same 0.
DROP TRIGGER items_top1_mistake_models;

CREATE TRIGGER items_top1_mistake_models AFTER INSERT ON items WHEN NEW.top1_mistake_models = 0 BEGIN
  UPDATE items SET top1_mistake_models = (
    SELECT coalesce(sum(1 << m.position), 0) FROM predictions p JOIN models m ON m.id = p.model_id
    WHERE p.image_id = NEW.image_id AND p.rank = 1 AND m.position < 62
      AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = p.image_id AND a.class_idx = p.class_idx)
  ) WHERE id = NEW.id;
END;
