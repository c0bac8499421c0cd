import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery } from 'kysely';
import type { Queries } from './database';
import type { Tables } from './tables';

/**
 * For the tests of what PostgreSQL is sent: Kysely with PostgreSQL's adapter and compiler and a driver that runs
 * nothing; every query it is given is kept in `sent`, as compiled for PostgreSQL.
 */
export function postgresDryRun(): { queries: Queries; sent: CompiledQuery[] } {
  const sent: CompiledQuery[] = [];
  const queries: Queries = new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      if (event.level === 'query') sent.push(event.query);
    },
  });
  return { queries, sent };
}
