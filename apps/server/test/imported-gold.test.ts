// Gold answers imported with the project (manifest entry `gold`, docs/FORMATS.md "Gold answers"): each item a
// multi-label file labels becomes a gold item whose answer is the file's label set, with no lead as its marker. Such
// an item is also in the panel's queue, so the queue never hands one item to an expert twice (as gold, then in the
// panel, or the other way round). The file is TensorFlow Datasets' human-accuracy-v3 test file, read here with
// JSON.parse, not with Bagel's reader.
import type { DeskItem, ExpertReliabilityReport, ProjectSettings, ReviewItem } from '@bagel/contracts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRefusal } from '../src/features/import/import-fixture';
import { importManifest, type ImportResult } from '../src/features/import/import-manifest';
import { completeVerdict, createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

const TFDS_FILE = fileURLToPath(new URL('../test-fixtures/human-accuracy-v3/tfds_dummy_human_accuracy_fixed.json', import.meta.url));
const CLASS_INFO = fileURLToPath(new URL('../../../data/imagenet/class_info.json', import.meta.url));
const VALIDATION_LABELS = fileURLToPath(new URL('../test-fixtures/annotatedval20k/imagenet2012_validation_labels.txt', import.meta.url));

const TFDS_TEXT = readFileSync(TFDS_FILE, 'utf8');
const TFDS = JSON.parse(TFDS_TEXT) as { initial_annots: Record<string, Partial<Record<'correct' | 'wrong' | 'unclear', string[]>>> };
const CLASS_INFO_ROWS = JSON.parse(readFileSync(CLASS_INFO, 'utf8')) as { cid: number; wnid: string }[];
const WNID_OF_LINE = readFileSync(VALIDATION_LABELS, 'utf8').split('\n');
const validationFile = (n: number) => `ILSVRC2012_val_${String(n).padStart(8, '0')}.JPEG`;
const originalWnid = (file: string) => WNID_OF_LINE[Number(/(\d{8})/.exec(file)![1]) - 1]!;

/**
 * The project's images: 1 and 18, which the file labels, are not items (the model's top-1 is the original label);
 * 4, 17 and 19 are items the file labels, so gold items; 3 is an item the file does not name.
 */
const FILES = [1, 3, 4, 17, 18, 19].map(validationFile);
/** The model's top-1 where it is not the original label: on 4, 17, 19 a class the file judges wrong. */
const TOP1: Record<string, string> = {
  [validationFile(3)]: 'n01443537',
  [validationFile(4)]: 'n07930864',
  [validationFile(17)]: 'n01443537',
  [validationFile(19)]: 'n03179701',
};
const GOLD_FILES = [4, 17, 19].map(validationFile);

/** The file's label set of an image, as a gold answer's labels: class key → judgement. */
function fileAnswer(file: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [judgement, keys] of Object.entries(TFDS.initial_annots[file]!)) for (const key of keys!) labels[key] = judgement;
  return labels;
}

const tempRoot = mkdtempSync(join(tmpdir(), 'bagel-imported-gold-'));
let dirCount = 0;

function writeProject(name: string, gold: { path: string; format: string }, extraFiles: Record<string, string> = {}, files: readonly string[] = FILES): string {
  const dir = mkdtempSync(join(tempRoot, `p${dirCount++}-`));
  mkdirSync(join(dir, 'images'));
  const wnids = new Set([...files.map(originalWnid), ...Object.values(TOP1), ...Object.values(TFDS.initial_annots).flatMap((l) => Object.values(l).flat())]);
  writeFileSync(join(dir, 'classes.json'), JSON.stringify(CLASS_INFO_ROWS.filter((c) => wnids.has(c.wnid))));
  writeFileSync(join(dir, 'labels.csv'), ['file,label', ...files.map((f) => `${f},${originalWnid(f)}`), ''].join('\n'));
  writeFileSync(join(dir, 'm.csv'), ['file,rank,class,score', ...files.map((f) => `${f},1,${TOP1[f] ?? originalWnid(f)},0.9`), ''].join('\n'));
  writeFileSync(join(dir, 'gold.json'), TFDS_TEXT);
  for (const [file, content] of Object.entries(extraFiles)) writeFileSync(join(dir, file), content);
  const manifest = {
    version: 1,
    project: { name, panelSize: 2 },
    vocabulary: { path: 'classes.json', format: 'imagenet-class-info' },
    images: { dir: 'images' },
    originalLabels: { path: 'labels.csv', format: 'csv', classBy: 'key' },
    models: [{ name: 'm', predictions: { path: 'm.csv', format: 'csv', classBy: 'key' } }],
    gold,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'manifest.json');
}

