#!/usr/bin/env node
// Benchmark: keypress Enter to the next item's image painted, in Debian's chromium on the demo (target: median
// < 50 ms), with a baseline measured in the same run (a `j` keypress to its paint). Builds first, then runs the
// Playwright project `bench` (apps/web/e2e/enter-to-next.bench.ts), which prints the figures as JSON.
//
//   node scripts/bench/enter-to-next.mjs      (or: npm run bench:enter-to-next)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
run('node', ['scripts/setup.mjs', '--quiet', '--browser']);
run('npm', ['run', '--silent', 'build']);
run('npx', ['playwright', 'test', '-c', 'apps/web/playwright.config.ts', '--project=bench', '--reporter=list', 'enter-to-next.bench.ts']);
