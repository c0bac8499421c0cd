// Benchmark of aggregation, the human-accuracy-v3 export and the dashboard (issue: "Panel consensus, lead
// adjudication, and the corrected multi-label set"): a generated project of 20,000 items with 5 models (top-5 each),
// each item judged by a panel of 5 experts (100,000 verdicts, inserted with SQL), on a SQLite file. As real models
// confuse a class with its neighbours, each model's top-5 comes from the 10 classes nearest the original label, so an
// item has about 10 candidates; `--neighbourhood all` draws from all 1,000 classes instead (no overlap between the
// models: about 26 candidates, every verdict twice as long: a worst case).
//
//   npx tsx scripts/bench/export.ts [--items 20000] [--models 5] [--neighbourhood 10|all] [--runs 3] [--calls 50]
//
// Measures, in one run:
// - baseline: reading the same 100,000 verdict rows with one plain SELECT;
// - aggregation of every item (through the quorum-change path: the steps that recompute and store each item's
//   consensus, final labels and dashboard rows, run one after another) plus the human-accuracy-v3 export written to a file;
//   reported in seconds and as a ratio to the baseline. Target: under 2 s.
// - the dashboard API (app.inject, as a lead): median and p99 of `--calls` requests after the first. Target: < 100 ms.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../apps/server/src/app';
import { openDatabase } from '../../apps/server/src/db/open-database';
import { sqliteDatabase } from '../../apps/server/src/db/sqlite-engine';
import { exportPieces, prepareExport } from '../../apps/server/src/features/exports/build-export';
import { writePiecesAtomically } from '../../apps/server/src/features/exports/write-file-atomically';
import { projectCatalog } from '../../apps/server/src/features/projects/project-catalog';
import { createProjectSettingsService } from '../../apps/server/src/features/projects/project-settings.service';
import { createConsensusService } from '../../apps/server/src/features/consensus/consensus.service';
import { STEP_ITEMS } from '../../apps/server/src/features/consensus/reaggregation-runner';
import { seedReviewedProject } from '../../apps/server/test/reviewed-project';
import { login } from '../../apps/server/test/synthetic-project';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '20000' },
    models: { type: 'string', default: '5' },
    neighbourhood: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    calls: { type: 'string', default: '50' },
  },
});
const ITEMS = Number(values.items);
const RUNS = Number(values.runs);
const CALLS = Number(values.calls);
const PANEL = 5;
const MODELS = Number(values.models);
const NEIGHBOURHOOD = values.neighbourhood === 'all' ? 'all' : Number(values.neighbourhood);

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-export-'));
const dbFile = join(dir, 'bench.sqlite');
const seconds = (ms: number) => (ms / 1000).toFixed(3);
const millis = (ms: number) => ms.toFixed(1);

// --- the generated project ---------------------------------------------------------------------------------------
// Every item judged once by each expert of the panel: no revisions, comments or decisions, and not aggregated yet.
let started = performance.now();
const db = openDatabase(dbFile);
const project = await seedReviewedProject(db, {
  name: 'bench',
  items: ITEMS,
  judged: ITEMS,
  panelSize: PANEL,
  models: MODELS,
  seed: 42,
  revised: 0,
  commented: 0,
  decided: 0,
  neighbourhood: NEIGHBOURHOOD,
  aggregate: false,
  password: 'bench-password',
});
const itemCount = (db.prepare('SELECT count(*) AS n FROM items WHERE project_id = ?').get(project.projectId) as { n: number }).n;
const verdictCount = (db.prepare('SELECT count(*) AS n FROM verdicts').get() as { n: number }).n;
const candidates = (db.prepare('SELECT avg(length(labels) - length(replace(labels, \':\', \'\'))) AS n FROM verdicts').get() as { n: number }).n;
console.log(
  `generated: ${itemCount} items, ${MODELS} models, ${verdictCount} verdicts (panel of ${PANEL}, ${candidates.toFixed(1)} classes judged per verdict) ` +
    `in ${seconds(performance.now() - started)} s`,
);

