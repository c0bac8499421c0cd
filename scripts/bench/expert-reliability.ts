// Benchmark of each expert's reliability (GET /api/projects/:projectId/expert-reliability, docs/AGGREGATION.md,
// "Expert reliability"): a generated project of `--items` items, every one judged by a panel of `--panel` experts
// (some revisions, 5% decided by the lead; apps/server/test/reviewed-project.ts), aggregated as a quorum change does.
//
//   npx tsx scripts/bench/expert-reliability.ts [--items 100000] [--panel 3] [--runs 3] [--seed 1] [--postgres | --db postgres://…]
//
// Measures, through the app (app.inject: routing, validation, SQL, serialization), as a lead, on SQLite (and on
// PostgreSQL with --postgres):
// - baseline: the dashboard (GET …/dashboard), the 5-second poll of the screen the card is on, 50 times alone;
// - the reliability route, `--runs` times, each while the dashboard is polled every 20 ms beside it: the route's
//   time, the dashboard's p50 / p99 / max meanwhile, and the longest the event loop was held (a 1 ms timer's
//   largest lateness) during the route.
// Prints each against the baseline measured in the same run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ExpertReliabilityReport } from '@bagel/contracts';
import { buildApp } from '../../apps/server/src/app';
import { connectDatabase } from '../../apps/server/src/db/database';
import { parseDatabaseLocation } from '../../apps/server/src/db/database-location';
import { seedReviewedProject } from '../../apps/server/test/reviewed-project';
import { login } from '../../apps/server/test/synthetic-project';
import { postgresForBench } from './postgres-scratch';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    panel: { type: 'string', default: '3' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    postgres: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const ITEMS = Number(values.items);
const PANEL = Number(values.panel);
const RUNS = Number(values.runs);
const PASSWORD = 'bench-password';

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-reliability-'));
const ms = (value: number) => value.toFixed(1);
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function measure(engine: string, location: string): Promise<void> {
  const database = await connectDatabase(parseDatabaseLocation(location));
  const started = performance.now();
  const project = await seedReviewedProject(database, { name: 'Reliability bench', items: ITEMS, judged: ITEMS, panelSize: PANEL, models: 3, seed: Number(values.seed), decided: 0.05, password: PASSWORD });
  console.log(`${engine}: generated ${ITEMS} items × ${PANEL} experts (${project.verdicts} verdict revisions) and aggregated them in ${ms((performance.now() - started) / 1000)} s`);
  const app = await buildApp({ database, cacheDir: join(dir, 'cache'), loginThrottle: { accountFreeFailures: 1000, addressFreeFailures: 1000 } });
  const cookie = await login(app, project.lead, PASSWORD);
  const get = async (url: string) => {
    const t0 = performance.now();
    const res = await app.inject({ url, headers: { cookie } });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return { ms: performance.now() - t0, body: res.body };
  };
  const dashboardUrl = `/api/projects/${project.projectId}/dashboard`;
  const reliabilityUrl = `/api/projects/${project.projectId}/expert-reliability`;

  await get(dashboardUrl); // the first computes the project's baseline
  const alone: number[] = [];
  for (let i = 0; i < 50; i++) alone.push((await get(dashboardUrl)).ms);
  alone.sort((a, b) => a - b);
  const base = quantile(alone, 0.5);
  console.log(`${engine}: baseline, the dashboard alone: p50 ${ms(base)} ms, p99 ${ms(quantile(alone, 0.99))} ms, max ${ms(alone.at(-1)!)} ms`);

  for (let run = 1; run <= RUNS; run++) {
    // The event loop's longest hold: a 1 ms timer's largest lateness while the route runs.
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last - 1);
      last = now;
    }, 1);
    const polls: number[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        polls.push((await get(dashboardUrl)).ms);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const { ms: took, body } = await get(reliabilityUrl);
    done = true;
    await poller;
    clearInterval(timer);
    const report = ExpertReliabilityReport.parse(JSON.parse(body));
    polls.sort((a, b) => a - b);
    console.log(
      `${engine}: run ${run}: expert reliability over ${report.referenceItems} final items, ${report.experts.length} experts, ${report.classes.length} expert × class rows: ` +
        `${ms(took)} ms (${ms(took / base)}× the dashboard's p50); the dashboard meanwhile (${polls.length} polls): p50 ${ms(quantile(polls, 0.5))} ms, ` +
        `p99 ${ms(quantile(polls, 0.99))} ms, max ${ms(polls.at(-1)!)} ms (${ms(polls.at(-1)! / base)}× its p50 alone); event loop held at most ${ms(longest)} ms`,
    );
  }
  await app.close();
  await database.close();
}

const postgres = await postgresForBench(values);
try {
  await measure('SQLite', join(dir, 'bench.sqlite'));
  if (postgres) {
    const { url, drop } = await postgres.scratch('reliability');
    try {
      await measure('PostgreSQL', url);
    } finally {
      await drop();
    }
  }
} finally {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
