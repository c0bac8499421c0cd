-- The item browser's sorts by status (features/items/item-browser.repository.ts): a page whose filters leave one
-- status or a few (a status asked for; a dispute kind: disputed and final; with a grade, final only) reads each of
-- those statuses' items from an index with the status first, in the sort's order, and merges them. Walks of the
-- sort's whole index passed over the items of the other statuses, which may all come first: by verdicts ascending,
-- the 600,000 open items of a million; by file, every image, each joined to its item (0.1 to 0.3 s per page).
--
-- The file sort reads the items' copy of their image's file (a project's files never change), by status only. The
-- import writes the file with the item; an item inserted without one ('', the default) gets its image's from the
-- trigger, as items_top1_mistake_models fills the mask (020).
ALTER TABLE items ADD COLUMN file TEXT NOT NULL DEFAULT '';
UPDATE items SET file = (SELECT file FROM images WHERE images.id = items.image_id);
CREATE INDEX items_by_status_file ON items(project_id, status, file);
CREATE INDEX items_by_status_priority ON items(project_id, status, models_wrong, confidence);
CREATE INDEX items_by_status_verdicts ON items(project_id, status, verdict_count);

CREATE TRIGGER items_file AFTER INSERT ON items WHEN NEW.file = '' BEGIN
  UPDATE items SET file = (SELECT file FROM images WHERE images.id = NEW.image_id) WHERE id = NEW.id;
END;
