import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresDatabase } from './postgres-database.js';

// The run's PostgreSQL cluster (global-setup-postgres.ts) and the one-database-per-test-file helper.
describe('createPostgresDatabase', () => {
  it('gives each caller an empty database of its own, and drop() removes it even with a connection left open', async () => {
    const a = await createPostgresDatabase();
    const b = await createPostgresDatabase();
    expect(a.url).not.toBe(b.url);
    const clientA = new pg.Client({ connectionString: a.url });
    const clientB = new pg.Client({ connectionString: b.url });
    await clientA.connect();
    await clientB.connect();
    try {
      await clientA.query('CREATE TABLE t (x integer)');
      const inB = await clientB.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 't'");
      expect(inB.rows[0].n).toBe(0);
      await clientB.end();
      await b.drop();

      clientA.on('error', () => {}); // drop() ends this connection, which is the point
      await a.drop();
      const cluster = new pg.Client({ connectionString: inject('postgresUrl') });
      await cluster.connect();
      try {
        const names = [new URL(a.url).pathname.slice(1), new URL(b.url).pathname.slice(1)];
        const left = await cluster.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]);
        expect(left.rows).toEqual([]);
      } finally {
        await cluster.end();
      }
    } finally {
      await clientA.end().catch(() => {});
      await clientB.end().catch(() => {});
    }
  });
});
