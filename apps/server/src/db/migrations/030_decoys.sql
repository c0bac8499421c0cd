-- Decoys (docs/AGGREGATION.md, "Decoys"): with the models hidden from an expert, the project may add `decoys`
-- plausible but absent classes to the item's candidates (the classes its models confuse with the original label), to
-- measure how often experts accept a class that is not there. 0 (the default) adds none.
ALTER TABLE projects ADD COLUMN decoys INTEGER NOT NULL DEFAULT 0 CHECK (decoys >= 0 AND decoys <= 5);

-- An expert's judgement of a decoy, recorded when they asked for the models (the reveal); kept out of their verdict
-- and the reveal's judgements, so never counted in any label.
CREATE TABLE decoy_judgements (
  item_id   INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id   INTEGER NOT NULL REFERENCES users(id),
  class_key TEXT NOT NULL,
  judgement TEXT NOT NULL CHECK (judgement IN ('correct', 'wrong', 'unclear')),
  judged_at TEXT NOT NULL,  -- ISO 8601
  PRIMARY KEY (item_id, user_id, class_key)
) WITHOUT ROWID;
