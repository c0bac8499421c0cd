import { realpathSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { ApiError, forbidden } from '../../plugins/errors';

type Located = { found: true; path: string; stats: Stats } | { found: false; reason: 'no-folder' | 'outside' | 'missing' };

const isInside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
};

const realPath = (path: string): string | null => {
  try {
    return realpathSync.native(path);
  } catch {
    return null;
  }
};

/**
 * Finds an image file, guaranteed to lie inside the real image folder. Checked twice: the name as written
 * (`../secret.txt` is refused even when no such file exists), then after resolving symbolic links (a link inside
 * the folder pointing outside is refused too). Answers instead of throwing, as the review screen asks for every item.
 */
export function locateImageFile(imageDir: string, file: string): Located {
  const root = realPath(imageDir);
  if (root === null) return { found: false, reason: 'no-folder' };
  if (!isInside(root, resolve(root, file))) return { found: false, reason: 'outside' };
  const path = realPath(resolve(root, file));
  if (path === null) return { found: false, reason: 'missing' };
  if (!isInside(root, path)) return { found: false, reason: 'outside' };
  const stats = statSync(path);
  return stats.isFile() ? { found: true, path, stats } : { found: false, reason: 'missing' };
}

/**
 * The real path of an image file inside the image folder: 403 for a file outside it, 404 for a missing file or folder.
 * The answers name the file as the project records it (the review screen shows it too), never the server's folders:
 * those go to the log.
 */
export function resolveImageFile(imageDir: string, file: string): { path: string; stats: Stats } {
  const located = locateImageFile(imageDir, file);
  if (located.found) return located;
  switch (located.reason) {
    case 'no-folder':
      throw new ApiError(
        404,
        "The project's image folder is not on the server (an admin can start the server with --images DIR to point at it)",
        'NOT_FOUND',
        {},
        { serverDetail: `image folder ${imageDir} does not exist` },
      );
    case 'outside':
      throw forbidden(`The image file "${file}" is outside the project's image folder`);
    case 'missing':
      throw new ApiError(404, `The image file "${file}" is missing from the image folder`, 'NOT_FOUND', {}, { serverDetail: `no file ${file} in ${imageDir}` });
  }
}

/** Whether an image can be served now (the review screen marks it missing otherwise). */
export function imageFileAvailable(imageDir: string, file: string): boolean {
  return locateImageFile(imageDir, file).found;
}
