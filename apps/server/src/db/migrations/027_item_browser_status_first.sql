-- The item browser's first page of a status sorted by a consensus key (divisiveness, last change) walked the key's
-- index over every item with a consensus and kept those of the status: at a million items, 0.9 s for a status whose
-- items mostly have none (open: none at all). item_consensus keeps the item's status (written with the row, in the
-- write that sets items.status: consensus.repository.ts), and an index per consensus sort has the status before the
-- key, so such a page reads only the status's rows, in the sort's order (item-browser.repository.ts, Driver.byStatus).
-- SQLite's indexes end in the rowid (item_consensus's item_id) by themselves; PostgreSQL's twin names it.
ALTER TABLE item_consensus ADD COLUMN status TEXT NOT NULL DEFAULT 'in_review' CHECK (status IN ('open', 'in_review', 'agreed', 'disputed', 'final'));
UPDATE item_consensus SET status = (SELECT i.status FROM items i WHERE i.id = item_consensus.item_id);
CREATE INDEX item_consensus_by_status_divisiveness ON item_consensus(project_id, status, divisiveness);
CREATE INDEX item_consensus_by_status_update ON item_consensus(project_id, status, updated_at);
