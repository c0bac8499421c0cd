// Benchmark of the review loop: on a generated project of 10,000 items with 3 models, 30 experts each call `GET next`
// then `POST verdict`, over loopback, against each configuration in turn, in the same run:
//   - SQLite, one instance (always);
//   - PostgreSQL with one instance, and with two instances on the same database, the experts shared between them
//     (with `--postgres`, a throwaway cluster started for the run as the tests start theirs; with `--db postgres://…`,
//     a server of yours, where the benchmark creates and drops a scratch database per configuration).
// Each configuration gets its own fresh database with the same generated project (same seed).
//
//   npx tsx scripts/bench/review-loop.ts [--items 10000] [--experts 30] [--seconds 10] [--postgres | --db postgres://…]
//                                        [--instances 1,2] [--pace 1000] [--profile DIR]
//
// Two loads per configuration, each after its own warm-up:
//   - saturation: every expert sends its next request as soon as the last one answered (a closed loop), so the server
//     is never idle. Its throughput is compared with the same configuration's floor, measured the same way: GET
//     /api/auth/me (the session guard and a serialized answer: the least any signed-in request costs on that engine).
//     In a closed loop latency is the number of experts over the throughput, so its p99 says how loaded, not how fast.
//   - paced: every expert does next + verdict once every `--pace` ms (1 s by default: a busier pace than any real
//     reviewer's, who takes seconds per image), starting at random offsets. Its p99 is what a reviewer waits for.
// Targets: p99 of next + verdict under 25 ms at 30 experts on each configuration; SQLite's saturation throughput at
// least 0.10 of its floor.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReviewItem, VerdictRequest } from '@bagel/contracts';
import { isMistakeUnderJudgements } from '@bagel/core';
import { connectDatabase, type Database } from '../../apps/server/src/db/database';
import { parseDatabaseLocation } from '../../apps/server/src/db/database-location';
import { readRows } from '../../apps/server/test/test-app';
import { createUser, seedSyntheticProject } from '../../apps/server/test/synthetic-project';
import { createClient, runClosedLoop, runPacedLoop, summarize, type LatencyStats } from './http-load';
import { postgresForBench } from './postgres-scratch';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '10000' },
    experts: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '10' },
    postgres: { type: 'boolean', default: false },
    db: { type: 'string' },
    instances: { type: 'string', default: '1,2' },
    pace: { type: 'string', default: '1000' },
    profile: { type: 'string' }, // a folder: write a V8 CPU profile of each app server there
  },
});
const ITEMS = Number(values.items);
const EXPERTS = Number(values.experts);
const SECONDS = Number(values.seconds);
const PACE_MS = Number(values.pace);
const PASSWORD = 'bench-password-1';

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-'));
const postgres = await postgresForBench(values);

interface Configuration {
  name: string;
  instances: number;
  /** A fresh, empty database: a file path or a URL, and how to remove it afterwards. */
  create(): Promise<{ location: string; drop(): Promise<void> }>;
}
const configurations: Configuration[] = [
  {
    name: 'SQLite, 1 instance',
    instances: 1,
    create: async () => ({ location: join(dir, 'bench.sqlite'), drop: async () => {} }),
  },
];
if (postgres) {
  for (const instances of values.instances.split(',').map(Number)) {
    configurations.push({
      name: `PostgreSQL, ${instances} instance${instances > 1 ? 's' : ''}`,
      instances,
      create: async () => {
        const { url, drop } = await postgres.scratch(`review_${instances}`);
        return { location: url, drop };
      },
    });
  }
}

async function seed(location: string): Promise<{ projectId: number; seconds: number }> {
  const started = performance.now();
  const database = await connectDatabase(parseDatabaseLocation(location));
  // Every image is made an item (each model's top-1 misses the original label) so the queue holds exactly ITEMS items.
  const project = await seedSyntheticProject(database, { name: 'bench', images: ITEMS, models: 3, classes: 1000, panelSize: 3, seed: 42, allWrong: true });
  for (let i = 0; i < EXPERTS; i++) await createUser(database, `expert${i + 1}`, 'expert', PASSWORD);
  await database.close();
  return { projectId: project.projectId, seconds: (performance.now() - started) / 1000 };
}

async function startServer(location: string, label: string): Promise<{ port: number; child: ChildProcess }> {
  // A folder per server (node names each thread's profile; the loader's thread writes one too).
  const profile = values.profile ? ['--cpu-prof', '--cpu-prof-dir', join(values.profile, label)] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(import.meta.dirname, 'bench-server.ts'), location], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { port, child };
}

