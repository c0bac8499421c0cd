import { defineConfig } from '@playwright/test';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserUse } from './playwright.shared';

// Browser tests of the review loop on PostgreSQL, with two `bagel serve` instances behind nginx (deploy/nginx.conf),
// all started by e2e-postgres/servers.ts on a throwaway PostgreSQL cluster holding the demo. The other browser tests
// run on SQLite (playwright.config.ts). Run `npm run build` first (the instances serve the built web app).
const webDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(webDir, '../..');
const port = Number(process.env.BAGEL_E2E_POSTGRES_PORT ?? 18091);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './e2e-postgres',
  timeout: 60_000,
  expect: { timeout: 5_000 },
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: resolve(repoRoot, '.reports/playwright-postgres.json') }]],
  outputDir: resolve(repoRoot, '.reports/playwright-postgres-output'),
  use: { baseURL, ...browserUse },
  webServer: {
    command: `npx tsx apps/web/e2e-postgres/servers.ts ${port}`,
    cwd: repoRoot,
    url: `${baseURL}/api/health/ready`,
    reuseExistingServer: false,
    timeout: 120_000,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
