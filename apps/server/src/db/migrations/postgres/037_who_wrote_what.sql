-- Who made a project's decisions and wrote its discussion messages, asked user by user (the archive export's list of
-- users, bagel-archive.ts): by these indexes, a lookup or two per user. Without them SQLite answered for a user who
-- had decided nothing by reading every item of the project and looking each up in the decisions: 0.5 s at a million
-- items, in one statement on the event loop (the slow health poll at the start of every archive export).
CREATE INDEX decisions_by_lead ON decisions(lead_id);
CREATE INDEX discussion_by_user ON discussion_messages(user_id);
