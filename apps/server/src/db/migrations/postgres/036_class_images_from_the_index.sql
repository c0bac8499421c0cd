-- The item browser's class filter starts from the class's images: a few thousand of a million, read by this index
-- (item-browser.repository.ts, classMatches). It asks only for their ids. SQLite's index holds the rowid, which is the
-- id, so it reads them from the index alone; PostgreSQL's did not, and read each image's row from the table as well.
-- At a million items, with 128MB of shared buffers and the rows not in them: a class's 1,263 images read 826 table
-- pages before and 8 index pages after; a class's count went from 177 to 126 ms (median of 12 classes).
-- SQLite's migration 036 changes nothing: its index holds the id already.
DROP INDEX images_by_original_class;
CREATE INDEX images_by_original_class ON images(project_id, original_class_idx, id);
