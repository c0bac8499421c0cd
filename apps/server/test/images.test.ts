import type { ReviewItem } from '@bagel/contracts';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
let cookie: string;
let projectId: number;
let imageDir: string;
const imageIds: Record<string, number> = {};

const photo = (width: number, height: number, color: { r: number; g: number; b: number }) =>
  sharp({ create: { width, height, channels: 3, background: color } }).jpeg().toBuffer();

beforeAll(async () => {
  t = await createTestApp();
  imageDir = join(t.dir, 'project', 'images');
  mkdirSync(imageDir, { recursive: true });
  writeFileSync(join(imageDir, 'photo.jpg'), await photo(900, 600, { r: 200, g: 30, b: 30 }));
  writeFileSync(join(t.dir, 'project', 'secret.txt'), 'not an image');
  symlinkSync(join(t.dir, 'project', 'secret.txt'), join(imageDir, 'link.jpg'));
  writeFileSync(join(imageDir, 'broken.jpg'), 'this is not a jpeg');

  const p = await seedSyntheticProject(t.database, { name: 'images', images: 5, models: 2, seed: 7, imageDir, allWrong: true });
  projectId = p.projectId;
  const files = ['photo.jpg', '../secret.txt', 'link.jpg', 'gone.jpg', 'broken.jpg'];
  const ids = (await readRows<{ id: number }>(t.database, 'SELECT id FROM images WHERE project_id = ? ORDER BY position', projectId)).map((r) => r.id);
  for (const [i, file] of files.entries()) {
    await readRows(t.database, 'UPDATE images SET file = ? WHERE id = ?', file, ids[i]);
    imageIds[file] = ids[i]!;
  }
  await createUser(t.database, 'viewer', 'expert', 'viewer-password');
  cookie = await login(t.app, 'viewer', 'viewer-password');
});
afterAll(() => t.close());

const get = (url: string, app = t.app) => app.inject({ url, headers: { cookie } });
const preview = (file: string, width = 256) => get(`/api/projects/${projectId}/images/${imageIds[file]}/preview?width=${width}`);
const original = (file: string) => get(`/api/projects/${projectId}/images/${imageIds[file]}/original`);

describe('preview', () => {
  it('is a WebP made smaller by sharp, privately cacheable', async () => {
    const res = await preview('photo.jpg', 300);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/webp');
    expect(res.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    const bytes = res.rawPayload;
    expect(bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(bytes.subarray(8, 12).toString('ascii')).toBe('WEBP');
    const meta = await sharp(bytes).metadata();
    expect([meta.width, meta.height]).toEqual([300, 200]);
  });

  it('never enlarges', async () => {
    const meta = await sharp((await preview('photo.jpg', 2000)).rawPayload).metadata();
    expect([meta.width, meta.height]).toEqual([900, 600]);
  });

  it('is cached on disk, and rendered again when the file changes', async () => {
    const cacheDir = join(t.dir, 'cache', 'previews', String(projectId));
    const first = await preview('photo.jpg', 128);
    const cached = readdirSync(cacheDir).filter((f) => f.startsWith(`${imageIds['photo.jpg']}-w128-`));
    expect(cached).toHaveLength(1);
    expect(readFileSync(join(cacheDir, cached[0]!)).equals(first.rawPayload)).toBe(true);
    expect((await preview('photo.jpg', 128)).rawPayload.equals(first.rawPayload)).toBe(true);

    writeFileSync(join(imageDir, 'photo.jpg'), await photo(400, 400, { r: 10, g: 10, b: 220 }));
    const changed = await preview('photo.jpg', 128);
    expect(changed.rawPayload.equals(first.rawPayload)).toBe(false);
    expect(await sharp(changed.rawPayload).metadata()).toMatchObject({ width: 128, height: 128 });
    expect(readdirSync(cacheDir).filter((f) => f.startsWith(`${imageIds['photo.jpg']}-w128-`))).toHaveLength(2);
  });

  it('answers a width out of range with 400 and an undecodable file with 422', async () => {
    expect((await preview('photo.jpg', 5)).statusCode).toBe(400);
    expect((await preview('photo.jpg', 'big' as never)).statusCode).toBe(400);
    const broken = await preview('broken.jpg');
    expect(broken.statusCode).toBe(422);
    expect(broken.json().message).toMatch(/cannot be decoded/);
  });
});

describe('original', () => {
  it('streams the file with its content type', async () => {
    const res = await original('photo.jpg');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.rawPayload.equals(readFileSync(join(imageDir, 'photo.jpg')))).toBe(true);
  });
});

describe('confinement to the image folder', () => {
  it('refuses a file name that climbs out of the folder', async () => {
    for (const res of [await original('../secret.txt'), await preview('../secret.txt')]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('not an image');
    }
  });

  it('refuses a symbolic link pointing outside the folder', async () => {
    for (const res of [await original('link.jpg'), await preview('link.jpg')]) {
      expect(res.statusCode).toBe(403);
      expect(res.body).not.toContain('not an image');
    }
  });

  it('answers a missing file with 404 and a clear message', async () => {
    const res = await original('gone.jpg');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/"gone\.jpg" is missing from the image folder/);
    expect((await preview('gone.jpg')).statusCode).toBe(404);
  });

  it('answers 404 for an image of another project or an unknown project', async () => {
    expect((await get(`/api/projects/${projectId + 1}/images/${imageIds['photo.jpg']}/original`)).statusCode).toBe(404);
    expect((await get(`/api/projects/${projectId}/images/999999/original`)).statusCode).toBe(404);
  });
});

