-- Gold items: see ../029_gold_items.sql.
ALTER TABLE projects ADD COLUMN gold_rate double precision NOT NULL DEFAULT 0.05 CHECK (gold_rate >= 0 AND gold_rate <= 0.5);

CREATE TABLE gold_items (
  item_id    bigint PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  answer     text COLLATE "C" NOT NULL, -- JSON FinalLabels
  marked_by  bigint NOT NULL REFERENCES users(id),
  marked_at  text COLLATE "C" NOT NULL  -- ISO 8601
);
CREATE INDEX gold_items_by_project ON gold_items(project_id, item_id);

CREATE TABLE gold_probes (
  item_id    bigint NOT NULL REFERENCES items(id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users(id),
  project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  served_at  text COLLATE "C" NOT NULL,
  expires_at bigint NOT NULL,
  skipped_at text COLLATE "C",
  PRIMARY KEY (item_id, user_id)
);
CREATE INDEX gold_probes_by_user ON gold_probes(user_id, project_id);

CREATE TABLE gold_probe_answers (
  item_id     bigint NOT NULL,
  user_id     bigint NOT NULL,
  revision    integer NOT NULL,
  labels      text COLLATE "C" NOT NULL,
  problematic text COLLATE "C",
  mistakes    text COLLATE "C" NOT NULL,
  comment     text COLLATE "C" NOT NULL DEFAULT '',
  created_at  text COLLATE "C" NOT NULL,
  PRIMARY KEY (item_id, user_id, revision),
  FOREIGN KEY (item_id, user_id) REFERENCES gold_probes(item_id, user_id) ON DELETE CASCADE
);
