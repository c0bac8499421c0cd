// `bagel import` into the database a server is serving: written in short transactions, the import never holds the
// server up for long (the server waits for SQLite's write lock without freezing its event loop), and the project
// appears whole at the end or not at all: a crashed or failed import leaves nothing visible, and the next import
// removes what a crashed one left.
import type { ProjectList, ReviewItem } from '@bagel/contracts';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/database';
import { parseDatabaseLocation } from '../src/db/database-location';
import { importManifest } from '../src/features/import/import-manifest';
import { writeGeneratedManifest } from './generated-manifest';
import { completeVerdict, createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bagel.mjs');
const PASSWORD = 'long-password-1';
// Enough for the import to write for a second or more (its multi-row INSERTs write 10,000 images in well under one),
// so that "a small part of it" is a bound with room.
const IMAGES = 20_000;

let t: TestApp;
let reviewed: SyntheticProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  reviewed = await seedSyntheticProject(t.database, { name: 'Under review', images: 2000, models: 2, classes: 100, panelSize: 3, seed: 4, allWrong: true });
  for (const [name, role] of [['adm', 'admin'], ['e1', 'expert'], ['e2', 'expert']] as const) {
    await createUser(t.database, name, role, PASSWORD);
    cookies[name] = await login(t.app, name, PASSWORD);
  }
}, 120_000);
afterAll(() => t.close());

const projectNames = async () =>
  ((await t.app.inject({ url: '/api/projects', headers: { cookie: cookies.adm! } })).json() as ProjectList).projects.map((p) => p.name);

/** Runs `bagel import` on the server's database in a child process; `onLine` hears its progress lines (stderr). */
function runImport(manifest: string, onLine: (line: string, kill: () => void) => void = () => {}): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'import', manifest, '--db', t.location, '--progress', 'lines'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) onLine(line, () => child.kill('SIGKILL'));
    stderr += chunk.toString();
  });
  child.stdout.resume();
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr })));
}

