// PostgreSQL itself stops (an immediate shutdown: a crash, or a fail-over) while experts judge, then comes back: what
// docs/DEPLOY.md says it does to reviewers. Requests fail with 503 while it is down, never 500 (liveness stays 200,
// readiness 503), the server needs no restart once it is back, and sending each verdict again with its
// Idempotency-Key until acknowledged, as the web app does, stores every verdict once, none lost, no item over its
// panel. The cluster is the test's own: stopping the run's shared one would stop every other suite.
import type { ReviewItem } from '@bagel/contracts';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../scripts/postgres-for-tests.mjs';
import { connectDatabase, type Database } from '../src/db/database';
import { startInstance, type Running } from './instances';
import { completeVerdict, createUser, seedSyntheticProject } from './synthetic-project';

const EXPERTS = 8;
const ITEMS = 30;
const PANEL = 3;
const PASSWORD = 'failure-password-1';
/** How long PostgreSQL stays down. */
const OUTAGE_MS = 2_000;

const dir = mkdtempSync(join(tmpdir(), 'bagel-postgres-failure-'));
let cluster: TestPostgres;
let database: Database;
let instance: Running & { child: import('node:child_process').ChildProcess; output(): string };
let projectId: number;

beforeAll(async () => {
  // Durable: a commit answered before the crash must survive it (the run's shared cluster trades that for speed).
  cluster = await startPostgres({ quiet: true, durable: true });
  database = await connectDatabase({ engine: 'postgres', url: cluster.url });
  projectId = (await seedSyntheticProject(database, { name: 'outage', images: ITEMS, models: 3, classes: 200, panelSize: PANEL, seed: 7, allWrong: true })).projectId;
  for (let i = 1; i <= EXPERTS; i++) await createUser(database, `expert${i}`, 'expert', PASSWORD);
  instance = await startInstance(cluster.url, { args: ['--cache-dir', join(dir, 'cache')] });
}, 180_000);

afterAll(async () => {
  await instance?.stop();
  await database?.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A request to the instance; null when the connection itself failed. */
async function call(method: string, path: string, options: { cookie?: string; body?: unknown; key?: string } = {}) {
  try {
    const res = await fetch(`${instance.url}${path}`, {
      method,
      headers: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, text, retryAfter: res.headers.get('retry-after'), json: () => JSON.parse(text), setCookie: res.headers.get('set-cookie') };
  } catch {
    return null;
  }
}

/** Every answer the experts got while PostgreSQL was down or coming back, by status. */
const failures = new Map<number, number>();
const failureBodies: string[] = [];

/** Sends the request until it is answered with something other than a failure, counting the failures' statuses. */
async function untilAnswered(send: () => ReturnType<typeof call>) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await send();
    if (res && res.status < 500) return res;
    const status = res?.status ?? 0;
    failures.set(status, (failures.get(status) ?? 0) + 1);
    if (res && failureBodies.length < 5) failureBodies.push(`${res.status} ${res.text}`);
    if (Date.now() > deadline) {
      throw new Error(`no answer within 60 s: ${res ? `${res.status} ${res.text}` : 'no connection'} (server exit code ${instance.child.exitCode}); its log ends:\n${instance.output().slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('PostgreSQL stopping while experts judge', () => {
  it('answers 503 while it is down, goes on by itself once it is back, and loses or doubles no verdict', async () => {
    const cookies = await Promise.all(
      Array.from({ length: EXPERTS }, async (_, i) => {
        const res = await untilAnswered(() => call('POST', '/api/auth/login', { body: { username: `expert${i + 1}`, password: PASSWORD } }));
        expect(res.status, res.text).toBe(200);
        return res.setCookie!.split(';')[0]!;
      }),
    );
    let acknowledged = 0;
    let outage: Promise<void> | null = null;
    const seenDuringOutage: { health: number; ready: number; next: number | null; retryAfter: string | null }[] = [];
    await Promise.all(
      cookies.map(async (cookie) => {
        for (;;) {
          const next = await untilAnswered(() => call('GET', `/api/projects/${projectId}/next`, { cookie }));
          if (next.status === 204) return;
          expect(next.status, next.text).toBe(200);
          const item = next.json() as ReviewItem;
          const key = randomUUID();
          const res = await untilAnswered(() => call('POST', `/api/items/${item.id}/verdicts`, { cookie, key, body: completeVerdict(item) }));
          expect(res.status, res.text).toBe(201);
          acknowledged++;
          // A third of the way in, PostgreSQL stops at once; what the server answers meanwhile is read; then it is back.
          if (!outage && acknowledged >= (ITEMS * PANEL) / 3) {
            outage = (async () => {
              await cluster.crash();
              const until = Date.now() + OUTAGE_MS;
              while (Date.now() < until) {
                const [health, ready, probe] = await Promise.all([
                  call('GET', '/api/health'),
                  call('GET', '/api/health/ready'),
                  call('GET', `/api/projects/${projectId}/next`, { cookie }),
                ]);
                seenDuringOutage.push({ health: health?.status ?? 0, ready: ready?.status ?? 0, next: probe?.status ?? null, retryAfter: probe?.retryAfter ?? null });
                await new Promise((resolve) => setTimeout(resolve, 200));
              }
              await cluster.restart();
            })();
          }
        }
      }),
    );
    await outage;
    expect(outage).not.toBeNull();

    // While it was down: alive, not ready, and every request refused with 503 and a Retry-After, never a 500.
    expect(seenDuringOutage.length).toBeGreaterThan(3);
    for (const seen of seenDuringOutage) {
      expect(seen.health).toBe(200);
      expect(seen.ready).toBe(503);
      expect(seen.next).toBe(503);
      expect(seen.retryAfter).not.toBeNull();
    }
    expect([...failures.keys()].filter((status) => status !== 503), failureBodies.join('\n')).toEqual([]);
    expect(failures.get(503) ?? 0).toBeGreaterThan(0);

    // Back: every acknowledged verdict stored once, every slot filled, no item over its panel.
    const { rows: stored } = await sql<{ n: number; slots: number }>`
      SELECT count(*) AS n, count(DISTINCT item_id || ':' || user_id) AS slots FROM verdicts`.execute(database.queries);
    expect(stored[0]!.n).toBe(acknowledged);
    expect(stored[0]!.slots).toBe(acknowledged);
    expect(acknowledged).toBe(ITEMS * PANEL);
    const { rows: off } = await sql<{ n: number }>`SELECT count(*) AS n FROM items WHERE verdict_count <> ${PANEL}`.execute(database.queries);
    expect(off[0]!.n).toBe(0);
    expect((await call('GET', '/api/health/ready'))?.status).toBe(200);
  }, 180_000);
});
