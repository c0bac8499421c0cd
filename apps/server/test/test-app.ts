// Builds the real app on a fresh SQLite file in a temporary folder, with a clock the test controls.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type AppOptions } from '../src/app';
import { openDatabase, type Db } from '../src/db/open-database';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  dir: string;
  /** The app's clock; move it forward with `advance`. */
  clock: { now: number; advance(ms: number): void };
  close(): Promise<void>;
}

export async function createTestApp(options: Partial<Omit<AppOptions, 'db' | 'now'>> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'bagel-test-'));
  const db = openDatabase(join(dir, 'test.sqlite'));
  const clock = {
    now: Date.UTC(2025, 0, 1),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  // Tests sign in from one address, many times: the failed sign-in limits are tested on their own (login-limits.test.ts).
  const app = await buildApp({ db, cacheDir: join(dir, 'cache'), now: () => clock.now, loginThrottle: { accountFreeFailures: 1000, addressFreeFailures: 1000 }, ...options });
  return {
    app,
    db,
    dir,
    clock,
    async close() {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
