-- The item's status in item_consensus, and the consensus sorts' indexes with the status first (see
-- ../027_item_browser_status_first.sql).
ALTER TABLE item_consensus ADD COLUMN status text COLLATE "C" NOT NULL DEFAULT 'in_review' CHECK (status IN ('open', 'in_review', 'agreed', 'disputed', 'final'));
UPDATE item_consensus c SET status = i.status FROM items i WHERE i.id = c.item_id;
CREATE INDEX item_consensus_by_status_divisiveness ON item_consensus(project_id, status, divisiveness, item_id);
CREATE INDEX item_consensus_by_status_update ON item_consensus(project_id, status, updated_at, item_id);
