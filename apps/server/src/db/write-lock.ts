import { BUSY_TIMEOUT_MS, type Db } from './open-database';

/** SQLITE_BUSY and its extended codes: another connection (another process, e.g. `bagel import`) holds the lock. */
export function isBusy(error: unknown): boolean {
  return typeof error === 'object' && error !== null && String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY');
}

/**
 * Runs `begin` (a `BEGIN IMMEDIATE`: it takes the write lock) without waiting when another connection holds the
 * lock: returns false at once instead, and the caller retries later. The
 * wait better-sqlite3 otherwise does (busy_timeout) is a sleep of the thread, which on the server's event loop
 * freezes every request, however short the other writer's transactions. Once the lock is taken, the usual wait
 * applies again to the rest of the transaction.
 */
export function tryWithoutWaiting(db: Db, begin: () => void): boolean {
  db.pragma('busy_timeout = 0');
  try {
    begin();
    return true;
  } catch (error) {
    if (isBusy(error) && !db.inTransaction) return false;
    throw error;
  } finally {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
}
