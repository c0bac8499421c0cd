// Benchmark of the item browser API (issue: "ImageNet scale and the field's formats", "Working with 20,000 and
// 50,000 items"): a generated project of about 50,000 items with 5 models, 20,000 of them judged by a panel of 3
// (60,000 verdicts inserted with SQL, then aggregated by the consensus service exactly as a quorum change does,
// which writes every consensus row and the browser's filter tables), 2,000 disputed items decided by the lead.
//
//   npx tsx scripts/bench/item-browser.ts [--items 50000] [--judged 20000] [--models 5] [--queries 200] [--seed 1]
//
// Measures, through the app (app.inject: routing, validation, SQL, serialization), as a lead:
// - baseline: the plainest page (no filter, sorted by id, offset 0), `--queries` times;
// - `--queries` random combinations of filters (status, class, disputed reason, wrong model, severity, category,
//   expert; each present with probability 0.3) and sort (any key, either order), each read three ways: its first
//   page (and, when that came uncounted, the count asked apart, reported apart); the page after a cursor at a random depth inside its result (what a list scrolled that far asks
//   for: the cursor is taken, untimed, from a one-row page by offset just before that depth); a jump to that depth by
//   offset.
// Prints p50 / p95 / p99 / max latency of each, the ratio of the p99 of first pages and pages after a cursor to the
// baseline's, and the slowest combinations. Target (the million-items issue): that p99 under 100 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MISTAKE_CATEGORIES, DisputeKind, FinalSeverity, ItemBrowserPage, ItemBrowserSort, ItemStatus, type Judgement, type Severity } from '@bagel/contracts';
import { isMistakeUnderJudgements } from '@bagel/core';
import { buildApp } from '../../apps/server/src/app';
import { openDatabase, type Db } from '../../apps/server/src/db/open-database';
import { sqliteDatabase } from '../../apps/server/src/db/sqlite-engine';
import { createConsensusService } from '../../apps/server/src/features/consensus/consensus.service';
import { createUser, login, seedSyntheticProject } from '../../apps/server/test/synthetic-project';
import { seededRandom } from '@bagel/core';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '50000' },
    judged: { type: 'string', default: '20000' },
    models: { type: 'string', default: '5' },
    queries: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false }, // keep the generated database (to look at query plans), and say where
    reuse: { type: 'string' }, // measure on a database kept by --keep instead of generating one (the other sizes are ignored)
  },
});
const TARGET_ITEMS = Number(values.items);
const JUDGED = Number(values.judged);
const MODELS = Number(values.models);
const QUERIES = Number(values.queries);
const SEED = Number(values.seed);
const PANEL = 3;
const EXPERTS = 5;
const DECIDED = Math.round(JUDGED / 10);
const PASSWORD = 'bench-password';

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-items-'));
const millis = (ms: number) => ms.toFixed(1);
const seconds = (ms: number) => (ms / 1000).toFixed(1);

const random = seededRandom(SEED * 7919);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

