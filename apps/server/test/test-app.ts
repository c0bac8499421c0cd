// Builds the real app on a fresh database, with a clock the test controls: a SQLite file in a temporary folder, or,
// in the server-postgres project of vitest.config.ts, a database of its own in the run's PostgreSQL cluster.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery } from 'kysely';
import { inject } from 'vitest';
import { buildApp, type AppOptions } from '../src/app';
import type { Database } from '../src/db/database';
import { openDatabase, type Db } from '../src/db/open-database';
import { connectPostgres } from '../src/db/postgres-engine';
import { sqliteDatabase } from '../src/db/sqlite-engine';
import { createPostgresDatabase } from './postgres-database';

export interface TestApp {
  app: FastifyInstance;
  /** The app's database, on the engine of the run. */
  database: Database;
  /** SQLite's connection, for the tests that read SQLite directly (they run on SQLite only). */
  db: Db;
  /** The database as `--db` names it, for the commands a test runs on it: the SQLite file, or the PostgreSQL URL. */
  location: string;
  dir: string;
  /** The app's clock; move it forward with `advance`. */
  clock: { now: number; advance(ms: number): void };
  close(): Promise<void>;
}

export async function createTestApp(options: Partial<Omit<AppOptions, 'db' | 'database' | 'now'>> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'bagel-test-'));
  const engine = inject('testEngine') ?? 'sqlite';
  let database: Database;
  let location: string;
  let dropPostgres = async () => {};
  if (engine === 'postgres') {
    const postgres = await createPostgresDatabase();
    database = await connectPostgres(postgres.url, { strictConnections: true });
    location = postgres.url;
    dropPostgres = () => postgres.drop();
  } else {
    location = join(dir, 'test.sqlite');
    database = sqliteDatabase(openDatabase(location));
  }
  const clock = {
    now: Date.UTC(2025, 0, 1),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  // Tests sign in from one address, many times: the failed sign-in limits are tested on their own (login-limits.test.ts).
  const app = await buildApp({ database, cacheDir: join(dir, 'cache'), now: () => clock.now, loginThrottle: { accountFreeFailures: 1000, addressFreeFailures: 1000 }, ...options });
  return {
    app,
    database,
    get db(): Db {
      if (!database.sqlite) throw new Error('this test reads SQLite directly: it runs in the server project (SQLite) only');
      return database.sqlite;
    },
    location,
    dir,
    clock,
    async close() {
      await app.close();
      await database.close();
      await dropPostgres();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Rows of a plain SQL read, on either engine: `?` placeholders, as better-sqlite3 takes them, numbered for
 * PostgreSQL. For the tests that check what was stored (quote camelCase aliases: PostgreSQL folds unquoted names).
 */
export async function readRows<T>(database: Database, text: string, ...params: unknown[]): Promise<T[]> {
  let n = 0;
  const compiled = CompiledQuery.raw(database.engine === 'postgres' ? text.replace(/\?/g, () => `$${++n}`) : text, params);
  return (await database.queries.executeQuery(compiled)).rows as T[];
}
