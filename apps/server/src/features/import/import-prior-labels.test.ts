// Importing existing multi-labels as prior judgements (manifest entry `priorLabels`, docs/FORMATS.md): TensorFlow
// Datasets' human-accuracy-v3 test file (test-fixtures/human-accuracy-v3, see its README) and ReaL JSON.
import { readHumanAccuracyV3, writeHumanAccuracyV3, type HumanAccuracyLabels, type HumanAccuracyList, type HumanAccuracyV3 } from '@bagel/core';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewItem } from '@bagel/contracts';
import { buildApp } from '../../app';
import { openDatabase, type Db } from '../../db/open-database';
import { createUser, login } from '../../../test/synthetic-project';
import { countRows, importRefusal } from './import-fixture';
import { importManifest } from './import-manifest';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { projectBaseline, serializeBaseline } from '../dashboard/project-baseline';
import { projectCatalog } from '../projects/project-catalog';

const TFDS_FILE = fileURLToPath(new URL('../../../test-fixtures/human-accuracy-v3/tfds_dummy_human_accuracy_fixed.json', import.meta.url));
const CLASS_INFO = fileURLToPath(new URL('../../../../../data/imagenet/class_info.json', import.meta.url));
const VALIDATION_LABELS = fileURLToPath(new URL('../../../test-fixtures/annotatedval20k/imagenet2012_validation_labels.txt', import.meta.url));

const TFDS_TEXT = readFileSync(TFDS_FILE, 'utf8');
const TFDS = readHumanAccuracyV3(TFDS_TEXT, 'tfds.json');
const CLASS_INFO_ROWS = JSON.parse(readFileSync(CLASS_INFO, 'utf8')) as { cid: number; wnid: string }[];
const WNID_OF_LINE = readFileSync(VALIDATION_LABELS, 'utf8').split('\n');
const validationFile = (n: number) => `ILSVRC2012_val_${String(n).padStart(8, '0')}.JPEG`;
const originalWnid = (file: string) => WNID_OF_LINE[Number(/(\d{8})/.exec(file)![1]) - 1]!;

const tempRoot = mkdtempSync(join(tmpdir(), 'bagel-import-prior-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));
let dirCount = 0;

let db: Db;
beforeEach(() => {
  db?.close();
  db = openDatabase(':memory:');
});

const TABLES = ['projects', 'images', 'accepted_labels', 'items', 'item_extra_candidates', 'prior_labels', 'prior_problematic', 'prior_major_slice'] as const;
const rowCounts = () => countRows(db, TABLES);

const ANNOTATED = Object.keys(TFDS.initial_annots);
const PROBLEMATIC = Object.keys(TFDS.problematic_images);
/** An image the file does not name: it keeps its original label. */
const UNNAMED = validationFile(2);

/** Model "m" and its top-1 on the images whose prior labels matter; on any other image it predicts the original label. */
const TOP1: Record<string, string> = {
  [validationFile(4)]: 'n07930864', // judged wrong: a mistake
  [validationFile(5)]: 'n02804414', // judged correct though not the original label: no mistake
  [validationFile(17)]: 'n01443537', // judged wrong
  [validationFile(22)]: 'n02105412', // judged unclear: no mistake
};

/**
 * Writes a project of `files` (original labels from ImageNet's validation labels; a vocabulary of every class
 * involved, from data/imagenet/class_info.json) whose manifest imports `priorLabels`; returns the manifest's path.
 */
function writeProject(files: readonly string[], priorLabels: { path: string; format: string } | undefined, extraFiles: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tempRoot, `p${dirCount++}-`));
  mkdirSync(join(dir, 'images'));
  const wnids = new Set([...files.map(originalWnid), ...Object.values(TOP1), ...Object.values(TFDS.initial_annots).flatMap((l) => Object.values(l).flat())]);
  writeFileSync(join(dir, 'classes.json'), JSON.stringify(CLASS_INFO_ROWS.filter((c) => wnids.has(c.wnid))));
  writeFileSync(join(dir, 'labels.csv'), ['file,label', ...files.map((f) => `${f},${originalWnid(f)}`), ''].join('\n'));
  writeFileSync(join(dir, 'm.csv'), ['file,rank,class,score', ...files.map((f) => `${f},1,${TOP1[f] ?? originalWnid(f)},0.9`), ''].join('\n'));
  for (const [name, content] of Object.entries(extraFiles)) writeFileSync(join(dir, name), content);
  const manifest = {
    version: 1,
    project: { name: 'Prior labels' },
    vocabulary: { path: 'classes.json', format: 'imagenet-class-info' },
    images: { dir: 'images' },
    originalLabels: { path: 'labels.csv', format: 'csv', classBy: 'key' },
    models: [{ name: 'm', predictions: { path: 'm.csv', format: 'csv', classBy: 'key' } }],
    ...(priorLabels ? { priorLabels } : {}),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'manifest.json');
}

