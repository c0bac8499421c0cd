// What the snapshot tests of SQLite share (long-snapshot.test.ts, slow-snapshot.test.ts): a database file of their own
// with one user, the users' names as a snapshot reads them, a write that adds one, and whether a reader holds the log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database, Queries } from './database';
import { openDatabase, type Db } from './open-database';
import { sqliteDatabase } from './sqlite-engine';

export const names = async (q: Queries) => (await q.selectFrom('users').select('username').orderBy('id').execute()).map((r) => r.username);

export const addUser = (database: Database, username: string) =>
  database.write((trx) => trx.insertInto('users').values({ username, role: 'expert', password_hash: 'x', created_at: '2025-01-01T00:00:00.000Z' }).execute());

/** Whether a reader holds the log back: a checkpoint cannot copy all of it while a snapshot older than its end is open. */
export function logHeld(db: Db): boolean {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
  return result!.checkpointed < result!.log;
}

/** A new SQLite file in a folder of its own, its Database, and user 'ann'; `remove` deletes the folder. */
export async function snapshotTestDatabase(prefix: string): Promise<{ file: string; db: Db; database: Database; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'test.sqlite');
  const db = openDatabase(file);
  const database = sqliteDatabase(db);
  await addUser(database, 'ann');
  return { file, db, database, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
