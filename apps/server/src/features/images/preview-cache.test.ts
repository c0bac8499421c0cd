import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../plugins/errors';
import { createPreviewCache, type PreviewImage } from './preview-cache';

// The preview cache on a real folder, with real images rendered by sharp.

const dir = mkdtempSync(join(tmpdir(), 'bagel-previews-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const images: PreviewImage[] = [];
beforeAll(async () => {
  mkdirSync(join(dir, 'images'));
  for (let i = 0; i < 6; i++) {
    const path = join(dir, 'images', `photo-${i}.png`);
    // Noise, so that previews have a size worth counting.
    const pixels = Buffer.alloc(300 * 200 * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = (p * 7919 + i * 104729) % 251;
    writeFileSync(path, await sharp(pixels, { raw: { width: 300, height: 200, channels: 3 } }).png().toBuffer());
    const stats = statSync(path);
    images.push({ projectId: 1, imageId: i + 1, file: `photo-${i}.png`, version: `${Math.trunc(stats.mtimeMs)}-${stats.size}`, input: async () => path, location: path });
  }
});

const previewFiles = (cacheDir: string) => {
  const folder = join(cacheDir, 'previews', '1');
  return existsSync(folder) ? readdirSync(folder).sort() : [];
};
const bytesOnDisk = (cacheDir: string) => previewFiles(cacheDir).reduce((sum, f) => sum + statSync(join(cacheDir, 'previews', '1', f)).size, 0);
const imageIdsCached = (cacheDir: string) => previewFiles(cacheDir).map((f) => Number(f.split('-')[0]));

describe('preview cache', () => {
  it('keeps at most its size on disk, removing the least recently used previews first', async () => {
    const cacheDir = join(dir, 'bounded');
    // How large one preview is: the budget is three of them (the noise images are all about the same size).
    const probe = createPreviewCache({ dir: join(dir, 'probe'), maxBytes: 1e9 });
    const sizes = await Promise.all(images.map(async (image) => (await probe.get(image, 128)).length));
    const budget = Math.max(...sizes) * 3 + 10;

    const cache = createPreviewCache({ dir: cacheDir, maxBytes: budget });
    for (const image of images.slice(0, 3)) await cache.get(image, 128);
    expect(imageIdsCached(cacheDir)).toEqual([1, 2, 3]);
    // 1 is used again, so 2 is now the least recently used and goes when 4 comes in.
    await cache.get(images[0]!, 128);
    await cache.get(images[3]!, 128);
    expect(imageIdsCached(cacheDir)).toEqual([1, 3, 4]);
    await cache.get(images[4]!, 128);
    expect(imageIdsCached(cacheDir)).toEqual([1, 4, 5]);
    expect(bytesOnDisk(cacheDir)).toBeLessThanOrEqual(budget);
    expect(cache.bytes).toBe(bytesOnDisk(cacheDir));
    expect(cache.count).toBe(3);
    // What is answered is the same whether rendered now or read from the cache.
    const again = await cache.get(images[4]!, 128);
    expect(again.equals(await probe.get(images[4]!, 128))).toBe(true);
  });

  it('finds its previews again after a restart, in their order of use, and fits a smaller size at once', async () => {
    const cacheDir = join(dir, 'restart');
    const first = createPreviewCache({ dir: cacheDir, maxBytes: 1e9 });
    for (const image of images.slice(0, 4)) await first.get(image, 128);
    // Used in the order 3, 1, 4, 2 (file times one second apart).
    const folder = join(cacheDir, 'previews', '1');
    const order = [3, 1, 4, 2];
    for (const f of previewFiles(cacheDir)) {
      const t = new Date(Date.UTC(2025, 0, 1, 0, 0, order.indexOf(Number(f.split('-')[0]))));
      utimesSync(join(folder, f), t, t);
    }
    // A write interrupted by a crash left a temporary file.
    writeFileSync(join(folder, '9-w128-1-1.webp.123.abc.tmp'), 'half');

    // Room for the two most recently used (4 and 2), not for a third.
    const sizeOf = (id: number) => statSync(join(folder, previewFiles(cacheDir).find((f) => f.startsWith(`${id}-`))!)).size;
    const budget = sizeOf(4) + sizeOf(2);
    const second = createPreviewCache({ dir: cacheDir, maxBytes: budget });
    await new Promise((resolve) => setTimeout(resolve, 50)); // removals run in the background at start
    expect(readdirSync(folder).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(imageIdsCached(cacheDir)).toEqual([2, 4]);
    expect(second.bytes).toBe(bytesOnDisk(cacheDir));
    expect(second.bytes).toBeLessThanOrEqual(budget);
  });

  it('keeps nothing with a size of 0, and still answers', async () => {
    const cacheDir = join(dir, 'none');
    const cache = createPreviewCache({ dir: cacheDir, maxBytes: 0 });
    const preview = await cache.get(images[0]!, 64);
    expect((await sharp(preview).metadata()).format).toBe('webp');
    expect(previewFiles(cacheDir)).toEqual([]);
  });

  it('renders a preview once for concurrent requests', async () => {
    const cacheDir = join(dir, 'concurrent');
    const cache = createPreviewCache({ dir: cacheDir, maxBytes: 1e9 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => cache.get(images[5]!, 200)));
    expect(answers.every((a) => a === answers[0])).toBe(true);
    expect(previewFiles(cacheDir)).toHaveLength(1);
  });

  it('renders fetched bytes too, asking for them only when the preview of that version is not cached', async () => {
    const cache = createPreviewCache({ dir: join(dir, 'bytes'), maxBytes: 1e9 });
    const bytes = readFileSync(images[2]!.location);
    let fetched = 0;
    const remote = (version: string): PreviewImage => ({
      projectId: 1,
      imageId: 50,
      file: 'remote.png',
      version,
      input: async () => (fetched++, bytes),
      location: 'https://images.example.org/remote.png',
    });
    const first = await cache.get(remote('r1'), 96);
    expect(await sharp(first).metadata()).toMatchObject({ format: 'webp', width: 96, height: 64 });
    expect((await cache.get(remote('r1'), 96)).equals(first)).toBe(true);
    expect(fetched).toBe(1);
    await cache.get(remote('r2'), 96);
    expect(fetched).toBe(2);
  });

  it('lets a refusal of the source through, without rendering', async () => {
    const cache = createPreviewCache({ dir: join(dir, 'refused'), maxBytes: 1e9 });
    const refusal = new ApiError(404, 'The image file "gone.png" is missing from the image source', 'NOT_FOUND');
    const image: PreviewImage = { projectId: 1, imageId: 51, file: 'gone.png', version: 'r', input: () => Promise.reject(refusal), location: 'x' };
    await expect(cache.get(image, 64)).rejects.toBe(refusal);
  });

  it('refuses an undecodable file with 422 and a message that names no server path', async () => {
    const path = join(dir, 'images', 'broken.jpg');
    writeFileSync(path, 'not a jpeg');
    const cache = createPreviewCache({ dir: join(dir, 'broken'), maxBytes: 1e9 });
    const error = await cache.get({ projectId: 1, imageId: 99, file: 'broken.jpg', version: 'v1', input: async () => path, location: path }, 64).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).statusCode).toBe(422);
    expect((error as ApiError).message).toBe('The image file "broken.jpg" cannot be decoded (not an image format the server reads, or a damaged file)');
    expect((error as ApiError).serverDetail).toContain(path);
  });
});