// --- aggregation + human-accuracy-v3 export, against one plain SELECT of the same rows ----------------------------
const database = sqliteDatabase(db);
const settings = createProjectSettingsService(database, { now: Date.now });
const consensus = createConsensusService(database);
const plainSelect = db.prepare('SELECT item_id, user_id, revision, labels, problematic, mistakes, created_at FROM verdicts');
const exportFile = join(dir, 'human-accuracy-v3.json');
const runs: { select: number; aggregate: number; exported: number }[] = [];
for (let run = 0; run < RUNS; run++) {
  started = performance.now();
  const rows = plainSelect.all();
  const select = performance.now() - started;
  if (rows.length !== verdictCount) throw new Error('the plain SELECT missed rows');

  started = performance.now();
  // Alternating quorums (q = 3, then 5), so every run really changes what is stored; the re-aggregation that the
  // settings route leaves to the background is run here to its end, step after step.
  const first = await settings.update(project.projectId, { quorum: run % 2 === 0 ? { kind: 'majority' } : { kind: 'unanimity' } });
  let reaggregated = first.reaggregatedItems;
  for (let step = first.reaggregation; step !== null; step = await consensus.reaggregationProgress(project.projectId)) {
    reaggregated += (await database.write((trx) => consensus.reaggregateStep(trx, project.projectId, new Date().toISOString(), STEP_ITEMS))).items;
  }
  const aggregate = performance.now() - started;
  if (reaggregated !== itemCount) throw new Error(`re-aggregated ${reaggregated} items, expected ${itemCount}`);

  started = performance.now();
  const prepared = prepareExport((await projectCatalog(database).get(project.projectId))!, 'human-accuracy-v3', { now: Date.now() });
  const built = { summary: await writePiecesAtomically(exportFile, exportPieces(database, prepared)) };
  const exported = performance.now() - started;
  runs.push({ select, aggregate, exported });
  const total = aggregate + exported;
  console.log(
    `run ${run + 1}: plain SELECT of ${rows.length} verdicts ${millis(select)} ms; aggregation of ${reaggregated} items ${millis(aggregate)} ms + ` +
      `human-accuracy-v3 export (${(statSync(exportFile).size / 1e6).toFixed(1)} MB, ${built.summary}) ${millis(exported)} ms = ${seconds(total)} s ` +
      `(${(total / select).toFixed(1)}× the plain SELECT)`,
  );
}
const statuses = db.prepare('SELECT status, count(*) AS n FROM items WHERE project_id = ? GROUP BY status ORDER BY status').all(project.projectId) as { status: string; n: number }[];
console.log(`item statuses after the last run: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}`);

// --- the dashboard API -------------------------------------------------------------------------------------------
const app = await buildApp({ db, cacheDir: join(dir, 'cache') });
const cookie = await login(app, project.lead, 'bench-password');
const dashboardCall = async () => {
  const t0 = performance.now();
  const res = await app.inject({ url: `/api/projects/${project.projectId}/dashboard`, headers: { cookie } });
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`dashboard answered ${res.statusCode}: ${res.body}`);
  return ms;
};
const first = await dashboardCall();
const latencies: number[] = [];
for (let i = 0; i < CALLS; i++) latencies.push(await dashboardCall());
latencies.sort((a, b) => a - b);
const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]!;
await app.close();
db.close();
rmSync(dir, { recursive: true, force: true });

const worst = runs.reduce((a, b) => (a.aggregate + a.exported > b.aggregate + b.exported ? a : b));
const worstTotal = worst.aggregate + worst.exported;
const p50 = quantile(0.5);
const p99 = quantile(0.99);
console.log('');
console.log(`command: npx tsx scripts/bench/export.ts --items ${ITEMS} --models ${MODELS} --neighbourhood ${values.neighbourhood} --runs ${RUNS} --calls ${CALLS}`);
console.log(
  `aggregation + human-accuracy-v3 export, slowest of ${RUNS} runs: ${seconds(worstTotal)} s (target < 2 s: ${worstTotal < 2000 ? 'met' : 'MISSED'}), ` +
    `${(worstTotal / worst.select).toFixed(1)}× one plain SELECT of the same verdict rows (${millis(worst.select)} ms)`,
);
console.log(
  `dashboard API: first call ${millis(first)} ms (computes the project's baseline once), then ${CALLS} calls: median ${millis(p50)} ms, p99 ${millis(p99)} ms ` +
    `(target < 100 ms: ${p99 < 100 ? 'met' : 'MISSED'})`,
);
