// Failed sign-ins are counted in the database: several server instances on one database (behind a load balancer)
// share the counts, the locks and the known addresses, and a restarted instance still holds the locks. Here each
// instance is an app with its own connection to one SQLite file, as separate processes would have.
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { openDatabase, type Db } from '../src/db/open-database';
import { createLoginThrottle, DEFAULT_LOGIN_THROTTLE } from '../src/features/auth/login-throttle';
import { createUser } from './synthetic-project';

// Each test checks several passwords one after another (scrypt, ~100 ms alone, seconds on a busy machine).
const HASHING_TIMEOUT_MS = 90_000;

const limits = { accountFreeFailures: 3, addressFreeFailures: 100, baseDelayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000 };

interface Instance {
  app: FastifyInstance;
  db: Db;
  /** Closes the app and its connection, as the process ending would. */
  stop(): Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A database file, a clock shared by its instances, and a way to start an instance on it. */
function cluster() {
  const dir = mkdtempSync(join(tmpdir(), 'bagel-instances-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bagel.sqlite');
  const clock = { now: Date.UTC(2025, 0, 1) };
  async function start(): Promise<Instance> {
    const db = openDatabase(file);
    const app = await buildApp({ db, cacheDir: join(dir, 'cache'), now: () => clock.now, loginThrottle: limits });
    let closed = false;
    const stop = async () => {
      if (closed) return;
      closed = true;
      await app.close();
      db.close();
    };
    cleanups.push(stop);
    return { app, db, stop };
  }
  return { clock, start };
}

const signIn = (instance: Instance, username: string, password: string, remoteAddress: string) =>
  instance.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });

describe('failed sign-ins across server instances on one database', { timeout: HASHING_TIMEOUT_MS }, () => {
  it('counts the failures made on every instance, and a lock set through one holds on the other', async () => {
    const { clock, start } = cluster();
    const a = await start();
    const b = await start();
    await createUser(a.db, 'carol', 'expert', 'carol-password');
    // Guesses spread over both instances count together: three free failures in all, not three each.
    expect((await signIn(a, 'carol', 'guess-guess', '10.0.0.1')).statusCode).toBe(401);
    expect((await signIn(b, 'carol', 'guess-guess', '10.0.0.2')).statusCode).toBe(401);
    expect((await signIn(a, 'carol', 'guess-guess', '10.0.0.3')).statusCode).toBe(401);
    for (const instance of [b, a]) {
      const locked = await signIn(instance, 'carol', 'carol-password', '10.0.0.4');
      expect(locked.statusCode).toBe(429);
      expect(locked.headers['retry-after']).toBe('1');
      expect(locked.json().message).toContain('for this account');
    }
    // A failure on the other instance once the lock has passed doubles it for both.
    clock.now += 1_000;
    expect((await signIn(b, 'carol', 'guess-guess', '10.0.0.5')).statusCode).toBe(401);
    expect((await signIn(a, 'carol', 'guess-guess', '10.0.0.6')).headers['retry-after']).toBe('2');
  });

  it('lets an address known through one instance past the account lock on the other', async () => {
    const { start } = cluster();
    const a = await start();
    const b = await start();
    await createUser(a.db, 'carol', 'expert', 'carol-password');
    expect((await signIn(a, 'carol', 'carol-password', '192.0.2.10')).statusCode).toBe(200);
    for (let i = 1; i <= 3; i++) expect((await signIn(a, 'carol', `guess-${i}-guess`, `203.0.113.${i}`)).statusCode).toBe(401);
    expect((await signIn(b, 'carol', 'carol-password', '203.0.113.9')).statusCode).toBe(429);
    expect((await signIn(b, 'carol', 'carol-password', '192.0.2.10')).statusCode).toBe(200);
  });

  it('keeps the locks and the known addresses across a restart', async () => {
    const { start } = cluster();
    const first = await start();
    await createUser(first.db, 'carol', 'expert', 'carol-password');
    expect((await signIn(first, 'carol', 'carol-password', '192.0.2.10')).statusCode).toBe(200);
    for (let i = 1; i <= 3; i++) expect((await signIn(first, 'carol', 'guess-guess', `203.0.113.${i}`)).statusCode).toBe(401);
    await first.stop();
    const restarted = await start();
    expect((await signIn(restarted, 'carol', 'carol-password', '203.0.113.9')).statusCode).toBe(429);
    expect((await signIn(restarted, 'carol', 'carol-password', '192.0.2.10')).statusCode).toBe(200);
  });
});

describe('failed sign-in rows stay bounded', { timeout: HASHING_TIMEOUT_MS }, () => {
  const rows = (db: Db) => db.prepare('SELECT scope, key FROM login_failures ORDER BY scope, key').all();

  it('sweeps the forgotten counts as new failures are counted', async () => {
    const { clock, start } = cluster();
    const a = await start();
    for (const name of ['erin', 'frank']) expect((await signIn(a, name, 'password1', '10.0.0.1')).statusCode).toBe(401);
    expect(rows(a.db)).toEqual([
      { scope: 'account', key: 'erin' },
      { scope: 'account', key: 'frank' },
      { scope: 'address', key: '10.0.0.1' },
    ]);
    clock.now += limits.forgetAfterMs;
    expect((await signIn(a, 'grace', 'password1', '10.0.0.2')).statusCode).toBe(401);
    expect(rows(a.db)).toEqual([
      { scope: 'account', key: 'grace' },
      { scope: 'address', key: '10.0.0.2' },
    ]);
  });

  it('keeps an account’s 16 most recent places', async () => {
    const { clock, start } = cluster();
    const a = await start();
    await createUser(a.db, 'carol', 'expert', 'carol-password');
    // 17 sign-ins, a second apart, recorded as the sign-in route records them (without checking 17 passwords).
    const throttle = createLoginThrottle(a.app.database, { ...DEFAULT_LOGIN_THROTTLE, ...limits });
    for (let i = 1; i <= 17; i++) {
      clock.now += 1_000;
      const attempt = await throttle.begin(`192.0.2.${i}`, 'carol', clock.now);
      if (!attempt.allowed) throw new Error(`sign-in ${i} refused`);
      await attempt.succeeded(clock.now);
    }
    const known = a.db.prepare('SELECT address FROM login_known_addresses WHERE account = ? ORDER BY known_until, address').all('carol') as { address: string }[];
    expect(known.map((row) => row.address)).toEqual(Array.from({ length: 16 }, (_, i) => `192.0.2.${i + 2}`));
    for (let i = 1; i <= 3; i++) expect((await signIn(a, 'carol', 'guess-guess', `203.0.113.${i}`)).statusCode).toBe(401);
    // The oldest place is forgotten: it waits out the lock; the second oldest still passes.
    expect((await signIn(a, 'carol', 'carol-password', '192.0.2.1')).statusCode).toBe(429);
    expect((await signIn(a, 'carol', 'carol-password', '192.0.2.2')).statusCode).toBe(200);
  });
});
