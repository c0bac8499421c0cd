// Database.longSnapshot on SQLite: a job that yields to the event loop between its reads still sees one state of
// the database, and its read-only connection goes when the job ends, fails or is abandoned.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './database';
import { openDatabase, type Db } from './open-database';
import { sqliteDatabase } from './sqlite-engine';
import { addUser, logHeld as logHeldBy, names, snapshotTestDatabase } from './snapshot.test-support';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('a long snapshot (SQLite)', () => {
  let db: Db;
  let database: Database;
  let remove: () => void;
  const logHeld = () => logHeldBy(db);

  beforeEach(async () => {
    ({ db, database, remove } = await snapshotTestDatabase('bagel-long-snapshot-'));
  });
  afterEach(() => {
    db.close();
    remove();
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
