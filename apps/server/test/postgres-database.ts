import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A fresh, empty database of its own for one test file, in the run's PostgreSQL cluster (global-setup-postgres.ts):
 * test files run in parallel, so each makes one (in beforeAll) and drops it when done (afterAll). `drop()` also ends
 * the connections a test left open.
 */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const clusterUrl = inject('postgresUrl');
  // Lower case, digits and _ only: no quoting surprises, and well under PostgreSQL's 63-byte limit.
  const name = `bagel_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await onCluster(clusterUrl, `CREATE DATABASE ${name}`);
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onCluster(clusterUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function onCluster(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
