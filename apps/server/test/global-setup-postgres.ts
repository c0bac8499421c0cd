// Vitest global setup of the server project: one throwaway PostgreSQL cluster for the whole run (started here,
// stopped and removed at teardown, or when the run's process exits or dies), its URL provided to the tests as
// `inject('postgresUrl')`. Each test file makes its own database in it (test/postgres-database.ts), so files running in
// parallel never see each other's rows.
import type { TestProject } from 'vitest/node';
import { startPostgres } from '../../../scripts/postgres-for-tests.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres://postgres@127.0.0.1:PORT/postgres: the run's cluster (trust authentication); see postgres-database.ts. */
    postgresUrl: string;
    /** The engine createTestApp builds the app on: each server project of vitest.config.ts says which. */
    testEngine: 'sqlite' | 'postgres';
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startPostgres({ quiet: true });
  project.provide('postgresUrl', cluster.url);
  return cluster.stop;
}
