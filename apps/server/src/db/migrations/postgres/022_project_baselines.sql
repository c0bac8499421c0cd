-- The dashboard's baseline of a project, stored once computed: see ../022_project_baselines.sql.
CREATE TABLE project_baselines (
  project_id bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  baseline   text COLLATE "C" NOT NULL -- JSON, in project-baseline.ts's format (its `format` names the version)
);
