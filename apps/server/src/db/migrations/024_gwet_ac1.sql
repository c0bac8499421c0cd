-- Gwet's AC1 beside Fleiss' kappa and Krippendorff's alpha on the dashboard: most judgements are `wrong`, and kappa
-- and alpha fall when one category dominates even where the experts agree; AC1's chance agreement does not. Its parts
-- that add up over units (features/consensus/agreement-sums.ts), kept per item and in the project totals as those of
-- kappa and alpha are (migration 021). AC1 weighs each unit by its own number of judgements (its p_a by m (m − 1), its
-- category shares by m), which the stored counts do not give when units have different numbers of them (blind
-- review, abstentions, items in review): gwet_units counts the units with at least one judgement, gwet_agreement sums
-- Σ_k n_k (n_k − 1) / (m (m − 1)) over those with at least two (alpha_units counts them), gwet_correct, gwet_wrong
-- and gwet_unclear sum n_k / m.
ALTER TABLE item_consensus ADD COLUMN gwet_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_agreement REAL NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_correct REAL NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_wrong REAL NOT NULL DEFAULT 0;
ALTER TABLE item_consensus ADD COLUMN gwet_unclear REAL NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_agreement REAL NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_correct REAL NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_wrong REAL NOT NULL DEFAULT 0;
ALTER TABLE project_item_totals ADD COLUMN gwet_unclear REAL NOT NULL DEFAULT 0;

-- The items already aggregated. Unlike 021's sums, their parts cannot be summed from what item_consensus holds: they
-- need each unit's judgements, which only the verdicts give (each expert's blind revision, aggregated as
-- computeItemState does). So every project with aggregated items is marked for a re-aggregation in the background,
-- as a quorum change marks it (next_item_id 0: range by range from the first item, reaggregation-runner.ts, started
-- by the server and resumed by the next start if it stops midway): each step moves the totals by its items' new
-- shares, AC1's parts included, while the review goes on (at a million items, at once before listening would keep a
-- server from answering for minutes). A project being re-aggregated in steps after a quorum change starts over.
INSERT INTO project_reaggregation_pending (project_id, next_item_id, done)
  SELECT DISTINCT project_id, 0, 0 FROM item_consensus
  WHERE true
  ON CONFLICT (project_id) DO UPDATE SET next_item_id = 0, done = 0;
