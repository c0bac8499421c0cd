// Database.longSnapshot on SQLite: a job that yields to the event loop between its reads still sees one state of
// the database, and its read-only connection goes when the job ends, fails or is abandoned.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Queries } from './database';
import { openDatabase, type Db } from './open-database';
import { sqliteDatabase } from './sqlite-engine';

const names = async (q: Queries) => (await q.selectFrom('users').select('username').orderBy('id').execute()).map((r) => r.username);
const addUser = (database: Database, username: string) =>
  database.write((trx) => trx.insertInto('users').values({ username, role: 'expert', password_hash: 'x', created_at: '2025-01-01T00:00:00.000Z' }).execute());
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('a long snapshot (SQLite)', () => {
  let dir: string;
  let db: Db;
  let database: Database;
  /** Whether a reader holds the log back: a checkpoint cannot copy all of it while a snapshot older than its end is open. */
  const logHeld = () => {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    return result!.checkpointed < result!.log;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bagel-long-snapshot-'));
    db = openDatabase(join(dir, 'test.sqlite'));
    database = sqliteDatabase(db);
    await addUser(database, 'ann');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees the database as it was when it began, though writes land between its pieces, and lets go of the log when it ends', async () => {
    const pieces = database.longSnapshot(async function* (q) {
      yield await names(q);
      yield await names(q);
      return 'read twice';
    });
    expect(await pieces.next()).toEqual({ done: false, value: ['ann'] });
    await addUser(database, 'bob');
    await turn();
    expect(await names(database.queries)).toEqual(['ann', 'bob']);
    expect(logHeld()).toBe(true);
    expect(await pieces.next()).toEqual({ done: false, value: ['ann'] });
    expect(await pieces.next()).toEqual({ done: true, value: 'read twice' });
    await addUser(database, 'cyd');
    expect(logHeld()).toBe(false);
  });

  it('lets go when abandoned midway or when its job fails', async () => {
    const abandoned = database.longSnapshot(async function* (q) {
      for (;;) yield await names(q);
    });
    await abandoned.next();
    await addUser(database, 'bob');
    expect(logHeld()).toBe(true);
    await abandoned.return(undefined as never);
    expect(logHeld()).toBe(false);

    const failing = database.longSnapshot(async function* (q) {
      yield await names(q);
      throw new Error('a piece failed');
    });
    await failing.next();
    await addUser(database, 'cyd');
    expect(logHeld()).toBe(true);
    await expect(failing.next()).rejects.toThrow('a piece failed');
    expect(logHeld()).toBe(false);
  });

  it('takes nothing when it is never started', async () => {
    let started = false;
    const pieces = database.longSnapshot(async function* (q) {
      started = true;
      yield await names(q);
    });
    await pieces.return(undefined);
    expect(started).toBe(false);
  });
});

describe('a long snapshot of an in-memory database (no file to share)', () => {
  it('reads everything at once, before any write can land, and hands the pieces out after', async () => {
    const db = openDatabase(':memory:');
    const database = sqliteDatabase(db);
    try {
      await addUser(database, 'ann');
      const pieces = database.longSnapshot(async function* (q) {
        yield await names(q);
        yield await names(q);
      });
      expect(await pieces.next()).toEqual({ done: false, value: ['ann'] });
      await addUser(database, 'bob');
      await turn();
      expect(await pieces.next()).toEqual({ done: false, value: ['ann'] });
      expect((await pieces.next()).done).toBe(true);
    } finally {
      db.close();
    }
  });
});
