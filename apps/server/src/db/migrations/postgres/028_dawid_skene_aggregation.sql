-- How the panel's verdicts become final labels (the project setting `aggregation`): see ../028_dawid_skene_aggregation.sql.
ALTER TABLE projects ADD COLUMN aggregation text COLLATE "C" NOT NULL DEFAULT 'quorum' CHECK (aggregation IN ('quorum', 'dawid-skene'));

CREATE TABLE project_confusion_models (
  project_id     bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  prior_original double precision NOT NULL,
  prior_other    double precision NOT NULL,
  passes         integer NOT NULL,
  converged      integer NOT NULL CHECK (converged IN (0, 1)),
  questions      bigint NOT NULL,
  verdicts       bigint NOT NULL,
  estimated_at   text COLLATE "C" NOT NULL
);

CREATE TABLE expert_confusion (
  project_id      bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  user_id         bigint NOT NULL REFERENCES users(id),
  absent_wrong    double precision NOT NULL,
  absent_unclear  double precision NOT NULL,
  absent_correct  double precision NOT NULL,
  present_wrong   double precision NOT NULL,
  present_unclear double precision NOT NULL,
  present_correct double precision NOT NULL,
  judgements      bigint NOT NULL,
  fixed_absent    integer NOT NULL DEFAULT 0 CHECK (fixed_absent IN (0, 1)),
  fixed_present   integer NOT NULL DEFAULT 0 CHECK (fixed_present IN (0, 1)),
  PRIMARY KEY (project_id, user_id)
);

CREATE TABLE confusion_estimation_pending (
  project_id   bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
  pass         integer NOT NULL,
  next_item_id bigint NOT NULL,
  done         bigint NOT NULL,
  model        text COLLATE "C",
  tally        text COLLATE "C" NOT NULL,
  verdicts     bigint NOT NULL,
  started_at   text COLLATE "C" NOT NULL
);
