-- Anchoring control (the project setting `modelEvidence`): see ../026_model_evidence.sql.
ALTER TABLE projects ADD COLUMN model_evidence text COLLATE "C" NOT NULL DEFAULT 'shown'
  CHECK (model_evidence IN ('shown', 'hidden-until-judged', 'experiment'));

CREATE TABLE model_reveals (
  item_id     bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id     bigint NOT NULL REFERENCES users(id),
  labels      text COLLATE "C" NOT NULL, -- JSON {class key: judgement}, as judged before the models were shown
  revealed_at text COLLATE "C" NOT NULL, -- ISO 8601
  PRIMARY KEY (item_id, user_id)
);

ALTER TABLE verdicts ADD COLUMN models_hidden integer NOT NULL DEFAULT 0 CHECK (models_hidden IN (0, 1));
ALTER TABLE verdicts ADD COLUMN evidence_setting text COLLATE "C" NOT NULL DEFAULT 'shown'
  CHECK (evidence_setting IN ('shown', 'hidden-until-judged', 'experiment'));
CREATE INDEX verdicts_in_evidence_experiment ON verdicts(item_id, user_id, revision) WHERE evidence_setting = 'experiment';
