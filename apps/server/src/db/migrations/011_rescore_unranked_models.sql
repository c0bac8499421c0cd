-- A model is now scored on the images it ranks: an image it gives no top-1 counts as neither right nor wrong for it,
-- where before it counted as a miss in top-1 and as counted-but-not-a-hit in multi-label and ReaL accuracy. The
-- dashboard's baseline is computed at run time, but each judged item stores its share of the project totals
-- (item_consensus.outcomes, project_score_deltas), written with the old rule. This lists every project with
-- aggregated items; when the server starts it re-aggregates them from the stored verdicts and decisions and removes
-- the project from the list, one transaction per project (consensus.service.ts, reaggregatePending).
CREATE TABLE project_reaggregation_pending (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE
);
INSERT INTO project_reaggregation_pending (project_id) SELECT DISTINCT project_id FROM item_consensus;
