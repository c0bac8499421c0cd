-- The dashboard's progress, agreement and Major-slice figures, kept as totals as verdicts and decisions land
-- (features/consensus/project-totals.ts), instead of summed over every item of the project at each poll: at a
-- million items those sums took about a second of the server's loop per poll of each lead.
--
-- A project's rows add up to its totals; no row means anything alone. A change to an item moves the row of its shard
-- (item id % 8), so that on PostgreSQL concurrent verdicts on different items seldom wait for the same row's lock; the
-- import writes a project's images and open items in shard 0, and the items' later moves may take other shards below
-- zero. Each item's share is taken out of the totals exactly as it was put in: from its stored status, its current
-- verdicts (items.verdict_count) and its item_consensus row. The two sums of reals (fleiss_agreement,
-- alpha_agreement) collect rounding in their last bits as they go up and down; a full re-aggregation sums them
-- afresh.
CREATE TABLE project_item_totals (
  project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  shard            INTEGER NOT NULL,
  images           INTEGER NOT NULL DEFAULT 0,
  items_open       INTEGER NOT NULL DEFAULT 0,
  items_in_review  INTEGER NOT NULL DEFAULT 0,
  items_agreed     INTEGER NOT NULL DEFAULT 0,
  items_disputed   INTEGER NOT NULL DEFAULT 0,
  items_final      INTEGER NOT NULL DEFAULT 0,
  verdicts         INTEGER NOT NULL DEFAULT 0,
  major_slice      INTEGER NOT NULL DEFAULT 0,
  fleiss_units     INTEGER NOT NULL DEFAULT 0,
  fleiss_agreement REAL NOT NULL DEFAULT 0,
  fleiss_correct   INTEGER NOT NULL DEFAULT 0,
  fleiss_wrong     INTEGER NOT NULL DEFAULT 0,
  fleiss_unclear   INTEGER NOT NULL DEFAULT 0,
  alpha_units      INTEGER NOT NULL DEFAULT 0,
  alpha_values     INTEGER NOT NULL DEFAULT 0,
  alpha_agreement  REAL NOT NULL DEFAULT 0,
  alpha_correct    INTEGER NOT NULL DEFAULT 0,
  alpha_wrong      INTEGER NOT NULL DEFAULT 0,
  alpha_unclear    INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (project_id, shard)
) WITHOUT ROWID;

-- The totals of the projects already there, once (the same sums the dashboard made at each poll).
INSERT INTO project_item_totals (project_id, shard, images)
  SELECT project_id, 0, count(*) FROM images GROUP BY project_id;
INSERT INTO project_item_totals (project_id, shard, items_open, items_in_review, items_agreed, items_disputed, items_final,
    verdicts, major_slice, fleiss_units, fleiss_agreement, fleiss_correct, fleiss_wrong, fleiss_unclear, alpha_units,
    alpha_values, alpha_agreement, alpha_correct, alpha_wrong, alpha_unclear)
  SELECT i.project_id, i.id % 8,
    sum(i.status = 'open'), sum(i.status = 'in_review'), sum(i.status = 'agreed'), sum(i.status = 'disputed'),
    sum(i.status = 'final'), sum(i.verdict_count), coalesce(sum(c.major_slice), 0),
    coalesce(sum(c.fleiss_units), 0), coalesce(sum(c.fleiss_agreement), 0), coalesce(sum(c.fleiss_correct), 0),
    coalesce(sum(c.fleiss_wrong), 0), coalesce(sum(c.fleiss_unclear), 0), coalesce(sum(c.alpha_units), 0),
    coalesce(sum(c.alpha_values), 0), coalesce(sum(c.alpha_agreement), 0), coalesce(sum(c.alpha_correct), 0),
    coalesce(sum(c.alpha_wrong), 0), coalesce(sum(c.alpha_unclear), 0)
  FROM items i LEFT JOIN item_consensus c ON c.item_id = i.id
  WHERE true
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
