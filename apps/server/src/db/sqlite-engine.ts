import type { Db } from './open-database';
import { Kysely, SqliteDialect, type SqliteDatabase, type SqliteStatement } from 'kysely';
import type { Database, Queries } from './database';
import { groupCommitOf } from './group-commit';
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
  database = {
    engine: 'sqlite',
    queries,
    sqlite: db,
    write: (job) => groupCommit.run(() => job(queries)),
    // better-sqlite3 answers at once, so a job that awaits only its queries runs in one turn of the event loop,
    // and no write can land between its statements.
    snapshot: (job) => job(queries),
    async close() {
      db.close();
    },
  };
  perConnection.set(db, database);
  return database;
}
