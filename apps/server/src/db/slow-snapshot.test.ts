// Database.slowSnapshot on SQLite: the job's statements run on a reader thread, so a statement of a second leaves the
// event loop free; the job sees one state of the database though writes land while it runs; SQLite's errors come back
// as they are; the threads let go of the log once a job has ended and of the file when the database closes.
import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Queries } from './database';
import type { Db } from './open-database';
import { addUser, logHeld as logHeldBy, names, snapshotTestDatabase } from './snapshot.test-support';

/** A statement that runs for a while (SQLite counts up to `n`, one row at a time). */
const countTo = async (q: Queries, n: number) =>
  Number((await sql<{ n: number }>`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${n}) SELECT count(*) AS n FROM c`.execute(q)).rows[0]!.n);

describe('a slow snapshot (SQLite)', () => {
  let file: string;
  let db: Db;
  let database: Database;
  let remove: () => void;
  const logHeld = () => logHeldBy(db);

  beforeEach(async () => {
    ({ file, db, database, remove } = await snapshotTestDatabase('bagel-slow-snapshot-'));
  });
  afterEach(async () => {
    if (db.open) await database.close();
    remove();
  });

  it('runs a long statement off the event loop: timers fire and writes commit while it runs', async () => {
    // How long the same statement holds the event loop on the server's own connection.
    const onLoop = performance.now();
    const total = await countTo(database.queries, 3_000_000);
    const heldOnLoop = performance.now() - onLoop;
    expect(total).toBe(3_000_000);

    let ticks = 0;
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
      ticks++;
    }, 5);
    try {
      const reading = database.slowSnapshot((q) => countTo(q, 3_000_000));
      await addUser(database, 'bob');
      expect(await reading).toBe(3_000_000);
    } finally {
      clearInterval(timer);
    }
    expect(await names(database.queries)).toEqual(['ann', 'bob']);
    // The statement held the loop for heldOnLoop on the server's connection; on a reader thread the timer kept going.
    expect(heldOnLoop).toBeGreaterThan(100);
    expect(ticks).toBeGreaterThan(3);
    expect(longestGap).toBeLessThan(heldOnLoop / 2);
  });

  it('sees the database as it was when it began, though a write lands between its reads, and lets go of the log when it ends', async () => {
    let release!: () => void;
    const between = new Promise<void>((resolve) => (release = resolve));
    let firstRead!: () => void;
    const readOnce = new Promise<void>((resolve) => (firstRead = resolve));
    const reading = database.slowSnapshot(async (q) => {
      const before = await names(q);
      firstRead();
      await between;
      return [before, await names(q)];
    });
    await readOnce;
    await addUser(database, 'bob');
    expect(await names(database.queries)).toEqual(['ann', 'bob']);
    expect(logHeld()).toBe(true);
    release();
    expect(await reading).toEqual([['ann'], ['ann']]);
    await addUser(database, 'cyd');
    // The thread ends the job's transaction as soon as it reads the message after the job's last statement (the job
    // does not wait for that): the log is let go then.
    await expect.poll(logHeld, { timeout: 2000, interval: 5 }).toBe(false);
    // The next job begins a new snapshot: it sees what was written since.
    expect(await database.slowSnapshot(names)).toEqual(['ann', 'bob', 'cyd']);
  });

  it("gives SQLite's own error, refuses to write, and its thread serves the next job", async () => {
    await expect(database.slowSnapshot((q) => sql`SELECT nope FROM users`.execute(q))).rejects.toThrow(/no such column: nope/);
    await expect(database.slowSnapshot((q) => q.deleteFrom('users').execute())).rejects.toThrow(/only reads/);
    expect(await database.slowSnapshot(names)).toEqual(['ann']);
  });

  it('answers each of the reads a job asks together, the failing one with its error', async () => {
    const settled = await database.slowSnapshot((q) => Promise.allSettled([names(q), sql`SELECT nope FROM users`.execute(q), countTo(q, 1000), names(q)]));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual([['ann'], expect.stringMatching(/no such column: nope/), 1000, ['ann']]);
  });

  it('runs several jobs at once, each on its own snapshot', async () => {
    const jobs = await Promise.all(Array.from({ length: 6 }, (_, n) => database.slowSnapshot(async (q) => [n, await countTo(q, 10_000 * (n + 1)), await names(q)])));
    expect(jobs).toEqual(Array.from({ length: 6 }, (_, n) => [n, 10_000 * (n + 1), ['ann']]));
  });

  it('closes its threads with the database, so the last connection removes the log', async () => {
    expect(await database.slowSnapshot(names)).toEqual(['ann']);
    await database.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(existsSync(`${file}-shm`)).toBe(false);
  });
});
