import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Db = Database.Database;

/** How long a statement waits for a lock another connection holds before it fails with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

// Migrations sit beside this module: src/db/migrations in development, dist/migrations in the bundle (build.mjs copies them).
export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * Opens (creating if needed) a Bagel database and brings its schema up to date.
 * WAL lets readers run beside the single writer; NORMAL sync is durable across process crashes, which is what
 * an embedded single-process server needs.
 */
export function openDatabase(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  migrate(db);
  return db;
}

/** Applies, in one transaction each, the numbered `NNN_name.sql` files newer than `PRAGMA user_version`. */
export function migrate(db: Db): void {
  const files = readdirSync(MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const file of files) {
    const version = Number(file.slice(0, 3));
    if (version <= current) continue;
    const sql = readFileSync(join(MIGRATIONS_DIR, file), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
