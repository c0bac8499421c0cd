-- How many experts an item gets (the project setting `panel`): see ../025_panel_policy.sql.
ALTER TABLE projects ADD COLUMN panel text COLLATE "C" NOT NULL DEFAULT '{"mode":"fixed"}'; -- JSON PanelPolicy
