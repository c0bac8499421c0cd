import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The monorepo's root: the nearest folder above this module whose package.json declares workspaces. Found by walking
 * up, so it is the same whether this code runs from src/ under tsx or from the bundle in apps/server/dist.
 */
export function findRepoRoot(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ('workspaces' in JSON.parse(readFileSync(manifest, 'utf8'))) return dir;
      } catch {
        // An unreadable package.json is not the root; keep walking.
      }
    }
    if (dirname(dir) === dir) return null;
  }
}

/** The built web app, when it has been built. */
export function builtWebAppDir(root = findRepoRoot()): string | undefined {
  if (!root) return undefined;
  const dist = join(root, 'apps', 'web', 'dist');
  return existsSync(join(dist, 'index.html')) ? dist : undefined;
}

/** Rendered previews of a database live beside it, under cache/ (git-ignored for the demo's data/ folder). */
export function previewCacheDir(dbFile: string): string {
  const name = dbFile.replace(/^.*[\\/]/, '').replace(/\.[^.]*$/, '');
  return join(dirname(dbFile), 'cache', name);
}
