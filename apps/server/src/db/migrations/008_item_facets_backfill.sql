-- The item browser's facet rows (migration 007) are written when an item is aggregated, so items aggregated before
-- 007 have none, and its dispute and grade filters miss them. This lists every project that has aggregated items;
-- when the server starts it recomputes their facets from the stored verdicts and decisions (rewriting nothing else)
-- and removes the project from the list, in one transaction per project (consensus.service.ts, rebuildPendingFacets).
-- A database made after 007 gets the same rows back, once.
CREATE TABLE item_facets_backfill (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE
);
INSERT INTO item_facets_backfill (project_id) SELECT DISTINCT project_id FROM item_consensus;
