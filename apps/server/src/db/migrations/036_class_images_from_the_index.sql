-- Nothing changes on SQLite: its index images_by_original_class holds the rowid, which is the image's id, so the item
-- browser's class filter already reads a class's images from the index alone. PostgreSQL's migration 036 adds the id
-- to its index to do the same. This file keeps the two engines' migrations numbered alike.
SELECT 1;
