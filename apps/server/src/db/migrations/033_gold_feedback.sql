-- Feedback after a gold item (docs/AGGREGATION.md, "Gold items"): with `gold_feedback` 1, an expert's answer to a
-- gold item is answered with how it compares with the gold answer. 0 (the default): nothing tells them.
ALTER TABLE projects ADD COLUMN gold_feedback INTEGER NOT NULL DEFAULT 0 CHECK (gold_feedback IN (0, 1));
