import { defineConfig } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeGeneratedManifest } from '../server/test/generated-manifest';
import { LONG_LIST_ADMIN, LONG_LIST_LEAD } from './e2e/long-list';
import { browserUse } from './playwright.shared';

// Browser tests of the web app against the real server: `bagel demo` on a fresh SQLite file, serving the built web
// app (run `npm run build` first). Projects: `e2e` (the tests), `screenshots` (refreshes docs/review-screen.png,
// docs/lead-desk.png and docs/dashboard.png) and `bench` (the benchmarks in the browser, each printing its figures as
// JSON: Enter to the next image, cold first paint of the review screen). Run one with --project=NAME (and a bench's
// file name to run only it).
const webDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(webDir, '../..');
// BAGEL_E2E_PORT lets two checkouts run their browser tests side by side.
const port = Number(process.env.BAGEL_E2E_PORT ?? 18081);
const baseURL = `http://127.0.0.1:${port}`;

// A fresh database per run, in a folder of its own (the server keeps its preview cache beside the database).
// Playwright evaluates this file in the runner and again in each worker, which inherit the runner's environment: so
// the folder is made once, and global-teardown.ts deletes it after the run.
process.env.BAGEL_E2E_DATABASE ??= join(mkdtempSync(join(tmpdir(), 'bagel-e2e-')), 'demo.sqlite');
const database = process.env.BAGEL_E2E_DATABASE;

// A second server, for the tests that need a project longer than the demo's eleven items: a generated project of 450
// (no image files), in a database of its own beside the demo's (another project in the demo's database would change
// what every other test lands on). Its manifest is written once, by the runner.
const longListPort = port + 1;
const longListDir = join(dirname(database), 'long-list');
if (!existsSync(join(longListDir, 'manifest.json'))) {
  mkdirSync(longListDir, { recursive: true });
  writeGeneratedManifest(longListDir, { name: 'Long list', images: 450, models: 2, seed: 4 });
}
process.env.BAGEL_E2E_LONG_LIST_URL = `http://127.0.0.1:${longListPort}`;
const bagel = (args: string) => `node apps/server/dist/bagel.js ${args}`;
const longListDatabase = JSON.stringify(join(longListDir, 'long-list.sqlite'));

export default defineConfig({
  testDir: './e2e',
  // A test signs in several accounts and judges several items through the real server: 60 s leaves room on 2 cores.
  timeout: 60_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  // One demo database for the whole run: the queue is shared state, so tests run one after the other.
  workers: 1,
  retries: 0,
  globalTeardown: './e2e/global-teardown.ts',
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: resolve(repoRoot, '.reports/playwright.json') }]],
  outputDir: resolve(repoRoot, '.reports/playwright-output'),
  use: { baseURL, ...browserUse },
  projects: [
    { name: 'e2e', testMatch: /.*\.spec\.ts$/ },
    // The review screen is shot first, on a demo nobody has judged yet; the desk and the dashboard then judge most of it.
    { name: 'screenshots:review-screen', testMatch: /review-screen\.screenshot\.ts$/ },
    { name: 'screenshots', testMatch: /lead-desk\.screenshot\.ts$/, dependencies: ['screenshots:review-screen'] },
    // No trace: its snapshotter serialises the page inside the browser on every action, in the time being measured.
    { name: 'bench', testMatch: /\.bench\.ts$/, timeout: 120_000, use: { trace: 'off' } },
  ],
  webServer: [
    {
      command: bagel(`demo --db ${JSON.stringify(database)} --port ${port} --host 127.0.0.1`),
      cwd: repoRoot,
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 2000 },
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // `exec`: the server is the shell's process, so Playwright's SIGTERM reaches it.
      command: [
        `[ -e ${longListDatabase} ] || { ${bagel(`import ${JSON.stringify(join(longListDir, 'manifest.json'))} --db ${longListDatabase} --progress off`)} >/dev/null`,
        `&& echo ${LONG_LIST_LEAD.password} | ${bagel(`users add ${LONG_LIST_LEAD.username} --role lead --password-stdin --db ${longListDatabase}`)} >/dev/null`,
        `&& echo ${LONG_LIST_ADMIN.password} | ${bagel(`users add ${LONG_LIST_ADMIN.username} --role admin --password-stdin --db ${longListDatabase}`)} >/dev/null; }`,
        `&& exec ${bagel(`serve --db ${longListDatabase} --port ${longListPort} --host 127.0.0.1`)}`,
      ].join(' '),
      cwd: repoRoot,
      url: `${process.env.BAGEL_E2E_LONG_LIST_URL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 2000 },
      stdout: 'ignore',
      stderr: 'pipe',
    },
  ],
});
