import { ReviewItem, VocabularyResponse } from '@bagel/contracts';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
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
  await createUser(t.database, 'ada', 'admin', 'caching-password-admin');
  cookies.eve = await login(t.app, 'eve', 'caching-password');
  cookies.lee = await login(t.app, 'lee', 'caching-password');
  cookies.ada = await login(t.app, 'ada', 'caching-password-admin');
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

// The class list is the largest answer the review screen needs (about 4 MB of JSON with 21,841 classes): sent
// compressed, and kept by the browser, which asks again with its ETag and gets 304 while the classes are the same.
describe('the class list', () => {
  const classesUrl = () => `/api/projects/${project.projectId}/classes`;
  const getClasses = (headers: Record<string, string> = {}, user: string | null = 'eve') =>
    t.app.inject({ url: classesUrl(), headers: { ...(user ? { cookie: cookies[user]! } : {}), ...headers } });
  const classesOf = (body: Buffer | string) => VocabularyResponse.parse(JSON.parse(body.toString())).classes;
  const stored = async () =>
    (await readRows<{ idx: number; key: string }>(t.database, 'SELECT idx, key FROM classes WHERE project_id = ? ORDER BY idx', project.projectId)).map((c) => c.key);

  it('is sent as JSON, whole, to a client that accepts no compression', async () => {
    const res = await getClasses();
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(classesOf(res.body).map((c) => c.key)).toEqual(await stored());
  });

  it('is compressed with Brotli, else gzip, when the client accepts it, the same classes once decoded', async () => {
    const plain = (await getClasses()).rawPayload;
    const br = await getClasses({ 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.rawPayload).equals(plain)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(plain.length / 2);
    const gzip = await getClasses({ 'accept-encoding': 'gzip' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.rawPayload).equals(plain)).toBe(true);
    // A coding refused with q=0 is not used; `*` stands for any other.
    expect((await getClasses({ 'accept-encoding': 'br;q=0, gzip;q=0.5' })).headers['content-encoding']).toBe('gzip');
    expect((await getClasses({ 'accept-encoding': 'br;q=0, *' })).headers['content-encoding']).toBe('gzip');
    expect((await getClasses({ 'accept-encoding': 'br;q=0, gzip;q=0' })).headers['content-encoding']).toBeUndefined();
    for (const res of [br, gzip]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    }
  });

  it('is kept by the browser alone and checked before each use: a strong ETag per coding, the same class list in all', async () => {
    const tags: string[] = [];
    for (const encoding of ['', 'gzip', 'br']) {
      const res = await getClasses(encoding ? { 'accept-encoding': encoding } : {});
      expect(res.headers['cache-control']).toBe('private, no-cache');
      const etag = String(res.headers.etag);
      expect(etag).toMatch(/^"[0-9a-f]{32}(-gzip|-br)?"$/);
      // The same answer again: the same tag.
      expect((await getClasses(encoding ? { 'accept-encoding': encoding } : {})).headers.etag).toBe(etag);
      tags.push(etag);
    }
    expect(new Set(tags).size).toBe(3);
    expect(new Set(tags.map((tag) => tag.slice(1, 33))).size).toBe(1);
  });

  it('answers 304 with no body to If-None-Match naming the current list (any of its codings, weak or in a list, or *)', async () => {
    const etag = String((await getClasses({ 'accept-encoding': 'br' })).headers.etag);
    const digest = etag.slice(1, 33);
    for (const ifNoneMatch of [etag, `W/${etag}`, `"${digest}"`, `"${digest}-gzip"`, `"0123", ${etag}`, '*']) {
      const res = await getClasses({ 'accept-encoding': 'br', 'if-none-match': ifNoneMatch });
      expect(res.statusCode, ifNoneMatch).toBe(304);
      expect(res.rawPayload.length, ifNoneMatch).toBe(0);
      expect(res.headers.etag).toBe(etag);
      expect(res.headers['cache-control']).toBe('private, no-cache');
    }
    for (const ifNoneMatch of [`"${digest.replace(/^./, (c) => (c === '0' ? '1' : '0'))}"`, digest, '""']) {
      expect((await getClasses({ 'if-none-match': ifNoneMatch })).statusCode, ifNoneMatch).toBe(200);
    }
  });

  it('is not said to be current to a client without a session (401), nor for an unknown project (404)', async () => {
    const etag = String((await getClasses()).headers.etag);
    const signedOut = await getClasses({ 'if-none-match': etag }, null);
    expect(signedOut.statusCode).toBe(401);
    expect(signedOut.headers['cache-control']).toBe('no-store');
    const unknown = await t.app.inject({ url: '/api/projects/9999/classes', headers: { cookie: cookies.eve!, 'if-none-match': etag } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['cache-control']).toBe('no-store');
  });

  it('keeps its ETag while the classes stay the same (a quorum change), and gets another one when they change', async () => {
    const before = await getClasses({ 'accept-encoding': 'gzip' });
    const etag = String(before.headers.etag);
    const quorum = await t.app.inject({ method: 'PATCH', url: `/api/projects/${project.projectId}/settings`, headers: { cookie: cookies.ada! }, payload: { quorum: { kind: 'unanimity' } } });
    expect(quorum.statusCode).toBe(200);
    expect((await getClasses({ 'accept-encoding': 'gzip', 'if-none-match': etag })).statusCode).toBe(304);

    // Nothing in Bagel changes a project's classes after its import, but whatever does must move the settings version
    // with them (the project catalog reads a project again only then): a class gets another gloss and a class is added.
    const [last] = await readRows<{ idx: number }>(t.database, 'SELECT max(idx) AS idx FROM classes WHERE project_id = ?', project.projectId);
    await readRows(t.database, 'UPDATE classes SET gloss = ? WHERE project_id = ? AND idx = 0', 'a gloss written later', project.projectId);
    await readRows(
      t.database,
      'INSERT INTO classes (project_id, idx, key, names, gloss) VALUES (?, ?, ?, ?, ?)',
      project.projectId,
      last!.idx + 1,
      'n99999999',
      JSON.stringify(['a class added later']),
      'added after the import',
    );
    await readRows(t.database, 'UPDATE projects SET settings_version = settings_version + 1 WHERE id = ?', project.projectId);
    const after = await getClasses({ 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
    const classes = classesOf(gunzipSync(after.rawPayload));
    expect(classes[0]!.gloss).toBe('a gloss written later');
    expect(classes.at(-1)).toEqual({ index: last!.idx + 1, key: 'n99999999', names: ['a class added later'], gloss: 'added after the import' });
    expect((await getClasses({ 'accept-encoding': 'gzip', 'if-none-match': String(after.headers.etag) })).statusCode).toBe(304);
  });
});
