-- Accounts managed from the browser (features/users/users.routes.ts): an admin can deactivate a user instead of
-- deleting them, since their verdicts, decisions and messages must stay attributed. A deactivated user cannot sign
-- in, and their sessions stop working at once (the session guard joins on this column).
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));
