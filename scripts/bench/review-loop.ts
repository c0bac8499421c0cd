// Benchmark of the review loop (issue: "The expert review loop"): on a generated project of 10,000 items with
// 3 models, 30 concurrent experts each call `GET next` then `POST verdict`, as fast as the server answers, over
// loopback. Baseline, measured in the same run on the same SQLite file: a bare Fastify route inserting one row.
//
//   npx tsx scripts/bench/review-loop.ts [--items 10000] [--experts 30] [--seconds 10]
//
// Prints requests/s, p50/p99 latency per route, and the ratio of the review loop's throughput to the baseline's.
// Also measured: the floor of any authenticated Bagel request (GET /api/auth/me: session guard + zod-serialized
// answer), to show how much of the baseline is left for the review work itself.
// Targets: ratio >= 0.5, p99 < 25 ms.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReviewItem, VerdictRequest } from '@bagel/contracts';
import { isMistakeUnderJudgements } from '@bagel/core';
import { openDatabase } from '../../apps/server/src/db/open-database';
import { createUser, seedSyntheticProject } from '../../apps/server/test/synthetic-project';
import { createClient, runClosedLoop, summarize } from './http-load';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    experts: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '10' },
    profile: { type: 'string' }, // a folder: write a V8 CPU profile of the app server there
  },
});
const ITEMS = Number(values.items);
const EXPERTS = Number(values.experts);
const SECONDS = Number(values.seconds);
const PASSWORD = 'bench-password-1';

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-'));
const dbFile = join(dir, 'bench.sqlite');

// --- the generated project -------------------------------------------------------------------------------------
let started = performance.now();
const db = openDatabase(dbFile);
// Every image is made an item (each model's top-1 misses the original label) so the queue holds exactly ITEMS items.
const project = await seedSyntheticProject(db, { name: 'bench', images: ITEMS, models: 3, classes: 1000, panelSize: 3, seed: 42, allWrong: true });
for (let i = 0; i < EXPERTS; i++) await createUser(db, `expert${i + 1}`, 'expert', PASSWORD);
const itemCount = (db.prepare('SELECT count(*) AS n FROM items WHERE project_id = ?').get(project.projectId) as { n: number }).n;
db.close();
console.log(`generated project: ${itemCount} items, 3 models, ${EXPERTS} experts in ${((performance.now() - started) / 1000).toFixed(1)} s`);

async function startServer(mode: 'app' | 'bare'): Promise<{ port: number; child: ChildProcess }> {
  const profile = mode === 'app' && values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(import.meta.dirname, 'bench-server.ts'), mode, dbFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench server (${mode}) exited with ${code}`)));
  });
  return { port, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise((resolve) => {
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

const fmt = (n: number) => n.toFixed(2);

// --- baseline: bare Fastify + one INSERT ---------------------------------------------------------------------------
const bare = await startServer('bare');
const bareClient = createClient(bare.port, EXPERTS);
const barePayload = { labels: { c0001: 'correct' }, problematic: null, mistakes: {}, comment: '' };
await runClosedLoop(EXPERTS, 1, async (user, timed) => {
  await timed('warmup', () => bareClient.request('POST', '/bare', { body: { user, payload: barePayload } }));
  return true;
});
const bareRun = await runClosedLoop(EXPERTS, SECONDS, async (user, timed) => {
  const res = await timed('insert', () => bareClient.request('POST', '/bare', { body: { user, payload: barePayload } }));
  if (res.status !== 201) throw new Error(`bare route answered ${res.status}`);
  return true;
});
bareClient.close();
await stopServer(bare.child);
const bareStats = summarize(bareRun.latencies.get('insert') ?? [], bareRun.seconds);

// --- the review loop: next + verdict ------------------------------------------------------------------------------
const server = await startServer('app');
const client = createClient(server.port, EXPERTS);
const cookies: string[] = [];
for (let i = 0; i < EXPERTS; i++) {
  const res = await client.request('POST', '/api/auth/login', { body: { username: `expert${i + 1}`, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.body}`);
  cookies.push(String(res.headers['set-cookie']?.[0]).split(';')[0]!);
}

/** A complete, valid verdict: original label correct, every other candidate wrong, each model's mistake graded. */
function verdictFor(item: ReviewItem): VerdictRequest {
  const labels: VerdictRequest['labels'] = {};
  for (const c of item.candidates) labels[c.key] = c.key === item.originalLabel.key ? 'correct' : 'wrong';
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const m of item.models) {
    const top1 = m.predictions[0];
    if (top1 && isMistakeUnderJudgements(top1.key, labels)) mistakes[m.model] = { severity: 'Minor', category: item.mistakeCategories[0]! };
  }
  return { labels, problematic: null, mistakes, comment: '', baseRevision: 0 };
}

