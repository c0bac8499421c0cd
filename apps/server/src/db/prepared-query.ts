import type { CompiledQuery, QueryResult } from 'kysely';
import type { Queries } from './database';
import { sqliteStatements } from './sqlite-engine';

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
    // SQLite: the statement itself, as Kysely's SQLite driver would run it, without the driver (sqlite-engine.ts).
    const prepare = sqliteStatements(db);
    if (prepare) {
      const statement = prepare(template.sql);
      if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
      return Promise.resolve({ rows: [], numAffectedRows: BigInt(statement.run(parameters).changes) });
    }
    return db.executeQuery<R>({ sql: template.sql, query: template.query, queryId: template.queryId, parameters });
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
