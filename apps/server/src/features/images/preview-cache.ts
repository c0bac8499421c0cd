import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ApiError } from '../../plugins/errors';

/**
 * A WebP preview that fits in width x width (never enlarged), rendered once by sharp and kept on disk. The cache key
 * holds the file's mtime and size, so a replaced image is rendered again rather than served stale.
 */
export async function previewOf(
  cacheDir: string,
  image: { projectId: number; imageId: number; path: string; stats: Stats },
  width: number,
): Promise<Buffer> {
  const dir = join(cacheDir, 'previews', String(image.projectId));
  const cached = join(dir, `${image.imageId}-w${width}-${Math.trunc(image.stats.mtimeMs)}-${image.stats.size}.webp`);
  try {
    return await readFile(cached);
  } catch {
    // Not rendered yet.
  }
  let preview: Buffer;
  try {
    preview = await sharp(image.path)
      .rotate() // honour EXIF orientation: photographs from phones are often stored sideways
      .resize({ width, height: width, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer();
  } catch (error) {
    throw new ApiError(422, `The image file cannot be decoded: ${(error as Error).message}`, 'UNREADABLE_IMAGE');
  }
  await mkdir(dir, { recursive: true });
  // Write then rename: a concurrent request never reads a half-written preview.
  const temporary = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, preview);
  await rename(temporary, cached);
  return preview;
}
