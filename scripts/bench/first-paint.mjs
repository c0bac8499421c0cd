#!/usr/bin/env node
// Benchmark: cold first paint of the review screen (navigation start to the item's image painted, each load in a
// fresh browser context: empty cache, new connection), in Debian's chromium, on the demo (1,000 classes; target:
// median < 500 ms) and on the demo's images imported again with 21,841 classes into the same server (target: within
// 10% of the 1,000-class project's), and keystroke to results in the add-class search with 21,841 classes (target:
// p90 < 30 ms). Baselines measured in the same run: a cold navigation to /api/health, and a j/k keypress to its
// paint. Builds first, then runs apps/web/e2e/first-paint.bench.ts in the Playwright project `bench`, which prints
// the figures as JSON (with the requests of the median load, to see what it waited for).
//
//   node scripts/bench/first-paint.mjs      (or: npm run bench:first-paint)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
run('node', ['scripts/setup.mjs', '--quiet', '--browser']);
run('npm', ['run', '--silent', 'build']);
run('npx', ['playwright', 'test', '-c', 'apps/web/playwright.config.ts', '--project=bench', '--reporter=list', 'first-paint.bench.ts']);
