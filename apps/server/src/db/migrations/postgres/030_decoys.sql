-- Decoys: see ../030_decoys.sql.
ALTER TABLE projects ADD COLUMN decoys integer NOT NULL DEFAULT 0 CHECK (decoys >= 0 AND decoys <= 5);

CREATE TABLE decoy_judgements (
  item_id   bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id   bigint NOT NULL REFERENCES users(id),
  class_key text COLLATE "C" NOT NULL,
  judgement text COLLATE "C" NOT NULL CHECK (judgement IN ('correct', 'wrong', 'unclear')),
  judged_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (item_id, user_id, class_key)
);