/** The prior tables of the database, as a human-accuracy-v3 document (images in project order, lists correct, wrong, unclear). */
function storedAsHumanAccuracy(): HumanAccuracyV3 {
  const labels = db
    .prepare(
      `SELECT im.file, c.key, p.judgement FROM prior_labels p JOIN images im ON im.id = p.image_id
       JOIN classes c ON c.project_id = im.project_id AND c.idx = p.class_idx ORDER BY im.position, c.key`,
    )
    .all() as { file: string; key: string; judgement: HumanAccuracyList }[];
  const initial_annots: Record<string, HumanAccuracyLabels> = {};
  for (const { file, key, judgement } of labels) ((initial_annots[file] ??= {})[judgement] ??= []).push(key);
  for (const file of Object.keys(initial_annots)) {
    const lists = initial_annots[file]!;
    initial_annots[file] = Object.fromEntries((['correct', 'wrong', 'unclear'] as const).filter((l) => lists[l]).map((l) => [l, lists[l]]));
  }
  const problematic = db
    .prepare(
      `SELECT im.file, p.reason, p.reviewer, p.server_username, p.time_marked, p.time_reviewed
       FROM prior_problematic p JOIN images im ON im.id = p.image_id ORDER BY im.position`,
    )
    .all() as ({ file: string } & HumanAccuracyV3['problematic_images'][string])[];
  const majorSlice = db.prepare('SELECT im.file FROM prior_major_slice m JOIN images im ON im.id = m.image_id ORDER BY m.position').all() as { file: string }[];
  return {
    initial_annots,
    problematic_images: Object.fromEntries(problematic.map(({ file, ...record }) => [file, record])),
    imagenet_m: majorSlice.map((r) => r.file),
  };
}

/** A document's content, whatever the order of its images and of the classes in a list. */
function content(doc: HumanAccuracyV3, files?: ReadonlySet<string>) {
  const keep = (file: string) => !files || files.has(file);
  const sorted = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([f]) => keep(f)).sort(([a], [b]) => a.localeCompare(b)));
  return {
    initial_annots: sorted(
      Object.fromEntries(Object.entries(doc.initial_annots).map(([file, lists]) => [file, Object.fromEntries(Object.entries(lists).map(([l, keys]) => [l, [...keys!].sort()]))])),
    ),
    problematic_images: sorted(doc.problematic_images),
    imagenet_m: doc.imagenet_m.filter(keep),
  };
}

const importError = (manifestPath: string) => importRefusal(db, manifestPath);

const acceptedOf = (file: string) =>
  (
    db
      .prepare('SELECT c.key FROM accepted_labels a JOIN images im ON im.id = a.image_id JOIN classes c ON c.project_id = im.project_id AND c.idx = a.class_idx WHERE im.file = ? ORDER BY c.key')
      .all(file) as { key: string }[]
  ).map((r) => r.key);

