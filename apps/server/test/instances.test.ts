// Several `bagel serve` instances on one PostgreSQL database, behind deploy/nginx.conf (the issue's "several
// instances" test): 30 experts judging at once across them, sessions and sign-outs shared, stale revisions refused
// whichever instance wrote first, blind review on every instance.
import type { ReviewItem } from '@bagel/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDbCommand } from '../src/cli/commands/migrate-db';
import { connectDatabase, type Database } from '../src/db/database';
import { openDatabase } from '../src/db/open-database';
import { startInstance, startProxy, type Running } from './instances';
import { createPostgresDatabase } from './postgres-database';
import { completeVerdict, createUser, seedSyntheticProject } from './synthetic-project';

const EXPERTS = 30;
const ITEMS = 60;
const PANEL = 3;
const PASSWORD = 'instances-password-1';

const dir = mkdtempSync(join(tmpdir(), 'bagel-instances-'));
let postgres: Awaited<ReturnType<typeof createPostgresDatabase>>;
let database: Database;
let instances: Running[] = [];
let proxy: Running;
let projectId: number;

beforeAll(async () => {
  postgres = await createPostgresDatabase();
  // The project is generated into SQLite and moved up, as a lab would (bagel migrate-db).
  const file = join(dir, 'seed.sqlite');
  const db = openDatabase(file);
  projectId = (await seedSyntheticProject(db, { name: 'instances', images: ITEMS, models: 3, classes: 200, panelSize: PANEL, seed: 11, allWrong: true })).projectId;
  for (let i = 1; i <= EXPERTS; i++) await createUser(db, `expert${i}`, 'expert', PASSWORD);
  db.close();
  await migrateDbCommand({ from: file, to: postgres.url });
  database = await connectDatabase({ engine: 'postgres', url: postgres.url });
  instances = await Promise.all([0, 1, 2].map(() => startInstance(postgres.url, { args: ['--cache-dir', join(dir, 'cache')] })));
  proxy = await startProxy(instances.map((i) => i.url));
}, 180_000);

afterAll(async () => {
  await proxy?.stop();
  await Promise.all(instances.map((i) => i.stop()));
  await database?.close();
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function call(base: string, method: string, path: string, options: { cookie?: string; body?: unknown } = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text), setCookie: res.headers.get('set-cookie') };
}

async function signIn(base: string, username: string): Promise<string> {
  const res = await call(base, 'POST', '/api/auth/login', { body: { username, password: PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return res.setCookie!.split(';')[0]!;
}

describe('three instances on one PostgreSQL database, behind nginx', () => {
  it('shares a session made on one instance with the others, and ends it on all at a sign-out on one', async () => {
    const [a, b, c] = instances.map((i) => i.url) as [string, string, string];
    const cookie = await signIn(a, 'expert1');
    for (const base of [a, b, c, proxy.url]) expect((await call(base, 'GET', '/api/auth/me', { cookie })).status, base).toBe(200);
    expect((await call(b, 'POST', '/api/auth/logout', { cookie })).status).toBe(204);
    for (const base of [a, b, c]) expect((await call(base, 'GET', '/api/auth/me', { cookie })).json().code, base).toBe('SESSION_ENDED');
  });

  it('refuses a stale revision on one instance after another stored the revision, and keeps review blind on every instance', async () => {
    const [a, b, c] = instances.map((i) => i.url) as [string, string, string];
    const judge = await signIn(a, 'expert2');
    const outsider = await signIn(b, 'expert3');
    const next = await call(a, 'GET', `/api/projects/${projectId}/next`, { cookie: judge });
    expect(next.status, next.text).toBe(200);
    const item = next.json() as ReviewItem;
    expect((await call(b, 'POST', `/api/items/${item.id}/verdicts`, { cookie: judge, body: completeVerdict(item) })).status).toBe(201);
    // Two revisions from the same base revision, on two other instances at once: one is stored, the other is stale.
    const body = { ...completeVerdict(item, 1), comment: 'revised on one instance' };
    const [first, second] = await Promise.all([
      call(b, 'POST', `/api/items/${item.id}/verdicts`, { cookie: judge, body }),
      call(c, 'POST', `/api/items/${item.id}/verdicts`, { cookie: judge, body: { ...body, comment: 'revised on another' } }),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    expect((first.status === 409 ? first : second).json().code).toBe('STALE_REVISION');
    // An expert who has not judged the item sees none of its verdicts, whichever instance answers; its judge sees theirs.
    for (const base of [a, b, c]) {
      const res = await call(base, 'GET', `/api/items/${item.id}/verdicts`, { cookie: outsider });
      expect(res.status, base).toBe(200);
      expect(res.json().verdicts, base).toEqual([]);
      expect((await call(base, 'GET', `/api/items/${item.id}/verdicts`, { cookie: judge })).json().verdicts, base).toHaveLength(1);
    }
  }, 60_000);

  it('lets 30 experts judge at once through the proxy: every acknowledged verdict stored once, no item over its panel', async () => {
    const cookies = await Promise.all(Array.from({ length: EXPERTS }, (_, i) => signIn(proxy.url, `expert${i + 1}`)));
    let acknowledged = 0;
    const { rows: before } = await sql<{ n: number; slots: number }>`
      SELECT count(*) AS n, count(DISTINCT item_id || ':' || user_id) AS slots FROM verdicts`.execute(database.queries);
    const perInstanceBefore = await Promise.all(instances.map(async (i) => (await call(i.url, 'GET', '/api/health/ready')).status));
    expect(perInstanceBefore).toEqual([200, 200, 200]);
    await Promise.all(
      cookies.map(async (cookie) => {
        for (;;) {
          const next = await call(proxy.url, 'GET', `/api/projects/${projectId}/next`, { cookie });
          if (next.status === 204) return;
          expect(next.status, next.text).toBe(200);
          const item = next.json() as ReviewItem;
          const res = await call(proxy.url, 'POST', `/api/items/${item.id}/verdicts`, { cookie, body: completeVerdict(item) });
          expect(res.status, res.text).toBe(201);
          acknowledged++;
        }
      }),
    );
    const { rows: stored } = await sql<{ n: number }>`SELECT count(*) AS n FROM verdicts`.execute(database.queries);
    expect(stored[0]!.n).toBe(before[0]!.n + acknowledged);
    // Every panel slot of every item filled, each by one verdict: those of the test before, and the acknowledged ones.
    expect(before[0]!.slots + acknowledged).toBe(ITEMS * PANEL);
    const { rows: over } = await sql<{ n: number }>`SELECT count(*) AS n FROM items WHERE verdict_count <> ${PANEL}`.execute(database.queries);
    expect(over[0]!.n).toBe(0);
    const { rows: perItem } = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT item_id FROM verdicts GROUP BY item_id HAVING count(DISTINCT user_id) > ${PANEL}) t`.execute(database.queries);
    expect(perItem[0]!.n).toBe(0);
  }, 180_000);

});
