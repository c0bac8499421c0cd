-- Failed sign-ins (features/auth/login-throttle.ts) are counted in the database rather than in one process's memory,
-- so that every server instance on the database counts the same failures and holds the same locks (an attacker
-- spreading guesses over N instances gets no more than from one), and a restart forgets no lock.
--
-- One row per account (`scope` 'account', `key` the lower-cased user name) and per address ('address', the address's
-- key: an IPv6 /64 as one) with failures not yet forgotten: how many, the end of the lock they earned (unix ms; 0
-- when none), and from when they are forgotten (unix ms: the last failure plus the quiet spell, or the lock's end if
-- later). Forgotten rows are swept, a few at a time, as new failures are recorded: by `forget_at`, through its index.
CREATE TABLE login_failures (
  scope        TEXT NOT NULL CHECK (scope IN ('account', 'address')),
  key          TEXT NOT NULL,
  failures     INTEGER NOT NULL CHECK (failures >= 0),
  locked_until INTEGER NOT NULL,
  forget_at    INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX login_failures_by_forget_at ON login_failures (forget_at);

-- The addresses (their keys) from which an account (its lower-cased user name) signed in successfully, each until
-- when it stays known (unix ms): a known address is not held back by the account's lock. At most the account's 16
-- most recent places are kept, the expired ones dropped, whenever it signs in.
CREATE TABLE login_known_addresses (
  account     TEXT NOT NULL,
  address     TEXT NOT NULL,
  known_until INTEGER NOT NULL,
  PRIMARY KEY (account, address)
) WITHOUT ROWID;
