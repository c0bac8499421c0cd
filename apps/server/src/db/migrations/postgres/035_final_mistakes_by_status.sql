-- The item's status in item_final_mistakes, and the grade's index with the status first (see
-- ../035_final_mistakes_by_status.sql).
ALTER TABLE item_final_mistakes ADD COLUMN status text COLLATE "C" NOT NULL DEFAULT 'agreed' CHECK (status IN ('open', 'in_review', 'agreed', 'disputed', 'final'));
UPDATE item_final_mistakes f SET status = i.status FROM items i WHERE i.id = f.item_id;
CREATE INDEX item_final_mistakes_by_status_grade ON item_final_mistakes(project_id, status, severity, category, item_id, model_id);
