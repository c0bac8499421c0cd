import fp from 'fastify-plugin';
import type { Database } from '../db/database';
import type { Db } from '../db/open-database';

declare module 'fastify' {
  interface FastifyInstance {
    /** The database, on either engine: Kysely queries and the write and snapshot doors (db/database.ts). */
    database: Database;
    /**
     * The better-sqlite3 connection of a SQLite database, for the features whose repositories still prepare their
     * own statements on it (they move to `database` one by one).
     */
    db: Db;
    /** Current time in unix ms; injectable so tests can expire sessions and claims without waiting. */
    now: () => number;
  }
}

export default fp(
  async function databasePlugin(app, options: { database: Database; now: () => number }) {
    app.decorate('database', options.database);
    app.decorate('db', options.database.sqlite as Db);
    app.decorate('now', options.now);
  },
  { name: 'database' },
);