// --- the generated project ---------------------------------------------------------------------------------------
/** Generates the project, judges and aggregates it (about 9 minutes at a million items). */
async function generate(db: Db): Promise<Bench> {
  let started = performance.now();
  // Each model gets an image right half the time, so an image is an item with probability 1 - 2^-MODELS.
  const images = Math.ceil(TARGET_ITEMS / (1 - 2 ** -MODELS));
  const project = await seedSyntheticProject(db, { name: 'bench', images, models: MODELS, classes: 1000, panelSize: PANEL, topK: 5, seed: SEED });
  const experts: { name: string; id: number }[] = [];
  for (let i = 0; i < EXPERTS; i++) experts.push({ name: `expert${i + 1}`, id: await createUser(db, `expert${i + 1}`, 'expert', PASSWORD) });
  const leadId = await createUser(db, 'lead', 'lead', PASSWORD);
  console.log(`generated: ${project.items} items (${images} images), ${MODELS} models, 1000 classes in ${seconds(performance.now() - started)} s`);

  // --- verdicts on a random share of the items, then aggregation by the consensus service ---------------------------
  started = performance.now();
  const itemRows = db
    .prepare('SELECT i.id, i.image_id, im.original_class_idx FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ? ORDER BY i.id')
    .all(project.projectId) as { id: number; image_id: number; original_class_idx: number }[];
  for (let i = itemRows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [itemRows[i], itemRows[j]] = [itemRows[j]!, itemRows[i]!];
  }
  const judged = itemRows.slice(0, JUDGED).sort((a, b) => a.id - b.id);
  const predictionsOf = db.prepare('SELECT model_id, rank, class_idx FROM predictions WHERE image_id = ? ORDER BY model_id, rank');
  const modelIds = (db.prepare('SELECT id FROM models WHERE project_id = ? ORDER BY position').all(project.projectId) as { id: number }[]).map((m) => m.id);
  const insertVerdict = db.prepare(`INSERT INTO verdicts (item_id, user_id, revision, labels, problematic, mistakes, comment, created_at) VALUES (?, ?, 1, ?, ?, ?, '', ?)`);
  const markJudged = db.prepare(`UPDATE items SET verdict_count = ?, panel_complete = ?, status = 'in_review' WHERE id = ?`);
  const JUDGEMENTS: Judgement[] = ['correct', 'wrong', 'unclear'];
  const SEVERITIES: Severity[] = ['Major', 'Minor', 'Borderline'];
  /** Per judged item, the first expert's verdict: a valid set of final labels for the lead's decisions. */
  const firstVerdicts = new Map<number, { labels: Record<string, Judgement>; problematic: { reason: string } | null; mistakes: Record<string, { severity: Severity; category: string }> }>();
  db.transaction(() => {
    const createdAt = new Date().toISOString();
    for (const item of judged) {
      const predictions = predictionsOf.all(item.image_id) as { model_id: number; rank: number; class_idx: number }[];
      const candidates = [...new Set([item.original_class_idx, ...predictions.map((p) => p.class_idx)])].map((c) => project.classKeys[c]!);
      // A hidden truth each expert reports 85% of the time: most panels agree, some dispute, as in a real round.
      const truth = new Map(candidates.map((key, i) => [key, i === 0 ? 'correct' : random() < 0.1 ? 'correct' : 'wrong'] as [string, Judgement]));
      const severityTruth = pick(SEVERITIES);
      const categoryTruth = pick(DEFAULT_MISTAKE_CATEGORIES);
      const top1 = modelIds.map((id) => project.classKeys[predictions.find((p) => p.model_id === id && p.rank === 1)!.class_idx]!);
      // One item in ten has a partial panel (in review).
      const panel = random() < 0.1 ? 1 + Math.floor(random() * (PANEL - 1)) : PANEL;
      const chosen = [...experts].sort(() => random() - 0.5).slice(0, panel);
      chosen.forEach((expert, e) => {
        const labels: Record<string, Judgement> = {};
        for (const key of candidates) labels[key] = random() < 0.85 ? truth.get(key)! : pick(JUDGEMENTS);
        const mistakes: Record<string, { severity: Severity; category: string }> = {};
        project.modelNames.forEach((name, m) => {
          if (!isMistakeUnderJudgements(top1[m]!, labels)) return;
          mistakes[name] = {
            severity: random() < 0.8 ? severityTruth : pick(SEVERITIES),
            category: random() < 0.8 ? categoryTruth : pick(DEFAULT_MISTAKE_CATEGORIES),
          };
        });
        const problematic = random() < 0.03 ? { reason: 'Drawing, painting, cartoon or rendering' } : null;
        if (e === 0) firstVerdicts.set(item.id, { labels, problematic, mistakes });
        insertVerdict.run(item.id, expert.id, JSON.stringify(labels), problematic && JSON.stringify(problematic), JSON.stringify(mistakes), createdAt);
      });
      markJudged.run(panel, panel >= PANEL ? 1 : 0, item.id);
    }
  })();
  const consensus = createConsensusService(sqliteDatabase(db));
  await consensus.reaggregateProject(project.projectId, new Date().toISOString());

  // The lead decides some disputed items (the first expert's verdict as final labels), then aggregation runs again.
  const disputed = (db.prepare(`SELECT id FROM items WHERE project_id = ? AND status = 'disputed' ORDER BY id`).all(project.projectId) as { id: number }[]).slice(0, DECIDED);
  const insertDecision = db.prepare(`INSERT INTO decisions (item_id, sequence, kind, lead_id, final, note, created_at) VALUES (?, 1, 'finalize', ?, ?, '', ?)`);
  db.transaction(() => {
    for (const { id } of disputed) insertDecision.run(id, leadId, JSON.stringify(firstVerdicts.get(id)), new Date().toISOString());
  })();
  await consensus.reaggregateProject(project.projectId, new Date().toISOString());
  const count = (sql: string) => (db.prepare(sql).get(project.projectId) as { n: number }).n;
  const statuses = db.prepare('SELECT status, count(*) AS n FROM items WHERE project_id = ? GROUP BY status ORDER BY status').all(project.projectId) as { status: string; n: number }[];
  console.log(
    `judged: ${count('SELECT count(*) AS n FROM verdicts v JOIN items i ON i.id = v.item_id WHERE i.project_id = ?')} verdicts on ${JUDGED} items, ` +
      `${disputed.length} decided by the lead, aggregated in ${seconds(performance.now() - started)} s; ` +
      `statuses: ${statuses.map((s) => `${s.status} ${s.n}`).join(', ')}; ` +
      `${count('SELECT count(*) AS n FROM item_dispute_kinds WHERE project_id = ?')} dispute kinds, ${count('SELECT count(*) AS n FROM item_final_mistakes WHERE project_id = ?')} graded final mistakes`,
  );
  return { projectId: project.projectId, classKeys: project.classKeys, modelNames: project.modelNames, experts: experts.map((e) => e.name) };
}

