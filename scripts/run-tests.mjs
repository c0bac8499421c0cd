#!/usr/bin/env node
// Runs every test of the project (type check, unit and API tests with Vitest, browser tests with Playwright) and
// ends with one line summed over all runners, read from their JSON reports: `N passed, N failed[, N skipped]`.
// Exits non-zero when anything failed or when no test ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, '.reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const step = (title, cmd, args) => {
  console.log(`\n=== ${title}: ${cmd} ${args.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  console.log(`=== ${title}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status === 0;
};

// The type check counts as one test: it passes or fails as a whole.
if (step('typecheck', 'npm', ['run', '--silent', 'typecheck'])) totals.passed++;
else totals.failed++;

const vitestReport = join(reports, 'vitest.json');
const vitestOk = step('unit and API tests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`]);
if (existsSync(vitestReport)) {
  const r = JSON.parse(readFileSync(vitestReport, 'utf8'));
  totals.passed += r.numPassedTests;
  totals.failed += r.numFailedTests;
  totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  // A suite that fails to load has no failed test in it, but the run failed: count it.
  if (!vitestOk && r.numFailedTests === 0) totals.failed += Math.max(1, r.numFailedTestSuites ?? 0);
} else if (!vitestOk) totals.failed++;

const buildOk = step('build', 'npm', ['run', '--silent', 'build']);
if (!buildOk) totals.failed++;

/** Runs one Playwright configuration and adds its JSON report's counts to the totals. */
function browserTests(title, config, report, args = []) {
  const ok = step(title, 'npx', ['playwright', 'test', '-c', config, ...args]);
  if (existsSync(report)) {
    const stats = JSON.parse(readFileSync(report, 'utf8')).stats;
    totals.passed += stats.expected;
    totals.failed += stats.unexpected + stats.flaky;
    totals.skipped += stats.skipped;
    if (!ok && stats.unexpected === 0) totals.failed++;
  } else if (!ok) totals.failed++;
}

if (buildOk) {
  browserTests('browser tests', 'apps/web/playwright.config.ts', join(reports, 'playwright.json'), ['--project=e2e']);
  // The review loop again, on PostgreSQL with two instances behind nginx.
  browserTests('browser tests on PostgreSQL', 'apps/web/playwright.postgres.config.ts', join(reports, 'playwright-postgres.json'));
}

const ran = totals.passed + totals.failed;
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 || ran <= 1 ? 1 : 0);
