import type { ExportFormat } from '@bagel/contracts';
import { readHumanAccuracyV3, type HumanAccuracyV3 } from '@bagel/core';
import { Command } from 'commander';
import { CompiledQuery } from 'kysely';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app';
import { exportCommand, registerExportCommand } from '../src/cli/commands/export';
import { archiveUsersSql, BagelArchive } from '../src/features/exports/bagel-archive';
import { sizeText, writeFileAtomically } from '../src/features/exports/write-file-atomically';
import { importManifest } from '../src/features/import/import-manifest';
import { TICK_MS, type StepProgress } from '../src/lib/step-progress';
import { CLASSES, IMAGES, runHandReview, seedHandProject, type HandProject } from './hand-project';
import { createCommandDatabase, type CommandDatabase } from './command-database';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

const HERE = dirname(fileURLToPath(import.meta.url));
const GOLDEN = join(HERE, 'golden');
const BIN = join(HERE, '..', 'bin', 'bagel.mjs');
// `UPDATE_GOLDEN=1 npx vitest run --project server test/exports.test.ts` rewrites the golden files; review the diff.
const UPDATE = process.env.UPDATE_GOLDEN === '1';

let t: TestApp;
let project: HandProject;
let cookies: Record<string, string>;
const out = mkdtempSync(join(tmpdir(), 'bagel-exports-'));

beforeAll(async () => {
  t = await createTestApp();
  project = await seedHandProject(t.database);
  cookies = await runHandReview(t, project);
});
afterAll(async () => {
  await t.close();
  rmSync(out, { recursive: true, force: true });
});

const download = (user: string | null, url: string) => t.app.inject({ url, headers: user ? { cookie: cookies[user]! } : {} });

