// A sign-in flood cannot starve the other requests: password hashes run through a bounded queue (at most 2 at once
// in libuv's thread pool, which file reads and sharp share), and beyond its length sign-ins are refused with 503.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { passwordHasher } from '../src/features/users/password';
import { createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// Each test checks several passwords one after another (scrypt, ~100 ms alone, seconds on a busy machine).
const HASHING_TIMEOUT_MS = 90_000;

const opened: TestApp[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

const signIn = (t: TestApp, username: string, password: string, remoteAddress: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });

describe('the password hashing queue', { timeout: HASHING_TIMEOUT_MS }, () => {
  it('refuses sign-ins beyond its length with 503 BUSY and Retry-After, and serves again once drained', async () => {
    const t = await createTestApp({ passwordHashing: { concurrency: 1, maxQueued: 2 } });
    opened.push(t);
    await createUser(t.database, 'carol', 'expert', 'carol-password');
    // Distinct accounts and addresses: the failed sign-in limits have nothing to say here.
    const flood = await Promise.all(Array.from({ length: 8 }, (_, i) => signIn(t, `nobody${i}`, 'password1', `10.0.${i}.1`)));
    const statuses = flood.map((res) => res.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    const busy = flood.filter((res) => res.statusCode === 503);
    expect(busy).toHaveLength(5);
    for (const res of busy) {
      expect(res.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(res.json()).toMatchObject({ statusCode: 503, code: 'BUSY', message: expect.stringContaining('busy') });
    }
    expect((await signIn(t, 'carol', 'carol-password', '10.1.0.1')).statusCode).toBe(200);
  });

  it('leaves the thread pool to image previews during a sign-in flood', async () => {
    const t = await createTestApp();
    opened.push(t);
    const imageDir = join(t.dir, 'images');
    mkdirSync(imageDir, { recursive: true });
    writeFileSync(join(imageDir, 'photo.jpg'), await sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 20, g: 120, b: 200 } } }).jpeg().toBuffer());
    const { projectId } = await seedSyntheticProject(t.database, { name: 'p', images: 1, models: 1, seed: 3, imageDir });
    const imageId = (await readRows<{ id: number }>(t.database, 'SELECT id FROM images WHERE project_id = ?', projectId))[0]!.id;
    await readRows(t.database, 'UPDATE images SET file = ? WHERE id = ?', 'photo.jpg', imageId);
    await createUser(t.database, 'viewer', 'expert', 'viewer-password');
    const cookie = await login(t.app, 'viewer', 'viewer-password');
    const preview = (width: number) => t.app.inject({ url: `/api/projects/${projectId}/images/${imageId}/preview?width=${width}`, headers: { cookie } });
    expect((await preview(300)).statusCode).toBe(200);

    const floodStart = performance.now();
    const flood = Promise.all(Array.from({ length: 12 }, (_, i) => signIn(t, `nobody${i}`, 'password1', `10.2.${i}.1`)));
    while (passwordHasher.load.running < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    // A width not rendered before: read, resized by sharp and written to the cache, all in the thread pool.
    const previewStart = performance.now();
    const res = await preview(301);
    const previewMs = performance.now() - previewStart;
    expect(res.statusCode).toBe(200);
    const answers = await flood;
    const floodMs = performance.now() - floodStart;
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(401));
    // Unbounded, the preview's file and image work would wait behind every hash queued before it (about 2/3 of the
    // flood with libuv's 4 threads); bounded, it runs beside the 2 hashes under way.
    expect(previewMs, `preview ${previewMs.toFixed(0)} ms during a flood of ${floodMs.toFixed(0)} ms`).toBeLessThan(floodMs / 4);
  });
});