let t: TestApp;
const cookies: Record<string, string> = {};
const PASSWORD = 'imported-gold-password';
const request = (user: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: cookies[user]! }, ...(payload === undefined ? {} : { payload }) });

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role] of [['ann', 'expert'], ['bob', 'expert'], ['lea', 'lead'], ['adm', 'admin']] as const) {
    await createUser(t.database, name, role, PASSWORD);
    cookies[name] = await login(t.app, name, PASSWORD);
  }
});
afterAll(async () => {
  await t.close();
  rmSync(tempRoot, { recursive: true, force: true });
});

/** Item id per image file of the project. */
async function itemsOf(projectId: number): Promise<Record<string, number>> {
  const rows = await readRows<{ id: number; file: string }>(
    t.database,
    'SELECT i.id, im.file FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ?',
    projectId,
  );
  return Object.fromEntries(rows.map((row) => [row.file, Number(row.id)]));
}

describe('importing gold answers', () => {
  let imported: ImportResult;
  let items: Record<string, number>;

  beforeAll(async () => {
    imported = await importManifest(t.database, writeProject('Imported gold', { path: 'gold.json', format: 'human-accuracy-v3' }));
    items = await itemsOf(imported.projectId);
  });

  it('makes each item the file labels a gold item, its label set the answer, marked by no lead', async () => {
    expect(imported.items).toBe(4);
    // Of the file's 11 labelled images, 5 are in the project: 3 items, 2 images that are not items.
    expect(imported.gold).toEqual({ goldItems: 3, labelledNotItems: 2, ignored: 6 });
    const rows = await readRows<{ item_id: number; answer: string; marked_by: number | null }>(
      t.database,
      'SELECT item_id, answer, marked_by FROM gold_items WHERE project_id = ? ORDER BY item_id',
      imported.projectId,
    );
    expect(rows.map((row) => Number(row.item_id)).sort()).toEqual(GOLD_FILES.map((f) => items[f]!).sort());
    for (const file of GOLD_FILES) {
      const row = rows.find((r) => Number(r.item_id) === items[file])!;
      expect(row.marked_by).toBeNull();
      expect(JSON.parse(row.answer)).toEqual({ labels: fileAnswer(file), problematic: null, mistakes: {} });
    }
    const desk = (await request('lea', 'GET', `/api/items/${items[GOLD_FILES[0]!]}/desk`)).json() as DeskItem;
    expect(desk.item.status).toBe('open');
    expect(desk.gold).toMatchObject({ markedBy: null, answer: { labels: fileAnswer(GOLD_FILES[0]!) } });
    expect(((await request('lea', 'GET', `/api/items/${items[validationFile(3)]}/desk`)).json() as DeskItem).gold).toBeNull();
  });

  it('serves an imported gold item once to an expert, who is then never handed it in the panel; reliability counts the answer', async () => {
    const settings = await request('adm', 'PATCH', `/api/projects/${imported.projectId}/settings`, { goldRate: 0, goldQualification: 1 });
    expect(settings.json()).toMatchObject({ goldRate: 0, goldQualification: 1 } satisfies Partial<ProjectSettings>);
    const first = await request('ann', 'GET', `/api/projects/${imported.projectId}/next`);
    expect(first.statusCode, first.body).toBe(200);
    const gold = first.json() as ReviewItem;
    expect(GOLD_FILES.map((f) => items[f])).toContain(gold.id);
    expect(gold.status).toBe('open');
    // Ann judges the file's correct class correct and every other candidate wrong.
    const answer = fileAnswer(Object.keys(items).find((file) => items[file] === gold.id)!);
    const correctKey = Object.keys(answer).find((key) => answer[key] === 'correct')!;
    const body = completeVerdict(gold, 0, {
      labels: Object.fromEntries(gold.candidates.map((c) => [c.key, c.key === correctKey ? 'correct' : 'wrong'])),
    });
    expect((await request('ann', 'POST', `/api/items/${gold.id}/verdicts`, body)).statusCode).toBe(201);
    expect(await readRows(t.database, 'SELECT item_id FROM verdicts WHERE item_id = ?', gold.id)).toEqual([]);
    expect((await readRows(t.database, 'SELECT item_id FROM gold_probe_answers WHERE item_id = ?', gold.id)).length).toBe(1);

    // The rest of her stream: every other item, the answered gold item never again.
    const handed: number[] = [];
    for (;;) {
      const next = await request('ann', 'GET', `/api/projects/${imported.projectId}/next`);
      if (next.statusCode === 204) break;
      expect(next.statusCode, next.body).toBe(200);
      const item = next.json() as ReviewItem;
      handed.push(item.id);
      expect((await request('ann', 'POST', `/api/items/${item.id}/verdicts`, completeVerdict(item))).statusCode).toBe(201);
    }
    expect(handed.sort()).toEqual(Object.values(items).filter((id) => id !== gold.id).sort());

    // Bob judged nothing yet: his first item is a gold item too (the qualification set).
    const bobFirst = (await request('bob', 'GET', `/api/projects/${imported.projectId}/next`)).json() as ReviewItem;
    expect(GOLD_FILES.map((f) => items[f])).toContain(bobFirst.id);

    const report = (await request('lea', 'GET', `/api/projects/${imported.projectId}/expert-reliability?reference=gold`)).json() as ExpertReliabilityReport;
    expect(report.referenceItems).toBe(3);
    const ann = report.experts.find((e) => e.expert === 'ann')!;
    expect(ann.items).toBe(1);
    // Her one correct judgement is the file's correct class; each of her wrong ones is a class the file judges wrong or leaves out.
    expect(ann.sensitivity).toMatchObject({ successes: 1, trials: 1 });
    expect(ann.specificity.successes).toBe(gold.candidates.length - 1);
    expect(ann.specificity.trials).toBe(gold.candidates.length - 1);
  });

  it('refuses a file that labels no item of the project, and writes nothing', async () => {
    const before = await readRows<{ n: number }>(t.database, 'SELECT count(*) AS n FROM projects');
    // Only images the file labels and the model gets right: none is an item.
    const manifest = writeProject('No gold items', { path: 'gold.json', format: 'human-accuracy-v3' }, {}, [1, 18].map(validationFile));
    const refusal = await importRefusal(t.database, manifest);
    expect(refusal.message).toMatch(/gold\.json: none of the 2 project images it labels is an item/);
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM projects')).toEqual(before);
  });

  it('names the file and the JSON path of a class outside the vocabulary', async () => {
    const bad = JSON.stringify({ initial_annots: { [validationFile(4)]: { correct: ['n99999999'] } } });
    const manifest = writeProject('Bad gold', { path: 'bad-gold.json', format: 'human-accuracy-v3' }, { 'bad-gold.json': bad });
    const refusal = await importRefusal(t.database, manifest);
    expect(refusal.message).toContain('bad-gold.json');
    expect(refusal.message).toContain('n99999999');
  });
});