function golden(name: string, text: string): void {
  const file = join(GOLDEN, name);
  if (UPDATE) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const CASES: { format: ExportFormat; query?: string; model?: string; golden: string; fileName: string; type: string }[] = [
  { format: 'human-accuracy-v3', golden: 'human-accuracy-v3.json', fileName: 'hand-checked-zoo-human-accuracy-v3.json', type: 'application/json; charset=utf-8' },
  { format: 'mistakes', model: 'model-b', golden: 'mistakes-model-b.json', fileName: 'hand-checked-zoo-mistakes-model-b.json', type: 'application/json; charset=utf-8' },
  { format: 'real', golden: 'real.json', fileName: 'hand-checked-zoo-real.json', type: 'application/json; charset=utf-8' },
  { format: 'csv', golden: 'export.csv', fileName: 'hand-checked-zoo.csv', type: 'text/csv; charset=utf-8' },
  { format: 'bagel', golden: 'bagel-archive.json', fileName: 'hand-checked-zoo-bagel-archive.json', type: 'application/json; charset=utf-8' },
];

describe('exports of the hand-checked project (golden files)', () => {
  for (const c of CASES) {
    it(`${c.format}: the download and the command line give the golden file`, async () => {
      const url = `/api/projects/${project.projectId}/exports/${c.format}${c.model ? `?model=${c.model}` : ''}`;
      const res = await download('lea', url);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe(c.type);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="${c.fileName}"`);
      golden(c.golden, res.body);

      const file = join(out, c.golden);
      const line = await exportCommand({ db: t.location, project: 'Hand-checked zoo', format: c.format, model: c.model, out: file, now: t.clock.now });
      expect(line).toMatch(new RegExp(`^Wrote ${c.format} of project "Hand-checked zoo" to .*${c.golden}: `));
      expect(readFileSync(file, 'utf8')).toBe(res.body);
    });
  }

  it('human-accuracy-v3: merges the final labels over the prior ones, and lists the Major slice after the prior entries', async () => {
    const doc = readHumanAccuracyV3((await download('adm', `/api/projects/${project.projectId}/exports/human-accuracy-v3`)).body, 'export.json');
    // Image 2's prior labels (tabby correct, red fox wrong) with the panel's (tabby, Chihuahua correct).
    expect(doc.initial_annots[IMAGES[1]!.file]).toEqual({ correct: [CLASSES.dog.key, CLASSES.cat.key], wrong: [CLASSES.fox.key] });
    // Every image of the project is in the file: images 1 and 4, neither judged nor labelled before, with their
    // accepted labels (the original label) as the dashboard scores them.
    expect(Object.keys(doc.initial_annots)).toEqual(IMAGES.map((image) => image.file));
    expect(doc.initial_annots[IMAGES[0]!.file]).toEqual({ correct: [CLASSES.cat.key] });
    // Only the reviewed images: judged (2, 3, 5, 6) or with prior data (4 is in the prior Major slice).
    const reviewed = await download('adm', `/api/projects/${project.projectId}/exports/human-accuracy-v3?onlyReviewed=true`);
    expect(reviewed.headers['content-disposition']).toBe('attachment; filename="hand-checked-zoo-human-accuracy-v3-reviewed.json"');
    const subset = readHumanAccuracyV3(reviewed.body, 'reviewed.json');
    expect(Object.keys(subset.initial_annots)).toEqual([2, 3, 4, 5, 6].map((n) => IMAGES[n - 1]!.file));
    for (const file of Object.keys(subset.initial_annots)) expect(subset.initial_annots[file]).toEqual(doc.initial_annots[file]);
    expect(subset.problematic_images).toEqual(doc.problematic_images);
    expect(subset.imagenet_m).toEqual(doc.imagenet_m);
    expect(doc.problematic_images).toEqual({
      [IMAGES[5]!.file]: {
        reason: 'Drawing, painting, cartoon or rendering',
        reviewer: 'panel',
        server_username: 'ann',
        // As the released file writes times (Python's isoformat), which Python before 3.11 parses.
        time_marked: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/),
        time_reviewed: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/),
      },
    });
    expect(doc.imagenet_m).toEqual([IMAGES[3]!.file, IMAGES[2]!.file]);
    // TFDS's builder looks every imagenet_m name up in initial_annots, and drops problematic images that are not in it.
    for (const file of [...doc.imagenet_m, ...Object.keys(doc.problematic_images)]) expect(Object.hasOwn(doc.initial_annots, file)).toBe(true);
  });

  it('bagel: a versioned archive with every revision, decision and message', async () => {
    const archive = BagelArchive.parse(JSON.parse((await download('lea', `/api/projects/${project.projectId}/exports/bagel`)).body));
    expect(archive).toMatchObject({ format: 'bagel-archive', version: 2 });
    expect(archive.users.map((u) => `${u.username}/${u.role}`)).toEqual(['ann/expert', 'bob/expert', 'cyd/expert', 'lea/lead']);
    const five = archive.items.find((i) => i.file === IMAGES[4]!.file)!;
    expect(five.verdicts.map((v) => `${v.expert}@${v.revision}`)).toEqual(['ann@1', 'bob@1', 'bob@2', 'cyd@1']);
    expect(five.decisions.map((d) => `${d.kind} by ${d.lead}`)).toEqual(['finalize by lea']);
    expect(five.discussion.map((m) => m.author)).toEqual(['ann', 'lea']);
    expect(five.consensus?.status).toBe('disputed');
    expect(five.final).toEqual(five.decisions[0]!.final);
    // Each expert against the final labels, worked by hand for cyd over the four final items (2, 3, 5, 6):
    // present (final correct): cat ✓, dog ✗ (2), dog ✓ (3), wagon unclear (5), mug ✓ (6) → sensitivity 3 of 4;
    // absent: fox, mug (3), bus (5), bus (6) all wrong → specificity 4 of 4; fox unclear where the final is unclear;
    // unclear 2 of 10 judgements; no flag where the final flags 6 → 3 of 4; severities: A Minor vs Major (3),
    // B Major = Major (3), B Minor vs Major (5), B Minor vs Borderline (6) → 1 of 4 (A on 2 is no final mistake).
    const [final, gold] = archive.expertReliability;
    expect(gold).toMatchObject({ reference: 'gold', referenceItems: 0, experts: [] });
    expect(final).toMatchObject({ reference: 'final', referenceItems: 4 });
    const cyd = final!.experts.find((e) => e.expert === 'cyd')!;
    expect(cyd).toMatchObject({
      items: 4,
      present: { correct: 3, wrong: 1, unclear: 1 },
      absent: { correct: 0, wrong: 4, unclear: 0 },
      unsettled: { correct: 0, wrong: 0, unclear: 1 },
      problematic: { both: 0, expertOnly: 0, referenceOnly: 1, neither: 3 },
      sensitivity: { successes: 3, trials: 4, rate: 0.75 },
      specificity: { successes: 4, trials: 4, rate: 1 },
      unclearRate: { successes: 2, trials: 10 },
      problematicAgreement: { successes: 3, trials: 4 },
      severityAgreement: { successes: 1, trials: 4 },
    });
  });

  it('refuses a mistakes export without a known model, an unknown format or project, and anyone but leads and admins', async () => {
    const base = `/api/projects/${project.projectId}/exports`;
    expect((await download('lea', `${base}/csv?onlyReviewed=true`)).json()).toMatchObject({ statusCode: 400, code: 'ONLY_REVIEWED_UNSUPPORTED' });
    expect((await download('lea', `${base}/human-accuracy-v3?onlyReviewed=yes`)).statusCode).toBe(400);
    expect((await download('lea', `${base}/mistakes`)).json()).toMatchObject({ statusCode: 400, code: 'MODEL_REQUIRED' });
    expect((await download('lea', `${base}/mistakes?model=nope`)).json()).toMatchObject({ statusCode: 400, code: 'UNKNOWN_MODEL' });
    expect((await download('lea', `${base}/parquet`)).statusCode).toBe(400);
    expect((await download('lea', '/api/projects/9999/exports/csv')).statusCode).toBe(404);
    expect((await download('ann', `${base}/csv`)).statusCode).toBe(403);
    expect((await download(null, `${base}/csv`)).statusCode).toBe(401);
    expect((await download('adm', `${base}/csv`)).statusCode).toBe(200);
  });
});

describe("the archive's users", () => {
  it("are found by the indexes of who wrote what, on SQLite never by reading the project's items (migration 037)", async () => {
    // On SQLite the statement holds the event loop and the plan follows from the schema (no statistics): it must be
    // lookups by user. PostgreSQL plans it from its statistics, off the event loop; there only the answer is checked.
    if (t.database.engine === 'sqlite') {
      const query = archiveUsersSql(project.projectId).compile(t.database.queries);
      const { rows: plan } = await t.database.queries.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
      const details = plan.map((r) => r.detail);
      expect(details).toContain('SEARCH d USING COVERING INDEX decisions_by_lead (lead_id=?)');
      expect(details).toContain('SEARCH m USING INDEX discussion_by_user (user_id=?)');
      // The items are looked up by id, from the rows found, not read by project.
      expect(details.filter((detail) => detail.includes('(project_id=?)'))).toEqual([]);
    }
    const { rows } = await archiveUsersSql(project.projectId).execute(t.database.queries);
    // lea, the lead, wrote no verdict: she is found by her decisions and her messages.
    expect(rows.map((r) => `${r.username}/${r.role}`)).toEqual(['ann/expert', 'bob/expert', 'cyd/expert', 'lea/lead']);
  });
});

describe('atomic writes', () => {
  const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

  it('replaces a file whole', async () => {
    const file = join(out, 'atomic.txt');
    writeFileSync(file, 'old');
    await writeFileAtomically(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(leftovers(out)).toEqual([]);
  });

  it('leaves nothing when the folder does not exist', async () => {
    const file = join(out, 'no-such-folder', 'export.json');
    await expect(writeFileAtomically(file, 'x')).rejects.toThrow(/ENOENT/);
    expect(existsSync(dirname(file))).toBe(false);
  });

  it('leaves the target as it was and no temporary file when the rename fails', async () => {
    // The target is a folder with a file in it: the rename over it fails after the text is written.
    const target = join(out, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'keep.txt'), 'kept');
    await expect(writeFileAtomically(target, 'x'.repeat(100_000))).rejects.toThrow();
    expect(readdirSync(target)).toEqual(['keep.txt']);
    expect(leftovers(out)).toEqual([]);
  });

  it('writes nothing for a refused export, and keeps an earlier file', async () => {
    const file = join(out, 'refused.json');
    writeFileSync(file, 'earlier export');
    await expect(exportCommand({ db: t.location, project: String(project.projectId), format: 'mistakes', model: 'nope', out: file })).rejects.toThrow('Unknown model "nope"');
    await expect(exportCommand({ db: t.location, project: 'No such project', format: 'csv', out: file })).rejects.toThrow('no project "No such project"');
    await expect(exportCommand({ db: t.location, project: 'Hand-checked zoo', format: 'csv', out: join(out, 'nowhere', 'x.csv') })).rejects.toThrow(/folder .*nowhere \(of --out\) does not exist/);
    expect(readFileSync(file, 'utf8')).toBe('earlier export');
    expect(leftovers(out)).toEqual([]);
  });

  it('works through the `bagel` executable, exiting 1 with the reason on failure', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, 'export', '--db', t.location, ...args], { encoding: 'utf8', timeout: 30_000 });
    const ok = run(['--project', String(project.projectId), '--format', 'real', '--out', join(out, 'cli-real.json')]);
    // stderr is a pipe here: the progress comes as plain lines.
    const real = readFileSync(join(GOLDEN, 'real.json'), 'utf8');
    const leftOut = (JSON.parse(real) as number[][]).filter((classes) => classes.length === 0).length;
    expect(ok.stderr).toBe(`  read the results of ${IMAGES.length} images\n  built real: ${IMAGES.length} images, ${leftOut} left out\n  wrote the file (${sizeText(Buffer.byteLength(real))})\n`);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('Wrote real of project "Hand-checked zoo"');
    expect(readFileSync(join(out, 'cli-real.json'), 'utf8')).toBe(readFileSync(join(GOLDEN, 'real.json'), 'utf8'));
    const bad = run(['--project', 'Hand-checked zoo', '--format', 'mistakes', '--out', join(out, 'cli-mistakes.json')]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('bagel: The mistakes export is per model');
    expect(existsSync(join(out, 'cli-mistakes.json'))).toBe(false);
    const wrongFormat = run(['--project', 'Hand-checked zoo', '--format', 'xml', '--out', join(out, 'x')]);
    expect(wrongFormat.status).toBe(1);
    expect(wrongFormat.stderr).toContain("Allowed choices are human-accuracy-v3, mistakes, real, bagel, csv");
  });
});

describe('progress of an export', () => {
  /** Runs `bagel export ...` in-process on the hand-checked project, capturing what it prints. */
  async function runExport(args: string[]): Promise<{ out: string; err: string }> {
    let stdout = '';
    let stderr = '';
    const program = new Command('bagel')
      .exitOverride()
      .configureOutput({ writeOut: (text) => (stdout += text), writeErr: (text) => (stderr += text) });
    registerExportCommand(program);
    await program.parseAsync(['export', '--db', t.location, '--project', 'Hand-checked zoo', ...args], { from: 'user' });
    return { out: stdout, err: stderr };
  }
  /** Reports of a step's end (done === total); ticks come only from steps longer than TICK_MS. */
  const ends = (calls: [string, StepProgress | undefined][]) => calls.filter(([, state]) => state && state.done === state.total);
  const summaryLine = (format: string, file: string, summary: string) => `Wrote ${format} of project "Hand-checked zoo" to ${file}: ${summary}\n`;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('--progress lines: each step on stderr with its counts, the summary on stdout, the same file', async () => {
    const file = join(out, 'progress-lines.csv');
    const run = await runExport(['--format', 'csv', '--out', file, '--progress', 'lines']);
    expect(run.out).toBe(summaryLine('csv', file, `${IMAGES.length} images`));
    const size = readFileSync(file).length;
    expect(run.err).toBe([`  read the results of ${IMAGES.length} images`, `  built csv: ${IMAGES.length} images`, `  wrote the file (${sizeText(size)})`, ''].join('\n'));
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(GOLDEN, 'export.csv'), 'utf8'));

    const mistakes = join(out, 'progress-lines-mistakes.json');
    const graded = await runExport(['--format', 'mistakes', '--model', 'model-b', '--out', mistakes, '--progress', 'lines']);
    expect(graded.err.split('\n')).toEqual([
      `  read the grades of ${Object.keys(project.items).length} items`,
      expect.stringMatching(/^  built mistakes: \d+ mistakes of model-b$/),
      expect.stringMatching(/^  wrote the file \(\d+ bytes\)$/),
      '',
    ]);
    expect(readFileSync(mistakes, 'utf8')).toBe(readFileSync(join(GOLDEN, 'mistakes-model-b.json'), 'utf8'));
  });

  it('--progress off: nothing on stderr, the same summary and file', async () => {
    const file = join(out, 'progress-off.csv');
    const run = await runExport(['--format', 'csv', '--out', file, '--progress', 'off']);
    expect(run.err).toBe('');
    expect(run.out).toBe(summaryLine('csv', file, `${IMAGES.length} images`));
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(GOLDEN, 'export.csv'), 'utf8'));
  });

  it('--progress bar: the end line of each step, the same file', async () => {
    const file = join(out, 'progress-bar.json');
    const run = await runExport(['--format', 'real', '--out', file, '--progress', 'bar']);
    expect(run.err.startsWith(`  read the results of ${IMAGES.length} images\n`)).toBe(true);
    expect(run.err.endsWith(`  wrote the file (${sizeText(readFileSync(file).length)})\n`)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(GOLDEN, 'real.json'), 'utf8'));
  });

  for (const c of CASES) {
    it(`${c.format}: reports reading, writing the format and writing the file, and writes the golden file`, async () => {
      const calls: [string, StepProgress | undefined][] = [];
      const file = join(out, `progress-${c.golden}`);
      await exportCommand({ db: t.location, project: 'Hand-checked zoo', format: c.format, model: c.model, out: file, now: t.clock.now, onProgress: (m, p) => calls.push([m, p]) });
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(GOLDEN, c.golden), 'utf8'));
      const byItem = c.format === 'mistakes' || c.format === 'bagel';
      expect(ends(calls).map(([, p]) => `${p!.phase} ${p!.total} ${p!.unit}`)).toEqual([
        `reading results ${byItem ? Object.keys(project.items).length : IMAGES.length} ${byItem ? 'items' : 'images'}`,
        expect.stringMatching(new RegExp(`^writing ${c.format} \\d+ (images|items|mistakes)$`)),
        'writing file 1 MB',
      ]);
      // Every report is either a step's end or a throttled tick of one of these steps.
      for (const [, p] of calls) expect(['reading results', `writing ${c.format}`, 'writing file']).toContain(p?.phase);
    });
  }

  it('ticks while a step runs, at most every TICK_MS, with counts that grow', async () => {
    // A clock that moves 60 ms each time it is read: the loops over rows tick every second row.
    let clock = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => (clock += 60));
    const calls: [string, StepProgress | undefined][] = [];
    const file = join(out, 'progress-ticks.csv');
    await exportCommand({ db: t.location, project: 'Hand-checked zoo', format: 'csv', out: file, onProgress: (m, p) => calls.push([m, p]) });
    const ticks = calls.filter(([, p]) => p && p.done < p.total);
    const reading = ticks.filter(([, p]) => p!.phase === 'reading results');
    expect(reading.length).toBeGreaterThan(0);
    expect(reading[0]![0]).toMatch(new RegExp(`^reading results: \\d of ${IMAGES.length} images$`));
    expect(ticks.some(([, p]) => p!.phase === 'writing csv')).toBe(true);
    for (const phase of ['reading results', 'writing csv']) {
      const counts = ticks.filter(([, p]) => p!.phase === phase).map(([, p]) => p!.done);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
    }
    // Successive ticks of a step are at least TICK_MS apart.
    for (let i = 1; i < reading.length; i++) expect(reading[i]![1]!.elapsedMs - reading[i - 1]![1]!.elapsedMs).toBeGreaterThanOrEqual(TICK_MS);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(GOLDEN, 'export.csv'), 'utf8'));
  });

  it('writes a large file a slice at a time, reporting the megabytes written', async () => {
    let clock = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => (clock += TICK_MS));
    const calls: [string, StepProgress | undefined][] = [];
    const file = join(out, 'large.txt');
    const text = 'é'.repeat(1_500_000); // 3,000,000 bytes in UTF-8
    await writeFileAtomically(file, text, (m, p) => calls.push([m, p]));
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(calls.map(([m, p]) => `${m} | ${p!.done}/${p!.total} ${p!.unit}`)).toEqual([
      'writing file: 1 of 3 MB | 1/3 MB',
      'writing file: 2 of 3 MB | 2/3 MB',
      'wrote the file (3.0 MB) | 3/3 MB',
    ]);
  });
});

describe('human-accuracy-v3 prior labels', () => {
  const FIXTURE = join(HERE, '..', 'test-fixtures', 'human-accuracy-v3', 'tfds_dummy_human_accuracy_fixed.json');
  const CLASS_INFO = join(HERE, '..', '..', '..', 'data', 'imagenet', 'class_info.json');
  const LABELS = join(HERE, '..', 'test-fixtures', 'annotatedval20k', 'imagenet2012_validation_labels.txt');
  const fixtureText = readFileSync(FIXTURE, 'utf8');
  const fixture = readHumanAccuracyV3(fixtureText, FIXTURE);
  const wnidOfLine = readFileSync(LABELS, 'utf8').split('\n');
  const original = (file: string) => wnidOfLine[Number(/(\d{8})/.exec(file)![1]) - 1]!;
  const validation = (n: number) => `ILSVRC2012_val_${String(n).padStart(8, '0')}.JPEG`;
  // Image 4's top-1 is a class the prior judges wrong and image 17's too: items. Every other top-1 is the original label.
  const TOP1: Record<string, string> = { [validation(4)]: 'n07930864', [validation(17)]: 'n01443537' };

  let dir: string;
  let dbFile: string;
  let target: CommandDatabase;
  afterAll(() => target?.drop());
  beforeAll(async () => {
    dir = mkdtempSync(join(out, 'prior-'));
    const files = [...Object.keys(fixture.initial_annots), validation(2), ...Object.keys(fixture.problematic_images)];
    const wnids = new Set([...files.map(original), ...Object.values(TOP1), ...Object.values(fixture.initial_annots).flatMap((l) => Object.values(l).flat())]);
    const classInfo = (JSON.parse(readFileSync(CLASS_INFO, 'utf8')) as { wnid: string }[]).filter((c) => wnids.has(c.wnid));
    writeFileSync(join(dir, 'classes.json'), JSON.stringify(classInfo));
    writeFileSync(join(dir, 'labels.csv'), ['file,label', ...files.map((f) => `${f},${original(f)}`), ''].join('\n'));
    writeFileSync(join(dir, 'm.csv'), ['file,rank,class,score', ...files.map((f) => `${f},1,${TOP1[f] ?? original(f)},0.9`), ''].join('\n'));
    mkdirSync(join(dir, 'images'));
    const manifest = {
      version: 1,
      project: { name: 'TFDS fixture', panelSize: 3 },
      vocabulary: { path: 'classes.json', format: 'imagenet-class-info' },
      images: { dir: 'images' },
      originalLabels: { path: 'labels.csv', format: 'csv', classBy: 'key' },
      models: [{ name: 'm', predictions: { path: 'm.csv', format: 'csv', classBy: 'key' } }],
      priorLabels: { path: FIXTURE, format: 'human-accuracy-v3' },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    target = await createCommandDatabase(dir, 'prior.sqlite');
    dbFile = target.location;
    const db = await target.open();
    try {
      const result = await importManifest(db, join(dir, 'manifest.json'));
      expect(result.items).toBe(2);
    } finally {
      await db.close();
    }
  });

  const exported = async (name: string, onlyReviewed = true) => {
    await exportCommand({ db: dbFile, project: 'TFDS fixture', format: 'human-accuracy-v3', out: join(dir, name), onlyReviewed });
    return readFileSync(join(dir, name), 'utf8');
  };
  /**
   * The fixture as Bagel gives it back: the misspelt key written with the schema's spelling, and each problematic
   * image that the fixture leaves out of initial_annots in it with its original label (TFDS would drop it).
   */
  const expectedBack = () => {
    const expected = JSON.parse(fixtureText.replace('"server_user_name"', '"server_username"')) as HumanAccuracyV3;
    for (const file of Object.keys(expected.problematic_images)) expected.initial_annots[file] ??= { correct: [original(file)] };
    return expected;
  };

  it('gives back the imported file (its problematic images annotated) when nobody has judged anything, with --only-reviewed', async () => {
    const text = await exported('round-trip.json');
    // Lists may come in another order.
    expect(JSON.parse(text)).toEqual(expectedBack());
    const doc = readHumanAccuracyV3(text, 'round-trip.json');
    expect(Object.keys(doc.problematic_images)).toEqual(Object.keys(fixture.problematic_images));
    expect(doc.imagenet_m).toEqual(fixture.imagenet_m);
    for (const file of [...doc.imagenet_m, ...Object.keys(doc.problematic_images)]) expect(Object.hasOwn(doc.initial_annots, file)).toBe(true);
  });

  it('by default writes every image: those without prior labels with their original label', async () => {
    const doc = JSON.parse(await exported('every-image.json', false)) as HumanAccuracyV3;
    const expected = expectedBack();
    expected.initial_annots[validation(2)] = { correct: [original(validation(2))] };
    expect(doc).toEqual(expected);
  });

  it('merges a panel’s final labels over the prior ones: the final judgement of a class wins, others keep theirs', async () => {
    const db = await target.open();
    const server = await buildApp({ database: db, cacheDir: join(dir, 'cache'), now: () => Date.UTC(2025, 0, 2) });
    try {
      for (const name of ['ann', 'bob', 'cyd']) await createUser(db, name, 'expert', 'prior-password');
      const itemId = (await readRows<{ id: number }>(db, 'SELECT i.id FROM items i JOIN images im ON im.id = i.image_id WHERE im.file = ?', validation(4)))[0]!.id;
      // Prior of image 4: n04263257 correct; n07930864 (the model's top-1) and n07932039 wrong, so both are candidates.
      // The panel finds n07930864 correct after all.
      const labels = { n04263257: 'correct', n07930864: 'correct', n07932039: 'wrong' };
      for (const name of ['ann', 'bob', 'cyd']) {
        const cookie = await login(server, name, 'prior-password');
        const res = await server.inject({
          method: 'POST',
          url: `/api/items/${itemId}/verdicts`,
          headers: { cookie },
          payload: { labels, problematic: null, mistakes: {}, comment: '', baseRevision: 0 },
        });
        expect(res.statusCode, res.body).toBe(201);
      }
      expect(await readRows(db, 'SELECT status FROM items WHERE id = ?', itemId)).toEqual([{ status: 'agreed' }]);
    } finally {
      await server.close();
      await db.close();
    }
    const doc = JSON.parse(await exported('merged.json'));
    expect(doc.initial_annots[validation(4)]).toEqual({ correct: ['n04263257', 'n07930864'], wrong: ['n07932039'] });
    const expected = expectedBack();
    delete expected.initial_annots[validation(4)];
    delete doc.initial_annots[validation(4)];
    // Image 4 was in the prior ImageNet-M; judged now, its only model is right: it leaves the slice.
    expected.imagenet_m = expected.imagenet_m.filter((file: string) => file !== validation(4));
    expect(doc).toEqual(expected);
  });
});
