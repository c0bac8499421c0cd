import { readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { ApiError } from '../../plugins/errors';

/** What the cache may hold on disk unless told otherwise (`bagel serve --preview-cache-mb`): 2 GiB. */
export const DEFAULT_PREVIEW_CACHE_BYTES = 2 * 1024 ** 3;

export interface PreviewImage {
  projectId: number;
  imageId: number;
  /** The file's name as the project records it (for messages). */
  file: string;
  /** Changes when the image is replaced (a file's mtime and size; a remote object's ETag): part of the key. */
  version: string;
  /** What sharp reads: a path on the server or the fetched bytes; asked only when the preview is not cached. */
  input(): Promise<string | Buffer>;
  /** Where the image is, for the log (never answered). */
  location: string;
}

interface Logger {
  warn(object: object, message: string): void;
}

export interface PreviewCacheOptions {
  /** The cache's folder; previews go under `previews/<projectId>/`. */
  dir: string;
  /** At most this many bytes of previews on disk; the least recently used are removed beyond it. 0: keep none. */
  maxBytes: number;
  log?: Logger;
}

const silent: Logger = { warn: () => {} };

/**
 * WebP previews that fit in width x width (never enlarged), rendered by sharp and kept on disk, at most `maxBytes` of
 * them: beyond that, the least recently used previews are deleted. The key holds the image's version (a file's mtime
 * and size, a remote object's ETag), so a replaced image is rendered again rather than served stale (its old previews
 * are simply used no more, and go first). The image's bytes are read (or fetched) only for a preview not cached.
 *
 * The cache's index (each preview's size, in order of last use) lives in memory; at start it is rebuilt from the
 * folder, ordered by the files' modification times, which every use moves forward, so the order survives a restart.
 * Leftover temporary files of an interrupted write are removed then. Concurrent requests for the same preview share
 * one rendering. A preview that cannot be stored (a full disk) is still answered, and the failure logged.
 */
export function createPreviewCache(options: PreviewCacheOptions) {
  const root = join(options.dir, 'previews');
  const log = options.log ?? silent;
  /** Relative path → bytes, least recently used first (a Map keeps insertion order). */
  const index = new Map<string, number>();
  let bytes = 0;
  const rendering = new Map<string, Promise<Buffer>>();

  function record(key: string, size: number): void {
    const old = index.get(key);
    if (old !== undefined) {
      index.delete(key);
      bytes -= old;
    }
    index.set(key, size);
    bytes += size;
  }

  function forget(key: string): void {
    const size = index.get(key);
    if (size === undefined) return;
    index.delete(key);
    bytes -= size;
  }

  /** Removes the least recently used previews until the cache fits. */
  function evict(): Promise<unknown> {
    const removals: Promise<void>[] = [];
    for (const [key, size] of index) {
      if (bytes <= options.maxBytes) break;
      index.delete(key);
      bytes -= size;
      removals.push(unlink(join(root, key)).catch(() => {}));
    }
    return Promise.all(removals);
  }

  function scan(): void {
    let projects: string[];
    try {
      projects = readdirSync(root);
    } catch {
      return; // no cache yet
    }
    const found: { key: string; size: number; used: number }[] = [];
    for (const project of projects) {
      let names: string[];
      try {
        names = readdirSync(join(root, project));
      } catch {
        continue;
      }
      for (const name of names) {
        const key = join(project, name);
        if (name.endsWith('.tmp')) {
          rmSync(join(root, key), { force: true });
          continue;
        }
        if (!name.endsWith('.webp')) continue;
        try {
          const stats = statSync(join(root, key));
          if (stats.isFile()) found.push({ key, size: stats.size, used: stats.mtimeMs });
        } catch {
          // Removed meanwhile.
        }
      }
    }
    found.sort((a, b) => a.used - b.used);
    for (const entry of found) record(entry.key, entry.size);
  }

  async function render(image: PreviewImage, width: number): Promise<Buffer> {
    // A source that cannot give the image answers for itself (404, 403), before sharp is involved.
    const input = await image.input();
    try {
      return await sharp(input)
        .rotate() // honour EXIF orientation: photographs from phones are often stored sideways
        .resize({ width, height: width, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 82 })
        .toBuffer();
    } catch (error) {
      // sharp's message names the file's path on the server: it goes to the log only.
      throw new ApiError(
        422,
        `The image file "${image.file}" cannot be decoded (not an image format the server reads, or a damaged file)`,
        'UNREADABLE_IMAGE',
        {},
        { serverDetail: `${image.location}: ${(error as Error).message}` },
      );
    }
  }

  async function store(key: string, preview: Buffer): Promise<void> {
    if (preview.length > options.maxBytes) return;
    const path = join(root, key);
    try {
      await mkdir(dirname(path), { recursive: true });
      // Write then rename: a concurrent request never reads a half-written preview.
      const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temporary, preview);
      await rename(temporary, path);
    } catch (error) {
      log.warn({ err: error }, 'a preview could not be stored in the cache');
      return;
    }
    record(key, preview.length);
    await evict();
  }

  scan();
  // Made smaller since the last start: fit at once.
  if (bytes > options.maxBytes) void evict();

  return {
    /** The preview of an image at a width: from the cache, or rendered (and stored) now. 422 UNREADABLE_IMAGE. */
    async get(image: PreviewImage, width: number): Promise<Buffer> {
      const key = join(String(image.projectId), `${image.imageId}-w${width}-${image.version}.webp`);
      try {
        const cached = await readFile(join(root, key));
        record(key, cached.length);
        const now = new Date();
        void utimes(join(root, key), now, now).catch(() => {});
        return cached;
      } catch {
        forget(key); // not rendered yet, or removed
      }
      let pending = rendering.get(key);
      if (!pending) {
        pending = render(image, width).then(async (preview) => {
          await store(key, preview);
          return preview;
        });
        const shared = pending.finally(() => rendering.delete(key));
        rendering.set(key, shared);
        pending = shared;
      }
      return pending;
    },
    /** Bytes of previews on disk, as the cache counts them. */
    get bytes(): number {
      return bytes;
    },
    /** Previews on disk. */
    get count(): number {
      return index.size;
    },
  };
}
export type PreviewCache = ReturnType<typeof createPreviewCache>;
