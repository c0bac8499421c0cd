-- Long work in short steps, so that the server's one event loop (and SQLite's one writer) is never held for long.

-- Exports read a project's images page by page, in project order (features/exports): this index finds each page.
CREATE INDEX images_by_position ON images(project_id, position);
