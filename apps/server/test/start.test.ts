import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_TARGETS, staleTargets } from '../../../scripts/build-state.mjs';

// `npm start` (scripts/prepare-start.mjs) checks the port first, then builds only what is older than its sources.
const PREPARE_START = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'prepare-start.mjs');
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

describe('npm start, before anything is built', () => {
  it('says clearly that the port is taken and which variable to set, and stops', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const res = spawnSync(process.execPath, [PREPARE_START], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' } });
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`port ${port} is in use on 127.0.0.1; set PORT to another one`);
      expect(res.stdout).not.toContain('building');
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('refuses a PORT that is no port number', () => {
    const res = spawnSync(process.execPath, [PREPARE_START], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PORT: 'eighty' } });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('PORT=eighty is not a port number (0-65535)');
  });
});