// The floor of any authenticated Bagel request: the session guard and a zod-serialized answer, no review work. It
// shows how much of the baseline's throughput is left once a request is Bagel's at all.
await runClosedLoop(EXPERTS, 1, async (user, timed) => {
  await timed('warmup', () => client.request('GET', '/api/auth/me', { cookie: cookies[user]! }));
  return true;
});
const floorRun = await runClosedLoop(EXPERTS, SECONDS, async (user, timed) => {
  const res = await timed('me', () => client.request('GET', '/api/auth/me', { cookie: cookies[user]! }));
  if (res.status !== 200) throw new Error(`auth/me answered ${res.status}`);
  return true;
});

let verdictsStored = 0;
const reviewRun = await runClosedLoop(EXPERTS, SECONDS, async (user, timed) => {
  const cookie = cookies[user]!;
  const next = await timed('next', () => client.request('GET', `/api/projects/${project.projectId}/next`, { cookie }));
  if (next.status === 204) return false;
  if (next.status !== 200) throw new Error(`next answered ${next.status}: ${next.body}`);
  const item = JSON.parse(next.body) as ReviewItem;
  const res = await timed('verdict', () => client.request('POST', `/api/items/${item.id}/verdicts`, { cookie, body: verdictFor(item) }));
  if (res.status !== 201) throw new Error(`verdict answered ${res.status}: ${res.body}`);
  verdictsStored++;
  return true;
});
client.close();
await stopServer(server.child);

// --- report -------------------------------------------------------------------------------------------------------
const nextStats = summarize(reviewRun.latencies.get('next') ?? [], reviewRun.seconds);
const verdictStats = summarize(reviewRun.latencies.get('verdict') ?? [], reviewRun.seconds);
const allStats = summarize([...(reviewRun.latencies.get('next') ?? []), ...(reviewRun.latencies.get('verdict') ?? [])], reviewRun.seconds);
const ratio = allStats.perSecond / bareStats.perSecond;
const floorStats = summarize(floorRun.latencies.get('me') ?? [], floorRun.seconds);
const floorRatio = floorStats.perSecond / bareStats.perSecond;

const check = db2Check();
function db2Check() {
  const d = openDatabase(dbFile);
  const overAssigned = d
    .prepare('SELECT count(*) AS n FROM items WHERE verdict_count > (SELECT panel_size FROM projects WHERE id = items.project_id)')
    .get() as { n: number };
  const stored = d.prepare('SELECT count(*) AS n FROM verdicts').get() as { n: number };
  d.close();
  return { overAssigned: overAssigned.n, stored: stored.n };
}

console.log(`\nreview loop on ${itemCount} items, ${EXPERTS} concurrent experts, ${fmt(reviewRun.seconds)} s (after ${fmt(bareRun.seconds)} s of baseline)`);
console.log(`  baseline  bare Fastify + 1 INSERT : ${fmt(bareStats.perSecond)} req/s  p50 ${fmt(bareStats.p50)} ms  p99 ${fmt(bareStats.p99)} ms`);
console.log(`  floor GET /api/auth/me (session) : ${fmt(floorStats.perSecond)} req/s  p50 ${fmt(floorStats.p50)} ms  p99 ${fmt(floorStats.p99)} ms  (ratio ${fmt(floorRatio)})`);
console.log(`  GET  next                         : ${fmt(nextStats.perSecond)} req/s  p50 ${fmt(nextStats.p50)} ms  p99 ${fmt(nextStats.p99)} ms`);
console.log(`  POST verdict                      : ${fmt(verdictStats.perSecond)} req/s  p50 ${fmt(verdictStats.p50)} ms  p99 ${fmt(verdictStats.p99)} ms`);
console.log(`  review loop, both routes          : ${fmt(allStats.perSecond)} req/s  p50 ${fmt(allStats.p50)} ms  p99 ${fmt(allStats.p99)} ms`);
console.log(`  throughput ratio review/baseline  : ${fmt(ratio)} (target >= 0.5)`);
console.log(`  verdicts stored: ${check.stored} (loop counted ${verdictsStored}); items over their panel size: ${check.overAssigned}`);
console.log(
  JSON.stringify({
    items: itemCount,
    experts: EXPERTS,
    baseline: bareStats,
    floor: { ...floorStats, ratio: floorRatio },
    next: nextStats,
    verdict: verdictStats,
    reviewLoop: allStats,
    ratio,
    targets: { ratioAtLeast: 0.5, p99BelowMs: 25, ratioMet: ratio >= 0.5, p99Met: allStats.p99 < 25 },
  }),
);
rmSync(dir, { recursive: true, force: true });
