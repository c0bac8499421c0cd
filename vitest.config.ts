import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// One Vitest run over every workspace; each project runs in Node (the web app's pure UI logic needs no DOM:
// the review screen itself is tested in a real browser by Playwright, see apps/web/e2e).
/** The API suites that also run on PostgreSQL (apps/server/test/NAME.test.ts). */
const POSTGRES_SUITES = [
  'adaptive-panel',
  'auth',
  'background-reaggregation',
  'bad-input',
  'busy-server',
  'caching',
  'class-images',
  'cli',
  'consensus',
  'dashboard',
  'dawid-skene-aggregation',
  'discussion',
  'drafts',
  'export-streaming',
  'expert-reliability',
  'exports',
  'field-readers',
  'gold-items',
  'imported-gold',
  'guide',
  'images',
  'import-while-serving',
  'item-browser-pages',
  'lead',
  'login-limits',
  'model-evidence',
  'my-verdicts',
  'openapi-docs',
  'panel',
  'password-hashing-load',
  'remote-images',
  'review',
  'review-concurrent-writes',
  'security-headers',
  'serve-limits',
  'trust-proxy',
  'users',
  'verdict-idempotency',
];

export default defineConfig({
  test: {
    // At least two test files at a time, even on two cores (Vitest's default would be one): the server's tests spend
    // much of their time waiting for PostgreSQL, spawned `bagel` processes and timers (9.5 min alone, 6 min two at a time).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { test: { name: 'contracts', root: 'packages/contracts', include: ['src/**/*.test.ts'] } },
      { test: { name: 'core', root: 'packages/core', include: ['src/**/*.test.ts'], testTimeout: 20000 } },
      // The server's tests run on SQLite, each server project with one throwaway PostgreSQL cluster for the run
      // (test/global-setup-postgres.ts) for the tests of PostgreSQL itself (two engines, several instances, migrate-db).
      {
        test: {
          name: 'server',
          root: 'apps/server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/global-setup-postgres.ts'],
          provide: { testEngine: 'sqlite' },
          testTimeout: 20000,
          hookTimeout: 60000,
        },
      },
      // The API suites again, on PostgreSQL: createTestApp builds the app on a database of its own in the cluster. A
      // suite joins this list once it no longer reads SQLite directly (test-app.ts: readRows reads either engine).
      {
        test: {
          name: 'server-postgres',
          root: 'apps/server',
          include: POSTGRES_SUITES.map((name) => `test/${name}.test.ts`),
          globalSetup: ['test/global-setup-postgres.ts'],
          provide: { testEngine: 'postgres' },
          testTimeout: 20000,
          hookTimeout: 60000,
        },
      },
      { test: { name: 'web', root: 'apps/web', include: ['src/**/*.test.ts'] } },
    ],
  },
});
