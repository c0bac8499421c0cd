import { CompiledQuery, type QueryResult } from 'kysely';
import type { Queries } from './database';
import { engineOf } from './dialect';

/** SQL texts kept: one per engine and shape of query; the least recently used dropped first beyond this. */
const MAX_TEXTS = 2000;
const texts = new Map<string, string>();

const sameValues = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((value, i) => Object.is(value, b[i]));

/**
 * Runs a query whose SQL text depends only on its `shape` (a name, with whatever changes its text: the number of
 * rows or ids it binds), built and compiled by Kysely the first time for each engine, then run again from that text
 * with each call's `values` (`build` compiles it: `query.compile()`, or `sql`…`.compile(db)` for the `sql` template).
 * Building and compiling a query costs more than running most of Bagel's (an item's
 * aggregation on each verdict runs about twenty); the text is the one Kysely compiles for the engine, so the SQL is
 * still written once. `build` must bind exactly `values`, in that order: checked when it is compiled.
 */
export async function executeCompiled<R>(db: Queries, shape: string, values: readonly unknown[], build: () => CompiledQuery<R>): Promise<QueryResult<R>> {
  const key = `${engineOf(db)}:${shape}`;
  let text = texts.get(key);
  if (text === undefined) {
    const query = build();
    if (!sameValues(query.parameters, values)) throw new Error(`query ${shape} binds other values than those it was given`);
    text = query.sql;
    if (texts.size >= MAX_TEXTS) texts.delete(texts.keys().next().value as string);
  } else {
    texts.delete(key);
  }
  texts.set(key, text);
  return db.executeQuery(CompiledQuery.raw(text, values as unknown[]) as CompiledQuery<R>);
}

/** Rows a statement takes as they come, up to this many; beyond, in slices of a power of two (see shapedChunks). */
const FREE_SIZES = 16;

/**
 * `rows` in slices for multi-row statements of few shapes: a slice of at most FREE_SIZES rows as it is, larger ones
 * cut in powers of two (at most `max` rows) and a rest. However many rows come, a statement has one of about twenty
 * texts, which executeCompiled and SQLite's statement cache keep, where a text per number of rows would crowd them
 * out (a range of a hundred items writes a varying number of rows to each table).
 */
export function shapedChunks<T>(rows: readonly T[], max: number): T[][] {
  const chunks: T[][] = [];
  let start = 0;
  while (rows.length - start > FREE_SIZES) {
    let size = 1;
    while (size * 2 <= Math.min(rows.length - start, max)) size *= 2;
    chunks.push(rows.slice(start, start + size));
    start += size;
  }
  if (start < rows.length) chunks.push(rows.slice(start));
  return chunks;
}

/**
 * The ids of an `IN (…)` list lengthened to the next power of two by repeating the last one: the list means the same,
 * and a few texts of its statement serve every length (executeCompiled).
 */
export function padded(ids: readonly number[]): number[] {
  let size = 1;
  while (size < ids.length) size *= 2;
  const list = [...ids];
  while (list.length < size) list.push(ids[ids.length - 1]!);
  return list;
}
