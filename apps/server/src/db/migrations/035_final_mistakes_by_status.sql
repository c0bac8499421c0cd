-- The item browser's grade filters by status. A grade's items are agreed or final, and a page that leaves both reads
-- a run of each (item-browser.repository.ts, statusRunsOf). A run where the grade has no item walked every item of
-- its status to find so: every ungraded grade is a lead's (final), and its agreed run walked the 244,574 agreed items
-- of a million. SQLite counted the grade's items status by status through the items (fewMatchesByStatus); on
-- PostgreSQL that count cost 150 to 400 ms, and its pages of the ungraded grade 0.1 to 1.7 s.
--
-- item_final_mistakes now keeps its item's status, as item_consensus does (migration 027): written with the rows, in
-- the write that sets items.status (item-facets.repository.ts), and an index with the status before the grade lists
-- a grade's items of one status. Counting them is one walk of that index, on either engine.
-- A WITHOUT ROWID table's index ends in the table's primary key (item_id, model_id) by itself; PostgreSQL's twin names it.
ALTER TABLE item_final_mistakes ADD COLUMN status TEXT NOT NULL DEFAULT 'agreed' CHECK (status IN ('open', 'in_review', 'agreed', 'disputed', 'final'));
UPDATE item_final_mistakes SET status = (SELECT i.status FROM items i WHERE i.id = item_final_mistakes.item_id);
CREATE INDEX item_final_mistakes_by_status_grade ON item_final_mistakes(project_id, status, severity, category);
