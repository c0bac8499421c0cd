// Benchmark of the review loop while long work runs (issue: "Long work never freezes the event loop"): a generated
// project of 50,000 items, 35,000 of them judged by a panel of 5 (about 190,000 verdict revisions: some revised, some
// with a comment, 2% decided by the lead after a discussion), on a SQLite file served by the real server in a child
// process. 30 experts call `GET next` then `POST verdict` on the 15,000 open items, as fast as the server answers,
// over loopback:
//
// - baseline: the review loop with nothing else running, for --seconds;
// - import: the same loop while `bagel import` writes a project of --import-images images (3 models) into the database;
// - busy: the same loop while the archive of the project is downloaded, the quorum changes (the dashboard is polled
//   every 5 s, as the web app does, until the background re-aggregation has ended), the human-accuracy-v3 file is
//   downloaded and the Major slice read.
//
// Also: `bagel export --format bagel` of the same project in a process of its own, for its peak memory.
//
//   npm run bench:busy-server -- [--items 50000] [--judged 35000] [--experts 30] [--seconds 10] [--import-images 50000]
//
// Prints, per phase, next + verdict p50/p99/max and throughput, as ratios to the baseline; the server's event-loop
// delay; the load generator's own event-loop delay (how much the machine itself holds processes up: on a loaded
// machine every figure stretches by it); the heavy work's durations and the server's peak memory.
// Targets: the review loop's p99 under 100 ms during the heavy work; the archive export's peak memory under 300 MB.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ProjectDashboard, ReviewItem } from '@bagel/contracts';
import { exportCommand } from '../../apps/server/src/cli/commands/export';
import { openDatabase } from '../../apps/server/src/db/open-database';
import { writeGeneratedManifest } from '../../apps/server/test/generated-manifest';
import { seedReviewedProject } from '../../apps/server/test/reviewed-project';
import { completeVerdict, createUser } from '../../apps/server/test/synthetic-project';
import { createClient, download as downloadFrom, summarize, type LatencyStats } from './http-load';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    items: { type: 'string', default: '50000' },
    judged: { type: 'string', default: '35000' },
    experts: { type: 'string', default: '30' },
    seconds: { type: 'string', default: '10' },
    'import-images': { type: 'string', default: '50000' },
    'export-child': { type: 'boolean', default: false }, // child mode: export the archive of positionals[0] to positionals[1]
    profile: { type: 'string' }, // a folder: write a V8 CPU profile of the server there
  },
});

if (values['export-child']) {
  // The archive written by `bagel export` in a process of its own: its peak memory is the export's.
  const started = performance.now();
  const line = await exportCommand({ db: positionals[0]!, project: 'busy', format: 'bagel', out: positionals[1]! });
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, line }));
  process.exit(0);
}

const ITEMS = Number(values.items);
const JUDGED = Number(values.judged);
const EXPERTS = Number(values.experts);
const SECONDS = Number(values.seconds);
const IMPORT_IMAGES = Number(values['import-images']);
const PASSWORD = 'bench-password-1';
const fmt = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '-' : n.toFixed(1));

const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-busy-'));
const dbFile = join(dir, 'bench.sqlite');

// --- the generated project -------------------------------------------------------------------------------------
let started = performance.now();
const db = openDatabase(dbFile);
const project = await seedReviewedProject(db, { name: 'busy', items: ITEMS, judged: JUDGED, panelSize: 5, models: 5, seed: 1, password: PASSWORD });
for (let i = 0; i < EXPERTS; i++) await createUser(db, `expert${i + 1}`, 'expert', PASSWORD);
await createUser(db, 'admin', 'admin', PASSWORD);
db.close();
console.log(`generated: ${ITEMS} items (${JUDGED} judged by a panel of 5, ${project.verdicts} verdict revisions), 5 models, ${EXPERTS} experts in ${fmt((performance.now() - started) / 1000)} s`);
started = performance.now();
const manifest = writeGeneratedManifest(join(dir, 'import'), { name: 'imported while serving', images: IMPORT_IMAGES, models: 3 });
console.log(`generated an import of ${IMPORT_IMAGES} images, 3 models (CSV) in ${fmt((performance.now() - started) / 1000)} s`);

