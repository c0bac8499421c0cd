-- The item browser reads the page after a cursor from an index in the sort's own order, down to the item id that
-- breaks its ties (keyset paging: item-browser.repository.ts, its segments). SQLite's indexes end in the rowid by
-- themselves (items_by_status in the item id, item_consensus_by_divisiveness and item_consensus_by_update in
-- item_consensus's item_id); PostgreSQL's twin names the id in those three. Both get the items of a project in id
-- order (the id sort, and the items without a consensus that end the consensus sorts): without it, SQLite's planner
-- took another index on project_id and sorted every item of the project for each page (55 ms at a million items).
CREATE INDEX items_by_project ON items(project_id);
