-- Long work in short steps, so that the server's one event loop (and SQLite's one writer) is never held for long.

-- Exports read a project's images page by page, in project order (features/exports): this index finds each page.
CREATE INDEX images_by_position ON images(project_id, position);

-- A quorum change re-aggregates the project in the background, a range of items per transaction, while verdicts go
-- on landing (consensus.service.ts, reaggregateStep). Migration 011's list of projects to re-aggregate also holds
-- these, and where each stands, so that a server that stops midway resumes where it was: next_item_id NULL means the
-- whole project at once when the server starts (011's marks); otherwise the items from that id on are still to do,
-- and done counts those recomputed so far (the dashboard shows it).
ALTER TABLE project_reaggregation_pending ADD COLUMN next_item_id INTEGER;
ALTER TABLE project_reaggregation_pending ADD COLUMN done INTEGER NOT NULL DEFAULT 0;

-- `bagel import` writes a project in short transactions (db/write-in-slices.ts), so that a server serving the same
-- database is never held up for long; until its last one commits, the project is marked with the importing process
-- (`pid@host`) and hidden from everything else, so a refused or crashed import leaves no visible half project. The
-- next import removes what a crashed one left.
ALTER TABLE projects ADD COLUMN importing TEXT;

-- The dashboard's sums over a project's items (agreement, the Major slice's size) read these narrow indexes instead
-- of every wide item_consensus row: on 50,000 items, about 100 ms of the server's loop at each answer, polled while
-- a re-aggregation runs, became a few milliseconds.
CREATE INDEX item_consensus_agreement ON item_consensus(project_id, fleiss_units, fleiss_agreement, fleiss_correct, fleiss_wrong,
  fleiss_unclear, alpha_units, alpha_values, alpha_agreement, alpha_correct, alpha_wrong, alpha_unclear);
CREATE INDEX item_consensus_major_slice ON item_consensus(project_id, major_slice);
