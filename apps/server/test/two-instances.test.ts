// Two server instances on one database (here two apps, each on its own connection to one SQLite file, as two
// processes would be): what one writes, the other sees at once, though each keeps projects in memory (the project
// catalog, the dashboard's baseline).
import type { ItemBrowserPage, ProjectDashboard, ProjectGuide, ReviewItem, VerdictRequest } from '@bagel/contracts';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { openDatabase, type Db } from '../src/db/open-database';
import { completeVerdict, createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

const PASSWORD = 'instances-password';

let t: TestApp;
let otherDb: Db;
let other: FastifyInstance;
let project: SyntheticProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  otherDb = openDatabase(join(t.dir, 'test.sqlite'));
  other = await buildApp({ db: otherDb, cacheDir: join(t.dir, 'other-cache'), now: () => t.clock.now, loginThrottle: { accountFreeFailures: 1000, addressFreeFailures: 1000 } });
  project = await seedSyntheticProject(t.database, { name: 'shared', images: 40, models: 2, panelSize: 3, seed: 5, allWrong: true });
  for (const [name, role] of [['adm', 'admin'], ['lea', 'lead'], ['ex1', 'expert'], ['ex2', 'expert'], ['ex3', 'expert']] as const) {
    await createUser(t.database, name, role, PASSWORD);
    // Sessions are in the database: signed in through one instance, a user is signed in on both.
    cookies[name] = await login(t.app, name, PASSWORD);
  }
});
afterAll(async () => {
  await other.close();
  otherDb.close();
  await t.close();
});

const as = (user: string) => ({ cookie: cookies[user]! });
const url = (path: string) => `/api/projects/${project.projectId}${path}`;

async function get<T>(app: FastifyInstance, path: string, user = 'adm'): Promise<T> {
  const res = await app.inject({ url: url(path), headers: as(user) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
}

async function setQuorum(app: FastifyInstance, kind: 'majority' | 'unanimity'): Promise<void> {
  const res = await app.inject({ method: 'PATCH', url: url('/settings'), headers: as('adm'), payload: { quorum: { kind } } });
  expect(res.statusCode, res.body).toBe(200);
}

/** Three experts judge the next item through `app`: two say the original label is correct, the third is unsure of it. */
async function judgeTwoToOne(app: FastifyInstance): Promise<number> {
  let itemId: number | null = null;
  for (const [i, user] of ['ex1', 'ex2', 'ex3'].entries()) {
    const next = await app.inject({ url: url('/next'), headers: as(user) });
    expect(next.statusCode, next.body).toBe(200);
    const item = next.json() as ReviewItem;
    itemId ??= item.id;
    expect(item.id).toBe(itemId);
    const verdict: VerdictRequest = i < 2 ? completeVerdict(item) : completeVerdict(item, 0, { labels: { [item.originalLabel!.key]: 'unclear' } });
    const res = await app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: as(user), payload: verdict });
    expect(res.statusCode, res.body).toBe(201);
  }
  return itemId!;
}

async function statusOf(app: FastifyInstance, itemId: number): Promise<string> {
  const page = await get<ItemBrowserPage>(app, '/items?limit=200');
  return page.rows.find((r) => r.itemId === itemId)!.status;
}

describe('two instances on one database', () => {
  it('see a quorum change made through the other at once: in the settings they show and in how they aggregate', async () => {
    // Both instances hold the project (catalog and baseline) under the majority, and have aggregated with it.
    for (const app of [t.app, other]) expect((await get<ProjectDashboard>(app, '/dashboard')).quorum).toEqual({ kind: 'majority' });
    const underMajority = await judgeTwoToOne(other);
    expect(await statusOf(other, underMajority)).toBe('agreed');

    await setQuorum(t.app, 'unanimity');
    expect((await get<ProjectDashboard>(other, '/dashboard')).quorum).toEqual({ kind: 'unanimity' });
    // The first step of the re-aggregation (this instance's) has recomputed the item judged through the other.
    expect(await statusOf(other, underMajority)).toBe('disputed');
    // The other instance aggregates the next panel under unanimity.
    const underUnanimity = await judgeTwoToOne(other);
    expect(await statusOf(t.app, underUnanimity)).toBe('disputed');

    // And back, through the other instance.
    await setQuorum(other, 'majority');
    expect((await get<ProjectDashboard>(t.app, '/dashboard')).quorum).toEqual({ kind: 'majority' });
    const again = await judgeTwoToOne(t.app);
    expect(await statusOf(other, again)).toBe('agreed');

    // Each instance computed the project's baseline before any of this: the figures built on it agree.
    const figures = async (app: FastifyInstance) => ({ ...(await get<ProjectDashboard>(app, '/dashboard')), generatedAt: '' });
    expect(await figures(other)).toEqual(await figures(t.app));
  });

  it('see a guide revision made through the other at once, and refuse an edit from the revision before it', async () => {
    const before = await get<ProjectGuide>(other, '/guide', 'ex1');
    const put = (app: FastifyInstance, text: string, baseRevision: number) =>
      app.inject({ method: 'PUT', url: url('/guide'), headers: as('lea'), payload: { text, baseRevision } });
    const written = await put(t.app, 'Toys are wrong.', before.revision);
    expect(written.statusCode, written.body).toBe(200);
    expect(await get<ProjectGuide>(other, '/guide', 'ex1')).toEqual(written.json());

    const stale = await put(other, 'Written from the revision before.', before.revision);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'STALE_GUIDE', current: { revision: before.revision + 1, text: 'Toys are wrong.' } });
  });
});
