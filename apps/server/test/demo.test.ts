import type { ClassImagesPage, MajorSlice, ProjectDashboard, ReviewItem, VerdictRequest } from '@bagel/contracts';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importManifest } from '../src/features/import/import-manifest';
import { completeVerdict, createUser, login } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

// The demo data set (data/demo) shows every feature it documents (docs/FORMATS.md, "The demo data set"): among them a
// class with several images (the examples of a class) and an image that, graded so by the panel, is a Major mistake of
// every demo model (the Major slice).
const DEMO_MANIFEST = fileURLToPath(new URL('../../../data/demo/manifest.json', import.meta.url));
const TABBY = 'n02123045';

let t: TestApp;
let projectId: number;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  projectId = (await importManifest(t.db, DEMO_MANIFEST)).projectId;
  for (const [name, role] of [['expert1', 'expert'], ['expert2', 'expert'], ['expert3', 'expert'], ['lead', 'lead']] as const) {
    await createUser(t.database, name, role, `password-of-${name}`);
    cookies[name] = await login(t.app, name, `password-of-${name}`);
  }
});
afterAll(() => t.close());

const get = async <T>(user: string, url: string): Promise<T> => {
  const res = await t.app.inject({ url, headers: { cookie: cookies[user]! } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as T;
};

function itemIdOf(file: string): number {
  const row = t.db.prepare<[string], { id: number }>('SELECT i.id FROM items i JOIN images im ON im.id = i.image_id WHERE im.file = ?').get(file);
  expect(row, `${file} is an item`).toBeDefined();
  return row!.id;
}

describe('the demo data set', () => {
  it('has a class with several images: the examples of tabby, on the review of chelsea.png, are two other images', async () => {
    const chelsea = await get<ReviewItem>('expert1', `/api/items/${itemIdOf('chelsea.png')}`);
    expect(chelsea.originalLabel!.key).toBe(TABBY);
    const tabby = await get<ClassImagesPage>('expert1', `/api/projects/${projectId}/classes/${TABBY}/images`);
    expect(tabby.total).toBe(3);
    expect(tabby.rows.map((r) => r.file).filter((file) => file !== 'chelsea.png')).toEqual(['chelsea-copy-1.png', 'chelsea-copy-2.png']);
  });

  it('has an image every demo model misses, which the panel’s Major grades put in the Major slice', async () => {
    const flowerId = itemIdOf('flower.jpg');
    const flower = await get<ReviewItem>('expert1', `/api/items/${flowerId}`);
    expect(flower.models.map((m) => m.top1IsMistake)).toEqual([true, true, true]);
    const graded: VerdictRequest = completeVerdict(flower);
    for (const model of Object.keys(graded.mistakes)) graded.mistakes[model] = { severity: 'Major', category: 'Non-prototypical' };
    expect(Object.keys(graded.mistakes)).toHaveLength(3);
    for (const expert of ['expert1', 'expert2', 'expert3']) {
      const res = await t.app.inject({ method: 'POST', url: `/api/items/${flowerId}/verdicts`, headers: { cookie: cookies[expert]! }, payload: graded });
      expect(res.statusCode, res.body).toBe(201);
    }
    const slice = await get<MajorSlice>('lead', `/api/projects/${projectId}/major-slice`);
    expect(slice.images.map((image) => image.file)).toEqual(['flower.jpg']);
    expect((await get<ProjectDashboard>('lead', `/api/projects/${projectId}/dashboard`)).majorSlice.count).toBe(1);
  });
});
