-- Gold answers imported with the project (the manifest's `gold` file, docs/FORMATS.md): a gold item no lead marked,
-- so `marked_by` is NULL for it. SQLite cannot drop a NOT NULL constraint in place: the table is rebuilt (nothing
-- references it).
CREATE TABLE gold_items_new (
  item_id    INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  answer     TEXT NOT NULL,    -- JSON FinalLabels: the item's final labels when it was marked, or the imported answer
  marked_by  INTEGER REFERENCES users(id), -- NULL: imported with the project
  marked_at  TEXT NOT NULL     -- ISO 8601
);
INSERT INTO gold_items_new (item_id, project_id, answer, marked_by, marked_at)
  SELECT item_id, project_id, answer, marked_by, marked_at FROM gold_items;
DROP TABLE gold_items;
ALTER TABLE gold_items_new RENAME TO gold_items;
CREATE INDEX gold_items_by_project ON gold_items(project_id, item_id);