/** A database generated before (`--keep`), read back. */
function reuse(db: Db): Bench {
  const { id: projectId } = db.prepare(`SELECT id FROM projects WHERE name = 'bench'`).get() as { id: number };
  const column = (sql: string) => (db.prepare(sql).all(projectId) as { v: string }[]).map((r) => r.v);
  return {
    projectId,
    classKeys: column('SELECT key AS v FROM classes WHERE project_id = ? ORDER BY idx'),
    modelNames: column('SELECT name AS v FROM models WHERE project_id = ? ORDER BY position'),
    experts: column(`SELECT username AS v FROM users WHERE role = 'expert' AND ? > 0 ORDER BY id`),
  };
}

interface Bench {
  projectId: number;
  classKeys: string[];
  modelNames: string[];
  experts: string[];
}

const db = openDatabase(values.reuse ?? join(dir, 'bench.sqlite'));
const project = values.reuse ? reuse(db) : await generate(db);
const experts = project.experts.map((name) => ({ name }));
db.pragma('wal_checkpoint(TRUNCATE)');

// --- the API -------------------------------------------------------------------------------------------------------
const app = await buildApp({ db, cacheDir: join(dir, 'cache') });
const cookie = await login(app, 'lead', PASSWORD);
const base = `/api/projects/${project.projectId}/items`;

const queryString = (query: Record<string, string | number>) => new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString();

