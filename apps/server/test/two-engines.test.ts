// The data layer on both engines: what a feature relies on from `Database` (db/database.ts) holds on SQLite and on a
// real PostgreSQL server (the run's throwaway cluster), and the features moved to it give the same rows on both.
import BetterSqlite3 from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { connectDatabase, type Database } from '../src/db/database';
import { insertRows, lockRows } from '../src/db/dialect';
import { connectPostgres } from '../src/db/postgres-engine';
import { writeInSlices } from '../src/db/write-in-slices';
import { createSessionsRepository } from '../src/features/auth/sessions.repository';
import { importManifest } from '../src/features/import/import-manifest';
import { FIXTURE_CLASSES_CSV, importRefusal, writeFixture } from '../src/features/import/import-fixture';
import { addUser } from '../src/features/users/add-user';
import { createUsersRepository } from '../src/features/users/users.repository';
import { createUsersService } from '../src/features/users/users.service';
import { writeGeneratedManifest } from './generated-manifest';
import { createPostgresDatabase } from './postgres-database';

const dir = mkdtempSync(join(tmpdir(), 'bagel-two-engines-'));
const engines: Record<'sqlite' | 'postgres', Database> = {} as never;
let postgres: Awaited<ReturnType<typeof createPostgresDatabase>>;

beforeAll(async () => {
  postgres = await createPostgresDatabase();
  engines.sqlite = await connectDatabase({ engine: 'sqlite', file: join(dir, 'bagel.sqlite') });
  engines.postgres = await connectDatabase({ engine: 'postgres', url: postgres.url });
});

