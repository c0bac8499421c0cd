// Benchmark of Dawid–Skene aggregation of the panel (the project setting `aggregation: dawid-skene`; docs/AGGREGATION.md,
// "Dawid–Skene aggregation of the panel"): a generated project of --items items, each judged by a panel of 5 (about
// 10 candidates an item), on a SQLite file. Measures, in one run:
// - the estimation of the experts' matrices, step by step as the background runner takes them (ESTIMATE_STEP_ITEMS
//   judged items per write): each step's time (the longest the event loop is held by one), the passes, the whole;
// - the re-aggregation that follows (STEP_ITEMS per write), step times;
// - one item's aggregation in a write, as a verdict runs it (refreshItem), under the quorum and under Dawid–Skene:
//   median and p99 of --calls items, to show what computing the item's posteriors adds to a verdict.
//
//   npx tsx scripts/bench/dawid-skene-panel.ts [--items 20000] [--calls 2000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../../apps/server/src/db/open-database';
import { sqliteDatabase } from '../../apps/server/src/db/sqlite-engine';
import { createConfusionEstimation, ESTIMATE_STEP_ITEMS } from '../../apps/server/src/features/consensus/confusion-estimation';
import { createConsensusService } from '../../apps/server/src/features/consensus/consensus.service';
import { STEP_ITEMS } from '../../apps/server/src/features/consensus/reaggregation-runner';
import { createProjectSettingsService } from '../../apps/server/src/features/projects/project-settings.service';
import { seedReviewedProject } from '../../apps/server/test/reviewed-project';

const { values } = parseArgs({ options: { items: { type: 'string', default: '20000' }, calls: { type: 'string', default: '2000' } } });
const ITEMS = Number(values.items);
const CALLS = Number(values.calls);

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-ds-'));
const db = openDatabase(join(dir, 'bench.sqlite'));
let started = performance.now();
const project = await seedReviewedProject(db, {
  name: 'bench',
  items: ITEMS,
  judged: ITEMS,
  panelSize: 5,
  models: 5,
  seed: 42,
  revised: 0,
  commented: 0,
  decided: 0,
  aggregate: true,
  password: 'bench-password',
});
const verdicts = (db.prepare('SELECT count(*) AS n FROM verdicts').get() as { n: number }).n;
console.log(`generated: ${ITEMS} items, ${verdicts} verdicts in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const database = sqliteDatabase(db);
const settings = createProjectSettingsService(database, { now: Date.now });
const consensus = createConsensusService(database);
const estimation = createConfusionEstimation(database);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const summary = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(2)} ms, p99 ${quantile(xs, 0.99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;
const iso = () => new Date().toISOString();

// One item's aggregation as a verdict runs it, under the quorum first.
const ids = (db.prepare('SELECT id FROM items WHERE project_id = ? ORDER BY id').all(project.projectId) as { id: number }[]).map((r) => r.id);
async function refreshTimes(): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const itemId = ids[(i * 7919) % ids.length]!;
    const t0 = performance.now();
    await database.write((trx) => consensus.refreshItem(trx, itemId, project.projectId, iso()));
    times.push(performance.now() - t0);
  }
  return times;
}
await refreshTimes(); // warm-up
const quorumTimes = await refreshTimes();

// The switch: the first step of the re-aggregation in the request, and an estimation started.
started = performance.now();
const first = await settings.update(project.projectId, { aggregation: 'dawid-skene' });
console.log(`settings change: ${(performance.now() - started).toFixed(1)} ms (${first.reaggregatedItems} items re-aggregated in it)`);
// The re-aggregation under the initial model, to its end.
const reaggregationSteps: number[] = [];
const reaggregateAll = async () => {
  while ((await consensus.reaggregationProgress(project.projectId)) !== null) {
    const t0 = performance.now();
    await database.write((trx) => consensus.reaggregateStep(trx, project.projectId, iso(), STEP_ITEMS));
    reaggregationSteps.push(performance.now() - t0);
  }
};
await reaggregateAll();

// The estimation, step by step.
const estimationSteps: number[] = [];
started = performance.now();
for (;;) {
  const t0 = performance.now();
  const outcome = await database.write((trx) => estimation.step(trx, project.projectId, iso()));
  estimationSteps.push(performance.now() - t0);
  if (outcome.finished) break;
}
const estimationMs = performance.now() - started;
const model = db.prepare('SELECT passes, converged, questions, prior_original, prior_other FROM project_confusion_models WHERE project_id = ?').get(project.projectId) as Record<string, number>;
console.log(
  `estimation: ${estimationSteps.length} steps of ${ESTIMATE_STEP_ITEMS} items, ${model.passes} passes (converged ${model.converged === 1}), ` +
    `${model.questions} judged classes a pass, ${(estimationMs / 1000).toFixed(1)} s of steps in all; a step: ${summary(estimationSteps)}`,
);
console.log(`model: P(present) original label ${model.prior_original!.toFixed(3)}, other classes ${model.prior_other!.toFixed(3)}`);
await reaggregateAll();
console.log(`re-aggregation (two, ${reaggregationSteps.length} steps of ${STEP_ITEMS} items): a step ${summary(reaggregationSteps)}`);

const dsTimes = await refreshTimes();
console.log(`one item's aggregation in a write (refreshItem, ${CALLS} items): quorum ${summary(quorumTimes)}; dawid-skene ${summary(dsTimes)}`);
const statuses = db.prepare('SELECT status, count(*) AS n FROM items WHERE project_id = ? GROUP BY status ORDER BY status').all(project.projectId) as { status: string; n: number }[];
console.log(`statuses under dawid-skene: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`);
db.close();
rmSync(dir, { recursive: true, force: true });
