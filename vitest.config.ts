import { defineConfig } from 'vitest/config';

// One Vitest run over every workspace; each project runs in Node (the web app's pure UI logic needs no DOM:
// the review screen itself is tested in a real browser by Playwright, see apps/web/e2e).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'contracts', root: 'packages/contracts', include: ['src/**/*.test.ts'] } },
      { test: { name: 'core', root: 'packages/core', include: ['src/**/*.test.ts'], testTimeout: 20000 } },
      // The server project's tests get one throwaway PostgreSQL cluster for the run (test/global-setup-postgres.ts).
      {
        test: {
          name: 'server',
          root: 'apps/server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['test/global-setup-postgres.ts'],
          testTimeout: 20000,
          hookTimeout: 60000,
        },
      },
      { test: { name: 'web', root: 'apps/web', include: ['src/**/*.test.ts'] } },
    ],
  },
});
