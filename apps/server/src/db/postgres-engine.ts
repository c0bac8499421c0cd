import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect, sql, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DatabaseBusyError, DatabaseUnavailableError, type Database, type Queries } from './database';
import { describeDatabaseLocation } from './database-location';
import { MIGRATIONS_DIR } from './open-database';
import type { Tables } from './tables';

/** PostgreSQL's own migrations, numbered as SQLite's: 015_initial.sql is the schema SQLite reaches at 015. */
const POSTGRES_MIGRATIONS_DIR = join(MIGRATIONS_DIR, 'postgres');

/** Any number will do as long as nothing else in the database takes the same advisory lock. */
const MIGRATION_LOCK = 0x6261_6765; // "bage"

/** Connections per process: enough for a few hundred requests at once, a few processes to a default max_connections of 100. */
export const DEFAULT_POOL_SIZE = 20;

/** How often a write is run again when PostgreSQL gives up on it for another transaction's sake. */
const MAX_WRITE_ATTEMPTS = 8;
/** serialization_failure and deadlock_detected: the transaction did nothing, and running it again is right. */
const RETRYABLE = new Set(['40001', '40P01']);

const OID = { int8: 20, numeric: 1700 } as const;

/**
 * Numbers as SQLite gives them. node-postgres returns bigint and numeric as strings (they may exceed 2^53); Bagel's
 * ids, unix-ms times and counts stay far below, and sum()/count() of them come back as bigint or numeric.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === OID.int8 || oid === OID.numeric) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PostgresOptions {
  poolSize?: number;
  /** Name of this process in pg_stat_activity. */
  applicationName?: string;
  /** How long a query waits for a pooled connection before its request is answered 503 (10 s by default). */
  connectionTimeoutMs?: number;
  /**
   * Refuse (throw) a query that takes a connection from the pool inside a write or a snapshot, instead of using the
   * transaction's: such a request holds two connections, and under load every pooled connection is held by a
   * transaction waiting for a second one (the tests turn this on to find them).
   */
  strictConnections?: boolean;
}

/** Set while a write's or a snapshot's job runs: what it is, for strictConnections. */
const insideTransaction = new AsyncLocalStorage<'write' | 'snapshot'>();

/** Connects to a PostgreSQL database, brings its schema up to date (one instance at a time), and returns it as a Database. */
export async function connectPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    types,
    application_name: options.applicationName ?? 'bagel',
    // A pooled connection idle this long is closed: a quiet server holds few of the database's connections.
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
  });
  // A connection's error (PostgreSQL stopped or restarted, a proxy cut it) must not crash the process. The pool
  // listens on its idle connections only; a connection handed out has no listener, and a Client's 'error' with no
  // listener is thrown (every instance would die with a fail-over under load). The query running on it fails
  // instead (DatabaseUnavailableError), and the pool drops the broken connection when it is given back.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    // The message names the database (without its password) and what PostgreSQL or the network said.
    const where = describeDatabaseLocation({ engine: 'postgres', url });
    throw Object.assign(new Error(`PostgreSQL database ${where}: ${(error as Error).message}`), { cause: error });
  }
  // pg-pool says only "timeout exceeded when trying to connect" when no connection came free: told apart here, where
  // connections are taken, so that the request is answered 503 (DatabaseBusyError) rather than 500.
  const connections = {
    connect: () => {
      const inside = insideTransaction.getStore();
      if (inside && options.strictConnections) {
        return Promise.reject(new Error(`a query took a second database connection inside a ${inside}: run it on the ${inside}'s transaction`));
      }
      return pool.connect().then(preparing, (error: unknown) => {
        if (/timeout exceeded when trying to connect/.test((error as Error).message)) throw new DatabaseBusyError(error);
        throw isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
      });
    },
    end: () => pool.end(),
  };
  const queries: Queries = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: connections }) });
  const snapshot: Database['snapshot'] = (job) =>
    queries
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) => insideTransaction.run('snapshot', () => job(trx)));
  return {
    engine: 'postgres',
    queries,
    sqlite: null,
    async write(job) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await queries.transaction().execute((trx) => insideTransaction.run('write', () => job(trx)));
        } catch (error) {
          if (attempt >= MAX_WRITE_ATTEMPTS || !RETRYABLE.has((error as { code?: string }).code ?? '')) throw error;
          // Both sides of a conflict retry: a random wait that grows keeps them from meeting again.
          await sleep(Math.random() * 2 ** attempt);
        }
      }
    },
    snapshot,
    // A statement runs in PostgreSQL's own process, never on the event loop: a slow read is a snapshot like any other.
    slowSnapshot: snapshot,
    longSnapshot: (job) => heldSnapshot(queries, job),
    async close() {
      await queries.destroy();
    },
  };
}

