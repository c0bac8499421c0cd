import { CompiledQuery, PostgresAdapter, sql, type RawBuilder } from 'kysely';
import type { Queries } from './database';
import { CopyData } from './postgres-engine';
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
 * Locks the rows a SELECT finds for the rest of a write's transaction, passing over the rows other writes hold
 * instead of waiting for them (a sweep of stale rows that must never queue behind, nor deadlock with, the writes that
 * are busy with some of them). Goes at the end of a SELECT … ORDER BY … LIMIT n whose FROM names the table as `alias`.
 * - SQLite: nothing; one write transaction runs at a time (group-commit.ts), so the rows found are the write's alone.
 * - PostgreSQL: `FOR UPDATE OF alias SKIP LOCKED`: the rows returned are locked until the write commits, the rows
 *   another transaction has locked are skipped, and the LIMIT counts only rows this one could lock. The rest of the
 *   query was evaluated on the statement's snapshot, which may predate a write that committed just before the lock
 *   was taken: what must hold for a row is stated again where it is used (the outer WHERE of a DELETE).
 */
export function forUpdateSkipLocked(db: Queries, alias: string): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`` : sql`FOR UPDATE OF ${sql.id(alias)} SKIP LOCKED`;
}

/**
 * Locks the row a SELECT finds for the rest of a write's transaction, waiting for a write that holds it (the review
 * queue's pick: the first item in priority order, even if another expert's claim holds it for a moment).
 * - SQLite: nothing (one write at a time).
 * - PostgreSQL: `FOR UPDATE OF alias`: waits for the holder to commit, then reads the row as it committed it (a row
 *   that no longer matches the WHERE is passed over, and the next one locked: the LIMIT counts locked rows).
 */
export function forUpdate(db: Queries, alias: string): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`` : sql`FOR UPDATE OF ${sql.id(alias)}`;
}

/**
 * Most values bound in one statement: SQLite allows 32,766, PostgreSQL 65,535; one limit for both keeps the
 * statements the same. A list of ids longer than a statement may take goes in several (`chunksOf`), as `IN (…)`.
 */
export const MAX_BOUND_VALUES = 30_000;
const insertTexts = new Map<string, string>();

/**
 * Bulk load: inserts rows (each an array of values in `columns` order). Built as text rather than with Kysely's
 * builder, which costs more than the insert itself at a million rows.
 * - SQLite: multi-row INSERTs (`VALUES (?, ?), (?, ?), …`) of at most MAX_BOUND_VALUES values; a statement's text is
 *   kept per size, so SQLite prepares it once.
 * - PostgreSQL: one `COPY table (columns) FROM STDIN` whatever the number of rows, the rows in COPY's text format
 *   (copyChunks) streamed on the transaction's connection as they are made (CopyData, postgres-engine.ts). A
 *   multi-row INSERT of thousands of `$n` took PostgreSQL as long to parse and bind as to insert, and the JSON array
 *   of the rows the bulk load sent before (`json_populate_recordset`) about as long to parse: in a table without
 *   foreign keys, 1.25 million rows of five numbers went in 4 s by COPY, 7 to 8 s as JSON. Each row is still checked
 *   as an INSERT's (keys, foreign keys, checks, triggers): a foreign key's check is a query per row, which cost as much
 *   as the insert itself.
 */