afterAll(async () => {
  await engines.sqlite?.close();
  await engines.postgres?.close();
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const strongPassword = 'correct-horse-battery';

describe.each(['sqlite', 'postgres'] as const)('on %s', (engine) => {
  const database = () => engines[engine];

  it('finds users by name without case, lists them by name without case, and refuses a name taken in another case', async () => {
    await addUser(database(), { username: 'Zoe', role: 'expert', password: strongPassword });
    await addUser(database(), { username: 'adam', role: 'lead', password: strongPassword });
    await expect(addUser(database(), { username: 'ZOE', role: 'expert', password: strongPassword })).rejects.toThrow('user "ZOE" already exists');
    const users = createUsersRepository(database().queries);
    expect((await users.findByUsername('zOE'))?.username).toBe('Zoe');
    expect((await users.accounts()).map((a) => a.username)).toEqual(['adam', 'Zoe']);
    // The insert itself decides when the check before it was passed by both of two racing requests.
    const again = await database().write((trx) =>
      createUsersRepository(trx).insert({ username: 'zoe', role: 'expert', passwordHash: 'x', createdAt: new Date().toISOString() }),
    );
    expect(again).toBeNull();
  });

  it('keeps sessions by token hash with their expiry, and ends them all at once', async () => {
    const user = (await createUsersRepository(database().queries).findByUsername('adam'))!;
    await database().write((trx) => createSessionsRepository(trx).create('hash-a', user.id, 1_000, 60_000));
    const sessions = createSessionsRepository(database().queries);
    expect(await sessions.findUser('hash-a', 2_000)).toEqual({ id: user.id, username: 'adam', role: 'lead' });
    expect(await sessions.findUser('hash-a', 61_000)).toBeNull();
    await database().write((trx) => createSessionsRepository(trx).removeAllOfUser(user.id));
    expect(await sessions.findUser('hash-a', 2_000)).toBeNull();
  });

  it('commits a write whole or not at all', async () => {
    await expect(
      database().write(async (trx) => {
        await createUsersRepository(trx).insert({ username: 'half', role: 'expert', passwordHash: 'x', createdAt: 'now' });
        throw new Error('the job fails after its first write');
      }),
    ).rejects.toThrow('the job fails after its first write');
    expect(await createUsersRepository(database().queries).findByUsername('half')).toBeNull();
  });

  it('lets only one of two admins deactivating each other at the same moment succeed', async () => {
    const ids: number[] = [];
    for (const name of ['root1', 'root2']) ids.push((await addUser(database(), { username: name, role: 'admin', password: 'a-long-admin-password' })).id);
    const service = createUsersService(database(), { now: Date.now });
    const [a, b] = ids as [number, number];
    const outcomes = await Promise.allSettled([
      service.update({ id: a, username: 'root1', role: 'admin' }, b, { active: false }),
      service.update({ id: b, username: 'root2', role: 'admin' }, a, { active: false }),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason.message).toMatch(/no longer an active admin/);
    const active = await database().queries.selectFrom('users').select('username').where('role', '=', 'admin').where('active', '=', 1).execute();
    expect(active).toHaveLength(1);
  });

  it('bulk-inserts rows over the bound-value limit, and writes long work in slices', async () => {
    await sql`CREATE TABLE bulk_rows (id integer PRIMARY KEY, label text NOT NULL)`.execute(database().queries);
    const rows = Array.from({ length: 40_000 }, (_, i) => [i, `row ${i}`]);
    await database().write((trx) => insertRows(trx, 'bulk_rows' as never, ['id', 'label'], rows));
    const count = await sql<{ n: number }>`SELECT count(*) AS n, sum(id) AS total FROM bulk_rows`.execute(database().queries);
    expect(count.rows[0]).toEqual({ n: 40_000, total: (40_000 * 39_999) / 2 });
    const result = await writeInSlices(
      database(),
      async function* (slice) {
        for (let i = 0; i < 20; i++) {
          await sql`UPDATE bulk_rows SET label = 'sliced' WHERE id = ${i}`.execute(slice.queries);
          yield;
        }
        return 'done';
      },
      { sliceMs: 0, pauseMs: 0 },
    );
    expect(result).toBe('done');
    const sliced = await sql<{ n: number }>`SELECT count(*) AS n FROM bulk_rows WHERE label = 'sliced'`.execute(database().queries);
    expect(sliced.rows[0]!.n).toBe(20);
  });

  it('bulk-inserts each value as given: nulls, infinite floats, big integers, quotes, backslashes and other scripts', async () => {
    await sql`CREATE TABLE bulk_values (id integer PRIMARY KEY, big bigint, score double precision, label text)`.execute(database().queries);
    const rows = [
      [1, 2 ** 53 - 1, 0.1 + 0.2, `it's "quoted" \\ {"json": [1]}`],
      [2, null, Number.POSITIVE_INFINITY, 'Ελληνικά 日本語 🐱'],
      [3, -5, Number.NEGATIVE_INFINITY, null],
      [4, 0, 1e-300, ''],
    ];
    await database().write((trx) => insertRows(trx, 'bulk_values' as never, ['id', 'big', 'score', 'label'], rows));
    const read = await sql<Record<string, unknown>>`SELECT id, big, score, label FROM bulk_values ORDER BY id`.execute(database().queries);
    expect(read.rows.map((r) => [r.id, r.big, r.score, r.label])).toEqual(rows);
  });

  it('bulk-inserts text with what COPY’s text format escapes as it is: tabs, newlines, carriage returns, backslashes, \\N and \\.', async () => {
    await sql`CREATE TABLE bulk_text (id integer PRIMARY KEY, label text, other text)`.execute(database().queries);
    const texts = ['a\tb', 'line 1\nline 2\n', 'crlf\r\n', '\\', '\\N', 'N\\', '\\.', '\\\n.\n\\.\n', 'C:\\new\\table\\x41\\101', '\t\t', ' ', '\\t literally', 'quote " and \' and ,;'];
    const rows = texts.map((text, i) => [i, text, i % 2 === 0 ? null : `${text}|${text}`]);
    await database().write((trx) => insertRows(trx, 'bulk_text' as never, ['id', 'label', 'other'], rows));
    const read = await sql<{ id: number; label: string; other: string | null }>`SELECT id, label, other FROM bulk_text ORDER BY id`.execute(database().queries);
    expect(read.rows.map((r) => [r.id, r.label, r.other])).toEqual(rows);
  });

  it('fails the whole write when a bulk-loaded value cannot be sent, however far into the rows, and the next write goes through', async () => {
    await sql`CREATE TABLE bulk_refused (id integer PRIMARY KEY, label text)`.execute(database().queries);
    const rows: unknown[][] = Array.from({ length: 10_000 }, (_, i) => [i, `row ${i}`]);
    rows[9_000] = [9_000, { not: 'a value' }];
    await expect(database().write((trx) => insertRows(trx, 'bulk_refused' as never, ['id', 'label'], rows))).rejects.toThrow(TypeError);
    const count = async () => (await sql<{ n: number }>`SELECT count(*) AS n FROM bulk_refused`.execute(database().queries)).rows[0]!.n;
    expect(await count()).toBe(0);
    rows[9_000] = [9_000, 'row 9000'];
    await database().write((trx) => insertRows(trx, 'bulk_refused' as never, ['id', 'label'], rows));
    expect(await count()).toBe(10_000);
  });

  it('refuses a vocabulary whose class key is longer than 100 characters, naming file, line and field, and writes nothing', async () => {
    // 3,000 characters that do not compress: more than PostgreSQL's btree takes in the unique index of a project's
    // keys (about 2.7 kB), where it failed with "index row size … exceeds btree version 4 maximum 2704".
    const key = Array.from({ length: 47 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join('').slice(0, 3000);
    const manifest = writeFixture(join(dir, `long-key-${engine}`), { files: { 'classes.csv': `${FIXTURE_CLASSES_CSV}5,${key},long,\n` } });
    const projects = async () => Number((await database().queries.selectFrom('projects').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await projects();
    const error = await importRefusal(database(), manifest);
    expect(error.message).toBe(`${join(dir, `long-key-${engine}`, 'classes.csv')}, line 7, field "key": the class key "${key.slice(0, 40)}…" is 3000 characters long; a class key has at most 100`);
    expect(await projects()).toBe(before);
  });

  it('imports a project: the same rows as on the other engine', async () => {
    const manifest = writeFixture(join(dir, `fixture-${engine}`), { images: ['a.jpg', 'b.jpg', 'sub/c.jpg'] });
    const result = await importManifest(database(), manifest);
    expect(result).toMatchObject({ images: 4, missingImages: ['d.jpg'], alreadyImported: false });
    const again = await importManifest(database(), manifest);
    expect(again.alreadyImported).toBe(true);
  });

  it('gives each imported item the top-1 mistake mask its rows make, as the trigger computes it, up to model position 61', async () => {
    // Every model misses every image here; the fixture above has models right and wrong. 64 models: bits past a
    // double's exact integers (53 to 61), and positions 62 and 63, which have none.
    await importManifest(database(), writeGeneratedManifest(join(dir, `masks-${engine}`), { name: 'Masks', images: 6, models: 64, classes: 20 }));
    const bit = (position: RawBuilder<number>) => (engine === 'sqlite' ? sql`(1 << ${position})` : sql`(1::bigint << ${position})`);
    const computed = sql`(SELECT coalesce(sum(${bit(sql`m.position`)}), 0) FROM predictions p JOIN models m ON m.id = p.model_id
      WHERE p.image_id = i.image_id AND p.rank = 1 AND m.position < 62
        AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = p.image_id AND a.class_idx = p.class_idx))`;
    const { rows } = await sql<{ items: number; differ: number; all62: number; some: number }>`
      SELECT count(*) AS items, sum(CASE WHEN i.top1_mistake_models <> ${computed} THEN 1 ELSE 0 END) AS differ,
        sum(CASE WHEN i.top1_mistake_models = ${bit(sql`62`)} - 1 THEN 1 ELSE 0 END) AS all62,
        sum(CASE WHEN i.top1_mistake_models NOT IN (0, ${bit(sql`62`)} - 1) THEN 1 ELSE 0 END) AS some
      FROM items i`.execute(database().queries);
    expect(rows[0]).toEqual({ items: 2 + 6, differ: 0, all62: 6, some: 2 });
  });
});

describe('a long write on SQLite', () => {
  it("checkpoints after the pages it is given while it runs, and gives the connection its own setting back, also when it fails", async () => {
    const sqlite = engines.sqlite.sqlite!;
    const setting = () => sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
    sqlite.pragma('wal_autocheckpoint = 1000');
    const during: number[] = [];
    await writeInSlices(
      engines.sqlite,
      async function* () {
        during.push(setting());
        yield;
        during.push(setting());
      },
      { sliceMs: 0, pauseMs: 0, checkpointPages: 16_384 },
    );
    expect(during).toEqual([16_384, 16_384]);
    expect(setting()).toBe(1000);
    await expect(
      writeInSlices(
        engines.sqlite,
        async function* () {
          yield;
          throw new Error('a step failed');
        },
        { sliceMs: 0, pauseMs: 0, checkpointPages: 16_384 },
      ),
    ).rejects.toThrow('a step failed');
    expect(setting()).toBe(1000);
  });
});

describe('a long write on SQLite, with another writer or none', () => {
  const STEP_MS = 2;
  /** Runs 120 steps of about 2 ms each in slices of 10 ms with pauses of 12 ms; returns how many transactions they took. */
  async function transactionsOfSteps(quietSliceMs: number): Promise<number> {
    const starts: number[] = [];
    await writeInSlices(
      engines.sqlite,
      async function* () {
        for (let i = 0; i < 120; i++) {
          starts.push(performance.now());
          const until = performance.now() + STEP_MS;
          while (performance.now() < until);
          yield;
        }
      },
      { sliceMs: 10, pauseMs: 12, maxPauseMs: 24, quietSliceMs },
    );
    // Steps within a transaction follow one another at once; between transactions comes a pause of 12 ms or more.
    return 1 + starts.slice(1).filter((start, i) => start - starts[i]! > STEP_MS + 8).length;
  }

  it('commits less often while nobody else commits, and as often as with fixed slices while someone does', async () => {
    const fixed = await transactionsOfSteps(10);
    const quiet = await transactionsOfSteps(80);
    // Another connection commits whenever the write pauses (timers run only in its pauses).
    const other = new BetterSqlite3(engines.sqlite.sqlite!.name);
    other.exec('CREATE TABLE IF NOT EXISTS other_writes (id INTEGER PRIMARY KEY)');
    const writer = setInterval(() => other.prepare('INSERT INTO other_writes DEFAULT VALUES').run(), 1);
    let busy: number;
    try {
      busy = await transactionsOfSteps(80);
    } finally {
      clearInterval(writer);
      other.close();
    }
    expect(fixed).toBeGreaterThanOrEqual(12);
    expect(quiet).toBeLessThan(fixed / 2);
    expect(busy).toBeGreaterThan(fixed * 0.6);
  });
});

describe('the same import on both engines', () => {
  it('gives the same rows, table by table', async () => {
    const tables = ['classes', 'models', 'images', 'accepted_labels', 'predictions', 'items', 'item_extra_candidates', 'prior_labels'] as const;
    for (const table of tables) {
      const dump = async (database: Database) => {
        const rows = (await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)}`.execute(database.queries)).rows;
        // Ids are each engine's own; compare the rows without them, in one order.
        return rows.map((row) => JSON.stringify({ ...row, id: undefined, project_id: undefined, created_at: undefined })).sort();
      };
      const rows = await dump(engines.sqlite);
      if (table !== 'item_extra_candidates' && table !== 'prior_labels') expect(rows.length, table).toBeGreaterThan(0);
      expect(await dump(engines.postgres), table).toEqual(rows);
    }
  });
});

describe('PostgreSQL', () => {
  it('knows the size of the tables an import wrote: their statistics are refreshed, not left for autovacuum', async () => {
    const stats = await sql<{ relname: string; reltuples: number }>`
      SELECT relname, reltuples FROM pg_class WHERE relname IN ('images', 'predictions', 'items') ORDER BY relname`.execute(engines.postgres.queries);
    const count = async (table: 'images' | 'predictions' | 'items') =>
      Number((await engines.postgres.queries.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    // Never analyzed, a table's reltuples is -1: the planner guesses, and took 20,000 images for a hundred.
    expect(stats.rows).toEqual([
      { relname: 'images', reltuples: await count('images') },
      { relname: 'items', reltuples: await count('items') },
      { relname: 'predictions', reltuples: await count('predictions') },
    ]);
  });

  it('bulk-loads the doubles JSON cannot spell as they are: NaN, ±Infinity, -0 and the extremes (SQLite stores NaN as NULL)', async () => {
    const database = engines.postgres;
    await sql`CREATE TABLE bulk_floats (id integer PRIMARY KEY, score double precision)`.execute(database.queries);
    const scores = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0, Number.MIN_VALUE, -Number.MAX_VALUE, 1 / 3, 2 ** 53 + 2, 1e-310];
    const rows = scores.map((score, i) => [i, score]);
    await database.write((trx) => insertRows(trx, 'bulk_floats' as never, ['id', 'score'], rows));
    const read = await sql<{ id: number; score: number }>`SELECT id, score FROM bulk_floats ORDER BY id`.execute(database.queries);
    expect(read.rows.map((r) => [r.id, r.score])).toEqual(rows);
    expect(Object.is(read.rows[3]!.score, -0)).toBe(true);
  });

  it('runs the migrations once when several instances start together', async () => {
    const fresh = await createPostgresDatabase();
    try {
      const started = await Promise.all([connectPostgres(fresh.url), connectPostgres(fresh.url), connectPostgres(fresh.url)]);
      const versions = await sql<{ version: number }>`SELECT version FROM schema_migrations ORDER BY version`.execute(started[0]!.queries);
      expect(versions.rows.length).toBeGreaterThan(0);
      expect(new Set(versions.rows.map((r) => r.version)).size).toBe(versions.rows.length);
      await Promise.all(started.map((database) => database.close()));
    } finally {
      await fresh.drop();
    }
  });

  it('runs a write again when PostgreSQL gives it up for a concurrent one (serialization failure)', async () => {
    const database = engines.postgres;
    await sql`CREATE TABLE counter (id integer PRIMARY KEY, value integer NOT NULL)`.execute(database.queries);
    await sql`INSERT INTO counter VALUES (1, 0)`.execute(database.queries);
    let attempts = 0;
    // Serializable read-then-write of one row by 8 writers at once: all but one fail at first, and are run again.
    const increment = () =>
      database.write(async (trx) => {
        attempts++;
        await sql`SET TRANSACTION ISOLATION LEVEL SERIALIZABLE`.execute(trx);
        const { rows } = await sql<{ value: number }>`SELECT value FROM counter WHERE id = 1`.execute(trx);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await sql`UPDATE counter SET value = ${rows[0]!.value + 1} WHERE id = 1`.execute(trx);
      });
    await Promise.all(Array.from({ length: 8 }, increment));
    const { rows } = await sql<{ value: number }>`SELECT value FROM counter WHERE id = 1`.execute(database.queries);
    expect(rows[0]!.value).toBe(8);
    expect(attempts).toBeGreaterThan(8);
  });

  it('holds a checked row for the rest of the write: lockRows makes the second writer wait and see the first one’s change', async () => {
    const database = engines.postgres;
    const order: string[] = [];
    const user = (await createUsersRepository(database.queries).findByUsername('adam'))!;
    const first = database.write(async (trx) => {
      await lockRows(trx, 'users', [user.id]);
      order.push('first locked');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await trx.updateTable('users').set({ role: 'expert' }).where('id', '=', user.id).execute();
      order.push('first wrote');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = database.write(async (trx) => {
      await lockRows(trx, 'users', [user.id]);
      order.push('second locked');
      return (await createUsersRepository(trx).findById(user.id))!.role;
    });
    await first;
    expect(await second).toBe('expert');
    expect(order).toEqual(['first locked', 'first wrote', 'second locked']);
  });

  it('answers 503 DATABASE_BUSY with Retry-After, not 500, when no pooled connection comes free in time', async () => {
    const database = await connectPostgres(postgres.url, { poolSize: 1, connectionTimeoutMs: 200 });
    const app = await buildApp({ database, cacheDir: join(dir, 'busy-cache'), logger: false });
    const signIn = () => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'not-a-password' } });
    try {
      let release!: () => void;
      const held = database.queries.connection().execute(() => new Promise<void>((resolve) => (release = resolve)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const busy = await signIn();
      expect(busy.statusCode).toBe(503);
      expect(busy.headers['retry-after']).toBe('1');
      expect(busy.json()).toMatchObject({ code: 'DATABASE_BUSY' });
      release();
      await held;
      // The same request once the connection is free: answered on its merits.
      expect((await signIn()).statusCode).toBe(401);
    } finally {
      await app.close();
      await database.close();
    }
  });
});