/** Names of prepared statements by their text (see preparing); bounded, since statements have few texts. */
const statementNames = new Map<string, string>();
const MAX_STATEMENT_NAMES = 5000;

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `bagel_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (statementNames.size >= MAX_STATEMENT_NAMES) statementNames.delete(statementNames.keys().next().value as string);
    statementNames.set(text, name);
  }
  return name;
}

/**
 * The rows of a `COPY table (columns) FROM STDIN`, in COPY's text format (dialect.insertRows makes them), given as
 * the only value of the statement: Kysely hands a query's values to the connection untouched, and the connection
 * (`preparing`) sends these through the COPY protocol (pg-copy-streams) instead of binding them, each piece as it is
 * made. They go on the connection of the query's transaction, and commit or roll back with it; a COPY that fails (a
 * value a column refuses, a key already there, a piece that cannot be made) fails its statement, and the
 * transaction, as an INSERT would.
 */
export class CopyData {
  constructor(readonly pieces: Iterable<string>) {}
}

/** Runs `COPY … FROM STDIN` on the client with `data`; answers as pg answers a statement (its command and row count). */
async function copyIn(client: pg.PoolClient, text: string, data: CopyData): Promise<Pick<pg.QueryResult, 'command' | 'rowCount' | 'rows'>> {
  const stream = client.query(copyFrom(text));
  await pipeline(Readable.from(data.pieces, { objectMode: false }), stream);
  return { command: 'COPY', rowCount: stream.rowCount, rows: [] };
}

/**
 * A pooled connection whose queries with parameters run as named prepared statements (named after their text):
 * PostgreSQL parses and plans each text once per connection, where an unnamed statement is parsed and planned on
 * every call. Bagel's statements have few texts (values are always parameters; lists and multi-row inserts come in a
 * few sizes: prepared-query.ts), so each connection keeps a few hundred. Queries without parameters (migrations,
 * which may hold several statements) run as they are; a COPY's rows (CopyData) are streamed.
 */
/**
 * Whether PostgreSQL could not be reached or went away (rather than refused a statement): the network's errors, a
 * connection ended under a query, and the SQLSTATEs of a server shutting down, starting or recovering (class 08,
 * 57P01-57P03). A request that meets one is answered 503 DATABASE_UNAVAILABLE, to be sent again.
 */
export function isConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (/^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(code) || /^08|^57P0[123]$/.test(code))) {
    return true;
  }
  return typeof message === 'string' && /^Connection terminated|^Client has encountered a connection error and is not queryable/.test(message);
}

function preparing(client: pg.PoolClient): PostgresPoolClient {
  const run = (text: string, values: readonly unknown[]) => {
    if (values.length === 1 && values[0] instanceof CopyData) return copyIn(client, text, values[0]);
    return values.length > 0 ? client.query({ name: statementName(text), text, values: values as unknown[] }) : client.query(text);
  };
  const query = (text: string, values: readonly unknown[]) =>
    run(text, values).catch((error: unknown) => {
      throw isConnectionFailure(error) ? new DatabaseUnavailableError(error) : error;
    });
  return {
    query: query as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  };
}

/**
 * PostgreSQL's long snapshot (Database.longSnapshot): a REPEATABLE READ READ ONLY transaction held on one pooled
 * connection for as long as the job runs, whatever the turns of the event loop in between; its first statement takes
 * the snapshot. It ends (a rollback: it wrote nothing) and gives the connection back when the job ends, fails or is
 * abandoned. Each one holds a connection of the pool meanwhile.
 */
async function* heldSnapshot<T, R>(queries: Queries, job: (snapshot: Queries) => AsyncGenerator<T, R, undefined>): AsyncGenerator<T, R, undefined> {
  const trx = await queries.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
  try {
    await sql`SELECT 1`.execute(trx);
    return yield* job(trx);
  } finally {
    await trx.rollback().execute();
  }
}

/**
 * Applies, in one transaction each, the numbered migrations newer than the last recorded in `schema_migrations`.
 * Several instances starting together take turns on an advisory lock, so each migration runs once.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const files = readdirSync(POSTGRES_MIGRATIONS_DIR)
    .filter((f) => /^\d{3}_.+\.sql$/.test(f))
    .sort();
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      const current = rows[0]?.version ?? 0;
      for (const file of files) {
        const version = Number(file.slice(0, 3));
        if (version <= current) continue;
        const sql = readFileSync(join(POSTGRES_MIGRATIONS_DIR, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [version, file]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw Object.assign(new Error(`migration ${file} failed: ${(error as Error).message}`), { cause: error });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
