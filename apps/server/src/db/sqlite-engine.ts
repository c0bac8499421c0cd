import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Db } from './open-database';
import type { Database, Queries } from './database';
import { groupCommitOf } from './group-commit';
import { sqliteReaders } from './sqlite-readers';
import type { Tables } from './tables';

/** Prepared statements kept per connection: Kysely prepares each query it runs, and preparing costs more than most of Bagel's queries. */
const STATEMENT_CACHE_SIZE = 1000;

/** The connection as Kysely's SQLite driver sees it, with its statements prepared once and reused (least recently used dropped first). */
function withStatementCache(db: Db): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    // Closing is the owner's (openDatabase's caller's): Kysely's destroy must not close a connection others use.
    close() {},
    prepare(sql: string): SqliteStatement {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = db.prepare(sql) as unknown as SqliteStatement;
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value as string);
      }
      statements.set(sql, statement);
      return statement;
    },
  };
}

const kyselyOn = (db: Db): Queries => new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(db) }) });

/**
 * SQLite's long snapshot (Database.longSnapshot): a read-only connection of its own to the same file, in one read
 * transaction, whose first read takes the snapshot WAL keeps for it however long it lasts, while the server's
 * connection goes on writing (neither waits for the other). The connection is closed when the job ends, fails or is
 * abandoned. While it lasts, no checkpoint can copy the log past its snapshot (plugins/background-checkpoints.ts).
 *
 * An in-memory database has no file to share (tests only): the job then runs to its end at once on the server's
 * connection, within one turn of the event loop since it awaits only its queries (so no write lands in between), and
 * its pieces are handed out afterwards.
 */
export async function* readSnapshot<T, R>(db: Db, queries: Queries, job: (snapshot: Queries) => AsyncGenerator<T, R, undefined>): AsyncGenerator<T, R, undefined> {
  if (db.memory) {
    const pieces: T[] = [];
    const generator = job(queries);
    let next = await generator.next();
    for (; !next.done; next = await generator.next()) pieces.push(next.value);
    yield* pieces;
    return next.value;
  }
  const reader = new BetterSqlite3(db.name, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    // A deferred transaction takes its snapshot at its first read: now, not at whatever the job reads first.
    reader.prepare('SELECT count(*) FROM sqlite_schema').get();
    return yield* job(kyselyOn(reader));
  } finally {
    try {
      if (reader.inTransaction) reader.exec('COMMIT');
    } finally {
      reader.close();
    }
  }
}

const perConnection = new WeakMap<Db, Database>();
const statementsOf = new WeakMap<Queries, (sql: string) => SqliteStatement>();

/**
 * The prepared statements of SQLite's connection, when `queries` are a SQLite database's (undefined otherwise, a
 * PostgreSQL database's or a Kysely transaction's). prepared-query.ts runs the SQL it compiled once straight on them:
 * better-sqlite3 answers at once, and Kysely's driver around it (its lock on the one connection, the promises of each
 * step) costs more than the small queries of the review loop. The same statement on the same connection: what a
 * query sees and does is what it would through Kysely. Kysely's own transactions are never opened on SQLite (writes
 * go through the group commit), so no Kysely transaction can hold the connection meanwhile.
 */
export function sqliteStatements(queries: Queries): ((sql: string) => SqliteStatement) | undefined {
  return statementsOf.get(queries);
}

/**
 * The Database over a better-sqlite3 connection (opened and migrated by `openDatabase`), one per connection: every
 * part of the process shares its Kysely instance and its group commit. Kysely runs on the same connection as the
 * code that still prepares its own statements, so both see the same data and the same transactions.
 */
export function sqliteDatabase(db: Db): Database {
  let database = perConnection.get(db);
  if (database) return database;
  const statements = withStatementCache(db);
  const queries: Queries = new Kysely<Tables>({ dialect: new SqliteDialect({ database: statements }) });
  statementsOf.set(queries, (sql) => statements.prepare(sql));
  const groupCommit = groupCommitOf(db);
  // An in-memory database has no file a reader thread could open (tests only): its slow reads run as snapshots.
  const readers = db.memory ? null : sqliteReaders(db.name);
  database = {
    engine: 'sqlite',
    queries,
    sqlite: db,
    write: (job) => groupCommit.run(() => job(queries)),
    // better-sqlite3 answers at once, so a job that awaits only its queries runs in one turn of the event loop,
    // and no write can land between its statements.
    snapshot: (job) => job(queries),
    longSnapshot: (job) => readSnapshot(db, queries, job),
    slowSnapshot: (job) => (readers ? readers.run(job) : job(queries)),
    async close() {
      await readers?.close();
      db.close();
    },
  };
  perConnection.set(db, database);
  return database;
}

/** A Database as it is, a better-sqlite3 connection as the SQLite Database on it (for callers that hold a connection). */
export function asDatabase(target: Database | Db): Database {
  return 'queries' in target ? target : sqliteDatabase(target);
}
