// The server side of the review-loop benchmark, run in its own process so the load generator does not share its
// event loop. Modes:
//   app  — the real Bagel app (buildApp) on the given database;
//   bare — the baseline: a bare Fastify route that inserts one row into the same SQLite file (same pragmas).
// Prints `listening <port>` when ready; exits on SIGTERM.
import Fastify from 'fastify';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../apps/server/src/app';
import { openDatabase } from '../../apps/server/src/db/open-database';

const [mode, dbFile] = process.argv.slice(2);
if ((mode !== 'app' && mode !== 'bare') || !dbFile) {
  console.error('usage: bench-server.ts app|bare DB_FILE');
  process.exit(2);
}

const db = openDatabase(dbFile);
let app;
if (mode === 'app') {
  app = await buildApp({
    db,
    cacheDir: join(tmpdir(), 'bagel-bench-cache'),
    logger: false,
    // The load generator plays every expert from one address.
    limits: { maxConnectionsPerAddress: 0 },
  });
} else {
  db.exec('CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, payload TEXT NOT NULL, created_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO bench_rows (user_id, payload, created_at) VALUES (?, ?, ?)');
  app = Fastify({ logger: false });
  app.post<{ Body: { user: number; payload: unknown } }>('/bare', async (request, reply) => {
    const info = insert.run(request.body.user, JSON.stringify(request.body.payload), new Date().toISOString());
    return reply.code(201).send({ id: Number(info.lastInsertRowid) });
  });
}
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
process.on('SIGTERM', () => {
  void app.close().then(() => {
    db.close();
    process.exit(0);
  });
});
