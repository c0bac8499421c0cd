-- Feedback after a gold item: see ../033_gold_feedback.sql.
ALTER TABLE projects ADD COLUMN gold_feedback integer NOT NULL DEFAULT 0 CHECK (gold_feedback IN (0, 1));
