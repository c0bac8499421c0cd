-- The dashboard's baseline of a project (every model on every image, before the panel's labels:
-- features/dashboard/project-baseline.ts), stored once computed. It depends only on what the import wrote, which never
-- changes; computed on a dashboard request it read every image and every top-1 prediction of the project (about 20 s
-- at a million images, during which the server answered nothing else). The import now computes and stores it; a
-- project imported before is computed once, by the first dashboard asked for, and stored for every instance.
CREATE TABLE project_baselines (
  project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  baseline   TEXT NOT NULL -- JSON, in project-baseline.ts's format (its `format` names the version)
);
