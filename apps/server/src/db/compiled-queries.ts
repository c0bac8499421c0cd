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
