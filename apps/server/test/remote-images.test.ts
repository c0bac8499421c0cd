import type { ReviewItem } from '@bagel/contracts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { imageSourceOverride } from '../src/cli/commands/serve';
import { createImageSource, type RemoteImageSource } from '../src/features/images/image-source';
import { FIXTURE_CLASSES_CSV, importRefusal } from '../src/features/import/import-fixture';
import { ImportError, importManifest, type ImportProgress, type ImportResult } from '../src/features/import/import-manifest';
import { jpeg, startImageHttpServer, startS3Server, type ImageHttpServer, type S3Server } from './image-servers';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// Images behind a URL and in an S3 bucket: imported (checked), previewed, served, failing, against real servers the
// test starts (node:http, s3rver).

const TIMEOUT_MS = 1_000;
const SECRET = 'TOP SECRET: outside the image source';

let http: ImageHttpServer;
let s3: S3Server;
let t: TestApp;
let cookie: string;
const root = mkdtempSync(join(tmpdir(), 'bagel-remote-images-'));
const images: Record<string, Buffer> = {};

/** The project's images, in order: three present, one missing everywhere, one failing and one hanging over http. */
const FILES = ['a.jpg', 'b.jpg', 'sub/c d.jpg', 'gone.jpg', 'fail.jpg', 'hang.jpg'];
const LABELS = ['cat', 'dog', 'espresso', 'fox', 'cat', 'dog'];
/** Every model top-1 wrong: every image is an item. */
const WRONG = ['dog', 'cat', 'cup', 'cat', 'dog', 'cat'];

/** Writes a manifest of `files` whose images are at `dir` (a folder, URL or s3://); returns its path. */
function writeProject(name: string, dir: string, files = FILES, labels = LABELS, wrong = WRONG): string {
  const folder = mkdtempSync(join(root, 'project-'));
  writeFileSync(join(folder, 'classes.csv'), FIXTURE_CLASSES_CSV);
  writeFileSync(join(folder, 'labels.csv'), ['file,label', ...files.map((f, i) => `${f},${labels[i % labels.length]}`), ''].join('\n'));
  writeFileSync(join(folder, 'alpha.csv'), ['file,rank,class,score', ...files.map((f, i) => `${f},1,${wrong[i % wrong.length]},0.9`), ''].join('\n'));
  const manifest = {
    version: 1,
    project: { name, panelSize: 3, topK: 2 },
    vocabulary: { path: 'classes.csv', format: 'csv' },
    images: { dir },
    originalLabels: { path: 'labels.csv', format: 'csv' },
    models: [{ name: 'alpha', predictions: { path: 'alpha.csv', format: 'csv' } }],
  };
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest));
  return join(folder, 'manifest.json');
}

