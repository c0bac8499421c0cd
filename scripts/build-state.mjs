// Whether the build outputs are older than their sources, so that `npm start` rebuilds only when something changed
// (`npm run build` always rebuilds). A target is stale when its output is missing or older than the newest file of
// its sources (tests excluded); the check reads file times only, so it takes milliseconds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What each build makes, from what (paths relative to the repository). */
export const BUILD_TARGETS = [
  {
    name: 'web',
    workspace: '@bagel/web',
    output: 'apps/web/dist/index.html',
    sources: [
      'apps/web/src',
      'apps/web/index.html',
      'apps/web/vite.config.ts',
      'apps/web/package.json',
      'packages/contracts/src',
      'packages/core/src',
      'package-lock.json',
    ],
  },
  {
    name: 'server',
    workspace: '@bagel/server',
    output: 'apps/server/dist/bagel.js',
    sources: ['apps/server/src', 'apps/server/build.mjs', 'apps/server/package.json', 'packages/contracts/src', 'packages/core/src', 'package-lock.json'],
  },
];

const isTest = (name) => /\.test\.[cm]?[jt]sx?$/.test(name);

/** The most recently modified file under `path` (a file or a folder, walked), tests excluded; null when there is none. */
function newestFile(path) {
  if (!existsSync(path)) return null;
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest = null;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isFile() && isTest(entry.name)) continue;
    const found = newestFile(join(path, entry.name));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/**
 * The targets to rebuild under `root`, each with why (its output is missing, or which source is newer than it).
 * @param {string} root
 * @param {typeof BUILD_TARGETS} [targets]
 * @returns {{ name: string; workspace: string; reason: string }[]}
 */
export function staleTargets(root, targets = BUILD_TARGETS) {
  const stale = [];
  for (const target of targets) {
    const output = join(root, target.output);
    if (!existsSync(output)) {
      stale.push({ name: target.name, workspace: target.workspace, reason: `${target.output} is missing` });
      continue;
    }
    const built = statSync(output).mtimeMs;
    let newest = null;
    for (const source of target.sources) {
      const found = newestFile(join(root, source));
      if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
    }
    if (newest && newest.mtimeMs > built) {
      stale.push({ name: target.name, workspace: target.workspace, reason: `${relative(root, newest.path)} is newer than ${target.output}` });
    }
  }
  return stale;
}
