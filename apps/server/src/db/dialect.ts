import { PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Queries } from './database';
import type { Tables } from './tables';

// Where SQLite and PostgreSQL differ, in one place each. Everything else is written once, with Kysely.
//
// Which engine a query runs on is read from the executor Kysely was built with: a write's transaction carries it too,
// so these helpers take the queries they run on, like a repository does.

type EngineName = 'sqlite' | 'postgres';

/** The engine `db` runs on: for src/db only (a feature never asks). */
export function engineOf(db: Queries): EngineName {
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
 * The most values one statement may bind on both engines: SQLite's limit (32,766; PostgreSQL's is 65,535). A list of
 * ids longer than a statement may take goes in several statements (`chunksOf`), as `IN (…)` of bound values.
 */
export const MAX_BOUND_VALUES = 32_766;

/** `values` in consecutive slices of at most `size` (and never more than MAX_BOUND_VALUES). */
export function chunksOf<T>(values: readonly T[], size: number): T[][] {
  const step = Math.max(1, Math.min(size, MAX_BOUND_VALUES));
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += step) chunks.push(values.slice(start, start + step));
  return chunks;
}

/**
 * A join whose left side stays the outer loop. SQLite's CROSS JOIN (with ON, which only SQLite allows) keeps the
 * tables in the order written: an export walks the images by position through their index and looks each one's
 * rows up, where SQLite's planner, without statistics, may start from another table and sort. PostgreSQL's planner
 * orders joins by the costs it knows, and refuses ON after CROSS JOIN: a plain JOIN.
 */
export function joinInOrder(db: Queries): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`CROSS JOIN` : sql`JOIN`;
}

/**
 * An integer expression's values over a group's rows, as one comma-separated text (in no particular order): SQLite's
 * group_concat, PostgreSQL's string_agg. One short string per group where there would be many rows: reading an
 * item's 25 predictions as one string instead of 25 rows halves what a whole project's re-aggregation reads them in.
 */
export function joinedIntegers(db: Queries, expression: RawBuilder<number>): RawBuilder<string> {
  return engineOf(db) === 'sqlite' ? sql<string>`group_concat(${expression})` : sql<string>`string_agg(CAST(${expression} AS text), ',')`;
}

/**
 * Locks, for the rest of a write's transaction, the rows of `table` with ids in [from, to) (a range of items that a
 * re-aggregation step recomputes), as lockRows does for a list: nothing on SQLite; `SELECT … FOR UPDATE` in id order
 * on PostgreSQL, so a verdict's write on an item of the range waits for the step, or the step for it.
 */
export async function lockIdRange(db: Queries, table: TableWithId, from: number, to: number): Promise<void> {
  if (engineOf(db) === 'sqlite' || from >= to) return;
  await sql`SELECT id FROM ${sql.table(table)} WHERE id >= ${from} AND id < ${to} ORDER BY id FOR UPDATE`.execute(db);
}