/** A port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const importInto = (manifest: string, options: Parameters<typeof importManifest>[2] = {}) =>
  importManifest(t.database, manifest, { env: s3.env, remote: { timeoutMs: TIMEOUT_MS }, ...options });

const imageIdsOf = async (projectId: number) =>
  Object.fromEntries((await readRows<{ file: string; id: number }>(t.database, 'SELECT file, id FROM images WHERE project_id = ?', projectId)).map((r) => [r.file, r.id]));
const missingAtImport = async (projectId: number) =>
  (await readRows<{ file: string }>(t.database, 'SELECT file FROM images WHERE project_id = ? AND missing = 1 ORDER BY position', projectId)).map((r) => r.file);
const itemOf = async (projectId: number, file: string) =>
  (await readRows<{ id: number }>(t.database, 'SELECT i.id FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ? AND im.file = ?', projectId, file))[0]!.id;
const renameImage = (id: number, file: string) => readRows(t.database, 'UPDATE images SET file = ? WHERE id = ?', file, id);

const get = (url: string, app = t.app) => app.inject({ url, headers: { cookie } });

beforeAll(async () => {
  images['a.jpg'] = await jpeg(600, 400, { r: 220, g: 20, b: 20 });
  images['b.jpg'] = await jpeg(300, 300, { r: 20, g: 220, b: 20 });
  images['sub/c d.jpg'] = await jpeg(200, 400, { r: 20, g: 20, b: 220 });
  http = await startImageHttpServer({
    ...Object.fromEntries(Object.entries(images).map(([file, bytes]) => [`imagenet/val/${file}`, bytes])),
    'secret.txt': Buffer.from(SECRET),
  });
  s3 = await startS3Server('photos', {
    ...Object.fromEntries(Object.entries(images).map(([file, bytes]) => [`val/${file}`, bytes])),
    'secret.txt': Buffer.from(SECRET),
  });
  t = await createTestApp({ imageSources: { env: s3.env, remote: { timeoutMs: TIMEOUT_MS } } });
  await createUser(t.database, 'eve', 'expert', 'remote-images-password');
  cookie = await login(t.app, 'eve', 'remote-images-password');
});
afterAll(async () => {
  await t?.close();
  await http?.close();
  await s3?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('import from a base URL', () => {
  let result: ImportResult;
  const progress: { message: string; state?: ImportProgress }[] = [];

  beforeAll(async () => {
    http.resetCounts();
    result = await importInto(writeProject('From a URL', `${http.origin}/imagenet/val`), { onProgress: (message, state) => progress.push({ message, state }) });
  });

  it('records the base URL and checks every image with a HEAD, the failing ones tried twice and marked missing', async () => {
    expect(result).toMatchObject({
      images: 6,
      imageDir: `${http.origin}/imagenet/val/`,
      imagesChecked: true,
      missingImages: ['gone.jpg', 'fail.jpg', 'hang.jpg'],
      imageChecksFailed: 2,
    });
    expect(await missingAtImport(result.projectId)).toEqual(['gone.jpg', 'fail.jpg', 'hang.jpg']);
    const project = (await readRows<{ image_dir: string }>(t.database, 'SELECT image_dir FROM projects WHERE id = ?', result.projectId))[0]!;
    expect(project.image_dir).toBe(`${http.origin}/imagenet/val/`);
    // HEADs only, each path segment encoded; the failing ones asked again.
    expect(http.requests.every((r) => r.startsWith('HEAD /imagenet/val/'))).toBe(true);
    expect(http.requests).toContain('HEAD /imagenet/val/sub/c%20d.jpg');
    expect(http.requests.filter((r) => r.endsWith('/fail.jpg'))).toHaveLength(2);
    expect(http.requests.filter((r) => r.endsWith('/gone.jpg'))).toHaveLength(1);
  });

  it('reports the check as a step with its end', () => {
    const end = progress.find((p) => p.state?.phase === 'checking images' && p.state.done === p.state.total);
    expect(end).toMatchObject({ message: 'images: 3 found, 1 missing, 2 could not be checked (marked missing)', state: { total: 6, unit: 'images' } });
  });

  it('checks 16 images at once, not one after another nor all together', async () => {
    const files = Array.from({ length: 64 }, (_, i) => `many/img-${String(i).padStart(2, '0')}.jpg`);
    const many = await startImageHttpServer(Object.fromEntries(files.map((f) => [f, images['b.jpg']!])));
    try {
      many.delayMs = 100;
      const ticks: ImportProgress[] = [];
      const imported = await importInto(writeProject('Many from a URL', many.origin, files, ['cat'], ['dog']), {
        onProgress: (_, state) => state?.phase === 'checking images' && ticks.push(state),
      });
      expect(imported.missingImages).toEqual([]);
      expect(many.requests.filter((r) => r.startsWith('HEAD'))).toHaveLength(64);
      // Each answer takes 100 ms: 16 at once all along, never more.
      expect(many.maxInFlight).toBe(16);
      expect(ticks.at(-1)).toMatchObject({ done: 64, total: 64 });
    } finally {
      await many.close();
    }
  });

  it('with checkImages false (--no-check-images) asks nothing and records nothing missing', async () => {
    http.resetCounts();
    const unchecked = await importInto(writeProject('From a URL, unchecked', `${http.origin}/imagenet/val`), { checkImages: false });
    expect(unchecked).toMatchObject({ imagesChecked: false, missingImages: [], imageChecksFailed: 0 });
    expect(await missingAtImport(unchecked.projectId)).toEqual([]);
    expect(http.requests).toEqual([]);
  });

  it('is refused, naming images.dir, when the source cannot be reached at all', async () => {
    const port = await closedPort();
    const error = await importInto(writeProject('Unreachable', `http://127.0.0.1:${port}/val`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toMatch(/manifest\.json, field "images\.dir": the image source http:\/\/127\.0\.0\.1:\d+\/val\/ cannot be read: the check of every image failed \(the first: .*ECONNREFUSED/);
    expect((error as ImportError).message).toMatch(/or import with --no-check-images/);
    expect(await readRows(t.database, "SELECT count(*) AS n FROM projects WHERE name = 'Unreachable'")).toEqual([{ n: 0 }]);
  });

  it('refuses a malformed source, naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['ftp://example.org/val', /field "images\.dir": "ftp:\/\/" is not an image source Bagel reads/],
      ['s3://', /field "images\.dir": "s3:\/\/" names no bucket/],
      ['s3://Not_A_Bucket/val', /field "images\.dir": "Not_A_Bucket" is not a bucket name/],
      ['https://user:pw@example.org/val', /field "images\.dir": .*user name or password/],
    ];
    for (const [dir, message] of cases) expect((await importRefusal(t.database, writeProject(`Malformed ${dir}`, dir))).message, dir).toMatch(message);
  });
});

describe('import from an S3 bucket', () => {
  it('records the bucket and prefix and marks the images that are not in it missing', async () => {
    const result = await importInto(writeProject('From a bucket', 's3://photos/val'));
    expect(result).toMatchObject({ imageDir: 's3://photos/val/', imagesChecked: true, missingImages: ['gone.jpg', 'fail.jpg', 'hang.jpg'], imageChecksFailed: 0 });
    expect(await missingAtImport(result.projectId)).toEqual(['gone.jpg', 'fail.jpg', 'hang.jpg']);
  });

  it('is refused when the endpoint refuses connections', async () => {
    const port = await closedPort();
    const error = await importInto(writeProject('Bucket unreachable', 's3://photos/val'), { env: { ...s3.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` } }).catch(
      (e: unknown) => e,
    );
    expect((error as ImportError).message).toMatch(/field "images\.dir": the image source s3:\/\/photos\/val\/ cannot be read: .*s3:\/\/photos\/val\/a\.jpg: ECONNREFUSED/);
  });
});

/** Both remote sources, served: previews, originals, failures, traversal. */
describe.each([
  { kind: 'a base URL', name: 'Served from a URL', dir: () => `${http.origin}/imagenet/val`, requests: () => http.requests, inside: /^GET \/imagenet\/val\/[^?#]+$/ },
  { kind: 'an S3 bucket', name: 'Served from a bucket', dir: () => 's3://photos/val', requests: () => s3.requests, inside: /^GET \/photos\/val\/[^?#]+$/ },
])('serving images from $kind', ({ name, dir, requests, inside }) => {
  let projectId: number;
  let ids: Record<string, number>;
  const preview = (file: string, width = 256, app = t.app) => get(`/api/projects/${projectId}/images/${ids[file]}/preview?width=${width}`, app);
  const original = (file: string, app = t.app) => get(`/api/projects/${projectId}/images/${ids[file]}/original`, app);

  beforeAll(async () => {
    // Unchecked: nothing is marked missing at import, so what is served is what the source answers now.
    projectId = (await importInto(writeProject(name, dir()), { checkImages: false })).projectId;
    ids = await imageIdsOf(projectId);
  });

  it('makes a WebP preview from the fetched bytes, privately cacheable', async () => {
    const res = await preview('a.jpg', 300);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect(res.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect(await sharp(res.rawPayload).metadata()).toMatchObject({ format: 'webp', width: 300, height: 200 });
    const spaced = await preview('sub/c d.jpg', 100);
    expect(spaced.statusCode, spaced.body).toBe(200);
    expect(await sharp(spaced.rawPayload).metadata()).toMatchObject({ width: 50, height: 100 });
  });

  it('keeps the preview in the cache: asked again, the source is not asked for the bytes again', async () => {
    await preview('b.jpg', 128);
    http.resetCounts();
    const s3Before = await s3Requests();
    const again = await preview('b.jpg', 128);
    expect(again.statusCode).toBe(200);
    expect(http.requests).toEqual([]);
    expect(await s3Requests()).toBe(s3Before);
  });

  it('streams the original, with the type its extension says', async () => {
    const res = await original('a.jpg');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['content-length']).toBe(String(images['a.jpg']!.length));
    expect(res.headers['cache-control']).toMatch(/^private/);
    expect(res.rawPayload.equals(images['a.jpg']!)).toBe(true);
    expect((await original('sub/c d.jpg')).rawPayload.equals(images['sub/c d.jpg']!)).toBe(true);
  });

  it('answers a missing image with 404, never a 500, and the review screen then shows it missing', async () => {
    const item = async () => ((await get(`/api/items/${await itemOf(projectId, 'gone.jpg')}`)).json() as ReviewItem).image.missing;
    expect(await item()).toBe(false); // not known yet: the item does not ask the source
    for (const res of [await preview('gone.jpg'), await original('gone.jpg')]) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NOT_FOUND', message: 'The image file "gone.jpg" is missing from the image source' });
      expect(res.body).not.toContain('127.0.0.1');
      expect(res.body).not.toContain('photos');
    }
    expect(await item()).toBe(true);
  });

  it('refuses names that would leave the source, without asking it', async () => {
    const victim = ids['b.jpg']!;
    const names = [
      '../secret.txt',
      '../../secret.txt',
      'sub/../../secret.txt',
      '/secret.txt',
      'http://127.0.0.1/secret.txt',
      'a\\..\\..\\secret.txt',
      'a/./b.jpg',
      'a//b.jpg',
      'x\n.jpg',
      'x?y=../../secret.txt',
      'x#/../../secret.txt',
    ];
    try {
      for (const file of names) {
        await renameImage(victim, file);
        http.resetCounts();
        const s3Before = await s3Requests();
        for (const res of [await get(`/api/projects/${projectId}/images/${victim}/preview`), await get(`/api/projects/${projectId}/images/${victim}/original`)]) {
          expect(res.statusCode, file).toBe(403);
          expect(res.json().message).toBe(`The image file "${file}" is outside the project's image source`);
          expect(res.body).not.toContain('TOP SECRET');
        }
        expect(http.requests, file).toEqual([]);
        expect(await s3Requests(), file).toBe(s3Before);
      }
      // Characters that mean something in a URL stay in the name: the request stays inside the source.
      for (const file of ['%2e%2e/secret.txt', '..%2fsecret.txt', '%2E%2E%2Fsecret.txt', 'x?y=secret.txt', 'x#secret.txt', 'http:secret.txt']) {
        await renameImage(victim, file);
        const before = requests().length;
        const res = await get(`/api/projects/${projectId}/images/${victim}/original`);
        expect(res.statusCode, file).toBe(404);
        expect(res.body).not.toContain('TOP SECRET');
        const asked = requests().slice(before);
        expect(asked, file).toHaveLength(1);
        expect(asked[0], file).toMatch(inside);
      }
    } finally {
      await renameImage(victim, 'b.jpg');
    }
  });
});

/** Requests the S3 endpoint has received so far. */
const s3Requests = async () => s3.requests.length;

describe('failing sources', () => {
  let projectId: number;
  let ids: Record<string, number>;

  beforeAll(async () => {
    projectId = (await importInto(writeProject('Failing', `${http.origin}/imagenet/val`), { checkImages: false })).projectId;
    ids = await imageIdsOf(projectId);
  });

  it('answer an image the server fails on (500), one it never answers (timeout) and a redirect with 404, never a 500', async () => {
    await renameImage(ids['gone.jpg']!, 'moved.jpg');
    ids['moved.jpg'] = ids['gone.jpg']!;
    http.resetCounts();
    for (const file of ['fail.jpg', 'hang.jpg', 'moved.jpg']) {
      for (const kind of ['preview', 'original']) {
        const res = await get(`/api/projects/${projectId}/images/${ids[file]}/${kind}`);
        expect(res.statusCode, `${file} ${kind}: ${res.body}`).toBe(404);
        expect(res.json()).toMatchObject({ code: 'IMAGE_UNAVAILABLE' });
        expect(res.json().message).toContain(`The image file "${file}" could not be fetched from the image source`);
      }
      // The second request does not ask (nor wait) again: the failure is remembered for a few seconds.
      expect(http.requests.filter((r) => r.endsWith(`/${file}`)), file).toEqual([`HEAD /imagenet/val/${file}`]);
    }
    // The redirect is not followed.
    expect(http.requests.some((r) => r.includes('secret'))).toBe(false);
  });

  it('answer every image with 404 when the source refuses connections', async () => {
    const port = await closedPort();
    for (const source of [`http://127.0.0.1:${port}/val`, 's3://photos/val']) {
      const app = await buildApp({
        database: t.database,
        now: () => t.clock.now,
        cacheDir: join(root, `cache-refused-${port}-${source.length}`),
        imagesDirOverride: source,
        imageSources: { env: { ...s3.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${port}` }, remote: { timeoutMs: TIMEOUT_MS } },
      });
      try {
        const res = await get(`/api/projects/${projectId}/images/${ids['a.jpg']}/preview`, app);
        expect(res.statusCode, res.body).toBe(404);
        expect(res.json().code).toBe('IMAGE_UNAVAILABLE');
        expect((await get(`/api/projects/${projectId}/images/${ids['a.jpg']}/original`, app)).statusCode).toBe(404);
      } finally {
        await app.close();
      }
    }
  });
});

describe('the review loop', () => {
  it('does not wait for an image server that hangs: next and the item answer while its requests are held', async () => {
    const projectId = (await importInto(writeProject('Hanging', `${http.origin}/imagenet/val`), { checkImages: false })).projectId;
    const ids = await imageIdsOf(projectId);
    const app = await buildApp({ database: t.database, now: () => t.clock.now, cacheDir: join(root, 'cache-hanging'), imageSources: { remote: { timeoutMs: 8_000 } } });
    http.hangAll = true;
    try {
      // The browser asks for the previews; the image server holds every request.
      let settled = 0;
      const previews = ['a.jpg', 'b.jpg', 'sub/c d.jpg'].map((file) =>
        get(`/api/projects/${projectId}/images/${ids[file]}/preview`, app).finally(() => settled++),
      );
      await waitFor(() => http.inFlight >= 3);
      const started = Date.now();
      const first = await get(`/api/projects/${projectId}/next`, app);
      expect(first.statusCode, first.body).toBe(200);
      const ahead = await get(`/api/projects/${projectId}/next?after=${(first.json() as ReviewItem).id}`, app);
      expect(ahead.statusCode, ahead.body).toBe(200);
      for (const file of FILES) {
        const item = await get(`/api/items/${await itemOf(projectId, file)}`, app);
        expect(item.statusCode).toBe(200);
        expect((item.json() as ReviewItem).image.missing, file).toBe(false);
      }
      const elapsed = Date.now() - started;
      // Answered while the image server still holds the previews' requests, which may wait 8 s.
      expect(settled).toBe(0);
      expect(http.inFlight).toBeGreaterThanOrEqual(3);
      expect(elapsed).toBeLessThan(5_000);
      // The previews end as missing images (404), not errors, once the timeout passes.
      for (const res of await Promise.all(previews)) expect(res.statusCode).toBe(404);
      // And the review screen, asked again, shows what the server learnt.
      expect(((await get(`/api/items/${await itemOf(projectId, 'a.jpg')}`, app)).json() as ReviewItem).image.missing).toBe(true);
    } finally {
      http.hangAll = false;
      await app.close();
    }
  });
});

describe('bagel serve --images', () => {
  it('takes a folder, a base URL or a bucket, and refuses a malformed one or a missing folder', () => {
    expect(imageSourceOverride('https://example.org/val')).toBe('https://example.org/val/');
    expect(imageSourceOverride('s3://photos/val')).toBe('s3://photos/val/');
    expect(imageSourceOverride(root)).toBe(root);
    expect(() => imageSourceOverride('ftp://example.org/val')).toThrow(/^--images: "ftp:\/\/" is not an image source Bagel reads/);
    expect(() => imageSourceOverride('s3://')).toThrow(/^--images: "s3:\/\/" names no bucket/);
    expect(() => imageSourceOverride(join(root, 'nowhere'))).toThrow(/image folder .*nowhere does not exist/);
  });

  it('serves every project from the source given instead of the one recorded', async () => {
    const projectId = (await importInto(writeProject('Recorded as a URL', `${http.origin}/nowhere`), { checkImages: false })).projectId;
    const ids = await imageIdsOf(projectId);
    const app = await buildApp({ database: t.database, now: () => t.clock.now, cacheDir: join(root, 'cache-override'), imagesDirOverride: 's3://photos/val', imageSources: { env: s3.env } });
    try {
      const before = s3.requests.length;
      const res = await get(`/api/projects/${projectId}/images/${ids['b.jpg']}/original`, app);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.rawPayload.equals(images['b.jpg']!)).toBe(true);
      expect(s3.requests.slice(before)).toEqual(['GET /photos/val/b.jpg']);
    } finally {
      await app.close();
    }
    await expect(buildApp({ database: t.database, cacheDir: join(root, 'cache-bad'), imagesDirOverride: 's3://' })).rejects.toThrow(/names no bucket/);
  });
});

describe('a presigned URL of an S3 source', () => {
  it('gets the object without credentials', async () => {
    const source = createImageSource('s3://photos/val', { env: s3.env }) as RemoteImageSource;
    expect(source.kind).toBe('s3');
    const url = await source.presignedUrl!('sub/c d.jpg', 60);
    expect(url).toMatch(/X-Amz-Signature=/);
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(images['sub/c d.jpg']!)).toBe(true);
    await expect(source.presignedUrl!('../secret.txt', 60)).rejects.toMatchObject({ statusCode: 403 });
  });
});

async function waitFor(condition: () => boolean, ms = 3_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