describe('error messages', () => {
  it('name the file as the project records it, never a folder or path of the server, which goes to the log', async () => {
    const logged: string[] = [];
    const stream = { write: (line: string) => logged.push(line) };
    const app = await buildApp({ database: t.database, now: () => t.clock.now, cacheDir: join(t.dir, 'cache-log'), logger: { level: 'warn', stream } });
    try {
      const other = await seedSyntheticProject(t.database, { name: 'folder gone', images: 1, models: 2, seed: 8, allWrong: true, imageDir: join(t.dir, 'gone-folder') });
      const otherImage = (await readRows<{ id: number }>(t.database, 'SELECT id FROM images WHERE project_id = ?', other.projectId))[0]!.id;
      const cases = [
        [await get(`/api/projects/${projectId}/images/${imageIds['broken.jpg']}/preview`, app), 422, 'The image file "broken.jpg" cannot be decoded'],
        [await get(`/api/projects/${projectId}/images/${imageIds['gone.jpg']}/preview`, app), 404, 'The image file "gone.jpg" is missing from the image folder'],
        [await get(`/api/projects/${projectId}/images/${imageIds['gone.jpg']}/original`, app), 404, 'The image file "gone.jpg" is missing from the image folder'],
        [await get(`/api/projects/${projectId}/images/${imageIds['link.jpg']}/original`, app), 403, 'The image file "link.jpg" is outside'],
        [await get(`/api/projects/${other.projectId}/images/${otherImage}/original`, app), 404, "The project's image folder is not on the server"],
        [await get(`/api/projects/${other.projectId}/images/${otherImage}/preview`, app), 404, "The project's image folder is not on the server"],
      ] as const;
      for (const [res, status, message] of cases) {
        expect(res.statusCode, res.body).toBe(status);
        expect(res.json().message).toContain(message);
        expect(res.body).not.toContain(t.dir);
        expect(res.body).not.toMatch(/\/(tmp|home|srv|var|work)\//);
      }
      // The detail an admin needs is in the server's log.
      expect(logged.some((line) => line.includes(join(t.dir, 'gone-folder')))).toBe(true);
      expect(logged.some((line) => line.includes(join(imageDir, 'broken.jpg')))).toBe(true);
    } finally {
      await app.close();
    }
  });
});

describe('image folder override and the missing flag', () => {
  it('marks an item missing when its file is not on disk now, and serves from the override folder', async () => {
    const items = await readRows<{ id: number; file: string }>(t.database, 'SELECT i.id, im.file FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ?', projectId);
    const itemOf = (file: string) => items.find((i) => i.file === file)!.id;
    const view = async (file: string, app = t.app) => (await get(`/api/items/${itemOf(file)}`, app)).json() as ReviewItem;
    expect((await view('photo.jpg')).image.missing).toBe(false);
    expect((await view('gone.jpg')).image.missing).toBe(true);

    const elsewhere = join(t.dir, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'gone.jpg'), await photo(64, 64, { r: 0, g: 255, b: 0 }));
    // A second app on the same database, serving images from another folder (`bagel serve --images`).
    const app = await buildApp({ database: t.database, now: () => t.clock.now, cacheDir: join(t.dir, 'cache2'), imagesDirOverride: elsewhere });
    try {
      expect((await view('gone.jpg', app)).image.missing).toBe(false);
      expect((await view('photo.jpg', app)).image.missing).toBe(true);
      const res = await get(`/api/projects/${projectId}/images/${imageIds['gone.jpg']}/original`, app);
      expect(res.statusCode).toBe(200);
      expect(res.rawPayload.equals(readFileSync(join(elsewhere, 'gone.jpg')))).toBe(true);
    } finally {
      await app.close();
    }
  });
});
