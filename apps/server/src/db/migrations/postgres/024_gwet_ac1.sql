-- Gwet's AC1 beside Fleiss' kappa and Krippendorff's alpha on the dashboard: see ../024_gwet_ac1.sql for both engines'
-- reasons and what each column sums. Counts are bigint in project_item_totals, as its other counts are here.
ALTER TABLE item_consensus ADD COLUMN gwet_units integer NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_agreement double precision NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_correct double precision NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_wrong double precision NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_unclear double precision NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_units bigint NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_agreement double precision NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_correct double precision NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_wrong double precision NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_unclear double precision NOT NULL DEFAULT 0;

-- The items already aggregated: every project with some is marked for a re-aggregation in the background, range by
-- range, as a quorum change marks it (a project being re-aggregated in steps starts over).
INSERT INTO project_reaggregation_pending (project_id, next_item_id, done)
  SELECT DISTINCT project_id, 0::bigint, 0 FROM item_consensus
  ON CONFLICT (project_id) DO UPDATE SET next_item_id = 0, done = 0;
