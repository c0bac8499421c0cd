-- The dashboard's progress, agreement and Major-slice figures, kept as totals as verdicts and decisions land: see
-- ../021_project_item_totals.sql for both engines' reasons. Counts are bigint, as the other project totals are here.
CREATE TABLE project_item_totals (
  project_id       bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  shard            integer NOT NULL,
  images           bigint NOT NULL DEFAULT 0,
  items_open       bigint NOT NULL DEFAULT 0,
  items_in_review  bigint NOT NULL DEFAULT 0,
  items_agreed     bigint NOT NULL DEFAULT 0,
  items_disputed   bigint NOT NULL DEFAULT 0,
  items_final      bigint NOT NULL DEFAULT 0,
  verdicts         bigint NOT NULL DEFAULT 0,
  major_slice      bigint NOT NULL DEFAULT 0,
  fleiss_units     bigint NOT NULL DEFAULT 0,
  fleiss_agreement double precision NOT NULL DEFAULT 0,
  fleiss_correct   bigint NOT NULL DEFAULT 0,
  fleiss_wrong     bigint NOT NULL DEFAULT 0,
  fleiss_unclear   bigint NOT NULL DEFAULT 0,
  alpha_units      bigint NOT NULL DEFAULT 0,
  alpha_values     bigint NOT NULL DEFAULT 0,
  alpha_agreement  double precision NOT NULL DEFAULT 0,
  alpha_correct    bigint NOT NULL DEFAULT 0,
  alpha_wrong      bigint NOT NULL DEFAULT 0,
  alpha_unclear    bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, shard)
);

-- The totals of the projects already there, once (the same sums the dashboard made at each poll).
INSERT INTO project_item_totals (project_id, shard, images)
  SELECT project_id, 0, count(*) FROM images GROUP BY project_id;
INSERT INTO project_item_totals (project_id, shard, items_open, items_in_review, items_agreed, items_disputed, items_final,
    verdicts, major_slice, fleiss_units, fleiss_agreement, fleiss_correct, fleiss_wrong, fleiss_unclear, alpha_units,
    alpha_values, alpha_agreement, alpha_correct, alpha_wrong, alpha_unclear)
  SELECT i.project_id, i.id % 8,
    count(*) FILTER (WHERE i.status = 'open'), count(*) FILTER (WHERE i.status = 'in_review'),
    count(*) FILTER (WHERE i.status = 'agreed'), count(*) FILTER (WHERE i.status = 'disputed'),
    count(*) FILTER (WHERE i.status = 'final'), sum(i.verdict_count), coalesce(sum(c.major_slice), 0),
    coalesce(sum(c.fleiss_units), 0), coalesce(sum(c.fleiss_agreement), 0), coalesce(sum(c.fleiss_correct), 0),
    coalesce(sum(c.fleiss_wrong), 0), coalesce(sum(c.fleiss_unclear), 0), coalesce(sum(c.alpha_units), 0),
    coalesce(sum(c.alpha_values), 0), coalesce(sum(c.alpha_agreement), 0), coalesce(sum(c.alpha_correct), 0),
    coalesce(sum(c.alpha_wrong), 0), coalesce(sum(c.alpha_unclear), 0)
  FROM items i LEFT JOIN item_consensus c ON c.item_id = i.id
  GROUP BY i.project_id, i.id % 8
  ON CONFLICT (project_id, shard) DO UPDATE SET
    items_open = excluded.items_open, items_in_review = excluded.items_in_review, items_agreed = excluded.items_agreed,
    items_disputed = excluded.items_disputed, items_final = excluded.items_final, verdicts = excluded.verdicts,
    major_slice = excluded.major_slice, fleiss_units = excluded.fleiss_units, fleiss_agreement = excluded.fleiss_agreement,
    fleiss_correct = excluded.fleiss_correct, fleiss_wrong = excluded.fleiss_wrong, fleiss_unclear = excluded.fleiss_unclear,
    alpha_units = excluded.alpha_units, alpha_values = excluded.alpha_values, alpha_agreement = excluded.alpha_agreement,
    alpha_correct = excluded.alpha_correct, alpha_wrong = excluded.alpha_wrong, alpha_unclear = excluded.alpha_unclear;

-- Read by nothing now (015 made them for the sums above), and written at every verdict.
DROP INDEX item_consensus_agreement;
DROP INDEX item_consensus_major_slice;
