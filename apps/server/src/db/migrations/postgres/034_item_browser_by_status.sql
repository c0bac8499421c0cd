-- The item browser's sorts by status, and each item's copy of its image's file: see ../034_item_browser_by_status.sql.
-- As there, an item inserted without a file ('', the default) gets its image's, here from a BEFORE INSERT row trigger
-- (as items_top1_mistake_models, 020). "C", as images.file: the order the file sort had.
ALTER TABLE items ADD COLUMN file text COLLATE "C" NOT NULL DEFAULT '';
UPDATE items i SET file = im.file FROM images im WHERE im.id = i.image_id;
CREATE INDEX items_by_status_file ON items(project_id, status, file);
CREATE INDEX items_by_status_priority ON items(project_id, status, models_wrong, confidence, id);
CREATE INDEX items_by_status_verdicts ON items(project_id, status, verdict_count, id);

CREATE FUNCTION items_file() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.file := (SELECT file FROM images WHERE images.id = NEW.image_id);
  RETURN NEW;
END;
$$;
CREATE TRIGGER items_file BEFORE INSERT ON items
  FOR EACH ROW WHEN (NEW.file = '') EXECUTE FUNCTION items_file();