async function call(query: Record<string, string | number>): Promise<{ ms: number; page: ItemBrowserPage }> {
  const url = `${base}?${queryString(query)}`;
  const t0 = performance.now();
  const res = await app.inject({ url, headers: { cookie } });
  const ms = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body}`);
  return { ms, page: ItemBrowserPage.parse(res.json()) };
}

function randomQuery(): Record<string, string | number> {
  const query: Record<string, string | number> = {};
  const maybe = (name: string, value: () => string) => {
    if (random() < 0.3) query[name] = value();
  };
  maybe('status', () => pick(ItemStatus.options));
  maybe('class', () => pick(project.classKeys));
  maybe('disputeKind', () => pick(DisputeKind.options));
  maybe('wrongModel', () => pick(project.modelNames));
  maybe('severity', () => pick(FinalSeverity.options));
  maybe('category', () => pick(DEFAULT_MISTAKE_CATEGORIES));
  maybe('expert', () => pick(experts).name);
  query.sort = pick(ItemBrowserSort.options);
  query.order = pick(['asc', 'desc']);
  return query;
}

const quantiles = (latencies: number[]) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: sorted.at(-1)! };
};
const describe = (s: ReturnType<typeof quantiles>) => `p50 ${millis(s.p50)} ms, p95 ${millis(s.p95)} ms, p99 ${millis(s.p99)} ms, max ${millis(s.max)} ms`;

// Warm-up: the first call of each kind prepares statements and fills SQLite's page cache.
for (let i = 0; i < 20; i++) await call(i % 2 === 0 ? { sort: 'id', order: 'asc' } : randomQuery());

const plain = { sort: 'id', order: 'asc', offset: 0, limit: 100 };
const baseline: number[] = [];
for (let i = 0; i < QUERIES; i++) baseline.push((await call(plain)).ms);

// Each combination three ways: its first page (counted), the page after a cursor at a random depth (what scrolling
// asks for; the cursor is taken, unmeasured, from a one-row page by offset just before that depth), and a jump to
// that depth by offset.
const measured: { ms: number; query: Record<string, string | number>; total: number }[] = [];
const firstPages: number[] = [];
const jumps: number[] = [];
const counts: number[] = [];
const slowFirst: { ms: number; query: Record<string, string | number>; total: number }[] = [];
for (let i = 0; i < QUERIES; i++) {
  const query = randomQuery();
  const first = await call({ ...query, limit: 100 });
  firstPages.push(first.ms);
  slowFirst.push({ ms: first.ms, query, total: first.page.total ?? -1 });
  // A broad filter's first page comes uncounted: the web app then asks for the count on its own (measured apart).
  let total = first.page.total;
  if (total === null) {
    const counted = await call({ ...query, limit: 1, count: 'exact' });
    counts.push(counted.ms);
    total = counted.page.total!;
  }
  const depth = total === 0 ? 0 : Math.floor(random() * total);
  const cursor = depth === 0 ? null : (await call({ ...query, offset: depth - 1, limit: 1 })).page.next;
  const { ms, page } = cursor === null ? await call({ ...query, limit: 100 }) : await call({ ...query, after: cursor, limit: 100 });
  if (total > depth && page.rows.length !== Math.min(100, total - depth)) throw new Error(`a page after a cursor at ${depth} of ${total} has ${page.rows.length} rows: ${JSON.stringify(query)}`);
  measured.push({ ms, query: { ...query, depth }, total });
  jumps.push((await call({ ...query, offset: depth, limit: 100 })).ms);
}
await app.close();
db.close();
if (values.keep && !values.reuse) console.log(`database kept: ${join(dir, 'bench.sqlite')}`);
else rmSync(dir, { recursive: true, force: true });

const b = quantiles(baseline);
const r = quantiles(measured.map((m) => m.ms));
const f = quantiles(firstPages);
const scrolled = quantiles([...firstPages, ...measured.map((m) => m.ms)]);
const filterCounts = measured.map((m) => Object.keys(m.query).filter((k) => !['sort', 'order', 'depth'].includes(k)).length);
console.log('');
console.log(`command: npx tsx scripts/bench/item-browser.ts ${values.reuse ? `--reuse ${values.reuse}` : `--items ${TARGET_ITEMS} --judged ${JUDGED} --models ${MODELS}`} --queries ${QUERIES} --seed ${SEED}`);
console.log(`baseline (no filter, sort by id, first page, 100 rows), ${QUERIES} calls: ${describe(b)}`);
console.log(
  `${QUERIES} random filter + sort combinations (0 to ${Math.max(...filterCounts)} filters, mean ${(filterCounts.reduce((a, c) => a + c, 0) / QUERIES).toFixed(1)}; ` +
    `matches 0 to ${Math.max(...measured.map((m) => m.total))}):`,
);
console.log(`  first page: ${describe(f)}`);
console.log(`  the count asked apart (count=exact), for the ${counts.length} first pages that came uncounted: ${counts.length ? describe(quantiles(counts)) : 'none'}`);
console.log(`  page after a cursor at a random depth: ${describe(r)}`);
console.log(`  jump by offset to that depth: ${describe(quantiles(jumps))}`);
console.log(`first pages and pages after a cursor together: ${describe(scrolled)}; p99 ratio to the baseline's p99: ${(scrolled.p99 / b.p99).toFixed(1)}×; target p99 < 100 ms: ${scrolled.p99 < 100 ? 'met' : 'MISSED'}`);
console.log('slowest first pages (total -1: not counted on the page):');
for (const m of [...slowFirst].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`  ${millis(m.ms)} ms  ${queryString(m.query)} (${m.total} matches)`);
console.log('slowest pages after a cursor:');
for (const m of [...measured].sort((a, b) => b.ms - a.ms).slice(0, 5)) console.log(`  ${millis(m.ms)} ms  ${queryString(m.query)} (${m.total} matches)`);
