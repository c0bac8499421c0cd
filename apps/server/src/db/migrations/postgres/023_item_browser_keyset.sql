-- The item browser reads the page after a cursor from an index in the sort's own order, down to the item id that
-- breaks its ties (keyset paging: item-browser.repository.ts, its segments). SQLite's indexes end in the rowid by
-- themselves (the item id, and item_consensus's item_id); PostgreSQL's name it, so that a page by status or by a
-- consensus key walks the index from the cursor instead of sorting every item of the status or with a consensus.
DROP INDEX items_by_status;
CREATE INDEX items_by_status ON items(project_id, status, id);
DROP INDEX item_consensus_by_divisiveness;
CREATE INDEX item_consensus_by_divisiveness ON item_consensus(project_id, divisiveness, item_id);
DROP INDEX item_consensus_by_update;
CREATE INDEX item_consensus_by_update ON item_consensus(project_id, updated_at, item_id);
-- A project's items in id order (see ../023_item_browser_keyset.sql).
CREATE INDEX items_by_project ON items(project_id, id);