export async function insertRows(db: Queries, table: keyof Tables, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void> {
  if (rows.length === 0) return;
  if (engineOf(db) === 'postgres') {
    await db.executeQuery(CompiledQuery.raw(`COPY ${table} (${columns.join(', ')}) FROM STDIN`, [new CopyData(copyChunks(rows, columns.length))]));
    return;
  }
  const perStatement = Math.max(1, Math.floor(MAX_BOUND_VALUES / columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const key = `${table}|${columns.join(',')}|${chunk.length}`;
    let text = insertTexts.get(key);
    if (text === undefined) {
      const tuple = `(${columns.map(() => '?').join(', ')})`;
      text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: chunk.length }, () => tuple).join(', ')}`;
      // Full chunks repeat; the last, shorter one of each call is kept too, a few hundred texts at most in a process.
      if (insertTexts.size < 500) insertTexts.set(key, text);
    }
    const values: unknown[] = [];
    for (const row of chunk) for (const value of row) values.push(value);
    await db.executeQuery(CompiledQuery.raw(text, values));
  }
}

/**
 * How many times more rows a step of a long bulk write (writeInSlices: an import) takes on this engine than on
 * SQLite.
 * - SQLite: 1. A step runs in a slice that holds the database's one write lock, which a server serving the same
 *   database waits for: slices are short (about 20 ms), and so are steps.
 * - PostgreSQL: 8. Every statement is a round trip to the server (a COPY, two), which on a busy machine, where each
 *   one waits for both processes to be scheduled, costs more than the rows it carries; its slices hold no one up.
 */
export function bulkStepScale(db: Queries): number {
  return engineOf(db) === 'postgres' ? 8 : 1;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
/** Rows per piece of a COPY's text (a few hundred kB). */
const COPY_CHUNK_ROWS = 4096;

/**
 * Rows in the text format of PostgreSQL's COPY, a piece of COPY_CHUNK_ROWS rows at a time: a line per row, its values
 * separated by tabs, NULL as `\N`. In text, the backslash, tab, newline and carriage return are escaped with a
 * backslash (`\\`, `\t`, `\n`, `\r`), so any text goes through as it is. Numbers as JavaScript spells them, which a
 * float column reads back as the same double, `NaN`, `Infinity` and `-Infinity` included; -0 as `-0` (String(-0) says
 * `0`). A big integer (bigint) in its digits. Another value throws (a TypeError), which fails the COPY.
 */
function* copyChunks(rows: readonly (readonly unknown[])[], width: number): Generator<string, void, undefined> {
  for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
    let text = '';
    for (let r = start; r < Math.min(start + COPY_CHUNK_ROWS, rows.length); r++) {
      const row = rows[r]!;
      for (let i = 0; i < width; i++) {
        const value = row[i];
        if (i > 0) text += '\t';
        if (typeof value === 'number') text += Object.is(value, -0) ? '-0' : String(value);
        else if (typeof value === 'string') text += /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
        else if (value === null || value === undefined) text += '\\N';
        else if (typeof value === 'bigint') text += String(value);
        else throw new TypeError(`a bulk-loaded value is a number, a string, a bigint or null, not ${typeof value} (row ${r + 1}, column ${i + 1})`);
      }
      text += '\n';
    }
    yield text;
  }
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

/**
 * Whether a query runs as it is written: its joins in the order it names them and its index the one it names
 * (joinInWrittenOrder, indexedBy). Then a page written to walk an index walks it however little it finds on the way,
 * and what such a walk would pass over is worth weighing before the page is written.
 * - SQLite: yes.
 * - PostgreSQL: no; its planner picks its own plan from its statistics (for a sparse filter, a hash join of the
 *   filter's matches rather than a walk), and weighing beforehand only adds reads (measured at a million items: the
 *   ungraded grade's pages by status took 330 to 480 ms with the weighing, 116 to 181 ms without).
 */
export function runsAsWritten(db: Queries): boolean {
  return engineOf(db) === 'sqlite';
}

/**
 * For the rest of the transaction, plans for reads that want a few rows of tables much larger than them (the item
 * browser's pages and counts): rows looked up by index rather than whole tables read, and no parallel workers. Call
 * it first in the transaction.
 * - PostgreSQL: `random_page_cost` 1.1 (the usual setting for SSDs and for data the cache holds) and
 *   `max_parallel_workers_per_gather` 0, both local to the transaction (set_config's third argument), in one
 *   statement. With the default random_page_cost of 4, its planner read the whole items table (a million rows) to
 *   join a class's few thousand matches by hash (391 ms against 109 ms by index, for 134 items). A parallel plan's
 *   workers start before its first row: a dispute kind's first page, a walk of 1,500 index entries, took 80 to 96 ms
 *   with two workers and 7 to 9 ms without. On a kept million-item database, the item browser's p99 over 150 random
 *   filters and sorts went from 369 to 477 ms (two rounds) to 226 to 343 ms with the first, and from 195 to 259 ms
 *   to 157 to 177 ms with the second as well.
 * - SQLite: nothing (it has neither; its walks are stated: indexedBy, joinInWrittenOrder).
 */
export async function planForFewRows(db: Queries): Promise<void> {
  if (engineOf(db) === 'postgres') await sql`SELECT set_config('random_page_cost', '1.1', true), set_config('max_parallel_workers_per_gather', '0', true)`.execute(db);
}

/** `values` in consecutive slices of at most `size` (and never more than MAX_BOUND_VALUES). */
export function chunksOf<T>(values: readonly T[], size: number): T[][] {
  const step = Math.max(1, Math.min(size, MAX_BOUND_VALUES));
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += step) chunks.push(values.slice(start, start + step));
  return chunks;
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
 * After rows were inserted with their ids (a copy of another database): PostgreSQL's identity sequences are moved
 * past the highest id of each table, so the next row gets a new id. SQLite takes the next id from the table itself.
 */
export async function resetIdSequences(db: Queries, tables: readonly (keyof Tables)[]): Promise<void> {
  if (engineOf(db) === 'sqlite') return;
  for (const table of tables) {
    await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT coalesce(max(id), 0) + 1 FROM ${sql.table(table)}), false)`.execute(db);
  }
}

