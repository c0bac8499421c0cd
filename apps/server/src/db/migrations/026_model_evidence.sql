-- Anchoring control (the project setting `modelEvidence`, docs/AGGREGATION.md "Anchoring control"): whether an expert
-- sees the models' predictions (names, ranks, scores) and the original label before judging the candidates.
-- `shown` (as before), `hidden-until-judged` (withheld until every candidate is judged), `experiment` (each item,
-- per expert, shown or hidden at random: core's modelEvidenceCondition). Changed by the settings route, which moves
-- settings_version (migration 016).
ALTER TABLE projects ADD COLUMN model_evidence TEXT NOT NULL DEFAULT 'shown'
  CHECK (model_evidence IN ('shown', 'hidden-until-judged', 'experiment'));

-- An expert judged the item's candidates with the models hidden, and then asked for them (POST
-- /api/items/:id/reveal): the judgements at that moment, before the models were seen, are kept as they were (JSON
-- {class key: judgement}); later revisions of the verdict may differ. The anchoring measure reads these.
CREATE TABLE model_reveals (
  item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id     INTEGER NOT NULL REFERENCES users(id),
  labels      TEXT NOT NULL,
  revealed_at TEXT NOT NULL,  -- ISO 8601
  PRIMARY KEY (item_id, user_id)
) WITHOUT ROWID;

-- How each revision's judgements were made: models_hidden is 1 when the expert had judged the candidates with the
-- models hidden (a reveal preceded it), evidence_setting the project's modelEvidence when it was stored (the
-- dashboard compares shown and hidden only within the randomized experiment). Earlier revisions were all shown.
ALTER TABLE verdicts ADD COLUMN models_hidden INTEGER NOT NULL DEFAULT 0 CHECK (models_hidden IN (0, 1));
ALTER TABLE verdicts ADD COLUMN evidence_setting TEXT NOT NULL DEFAULT 'shown'
  CHECK (evidence_setting IN ('shown', 'hidden-until-judged', 'experiment'));
-- The anchoring measure reads the experiment's verdicts only; few projects run one, so the index stays small.
CREATE INDEX verdicts_in_evidence_experiment ON verdicts(item_id, user_id, revision) WHERE evidence_setting = 'experiment';