// --- the server, in a child process --------------------------------------------------------------------------------
interface ServerStats {
  p50: number;
  p99: number;
  max: number;
  rssMb: number;
  peakRssMb: number;
}
const profile = values.profile ? ['--cpu-prof', '--cpu-prof-dir', values.profile] : [];
const server: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', join(import.meta.dirname, 'bench-server.ts'), dbFile], { stdio: ['pipe', 'pipe', 'inherit'] });
const serverLines = createInterface({ input: server.stdout! });
const waiting: ((line: string) => boolean)[] = [];
serverLines.on('line', (line) => {
  const index = waiting.findIndex((accept) => accept(line));
  if (index >= 0) waiting.splice(index, 1);
});
const serverLine = (prefix: string) => new Promise<string>((resolve) => waiting.push((line) => line.startsWith(prefix) && (resolve(line), true)));
const port = Number((await serverLine('listening')).split(' ')[1]);
const ask = async (command: 'reset' | 'report'): Promise<string> => {
  const answer = serverLine(command === 'reset' ? 'reset' : 'stats');
  server.stdin!.write(`${command}\n`);
  return answer;
};
const serverStats = async (): Promise<ServerStats> => JSON.parse((await ask('report')).slice('stats '.length));

const client = createClient(port, EXPERTS + 4);
async function login(username: string): Promise<string> {
  const res = await client.request('POST', '/api/auth/login', { body: { username, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`login of ${username} answered ${res.status}: ${res.body}`);
  return String(res.headers['set-cookie']?.[0]).split(';')[0]!;
}
const cookies = await Promise.all(Array.from({ length: EXPERTS }, (_, i) => login(`expert${i + 1}`)));
const admin = await login('admin');
const base = `/api/projects/${project.projectId}`;

const download = (path: string) => downloadFrom(port, path, admin);

// --- the phases ----------------------------------------------------------------------------------------------------
interface Phase {
  seconds: number;
  next: LatencyStats;
  verdict: LatencyStats;
  loop: LatencyStats;
  server: ServerStats;
  /** The load generator's own event-loop delay: the machine's holding up of processes (and this process's work). */
  noise: { p99: number; max: number };
}

/** The review loop of EXPERTS experts, until `work` has ended and at least SECONDS have passed. */
async function phase(work: () => Promise<unknown>): Promise<Phase> {
  await ask('reset');
  const noise = monitorEventLoopDelay({ resolution: 1 });
  noise.enable();
  const latencies = { next: [] as number[], verdict: [] as number[] };
  const t0 = performance.now();
  let workDone = false;
  const running = work().finally(() => (workDone = true));
  const minimum = t0 + SECONDS * 1000;
  await Promise.all(
    cookies.map(async (cookie) => {
      while (!workDone || performance.now() < minimum) {
        let t = performance.now();
        const next = await client.request('GET', `${base}/next`, { cookie });
        latencies.next.push(performance.now() - t);
        if (next.status === 204) break;
        if (next.status !== 200) throw new Error(`next answered ${next.status}: ${next.body}`);
        const item = JSON.parse(next.body) as ReviewItem;
        t = performance.now();
        const res = await client.request('POST', `/api/items/${item.id}/verdicts`, { cookie, body: completeVerdict(item) });
        latencies.verdict.push(performance.now() - t);
        if (res.status !== 201) throw new Error(`verdict answered ${res.status}: ${res.body}`);
      }
    }),
  );
  await running;
  const seconds = (performance.now() - t0) / 1000;
  noise.disable();
  return {
    seconds,
    next: summarize(latencies.next, seconds),
    verdict: summarize(latencies.verdict, seconds),
    loop: summarize([...latencies.next, ...latencies.verdict], seconds),
    server: await serverStats(),
    noise: { p99: noise.percentile(99) / 1e6, max: noise.max / 1e6 },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Warm-up (the dashboard's first call computes the project's baseline, once), then the baseline: nothing but the
// review loop.
await phase(async () => {
  await client.request('GET', `${base}/dashboard`, { cookie: admin });
  await sleep(1000);
});
const baseline = await phase(() => sleep(SECONDS * 1000));

// Import: `bagel import` writing a project into the database the server serves.
let importLine = '';
const imported = await phase(
  () =>
    new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, [join(import.meta.dirname, '../../apps/server/bin/bagel.mjs'), 'import', manifest, '--db', dbFile, '--progress', 'off'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      child.stdout!.resume();
      child.on('exit', (code) => {
        importLine = `bagel import of ${IMPORT_IMAGES} images (3 models) took ${fmt((performance.now() - t0) / 1000)} s (exit ${code})`;
        if (code === 0) resolve();
        else reject(new Error(importLine));
      });
    }),
);
const peakBefore = (await serverStats()).peakRssMb;
// Busy: the archive, a quorum change (its background re-aggregation followed on the dashboard), another export and
// the Major slice, all at once, while the experts go on.
const heavy: Record<string, string> = {};
const busy = await phase(async () => {
  const archive = download(`${base}/exports/bagel`).then((r) => (heavy.archive = `${fmt(r.bytes / 1e6)} MB in ${fmt(r.seconds)} s (status ${r.status})`));
  const quorum = (async () => {
    const t0 = performance.now();
    const res = await client.request('PATCH', `${base}/settings`, { cookie: admin, body: { quorum: { kind: 'unanimity' } } });
    if (res.status !== 200) throw new Error(`settings answered ${res.status}: ${res.body}`);
    const answered = (performance.now() - t0) / 1000;
    let polls = 0;
    for (;;) {
      const board = JSON.parse((await client.request('GET', `${base}/dashboard`, { cookie: admin })).body) as ProjectDashboard;
      polls++;
      if (board.reaggregation === null) break;
      await sleep(5000);
    }
    heavy.quorum = `answered in ${fmt(answered * 1000)} ms (${JSON.parse(res.body).reaggregatedItems} items at once); re-aggregated in the background in ${fmt((performance.now() - t0) / 1000)} s (${polls} dashboard polls)`;
  })();
  const labels = download(`${base}/exports/human-accuracy-v3`).then((r) => (heavy.humanAccuracy = `${fmt(r.bytes / 1e6)} MB in ${fmt(r.seconds)} s (status ${r.status})`));
  const slice = download(`${base}/major-slice`).then((r) => (heavy.majorSlice = `${fmt(r.bytes / 1e6)} MB in ${fmt(r.seconds)} s (status ${r.status})`));
  await Promise.all([archive, quorum, labels, slice]);
});

client.close();
await new Promise((resolve) => {
  server.on('exit', resolve);
  server.kill('SIGTERM');
});

// The archive by `bagel export`, in a process of its own: its peak memory.
const cli = await new Promise<{ seconds: number; peakRssMb: number; line: string }>((resolve, reject) => {
  const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--export-child', dbFile, join(dir, 'archive.json')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`export child exited with ${code}`))));
});
rmSync(dir, { recursive: true, force: true });

// --- report --------------------------------------------------------------------------------------------------------
const row = (name: string, p: Phase) =>
  `  ${name.padEnd(9)} next+verdict ${fmt(p.loop.perSecond)} req/s (ratio ${fmt(p.loop.perSecond / baseline.loop.perSecond)})  ` +
  `p50 ${fmt(p.loop.p50)} ms  p99 ${fmt(p.loop.p99)} ms (ratio ${fmt(p.loop.p99 / baseline.loop.p99)})  max ${fmt(p.loop.max)} ms | ` +
  `server loop delay p99 ${fmt(p.server.p99)} max ${fmt(p.server.max)} ms | machine (load generator's loop delay) p99 ${fmt(p.noise.p99)} max ${fmt(p.noise.max)} ms`;
console.log(`\nreview loop of ${EXPERTS} experts on ${ITEMS} items (panel of 5), phases of at least ${SECONDS} s:`);
console.log(row('baseline', baseline));
console.log(row('import', imported));
console.log(row('busy', busy));
console.log(`  busy phase (${fmt(busy.seconds)} s): archive ${heavy.archive}; quorum change ${heavy.quorum}; human-accuracy-v3 ${heavy.humanAccuracy}; Major slice ${heavy.majorSlice}`);
console.log(`  import phase (${fmt(imported.seconds)} s): ${importLine}`);
console.log(`  server memory: peak ${fmt(peakBefore)} MB before the busy phase (the review loop and the import), ${fmt(busy.server.peakRssMb)} MB after it: the archive and the rest added ${fmt(busy.server.peakRssMb - peakBefore)} MB`);
console.log(`  bagel export --format bagel in its own process: ${fmt(cli.seconds)} s, peak memory ${fmt(cli.peakRssMb)} MB (${cli.line.replace(/^Wrote .*?: /, '')})`);
const targets = {
  busyP99BelowMs: 100,
  busyP99Met: busy.loop.p99 < 100,
  archivePeakMemoryBelowMb: 300,
  // The process that builds nothing but the archive; in the server, what the busy phase added to its peak.
  archivePeakMemoryMet: cli.peakRssMb < 300,
  serverPeakAddedMb: busy.server.peakRssMb - peakBefore,
};
console.log(
  `  targets: review-loop p99 < 100 ms while busy: ${targets.busyP99Met ? 'met' : 'MISSED'}; ` +
    `archive export peak memory < 300 MB (bagel export's process): ${targets.archivePeakMemoryMet ? 'met' : 'MISSED'}`,
);
console.log(JSON.stringify({ items: ITEMS, judged: JUDGED, experts: EXPERTS, baseline, busy, import: imported, heavy, importLine, peakBefore, cli, targets }));