describe('an import into the database a server is serving', () => {
  it('never holds up the review loop for long, and the project appears whole at the end', async () => {
    const manifest = writeGeneratedManifest(mkdtempSync(join(t.dir, 'import-')), { name: 'Imported while serving', images: IMAGES, models: 3 });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    let writingStarted = 0;
    let writingEnded = 0;
    /** What the project list showed while the import ran, with the size the new project had when it was listed. */
    const seenDuringImport: { names: string[]; images: number | null }[] = [];
    const latencies: number[] = [];
    let importing = true;
    const imported = runImport(manifest, (line) => {
      if (line.includes('writing:') && writingStarted === 0) writingStarted = performance.now();
    }).finally(() => {
      writingEnded = performance.now();
      importing = false;
    });
    // The review loop of two experts, and the project list, while the import runs.
    delay.enable();
    const loop = async (expert: string) => {
      while (importing) {
        const started = performance.now();
        const next = await t.app.inject({ url: `/api/projects/${reviewed.projectId}/next`, headers: { cookie: cookies[expert]! } });
        expect(next.statusCode, next.body).toBe(200);
        const item = next.json() as ReviewItem;
        const res = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: { cookie: cookies[expert]! }, payload: completeVerdict(item) });
        expect(res.statusCode, res.body).toBe(201);
        if (writingStarted > 0) latencies.push(performance.now() - started);
        const names = await projectNames();
        const listed = names.includes('Imported while serving')
          ? (await readRows<{ n: number }>(t.database, `SELECT count(*) AS n FROM images im JOIN projects p ON p.id = im.project_id WHERE p.name = 'Imported while serving'`))[0]!.n
          : null;
        seenDuringImport.push({ names, images: listed });
      }
    };
    await Promise.all([loop('e1'), loop('e2')]);
    const result = await imported;
    delay.disable();
    expect(result.code, result.stderr).toBe(0);
    expect(writingStarted).toBeGreaterThan(0);
    const writingMs = writingEnded - writingStarted;

    // The project was never listed half-written (only whole, once the import's last transaction committed), and is
    // listed whole now.
    expect(seenDuringImport.filter((seen) => seen.images === null).length).toBeGreaterThan(10);
    for (const seen of seenDuringImport) {
      if (seen.images === null) expect(seen.names).toEqual(['Under review']);
      else expect(seen).toEqual({ names: ['Under review', 'Imported while serving'], images: IMAGES });
    }
    expect(await projectNames()).toEqual(['Under review', 'Imported while serving']);
    const id = (await readRows<{ id: number }>(t.database, `SELECT id FROM projects WHERE name = 'Imported while serving'`))[0]!.id;
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM images WHERE project_id = ?', id)).toEqual([{ n: IMAGES }]);
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM items WHERE project_id = ?', id)).toEqual([{ n: IMAGES }]);

    // In one transaction, the import held the write lock for its whole writing: the server's writes waited for all of
    // it, its event loop asleep. In slices, next + verdict went on, none waiting more than a small part of it.
    latencies.sort((a, b) => a - b);
    const loopMax = delay.max / 1e6;
    console.log(
      `import wrote for ${writingMs.toFixed(0)} ms; ${latencies.length} next + verdict meanwhile: p50 ${latencies[latencies.length >> 1]?.toFixed(1)} ms, ` +
        `max ${latencies.at(-1)?.toFixed(1)} ms; event-loop delay max ${loopMax.toFixed(1)} ms`,
    );
    expect(latencies.length).toBeGreaterThan(10);
    expect(latencies.at(-1)!).toBeLessThan(writingMs / 4);
    expect(loopMax).toBeLessThan(writingMs / 4);
  }, 300_000);

  it('leaves no visible project when it crashes midway, and the next import removes what it left and writes the project whole', async () => {
    const manifest = writeGeneratedManifest(mkdtempSync(join(t.dir, 'crash-')), { name: 'Crashed import', images: IMAGES, models: 3 });
    let killed = false;
    const result = await runImport(manifest, (line, kill) => {
      if (!killed && line.includes('writing:')) {
        killed = true;
        kill();
      }
    });
    expect(result.signal).toBe('SIGKILL');
    // Half written, hidden: in the database, but no one's project.
    const half = (await readRows<{ id: number; importing: string }>(t.database, `SELECT id, importing FROM projects WHERE name = 'Crashed import'`))[0]!;
    expect(half.importing).toMatch(/^\d+@/);
    const written = (await readRows<{ n: number }>(t.database, 'SELECT count(*) AS n FROM images WHERE project_id = ?', half.id))[0]!.n;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(IMAGES);
    expect(await projectNames()).not.toContain('Crashed import');
    expect((await t.app.inject({ url: `/api/projects/${half.id}/dashboard`, headers: { cookie: cookies.adm! } })).statusCode).toBe(404);

    const messages: string[] = [];
    // Another process's connection to the database.
    const db = await connectDatabase(parseDatabaseLocation(t.location));
    try {
      const again = await importManifest(db, manifest, { onProgress: (message, state) => void (state ? undefined : messages.push(message)) });
      expect(again.images).toBe(IMAGES);
      expect(messages).toContain(`removing the half-written project "Crashed import" left by an import that stopped (${half.importing})`);
    } finally {
      await db.close();
    }
    expect(await readRows(t.database, `SELECT count(*) AS n FROM images im JOIN projects p ON p.id = im.project_id WHERE p.name = 'Crashed import'`)).toEqual([{ n: IMAGES }]);
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM projects WHERE importing IS NOT NULL')).toEqual([{ n: 0 }]);
    expect(await projectNames()).toContain('Crashed import');
  }, 300_000);

  it('removes what its earlier transactions wrote when a later one fails', async () => {
    const manifest = writeGeneratedManifest(mkdtempSync(join(t.dir, 'fail-')), { name: 'Failing import', images: 3000, models: 1 });
    const tables = ['projects', 'classes', 'models', 'images', 'accepted_labels', 'predictions', 'items'];
    const counts = async () =>
      Object.fromEntries(await Promise.all(tables.map(async (table) => [table, (await readRows<{ n: number }>(t.database, `SELECT count(*) AS n FROM ${table}`))[0]!.n])));
    const before = await counts();
    // The 2,500th image cannot be written (as on a full disk): by then earlier transactions have committed.
    const trigger =
      t.database.engine === 'sqlite'
        ? [`CREATE TEMP TRIGGER fail_late AFTER INSERT ON images WHEN NEW.file = 'img-002499.jpg' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END`]
        : [
            `CREATE FUNCTION fail_late() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'simulated write failure'; END $$`,
            `CREATE TRIGGER fail_late AFTER INSERT ON images FOR EACH ROW WHEN (NEW.file = 'img-002499.jpg') EXECUTE FUNCTION fail_late()`,
          ];
    for (const statement of trigger) await readRows(t.database, statement);
    let slices = 0;
    try {
      await expect(
        importManifest(t.database, manifest, { slices: { sliceMs: 1, pauseMs: 0 }, onProgress: (message) => void (message.startsWith('writing:') && slices++) }),
      ).rejects.toThrow('simulated write failure');
    } finally {
      for (const statement of t.database.engine === 'sqlite' ? ['DROP TRIGGER temp.fail_late'] : ['DROP TRIGGER fail_late ON images', 'DROP FUNCTION fail_late()']) await readRows(t.database, statement);
    }
    expect(await counts()).toEqual(before);
  }, 120_000);
});
