import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Queries } from './database';
import type { Tables } from './tables';

// Where SQLite and PostgreSQL differ, in one place each. Everything else is written once, with Kysely.
//
// Which engine a query runs on is read from the executor Kysely was built with: a write's transaction carries it too,
// so these helpers take the queries they run on, like a repository does.

type EngineName = 'sqlite' | 'postgres';

function engineOf(db: Queries): EngineName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Tables whose rows a write may lock by id. */
type TableWithId = { [T in keyof Tables]: 'id' extends keyof Tables[T] ? T : never }[keyof Tables];

/**
 * Locks rows for the rest of a write's transaction, so that the checks the write makes on them hold until it commits
 * (two admins demoting each other; two verdicts racing for a panel's last slot).
 * - SQLite: nothing to do; one write transaction runs at a time (group-commit.ts).
 * - PostgreSQL: `SELECT … FOR UPDATE`, the rows taken in id order so that two writes locking the same rows cannot
 *   deadlock. Under READ COMMITTED, every statement after it sees what the writes that held the locks committed.
 */
export async function lockRows(db: Queries, table: TableWithId, ids: readonly number[]): Promise<void> {
  if (engineOf(db) === 'sqlite' || ids.length === 0) return;
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  await sql`SELECT id FROM ${sql.table(table)} WHERE id IN (${sql.join(sorted)}) ORDER BY id FOR UPDATE`.execute(db);
}

/**
 * Takes the first row a queue query finds for this write, passing over the rows other writes hold, so that writers
 * never queue behind one another on the same row nor take it twice (`next`: concurrent experts claiming items).
 * Goes at the end of a SELECT … ORDER BY … LIMIT n whose FROM names the row's table as `alias`.
 * - SQLite: nothing; one write transaction runs at a time (group-commit.ts), so the row found is the write's alone.
 * - PostgreSQL: `FOR UPDATE OF alias SKIP LOCKED`: the rows returned are locked until the write commits, the rows
 *   another transaction has locked are skipped (not waited for), and the LIMIT counts only rows this one could lock.
 *   The rest of the query was evaluated on the statement's snapshot, which may predate a write that committed just
 *   before the lock was taken: what must hold for the row is checked again in a later statement of the write.
 */
export function forUpdateSkipLocked(db: Queries, alias: string): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`` : sql`FOR UPDATE OF ${sql.id(alias)} SKIP LOCKED`;
}

/**
 * Makes a query walk the named index, after the table it indexes in a FROM clause (`FROM items i ${indexedBy(…)}`).
 * - SQLite: `INDEXED BY index`; its planner, left alone, may sort the whole table instead.
 * - PostgreSQL: nothing; it takes no hints, and uses a partial index when the query's WHERE states the index's
 *   predicate in literals (not parameters), which such a query must therefore do.
 */
export function indexedBy(db: Queries, index: string): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`INDEXED BY ${sql.id(index)}` : sql``;
}
