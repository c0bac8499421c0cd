import type { Kysely } from 'kysely';
import type { DatabaseLocation } from './database-location';
import { openDatabase, type Db } from './open-database';
import { connectPostgres } from './postgres-engine';
import { sqliteDatabase } from './sqlite-engine';
import type { Tables } from './tables';

export type Engine = 'sqlite' | 'postgres';

/** Kysely over Bagel's tables: the database itself, or a write's transaction. */
export type Queries = Kysely<Tables>;

/**
 * Bagel's database on either engine. Features write their SQL once, with Kysely (its query builder, or its `sql`
 * template for what the builder does not say well), and run it through these doors; where the engines differ,
 * the difference lives in `dialect.ts` (or in one engine's file here), never in a feature.
 *
 * - `queries` for reads that need no more than one statement's consistency.
 * - `write(job)` for every write: the job's statements commit together or not at all, and the checks it makes (a
 *   free panel slot, the current revision) hold until it commits. On SQLite the job joins the group commit (one
 *   writer, jobs one after another, see group-commit.ts); on PostgreSQL it is a transaction of its own on a pooled
 *   connection, retried when the server reports a serialization failure or deadlock, and a job takes the row locks its
 *   checks need (`dialect.lockRows`).
 * - `snapshot(job)` for reads of several statements that must see one state of the database (an item with its
 *   verdicts): on PostgreSQL a REPEATABLE READ READ ONLY transaction; on SQLite the job runs without yielding to
 *   other requests, as a write job does.
 * - `slowSnapshot(job)` for a snapshot whose statements may each take long (a jump by offset deep into a million
 *   items, an exact count of them): on SQLite, where a statement holds the event loop until it ends, the job's
 *   statements run on a reader thread's own connection, in one read transaction (sqlite-readers.ts), and the event
 *   loop serves other requests meanwhile; on PostgreSQL the same as `snapshot`.
 * - `longSnapshot(job)` for reads that must see one state of the database while other requests are served between
 *   them (a download made piece by piece as the client reads it, for minutes): the job is an async generator, and
 *   every query it makes sees the database as it was when it began, whatever is written meanwhile. On SQLite a
 *   read-only connection of its own in one read transaction (WAL keeps a reader's snapshot while writers go on); on
 *   PostgreSQL a REPEATABLE READ READ ONLY transaction held on one pooled connection. The snapshot is released when
 *   the generator ends, fails, or is abandoned (its `return`: a client that went away); a generator never started
 *   takes none.
 */
export interface Database {
  readonly engine: Engine;
  readonly queries: Queries;
  write<T>(job: (trx: Queries) => Promise<T>): Promise<T>;
  snapshot<T>(job: (trx: Queries) => Promise<T>): Promise<T>;
  slowSnapshot<T>(job: (snapshot: Queries) => Promise<T>): Promise<T>;
  longSnapshot<T, R>(job: (snapshot: Queries) => AsyncGenerator<T, R, undefined>): AsyncGenerator<T, R, undefined>;
  /** The better-sqlite3 connection on SQLite (for what only SQLite has: its backup API, checkpoints); null on PostgreSQL. */
  readonly sqlite: Db | null;
  close(): Promise<void>;
}

/**
 * No connection to the database came free in time (PostgreSQL: every pooled connection stayed busy for the pool's
 * connection timeout). The request is answered 503 with Retry-After, not 500: nothing was written, and the same
 * request may be sent again (a verdict's Idempotency-Key makes that safe).
 */
export class DatabaseBusyError extends Error {
  constructor(cause: unknown) {
    super('every database connection stayed busy', { cause });
  }
}

/**
 * The database could not be reached, or went away during the request (PostgreSQL stopped, restarting, failing over):
 * nothing of the request was committed. Answered 503 with a Retry-After, like DatabaseBusyError.
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('the database could not be reached', { cause });
  }
}

/** Opens the database `--db` names (a SQLite file, created if missing, or a postgres:// URL), its schema brought up to date. */
export async function connectDatabase(location: DatabaseLocation): Promise<Database> {
  if (location.engine === 'postgres') return connectPostgres(location.url);
  return sqliteDatabase(openDatabase(location.file));
}
