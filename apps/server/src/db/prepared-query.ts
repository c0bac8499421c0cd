import { CompiledQuery, type QueryResult } from 'kysely';
import type { Queries } from './database';
import { sqliteStatements } from './sqlite-engine';
import { engineOf } from './dialect';

/** Stands for the i-th argument of a prepared query while it is built; replaced by the argument's value on each run. */
class Placeholder {
  constructor(readonly index: number) {}
}

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  queryId: CompiledQuery['queryId'];
  parameters: readonly unknown[];
}

/** A query builder, or a `sql` template (which compiles for the queries it is given). */
interface Buildable<R> {
  compile(db: Queries): CompiledQuery<R>;
}

export interface PreparedQuery<A extends unknown[], R> {
  /** Every row the query returns. */
  all(db: Queries, ...args: A): Promise<R[]>;
  /** The first row, or undefined. */
  first(db: Queries, ...args: A): Promise<R | undefined>;
  /** Runs a statement: how many rows it inserted, updated or deleted. */
  run(db: Queries, ...args: A): Promise<number>;
}

/**
 * Runs SQL compiled by Kysely for `db`'s engine with these values. SQLite: straight on the statement (prepared once,
 * sqlite-engine.ts), as Kysely's SQLite driver would run it but without the driver; PostgreSQL: through Kysely, on
 * the connection or transaction of `db` (where it runs as a named prepared statement: postgres-engine.ts).
 */
function runCompiled<R>(db: Queries, text: string, parameters: readonly unknown[], compiled?: Pick<CompiledQuery, 'query' | 'queryId'>): Promise<QueryResult<R>> {
  const prepare = sqliteStatements(db);
  if (prepare) {
    const statement = prepare(text);
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    return Promise.resolve({ rows: [], numAffectedRows: BigInt(statement.run(parameters).changes) });
  }
  const query = compiled ? { sql: text, query: compiled.query, queryId: compiled.queryId, parameters } : CompiledQuery.raw(text, parameters as unknown[]);
  return db.executeQuery<R>(query as CompiledQuery<R>);
}

/**
 * A query of the hot paths, built and compiled once per engine and then run with each call's values. Kysely builds
 * an operation tree and compiles it to SQL on every call, which on SQLite costs several times what running a small
 * query does (the review loop's queries take microseconds); here only the parameters change from call to call, and
 * the SQL goes to the engine as it was compiled the first time (on SQLite, straight to its statement, prepared once:
 * see sqlite-engine.ts).
 *
 * `build` receives the queries it is to be compiled for, then one placeholder per argument, and must use the
 * arguments only as values of the query (in the builder's comparisons and values, or as `${value}` in a `sql`
 * template): not in JavaScript (no `JSON.stringify(arg)`, no `if (arg)`), not as a list (`sql.join`), not as a
 * literal (`sql.lit`). Its arity is the number of arguments.
 */
export function preparedQuery<A extends unknown[], R>(build: (db: Queries, ...args: A) => Buildable<R>): PreparedQuery<A, R> {
  // One template per engine: the adapters of a database and of its transactions are of one class.
  const templates = new Map<unknown, Template>();
  const arity = build.length - 1;

  function templateFor(db: Queries): Template {
    const engine = db.getExecutor().adapter.constructor;
    let template = templates.get(engine);
    if (!template) {
      const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i)) as unknown as A;
      const compiled = build(db, ...placeholders).compile(db);
      template = { sql: compiled.sql, query: compiled.query, queryId: compiled.queryId, parameters: compiled.parameters };
      templates.set(engine, template);
    }
    return template;
  }

  function execute(db: Queries, args: A): Promise<QueryResult<R>> {
    const template = templateFor(db);
    const parameters = template.parameters.map((p) => (p instanceof Placeholder ? args[p.index] : p));
    return runCompiled<R>(db, template.sql, parameters, template);
  }

  return {
    async all(db, ...args) {
      return (await execute(db, args)).rows;
    },
    async first(db, ...args) {
      return (await execute(db, args)).rows[0];
    },
    async run(db, ...args) {
      return Number((await execute(db, args)).numAffectedRows ?? 0);
    },
  };
}

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
  return runCompiled<R>(db, text, values);
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
