// PostgreSQL for the benchmarks that measure it (`--postgres`: a throwaway cluster started for the run, as the tests
// start theirs; `--db postgres://…`: a server of yours), and scratch databases on it, one per measurement.
import pg from 'pg';
import { startPostgres } from '../postgres-for-tests.mjs';

// The test clusters keep shared_buffers at 64MB, as several run side by side; a benchmark measures one server as it is
// deployed, with at least PostgreSQL's own default (128MB; tuning guides give a dedicated server a quarter of its
// memory). With 64MB, the import benchmark's PostgreSQL import took 1.8-2.1x the SQLite import; with 128MB, 1.3-1.5x.
const BENCH_SETTINGS = { shared_buffers: '128MB' };

export interface PostgresForBench {
  /** A fresh, empty database: its URL, and how to drop it. */
  scratch(name: string): Promise<{ url: string; drop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** From `--postgres` / `--db`: null when neither asks for PostgreSQL. The role of a given server needs CREATEDB. */
export async function postgresForBench(options: { postgres?: boolean; db?: string }): Promise<PostgresForBench | null> {
  if (options.db !== undefined && !/^postgres(ql)?:\/\//.test(options.db)) throw new Error('--db takes a postgres:// URL (SQLite is always measured, on a file of its own)');
  const cluster = options.postgres ? await startPostgres({ quiet: true, settings: BENCH_SETTINGS }) : null;
  const server = options.db ?? cluster?.url;
  if (!server) return null;
  const onServer = async (text: string) => {
    const client = new pg.Client({ connectionString: server });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  };
  return {
    async scratch(name) {
      const database = `bagel_bench_${process.pid}_${name}`;
      await onServer(`CREATE DATABASE ${database}`);
      const url = new URL(server);
      url.pathname = `/${database}`;
      return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) };
    },
    stop: async () => {
      await cluster?.stop();
    },
  };
}
