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
-- computeItemState does). So, as 011 did, every project with aggregated items is marked to be re-aggregated at once
-- when the server starts, before it listens (consensus.service.ts, reaggregatePending): its items recomputed from
-- their verdicts and decisions, its totals summed afresh from their shares (rebuildItemTotals, new columns included).
-- A project being re-aggregated in steps after a quorum change is re-aggregated at once instead (the steps it has
-- done wrote no AC1 parts; the whole re-aggregation uses the quorum in force, as the steps would have).
INSERT INTO project_reaggregation_pending (project_id, next_item_id, done)
  SELECT DISTINCT project_id, NULL, 0 FROM item_consensus
  WHERE true
  ON CONFLICT (project_id) DO UPDATE SET next_item_id = NULL, done = 0;
