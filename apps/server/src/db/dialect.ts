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
 * An inner join that keeps the tables in the order the query names them, for a query whose best plan SQLite's
 * planner would not find by itself (to be followed by `ON`).
 * - SQLite: `CROSS JOIN`, which its planner never reorders.
 * - PostgreSQL: a plain `JOIN` (its `CROSS JOIN` takes no `ON`); its planner, which has the tables' statistics,
 *   orders the joins itself.
 */
export function joinInWrittenOrder(db: Queries): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`CROSS JOIN` : sql`JOIN`;
}