async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise((resolve) => {
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** A complete, valid verdict: original label correct, every other candidate wrong, each model's mistake graded. */
function verdictFor(item: ReviewItem): VerdictRequest {
  const labels: VerdictRequest['labels'] = {};
  for (const c of item.candidates) labels[c.key] = c.key === item.originalLabel!.key ? 'correct' : 'wrong';
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const m of item.models) {
    const top1 = m.predictions[0];
    if (top1 && isMistakeUnderJudgements(top1.key, labels)) mistakes[m.model] = { severity: 'Minor', category: item.mistakeCategories[0]! };
  }
  return { labels, problematic: null, mistakes, comment: '', baseRevision: 0 };
}

interface Result {
  configuration: string;
  floor: LatencyStats;
  saturation: LatencyStats;
  paced: LatencyStats;
  ratio: number;
  verdictsCounted: number;
  verdictsStored: number;
  overAssigned: number;
  deadlocks: number;
}

async function measure(configuration: Configuration): Promise<Result> {
  const { location, drop } = await configuration.create();
  const seeded = await seed(location);
  const label = configuration.name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase();
  const servers = [];
  // One at a time: each migrates the schema (PostgreSQL's migrations take a lock; the first does the work).
  for (let i = 0; i < configuration.instances; i++) servers.push(await startServer(location, `${label}-${i + 1}`));
  const clients = servers.map((server) => createClient(server.port, EXPERTS));
  // Expert e is served by instance e mod N, as a proxy that balances by connection would.
  const clientOf = (user: number) => clients[user % clients.length]!;
  const cookies: string[] = [];
  for (let i = 0; i < EXPERTS; i++) {
    const res = await clientOf(i).request('POST', '/api/auth/login', { body: { username: `expert${i + 1}`, password: PASSWORD } });
    if (res.status !== 200) throw new Error(`login answered ${res.status}: ${res.body}`);
    cookies.push(String(res.headers['set-cookie']?.[0]).split(';')[0]!);
  }

  const me = async (user: number, timed: <T>(label: string, work: () => Promise<T>) => Promise<T>) => {
    const res = await timed('me', () => clientOf(user).request('GET', '/api/auth/me', { cookie: cookies[user]! }));
    if (res.status !== 200) throw new Error(`auth/me answered ${res.status}`);
    return true;
  };
  let verdictsCounted = 0;
  const review = async (user: number, timed: <T>(label: string, work: () => Promise<T>) => Promise<T>) => {
    const cookie = cookies[user]!;
    const client = clientOf(user);
    const next = await timed('next', () => client.request('GET', `/api/projects/${seeded.projectId}/next`, { cookie }));
    if (next.status === 204) return false;
    if (next.status !== 200) throw new Error(`next answered ${next.status}: ${next.body}`);
    const item = JSON.parse(next.body) as ReviewItem;
    const res = await timed('verdict', () => client.request('POST', `/api/items/${item.id}/verdicts`, { cookie, body: verdictFor(item) }));
    if (res.status !== 201) throw new Error(`verdict answered ${res.status}: ${res.body}`);
    verdictsCounted++;
    return true;
  };
  const both = (run: { seconds: number; latencies: Map<string, number[]> }) =>
    summarize([...(run.latencies.get('next') ?? []), ...(run.latencies.get('verdict') ?? [])], run.seconds);

  await runClosedLoop(EXPERTS, 1, me);
  const floor = summarize((await runClosedLoop(EXPERTS, SECONDS, me)).latencies.get('me') ?? [], SECONDS);
  await runClosedLoop(EXPERTS, 1, review);
  const saturation = both(await runClosedLoop(EXPERTS, SECONDS, review));
  await runPacedLoop(EXPERTS, 2, PACE_MS, review);
  const paced = both(await runPacedLoop(EXPERTS, SECONDS, PACE_MS, review));
  for (const client of clients) client.close();
  for (const server of servers) await stopServer(server.child);

  const database: Database = await connectDatabase(parseDatabaseLocation(location));
  const [over] = await readRows<{ n: number }>(
    database,
    'SELECT count(*) AS n FROM items WHERE verdict_count > (SELECT panel_size FROM projects WHERE id = items.project_id)',
  );
  const [stored] = await readRows<{ n: number }>(database, 'SELECT count(*) AS n FROM verdicts');
  // PostgreSQL breaks a deadlock by failing one of the writes (which the engine runs again): how many there were.
  const deadlocks =
    database.engine === 'postgres' ? ((await readRows<{ n: number }>(database, 'SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()'))[0]?.n ?? 0) : 0;
  await database.close();
  await drop();
  console.log(`${configuration.name}: seeded in ${seeded.seconds.toFixed(1)} s, measured`);
  return {
    configuration: configuration.name,
    floor,
    saturation,
    paced,
    ratio: saturation.perSecond / floor.perSecond,
    verdictsCounted,
    verdictsStored: stored!.n,
    overAssigned: over!.n,
    deadlocks,
  };
}

const results: Result[] = [];
try {
  for (const configuration of configurations) results.push(await measure(configuration));
} finally {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}

// --- report -------------------------------------------------------------------------------------------------------
const ms = (n: number) => `${n.toFixed(1)} ms`;
const rate = (n: number) => `${n.toFixed(0)} req/s`;
console.log(`\nreview loop on ${ITEMS} items, ${EXPERTS} experts, ${SECONDS} s per load; paced: next + verdict once every ${PACE_MS} ms per expert`);
console.log('| configuration | floor (auth/me) | saturation: next + verdict | ratio to floor | saturation p50 / p99 | paced p50 / p99 | verdicts stored / counted | over panel | deadlocks |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.configuration} | ${rate(r.floor.perSecond)} | ${rate(r.saturation.perSecond)} | ${r.ratio.toFixed(3)} | ${ms(r.saturation.p50)} / ${ms(r.saturation.p99)} | ${ms(r.paced.p50)} / ${ms(r.paced.p99)} | ${r.verdictsStored} / ${r.verdictsCounted} | ${r.overAssigned} | ${r.deadlocks} |`,
  );
}
const sqlite = results[0]!;
console.log(`targets: paced p99 < 25 ms on every configuration: ${results.every((r) => r.paced.p99 < 25) ? 'met' : 'MISSED'}; SQLite's ratio to its floor >= 0.10: ${sqlite.ratio >= 0.1 ? 'met' : 'MISSED'}`);
console.log(JSON.stringify({ items: ITEMS, experts: EXPERTS, seconds: SECONDS, paceMs: PACE_MS, results }));
