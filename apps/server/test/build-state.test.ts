import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_TARGETS, staleTargets } from '../../../scripts/build-state.mjs';

// `npm start` builds only what is older than its sources (scripts/prepare-start.mjs): the check, on a made-up tree.
const root = mkdtempSync(join(tmpdir(), 'bagel-build-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
function touch(path: string, time: Date): void {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  utimesSync(file, time, time);
}

describe('staleTargets', () => {
  it('rebuilds what was never built', () => {
    touch('apps/web/src/main.tsx', at(0));
    expect(staleTargets(root).map((t) => [t.name, t.reason])).toEqual([
      ['web', 'apps/web/dist/index.html is missing'],
      ['server', 'apps/server/dist/bagel.js is missing'],
    ]);
  });

  it('skips the build when every output is newer than every source', () => {
    touch('apps/web/src/features/review/Review.tsx', at(1));
    touch('apps/server/src/app.ts', at(1));
    touch('packages/core/src/index.ts', at(1));
    touch('package-lock.json', at(1));
    touch('apps/web/dist/index.html', at(2));
    touch('apps/server/dist/bagel.js', at(2));
    expect(staleTargets(root)).toEqual([]);
  });

  it('rebuilds only the target whose sources changed, naming the newer file; a shared package rebuilds both', () => {
    touch('apps/server/src/features/auth/routes.ts', at(3));
    expect(staleTargets(root)).toEqual([
      { name: 'server', workspace: '@bagel/server', reason: 'apps/server/src/features/auth/routes.ts is newer than apps/server/dist/bagel.js' },
    ]);
    touch('apps/server/dist/bagel.js', at(4));
    touch('packages/contracts/src/review.ts', at(5));
    expect(staleTargets(root).map((t) => t.name)).toEqual(['web', 'server']);
    touch('apps/web/dist/index.html', at(6));
    touch('apps/server/dist/bagel.js', at(6));
    touch('package-lock.json', at(7));
    expect(staleTargets(root).map((t) => t.name)).toEqual(['web', 'server']);
  });

  it('ignores test files, which no build reads', () => {
    touch('apps/web/dist/index.html', at(8));
    touch('apps/server/dist/bagel.js', at(8));
    touch('apps/web/src/lib/links.test.ts', at(9));
    touch('packages/core/src/search-vocabulary.test.ts', at(9));
    expect(staleTargets(root)).toEqual([]);
  });

  it('watches the sources the builds read, on this repository too', () => {
    for (const target of BUILD_TARGETS) {
      expect(target.sources).toContain('packages/core/src');
      expect(target.sources).toContain('packages/contracts/src');
    }
    expect(BUILD_TARGETS.find((t) => t.name === 'web')?.sources).toContain('apps/web/src');
    expect(BUILD_TARGETS.find((t) => t.name === 'server')?.sources).toContain('apps/server/src');
  });
});
