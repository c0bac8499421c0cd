-- A project's labeling guide: what the lead asks the panel to count as each class, written in the browser and shown
-- beside the review. Each edit is a new revision (never an update in place), with who and when, so an edit made
-- meanwhile by another lead is refused rather than lost (the route checks the revision it revises).
CREATE TABLE project_guides (
  project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  revision   INTEGER NOT NULL CHECK (revision >= 1),
  text       TEXT NOT NULL,
  user_id    INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (project_id, revision)
) WITHOUT ROWID;
