import fp from 'fastify-plugin';
import type { Database } from '../db/database';

declare module 'fastify' {
  interface FastifyInstance {
    /** The database, on either engine: Kysely queries and the write and snapshot doors (db/database.ts). */
    database: Database;
    /** Current time in unix ms; injectable so tests can expire sessions and claims without waiting. */
    now: () => number;
  }
}

export default fp(
  async function databasePlugin(app, options: { database: Database; now: () => number }) {
    app.decorate('database', options.database);
    app.decorate('now', options.now);
  },
  { name: 'database' },
);
