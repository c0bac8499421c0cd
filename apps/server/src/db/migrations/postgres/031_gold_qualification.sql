-- A qualification set: see ../031_gold_qualification.sql.
ALTER TABLE projects ADD COLUMN gold_qualification integer NOT NULL DEFAULT 0 CHECK (gold_qualification >= 0 AND gold_qualification <= 100);
