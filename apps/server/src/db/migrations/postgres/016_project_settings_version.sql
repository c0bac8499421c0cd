-- Several server instances may serve one database, and each keeps a project's settings and vocabulary in memory
-- (features/projects/project-catalog.ts). The settings that may change after the import (the quorum) change together
-- with this counter, in the same transaction; an instance reads it (one primary-key look-up) whenever it uses a
-- project, and reads the project again when it differs from the one it holds, so a change made through any instance
-- holds on every instance from its commit on. Bounded by the changes an admin makes: integer.
ALTER TABLE projects ADD COLUMN settings_version integer NOT NULL DEFAULT 0;
