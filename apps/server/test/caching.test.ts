import { ReviewItem } from '@bagel/contracts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeVerdict, createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// Who may keep an answer: nobody for the API (its answers are personal and change with every verdict), the browser
// alone for a while for images, and the web app's files as the build made them.

let t: TestApp;
let web: string;
let project: SyntheticProject;
let imageId: number;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  web = mkdtempWeb();
  t = await createTestApp({ webDistDir: web });
  const imageDir = join(t.dir, 'images');
  mkdirSync(imageDir);
  project = await seedSyntheticProject(t.database, { name: 'caching', images: 5, models: 2, seed: 3, allWrong: true, imageDir });
  const [first] = await readRows<{ id: number; file: string }>(t.database, 'SELECT id, file FROM images WHERE project_id = ? ORDER BY position LIMIT 1', project.projectId);
  if (!first) throw new Error('the project has no images');
  imageId = first.id;
  writeFileSync(join(imageDir, first.file), await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer());
  await createUser(t.database, 'eve', 'expert', 'caching-password');
  await createUser(t.database, 'lee', 'lead', 'caching-password');
  cookies.eve = await login(t.app, 'eve', 'caching-password');
  cookies.lee = await login(t.app, 'lee', 'caching-password');
});
afterAll(async () => {
  await t.close();
  rmSync(web, { recursive: true, force: true });
});

function mkdtempWeb(): string {
  const web = mkdtempSync(join(tmpdir(), 'bagel-caching-web-'));
  mkdirSync(join(web, 'assets'));
  writeFileSync(join(web, 'index.html'), '<!doctype html><title>Bagel</title>');
  writeFileSync(join(web, 'assets', 'app-abc.js'), 'console.log(1)');
  return web;
}

const get = (url: string, user?: string) => t.app.inject({ url, headers: user ? { cookie: cookies[user]! } : {} });

describe('Cache-Control', () => {
  it('is no-store on every API answer: public, signed-in, written, refused, invalid and not found', async () => {
    const p = project.projectId;
    const item = ReviewItem.parse((await get(`/api/projects/${p}/next`, 'eve')).json());
    const answers = [
      await get('/api/health'),
      await get('/api/auth/me', 'eve'),
      await get('/api/projects', 'eve'),
      await get(`/api/items/${item.id}`, 'eve'),
      await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: { cookie: cookies.eve! }, payload: completeVerdict(item) }),
      await get(`/api/projects/${p}/dashboard`, 'lee'),
      await get(`/api/projects/${p}/exports/csv`, 'lee'),
      await get('/api/projects'),
      await get(`/api/projects/${p}/dashboard`, 'eve'),
      await get('/api/items/0x1', 'eve'),
      await get('/api/nowhere', 'eve'),
      await get(`/api/projects/${p}/images/${imageId + 1}/preview`, 'eve'),
      await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: 'x', headers: { 'content-type': 'text/plain' } }),
      await get('/api/docs/json', 'eve'),
      await get('/%61pi/health'),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 201, 200, 200, 401, 403, 400, 404, 404, 415, 200, 200]);
    for (const res of answers) expect(res.headers['cache-control'], `${res.statusCode} ${res.body.slice(0, 80)}`).toBe('no-store');
  });

  it('lets only the browser keep an image, for an hour', async () => {
    for (const kind of ['preview', 'original']) {
      const res = await get(`/api/projects/${project.projectId}/images/${imageId}/${kind}`, 'eve');
      expect(res.statusCode, kind).toBe(200);
      expect(res.headers['cache-control'], kind).toBe('private, max-age=3600');
    }
  });

  it('leaves the web app’s files to their own rules: hashed assets for a year, index.html revalidated', async () => {
    expect((await get('/assets/app-abc.js')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/')).headers['cache-control']).toBe('no-cache');
    expect((await get('/review/3')).headers['cache-control']).toBe('no-cache');
  });
});
