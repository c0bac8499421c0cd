import fp from 'fastify-plugin';
import type { Db } from '../db/open-database';

declare module 'fastify' {
  interface FastifyInstance {
    /** The one better-sqlite3 connection; repositories prepare their statements on it. */
    db: Db;
    /** Current time in unix ms; injectable so tests can expire sessions and claims without waiting. */
    now: () => number;
  }
}

export default fp(
  async function databasePlugin(app, options: { db: Db; now: () => number }) {
    app.decorate('db', options.db);
    app.decorate('now', options.now);
  },
  { name: 'database' },
);