/**
 * After a bulk load (an import, a copy of a database): the query planner's statistics of the tables it wrote brought
 * up to date, so that the first queries after it are planned for the tables as they now are.
 * - SQLite: nothing; Bagel's queries do not rely on its statistics (no ANALYZE has ever run on its databases; where its
 *   planner needs telling, the query says so: `indexedBy`, `joinInWrittenOrder`).
 * - PostgreSQL: `ANALYZE` of the tables. Autovacuum would, in its own time (a minute or more after the load); until
 *   then the planner takes the tables for the nearly empty ones they were and walks an index once per row: the first
 *   dashboard after an import of 20,000 images took 8 s instead of 0.3 s (its predictions read through the top-1 by
 *   class index, 10,000 times), and `next`'s renewal of a claim walked all 10,000 items of a fresh project (58 ms
 *   instead of 0.1 ms).
 */
export async function refreshStatistics(db: Queries, tables: readonly (keyof Tables)[]): Promise<void> {
  if (engineOf(db) === 'sqlite' || tables.length === 0) return;
  await sql`ANALYZE ${sql.join(tables.map((table) => sql.table(table)))}`.execute(db);
}

/**
 * Ends a subquery that the planner must compute whole before the query around it sorts and limits its rows (a few
 * matches of a selective filter):
 * - SQLite: nothing; a query that starts from the subquery's table says so with joinInWrittenOrder.
 * - PostgreSQL: `OFFSET 0`, which keeps the subquery from being merged into the outer query: merged, the outer ORDER BY
 *   and LIMIT made the planner walk the sort's index and test every row against the few matches (0.4 s for 14 of
 *   100,000 items).
 */
export function computedWhole(db: Queries): RawBuilder<unknown> {
  return engineOf(db) === 'sqlite' ? sql`` : sql`OFFSET 0`;
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

/**
 * Locks, for the rest of a write's transaction, the rows of `table` with ids in [from, to) (a range of items that a
 * re-aggregation step recomputes), as lockRows does for a list: nothing on SQLite; `SELECT … FOR UPDATE` in id order
 * on PostgreSQL, so a verdict's write on an item of the range waits for the step, or the step for it.
 */
export async function lockIdRange(db: Queries, table: TableWithId, from: number, to: number): Promise<void> {
  if (engineOf(db) === 'sqlite' || from >= to) return;
  await sql`SELECT id FROM ${sql.table(table)} WHERE id >= ${from} AND id < ${to} ORDER BY id FOR UPDATE`.execute(db);
}

/**
 * The members of a JSON object stored as text, as rows `(key, value)`, for a FROM clause after the row holding the
 * text (`FROM verdicts v, ${jsonMembers(db, sql`v.labels`)} AS e`); `member` names a member object to walk instead of
 * the whole (a name written in the code, never a user's). `value` is text: a string member's content, an object
 * member's JSON.
 * - SQLite: `json_each(text, '$.member')`.
 * - PostgreSQL: `jsonb_each_text(text::jsonb -> 'member')` (a function in FROM sees the items before it).
 */
export function jsonMembers(db: Queries, json: RawBuilder<unknown>, member?: string): RawBuilder<unknown> {
  if (engineOf(db) === 'sqlite') return member === undefined ? sql`json_each(${json})` : sql`json_each(${json}, ${sql.lit(`$.${member}`)})`;
  return member === undefined ? sql`jsonb_each_text(CAST(${json} AS jsonb))` : sql`jsonb_each_text(CAST(${json} AS jsonb) -> ${sql.lit(member)})`;
}

/**
 * A member of a JSON object stored as text, as text (a string's content, an object's JSON); null when the member is
 * missing or JSON null. `member` is a name written in the code.
 * - SQLite: `json_extract(text, '$.member')`.
 * - PostgreSQL: `text::jsonb ->> 'member'`.
 */
export function jsonMemberText(db: Queries, json: RawBuilder<unknown>, member: string): RawBuilder<string | null> {
  return engineOf(db) === 'sqlite' ? sql<string | null>`json_extract(${json}, ${sql.lit(`$.${member}`)})` : sql<string | null>`(CAST(${json} AS jsonb) ->> ${sql.lit(member)})`;
}
