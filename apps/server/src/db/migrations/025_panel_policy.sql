-- How many experts an item gets (the project setting `panel`, docs/AGGREGATION.md "Adaptive panels"): JSON
-- PanelPolicy, `{"mode":"fixed"}` (every item gets the project's panel_size of verdicts, as before) or
-- `{"mode":"adaptive","min":2,"max":5}`. Changed with the quorum by the settings route (which moves
-- settings_version, migration 016, and re-aggregates the project in the background). Under an adaptive policy
-- items.panel_complete (migration 002) is 1 once verdict_count >= max; the re-aggregation sets it again item by item.
ALTER TABLE projects ADD COLUMN panel TEXT NOT NULL DEFAULT '{"mode":"fixed"}'; -- JSON PanelPolicy