describe('importing human-accuracy-v3 prior labels', () => {
  const FILES = [...ANNOTATED, UNNAMED, ...PROBLEMATIC];

  it('stores exactly the file: written back, it has the content it was read from', async () => {
    const result = await importManifest(db, writeProject(FILES, { path: TFDS_FILE, format: 'human-accuracy-v3' }));
    expect(result.priorLabels).toEqual({
      labelledImages: 11,
      judgements: 48,
      problematicImages: 10,
      majorSliceImages: 3,
      ignored: { labelled: 0, problematic: 0, majorSlice: 0 },
    });
    const written = writeHumanAccuracyV3(storedAsHumanAccuracy());
    expect(content(readHumanAccuracyV3(written, 'stored.json'))).toEqual(content(TFDS));
    // Field for field, the misspelt server_user_name included (read as server_username).
    expect(JSON.parse(written).problematic_images['ILSVRC2012_val_00000270.JPEG']).toEqual({
      reason: 'wnid is marked wrong',
      reviewer: 'ludwig',
      server_username: 'vaishaal',
      time_marked: '2019-03-28T21:19:20.847361+00:00',
      time_reviewed: '2019-05-03T23:32:30.092264+00:00',
    });
    expect(db.prepare("SELECT DISTINCT source FROM prior_labels").all()).toEqual([{ source: 'file' }]);
  });

  it("stores the dashboard's baseline with the project: the one computed from the tables it wrote", async () => {
    const { projectId } = await importManifest(db, writeProject(FILES, { path: TFDS_FILE, format: 'human-accuracy-v3' }));
    const { baseline: stored } = db.prepare('SELECT baseline FROM project_baselines WHERE project_id = ?').get(projectId) as { baseline: string };
    db.prepare('DELETE FROM project_baselines WHERE project_id = ?').run(projectId);
    const database = sqliteDatabase(db);
    const computed = await projectBaseline(database, (await projectCatalog(database).get(projectId))!);
    expect(JSON.parse(stored)).toEqual(JSON.parse(serializeBaseline(computed)));
    // What it holds is not trivial: the model's mistakes against the original labels and the prior ones, the
    // problematic images left out, the prior Major slice.
    const model = [...computed.models.values()][0]!;
    expect(computed.images).toBe(FILES.length);
    expect(model.before.mistakes).toBe(4);
    expect(model.base.mistakes).toBeGreaterThan(0);
    expect(model.base.mistakes).toBeLessThan(model.before.mistakes);
    expect(model.priorSlice.size).toBe(3);
    expect(model.base.realCounted).toBeLessThan(FILES.length);
  });

  it('leaves out, and counts, entries about images outside the project', async () => {
    const files = [validationFile(1), validationFile(17), validationFile(22), UNNAMED, validationFile(64), validationFile(270)];
    const result = await importManifest(db, writeProject(files, { path: TFDS_FILE, format: 'human-accuracy-v3' }));
    expect(result.priorLabels).toMatchObject({ labelledImages: 3, problematicImages: 2, majorSliceImages: 1, ignored: { labelled: 8, problematic: 8, majorSlice: 2 } });
    const written = writeHumanAccuracyV3(storedAsHumanAccuracy());
    expect(content(readHumanAccuracyV3(written, 'stored.json'))).toEqual(content(TFDS, new Set(files)));
  });

  it('accepts the correct and unclear classes of a labelled image, and queues the images some top-1 misses', async () => {
    const result = await importManifest(db, writeProject(FILES, { path: TFDS_FILE, format: 'human-accuracy-v3' }));
    expect(acceptedOf(validationFile(5))).toEqual(['n02804414', 'n03125729', 'n03131574', 'n04399382']);
    expect(acceptedOf(validationFile(22))).toEqual(['n02091244', 'n02105412']);
    expect(acceptedOf(UNNAMED)).toEqual([originalWnid(UNNAMED)]);
    expect(acceptedOf(validationFile(64))).toEqual([originalWnid(validationFile(64))]);
    // Without prior labels, images 5 and 22 would be items too (their top-1 is not the original label).
    const items = db.prepare('SELECT im.file, i.models_wrong FROM items i JOIN images im ON im.id = i.image_id ORDER BY im.position').all();
    expect(items).toEqual([
      { file: validationFile(4), models_wrong: 1 },
      { file: validationFile(17), models_wrong: 1 },
    ]);
    expect(result.items).toBe(2);
    // The classes judged wrong are candidates of the item.
    const extra = db
      .prepare(
        `SELECT c.key, x.source FROM item_extra_candidates x JOIN items i ON i.id = x.item_id JOIN images im ON im.id = i.image_id
         JOIN classes c ON c.project_id = im.project_id AND c.idx = x.class_idx WHERE im.file = ? ORDER BY c.idx`,
      )
      .all(validationFile(17));
    expect(extra).toEqual(TFDS.initial_annots[validationFile(17)]!.wrong!.map((key) => ({ key, source: 'prior' })));
  });

  it('shows an expert the classes judged beforehand as candidates of the review item, marked prior', async () => {
    await importManifest(db, writeProject(FILES, { path: TFDS_FILE, format: 'human-accuracy-v3' }));
    const app = await buildApp({ db, cacheDir: join(tempRoot, `cache-${dirCount++}`), logger: false });
    try {
      await createUser(db, 'expert1', 'expert', 'prior-password');
      const cookie = await login(app, 'expert1', 'prior-password');
      const itemId = (db.prepare('SELECT i.id FROM items i JOIN images im ON im.id = i.image_id WHERE im.file = ?').get(validationFile(17)) as { id: number }).id;
      const item = (await app.inject({ url: `/api/items/${itemId}`, headers: { cookie } })).json() as ReviewItem;
      const prior = item.candidates.filter((c) => c.sources.some((s) => s.kind === 'prior'));
      expect(prior.map((c) => c.key).sort()).toEqual([...TFDS.initial_annots[validationFile(17)]!.wrong!].sort());
      for (const c of prior) expect(c.sources).toContainEqual({ kind: 'prior', judgement: 'wrong' });
    } finally {
      await app.close();
    }
  });

  it('imports the same manifest twice as once, and refuses a changed prior labels file under the same name', async () => {
    const dir = mkdtempSync(join(tempRoot, 'again-'));
    copyFileSync(TFDS_FILE, join(dir, 'prior.json'));
    const manifest = writeProject(FILES, { path: join(dir, 'prior.json'), format: 'human-accuracy-v3' });
    await importManifest(db, manifest);
    const counts = rowCounts();
    expect((await importManifest(db, manifest)).alreadyImported).toBe(true);
    expect(rowCounts()).toEqual(counts);
    writeFileSync(join(dir, 'prior.json'), TFDS_TEXT.replace('"reviewer": "vaishaal"', '"reviewer": "becca"'));
    expect((await importError(manifest)).message).toContain('a project named "Prior labels" already exists with different content');
  });

  it.each([
    [
      'a class outside the vocabulary',
      (text: string) => text.replace('"n07930864"', '"n99999999"'),
      `field "$.initial_annots['ILSVRC2012_val_00000004.JPEG'].wrong[0]": class "n99999999" is not in the project's vocabulary`,
    ],
    ['a list that is not a list', (text: string) => text.replace(/"correct": \[\s*"n01917289"\s*\]/, '"correct": "n01917289"'), `field "$.initial_annots['ILSVRC2012_val_00000011.JPEG'].correct": expected an array, got a string`],
    ['a misspelt list', (text: string) => text.replace('"unclear"', '"unclean"'), `field "$.initial_annots['ILSVRC2012_val_00000022.JPEG'].unclean": unknown field`],
    ['broken JSON', (text: string) => text.slice(0, 300), 'not valid JSON'],
  ])('refuses %s, naming the file and the JSON path, and writes nothing', async (_, change, problem) => {
    const manifest = writeProject(FILES, { path: 'prior.json', format: 'human-accuracy-v3' }, { 'prior.json': change(TFDS_TEXT) });
    const error = await importError(manifest);
    expect(error.message).toContain(`${join(manifest, '..', 'prior.json')}`);
    expect(error.message).toContain(problem);
    expect(Object.values(rowCounts()).every((n) => n === 0)).toBe(true);
  });

  it('refuses a file that names none of the project images, and a missing file', async () => {
    const none = await importError(writeProject([validationFile(3)], { path: TFDS_FILE, format: 'human-accuracy-v3' }));
    expect(none.message).toBe(`${TFDS_FILE}: none of the images it names is an image of the project (is it the right file for this project?)`);
    const missing = await importError(writeProject(FILES, { path: 'nowhere.json', format: 'human-accuracy-v3' }));
    expect(missing.message).toMatch(/nowhere\.json: file not found \(named by the manifest's field "priorLabels\.path"\)$/);
    expect(Object.values(rowCounts()).every((n) => n === 0)).toBe(true);
  });

  it('refuses an unknown format in the manifest', async () => {
    const error = await importError(writeProject(FILES, { path: TFDS_FILE, format: 'human-accuracy-v2' }));
    expect(error.message).toMatch(/field "priorLabels\.format": Invalid option: expected one of "human-accuracy-v3"\|"real-json"$/);
  });
});

describe('importing ReaL JSON prior labels', () => {
  /** Images 1 to 4 of the validation set, with ReaL-style labels by class index. */
  const FILES = [1, 2, 3, 4].map(validationFile);
  const cid = (wnid: string) => CLASS_INFO_ROWS.find((c) => c.wnid === wnid)!.cid;

  function writeRealProject(realText: string): string {
    const manifest = writeProject(FILES, { path: 'real.json', format: 'real-json' }, { 'real.json': realText });
    // The whole ImageNet vocabulary, so that any class index is a class.
    writeFileSync(join(manifest, '..', 'classes.json'), readFileSync(CLASS_INFO));
    return manifest;
  }

  it('takes listed classes as correct, and an empty list as problematic with no label', async () => {
    const original = FILES.map((f) => cid(originalWnid(f)));
    // Image 1: its original label and class 7; image 2: nothing (left out); images 3 and 4: a class other than the original.
    const real = `[[${original[0]}, 7], [], [${original[2]! + 1}], [${original[3]}], [1], [2]]`;
    const result = await importManifest(db, writeRealProject(real));
    expect(result.priorLabels).toMatchObject({ labelledImages: 4, judgements: 4, problematicImages: 1, ignored: { labelled: 2 } });
    expect(db.prepare('SELECT im.file, p.class_idx, p.judgement FROM prior_labels p JOIN images im ON im.id = p.image_id ORDER BY im.position, p.class_idx').all()).toEqual([
      { file: FILES[0], class_idx: 7, judgement: 'correct' },
      { file: FILES[0], class_idx: original[0], judgement: 'correct' },
      { file: FILES[2], class_idx: original[2]! + 1, judgement: 'correct' },
      { file: FILES[3], class_idx: original[3], judgement: 'correct' },
    ]);
    expect(db.prepare('SELECT im.file, p.reason, p.reviewer FROM prior_problematic p JOIN images im ON im.id = p.image_id').all()).toEqual([
      { file: FILES[1], reason: 'ReaL: no label', reviewer: '' },
    ]);
    // The model's top-1 is the original label on images 1 to 3 (and n07930864 on image 4): it now misses image 2 (no
    // label at all), image 3 (its original label is not a ReaL label) and image 4; image 1 stays right.
    expect(acceptedOf(FILES[1]!)).toEqual([]);
    expect(db.prepare('SELECT im.file FROM items i JOIN images im ON im.id = i.image_id ORDER BY im.position').all()).toEqual(
      [FILES[1], FILES[2], FILES[3]].map((file) => ({ file })),
    );
  });

  it('refuses a class index outside the vocabulary, naming its JSON path', async () => {
    const error = await importError(writeRealProject('[[1], [2], [1000]]'));
    expect(error.message).toMatch(/real\.json, field "\$\[2\]\[0\]": class index 1000 is not in the project's vocabulary$/);
    expect(Object.values(rowCounts()).every((n) => n === 0)).toBe(true);
  });
});
