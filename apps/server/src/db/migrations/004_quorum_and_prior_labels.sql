-- The panel's quorum (a project setting), and judgements that came with the project before any expert reviewed it
-- (e.g. an existing human-accuracy-v3 multi-label file): they make the images' current multi-labels and are merged
-- with the panel's results on export.

ALTER TABLE projects ADD COLUMN quorum TEXT NOT NULL DEFAULT '{"kind":"majority"}'; -- JSON PanelQuorum

CREATE TABLE prior_labels (
  image_id  INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  class_idx INTEGER NOT NULL,
  judgement TEXT NOT NULL CHECK (judgement IN ('correct', 'wrong', 'unclear')),
  PRIMARY KEY (image_id, class_idx)
) WITHOUT ROWID;

-- human-accuracy-v3 `problematic_images` entries, kept field for field so an export gives them back unchanged.
CREATE TABLE prior_problematic (
  image_id        INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  reason          TEXT NOT NULL,
  reviewer        TEXT NOT NULL,
  server_username TEXT NOT NULL,
  time_marked     TEXT NOT NULL,
  time_reviewed   TEXT NOT NULL
);

-- human-accuracy-v3 `imagenet_m` membership as imported, in the file's order.
CREATE TABLE prior_major_slice (
  image_id INTEGER PRIMARY KEY REFERENCES images(id) ON DELETE CASCADE,
  position INTEGER NOT NULL
);
