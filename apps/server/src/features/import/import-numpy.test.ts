// Importing image lists and NumPy predictions (docs/FORMATS.md), on small generated files: each refused case breaks
// one thing and checks the message names the file and what is wrong, and that nothing was written.
import { zipSync } from 'fflate';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNpy, type NpySpec } from '../../../../../packages/core/src/numpy/build-npy-for-tests';
import { openDatabase, type Db } from '../../db/open-database';
import { countRows, FIXTURE_CLASSES_CSV, importRefusal, writeFixture } from './import-fixture';
import { importManifest, type ImportProgress } from './import-manifest';

const tempRoot = mkdtempSync(join(tmpdir(), 'bagel-import-npy-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => mkdtempSync(join(tempRoot, `n${dirCount++}-`));

let db: Db;
beforeEach(() => {
  db?.close();
  db = openDatabase(':memory:');
});

const TABLES = ['projects', 'classes', 'models', 'images', 'accepted_labels', 'predictions', 'items'] as const;
const rowCounts = () => countRows(db, TABLES);

const importError = (manifestPath: string) => importRefusal(db, manifestPath);

function predictionsOf(model: string, file: string) {
  return db
    .prepare(
      `SELECT p.rank, p.class_idx AS class, p.score FROM predictions p JOIN images im ON im.id = p.image_id JOIN models m ON m.id = p.model_id
       WHERE m.name = ? AND im.file = ? ORDER BY p.rank`,
    )
    .all(model, file) as { rank: number; class: number; score: number | null }[];
}

function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

// The fixture's images, in the order of labels.csv: a.jpg cat(0), b.jpg dog(1), sub/c.jpg espresso(3), d.jpg fox(4).
/** Top-3 class indices: wrong on a.jpg (dog) and sub/c.jpg (cup). */
const TOPK = buildNpy({ type: 'i8', shape: [4, 3], elements: [1, 0, 4, 1, 0, 2, 2, 3, 0, 4, 0, 1] });
/** Logits over the five classes: wrong on a.jpg only (fox). */
const LOGITS = [
  [0.5, 0.1, -1, 0.2, 3],
  [-2, 4, 0, 0, 1],
  [0, 0, 0, 2.5, 1],
  [1, 1, 1, 1, 9],
];
const LOGITS_NPY = buildNpy({ type: 'f4', shape: [4, 5], elements: LOGITS.flat() });

function numpyManifest(models: unknown[] = []) {
  return {
    version: 1,
    project: { name: 'NumPy project', topK: 3 },
    vocabulary: { path: 'classes.csv', format: 'csv' },
    images: { dir: 'images' },
    originalLabels: { path: 'labels.csv', format: 'csv' },
    models: [
      { name: 'topk', predictions: { path: 'topk.npy', format: 'npy-topk' } },
      { name: 'logits', predictions: { path: 'logits.npy', format: 'npy-scores', kind: 'logits' } },
      ...models,
    ],
  };
}

function writeNumpyFixture(dir: string, options: { manifest?: unknown; files?: Record<string, string | Uint8Array> } = {}): string {
  return writeFixture(dir, {
    manifest: options.manifest ?? numpyManifest(),
    files: { 'topk.npy': TOPK, 'logits.npy': LOGITS_NPY, ...options.files },
  });
}

describe('importManifest: NumPy predictions', () => {
  it('keeps the top-k class indices of npy-topk, and the softmax top-k of logits', async () => {
    const progress: [string, ImportProgress | undefined][] = [];
    const result = await importManifest(db, writeNumpyFixture(freshDir()), { onProgress: (m, p) => progress.push([m, p]) });
    expect(result).toMatchObject({ images: 4, items: 2, models: 2, missingImages: [] });
    expect(predictionsOf('topk', 'sub/c.jpg')).toEqual([
      { rank: 1, class: 2, score: null },
      { rank: 2, class: 3, score: null },
      { rank: 3, class: 0, score: null },
    ]);
    const expected = softmax(LOGITS[2]!);
    const stored = predictionsOf('logits', 'sub/c.jpg');
    expect(stored.map((p) => p.class)).toEqual([3, 4, 0]);
    stored.forEach((p) => expect(p.score).toBeCloseTo(expected[p.class]!, 6));
    expect(
      db.prepare('SELECT im.file, i.models_wrong, i.confidence FROM items i JOIN images im ON im.id = i.image_id ORDER BY im.position').all(),
    ).toEqual([
      { file: 'a.jpg', models_wrong: 2, confidence: expect.closeTo(softmax(LOGITS[0]!)[4]!, 6) },
      { file: 'sub/c.jpg', models_wrong: 1, confidence: 0 },
    ]);
    // The end of each model's reading is reported with its row count, for the progress display.
    expect(progress).toContainEqual([
      'model "logits": 4 rows of logits read, top-3 kept for 4 images',
      expect.objectContaining({ phase: 'model "logits"', done: 4, total: 4, unit: 'rows' }),
    ]);
  });

  it('reads float16 probabilities as they are', async () => {
    // float16 bits: 0x3800 = 0.5, 0x3400 = 0.25, 0x3000 = 0.125.
    const row = [0x3000, 0x3400, 0, 0, 0x3800];
    const halves = buildNpy({ type: 'f2', shape: [4, 5], elements: [...row, ...row, ...row, ...row] });
    const manifest = numpyManifest();
    manifest.models[1] = { name: 'logits', predictions: { path: 'probabilities.npy', format: 'npy-scores', kind: 'probabilities' } };
    await importManifest(db, writeNumpyFixture(freshDir(), { manifest, files: { 'probabilities.npy': halves } }));
    expect(predictionsOf('logits', 'b.jpg')).toEqual([
      { rank: 1, class: 4, score: 0.5 },
      { rank: 2, class: 1, score: 0.25 },
      { rank: 3, class: 0, score: 0.125 },
    ]);
  });

  it('is idempotent: the same files again write nothing; a changed array under the same name is refused', async () => {
    const dir = freshDir();
    const manifestPath = writeNumpyFixture(dir);
    const first = await importManifest(db, manifestPath);
    const before = rowCounts();
    expect(await importManifest(db, manifestPath)).toEqual({ ...first, alreadyImported: true });
    expect(rowCounts()).toEqual(before);
    writeFileSync(join(dir, 'logits.npy'), buildNpy({ type: 'f4', shape: [4, 5], elements: LOGITS.flat().map((v) => v + 1) }));
    expect((await importError(manifestPath)).message).toMatch(/a project named "NumPy project" already exists with different content/);
    expect(rowCounts()).toEqual(before);
  });
});

describe('importManifest: ImageNet validation files, image lists and npz archives', () => {
  // Original labels of validation images 1..6; the project is the image list: validation images 5 and 2.
  const WNID_LINES = ['cat', 'dog', 'cup', 'espresso', 'fox', 'cat', ''].join('\n');
  const CLASSES = FIXTURE_CLASSES_CSV;
  const val = (n: number) => `ILSVRC2012_val_${String(n).padStart(8, '0')}.JPEG`;

  /** (50000, 5) probabilities, row i = validation image i + 1: image 2 says dog, image 5 says cup; others uniform. */
  function validationProbabilities(): Uint8Array {
    const elements = new Array<number>(50_000 * 5).fill(0.2);
    elements.splice(1 * 5, 5, 0.1, 0.6, 0.1, 0.1, 0.1);
    elements.splice(4 * 5, 5, 0.05, 0.05, 0.7, 0.1, 0.1);
    return zipSync({ 'ids.npy': buildNpy({ type: 'i8', shape: [1], elements: [7] }), 'probs.npy': buildNpy({ type: 'f4', shape: [50_000, 5], elements }) }, { level: 1 });
  }

  function validationManifest(models: unknown[]) {
    return {
      version: 1,
      project: { name: 'Validation subset', topK: 2 },
      vocabulary: { path: 'classes.csv', format: 'csv' },
      images: { dir: 'images', list: { path: 'list.txt', format: 'lines' } },
      originalLabels: { path: 'val.txt', format: 'imagenet-wnid-lines' },
      models,
    };
  }

  const files = { 'classes.csv': CLASSES, 'val.txt': WNID_LINES, 'list.txt': `${val(5)}\n${val(2)}\n` };

  it('picks the project images out of a 50,000-row npz, and orders a top-k array by its own image list', async () => {
    const manifest = validationManifest([
      { name: 'full', predictions: { path: 'full.npz', format: 'npz-scores', member: 'probs', kind: 'probabilities', rows: 'imagenet-validation' } },
      { name: 'listed', predictions: { path: 'listed.npy', format: 'npy-topk', imageList: { path: 'rows.json', format: 'json' } } },
    ]);
    const rows = JSON.stringify([val(2), val(9), val(5)]);
    const listed = buildNpy({ type: 'i4', shape: [3, 2], elements: [1, 0, 3, 4, 4, 2] });
    const result = await importManifest(
      db,
      writeFixture(freshDir(), { manifest, files: { ...files, 'full.npz': validationProbabilities(), 'rows.json': rows, 'listed.npy': listed }, images: [] }),
    );
    expect(result).toMatchObject({ images: 2, models: 2, items: 1 });
    expect(db.prepare('SELECT file, original_class_idx FROM images ORDER BY position').all()).toEqual([
      { file: val(5), original_class_idx: 4 },
      { file: val(2), original_class_idx: 1 },
    ]);
    expect(predictionsOf('full', val(5))).toEqual([
      { rank: 1, class: 2, score: expect.closeTo(0.7, 6) },
      { rank: 2, class: 3, score: expect.closeTo(0.1, 6) },
    ]);
    expect(predictionsOf('full', val(2)).map((p) => p.class)).toEqual([1, 0]);
    expect(predictionsOf('listed', val(5)).map((p) => p.class)).toEqual([4, 2]);
    expect(predictionsOf('listed', val(2)).map((p) => p.class)).toEqual([1, 0]);
    // Image 5 (fox): "full" says cup; "listed" says fox. Image 2 (dog): both right.
    expect(db.prepare('SELECT models_wrong, confidence FROM items').all()).toEqual([{ models_wrong: 1, confidence: expect.closeTo(0.7, 6) }]);
  });

  it('takes the images and their labels from an ImageNetV2 list alone', async () => {
    const manifest = { ...validationManifest([{ name: 'm', predictions: { path: 'm.npy', format: 'npy-topk' } }]), originalLabels: undefined };
    manifest.images.list = { path: 'list.json', format: 'json' };
    const list = JSON.stringify({ sampling_function: 'test', image_filenames: [[val(3), 'cup'], [val(1), 'cat']] });
    const result = await importManifest(
      db,
      writeFixture(freshDir(), { manifest, files: { 'classes.csv': CLASSES, 'list.json': list, 'm.npy': buildNpy({ type: 'i8', shape: [2, 1], elements: [2, 1] }) } }),
    );
    expect(result).toMatchObject({ images: 2, items: 1 });
    expect(db.prepare('SELECT file, original_class_idx FROM images ORDER BY position').all()).toEqual([
      { file: val(3), original_class_idx: 2 },
      { file: val(1), original_class_idx: 0 },
    ]);
  });

  const refusals: {
    name: string;
    models?: unknown[];
    files?: Record<string, string | Uint8Array>;
    manifest?: (m: ReturnType<typeof validationManifest>) => unknown;
    message: string;
  }[] = [
    {
      name: 'a listed image without an original label',
      files: { 'list.txt': `${val(5)}\n${val(7)}\n` },
      message: 'DIR/list.txt, line 2: image "ILSVRC2012_val_00000007.JPEG" has no original label in DIR/val.txt',
    },
    {
      name: 'a list label that the original labels contradict',
      manifest: (m) => ({ ...m, images: { dir: 'images', list: { path: 'list.json', format: 'json' } } }),
      files: { 'list.json': JSON.stringify({ image_filenames: [[val(5), 'fox'], [val(2), 'cat']] }) },
      message: 'DIR/list.json, row 2, field "image_filenames.label": the list labels "ILSVRC2012_val_00000002.JPEG" "cat", but DIR/val.txt gives it "dog"',
    },
    {
      name: 'rows "imagenet-validation" for an image that is not a validation image',
      manifest: (m) => ({ ...m, originalLabels: undefined, images: { dir: 'images', list: { path: 'list.json', format: 'json' } } }),
      files: { 'list.json': JSON.stringify({ image_filenames: [[val(5), 'fox'], ['holiday.jpg', 'cat']] }) },
      models: [{ name: 'full', predictions: { path: 'full.npz', format: 'npz-scores', member: 'probs', kind: 'probabilities', rows: 'imagenet-validation' } }],
      message:
        'DIR/manifest.json, field "models[0].predictions.rows": image "holiday.jpg" is not an ImageNet validation image (ILSVRC2012_val_00000001.JPEG to ILSVRC2012_val_00050000.JPEG), so rows "imagenet-validation" give it no row',
    },
    {
      name: 'an npz without the member',
      models: [{ name: 'full', predictions: { path: 'full.npz', format: 'npz-scores', member: 'logits', kind: 'logits', rows: 'imagenet-validation' } }],
      message: "DIR/full.npz: no array 'logits' in the archive (it holds 'ids', 'probs')",
    },
    {
      name: 'a 50,000-row file read as rows of the project',
      models: [{ name: 'full', predictions: { path: 'full.npz', format: 'npz-scores', member: 'probs', kind: 'probabilities' } }],
      message:
        "DIR/full.npz: member 'probs.npy': shape (50000, 5) does not fit: expected (2, 5), one row per image of the project (2), in its order, and one column per class of the vocabulary (5)",
    },
  ];

  it.each(refusals)('refuses $name, writing nothing', async ({ models, files: extra, manifest, message }) => {
    await importManifest(db, writeNumpyFixture(freshDir(), { manifest: { ...numpyManifest(), project: { name: 'Already there' } } }));
    const before = rowCounts();
    const dir = freshDir();
    const base = validationManifest(models ?? [{ name: 'm', predictions: { path: 'm.npy', format: 'npy-topk' } }]);
    const fixtureFiles = { ...files, 'full.npz': validationProbabilities(), 'm.npy': buildNpy({ type: 'i8', shape: [2, 1], elements: [2, 1] }), ...extra };
    const error = await importError(writeFixture(dir, { manifest: manifest ? manifest(base) : base, files: fixtureFiles }));
    expect(error.message).toBe(message.replaceAll('DIR', dir));
    expect(rowCounts()).toEqual(before);
  });
});

describe('importManifest: malformed NumPy files stop the import and write nothing', () => {
  const npy = (spec: NpySpec) => buildNpy(spec);
  const cases: { name: string; file: string; content: Uint8Array | string; model?: unknown; message: string }[] = [
    { name: 'bad magic', file: 'topk.npy', content: 'file,rank,class\n', message: 'DIR/topk.npy: bad magic: not a .npy file (it must start with \\x93NUMPY)' },
    { name: 'truncated data', file: 'topk.npy', content: TOPK.subarray(0, TOPK.length - 8), message: 'DIR/topk.npy: truncated: expected 96 bytes of data, got 88' },
    { name: 'an empty file', file: 'logits.npy', content: '', message: 'DIR/logits.npy: truncated: the file is empty' },
    {
      name: 'rows not matching the images',
      file: 'topk.npy',
      content: npy({ type: 'i8', shape: [3, 3], elements: Array(9).fill(0).map((_, i) => i % 3) }),
      message: 'DIR/topk.npy: shape (3, 3) does not fit: expected (4, k), one row per image of the project (4), in its order, and the k best class indices of each',
    },
    {
      name: 'columns not matching the vocabulary',
      file: 'logits.npy',
      content: npy({ type: 'f4', shape: [4, 1000], elements: Array(4000).fill(0) }),
      message: 'DIR/logits.npy: shape (4, 1000) does not fit: expected (4, 5), one row per image of the project (4), in its order, and one column per class of the vocabulary (5)',
    },
    {
      name: 'a class index out of range',
      file: 'topk.npy',
      content: npy({ type: 'i8', shape: [4, 3], elements: [1, 0, 4, 1, 0, 2, 2, 3, 5, 4, 0, 1] }),
      message: "DIR/topk.npy: element [2, 2]: class index 5 is out of range: the vocabulary's class indices run from 0 to 4",
    },
    {
      name: 'float class indices',
      file: 'topk.npy',
      content: npy({ type: 'f8', shape: [4, 3], elements: [1, 0, 4, 1, 0, 2, 2, 3, 0, 4, 0, 1] }),
      message: "DIR/topk.npy: unsupported dtype '<f8' (float64): npy-topk needs class indices in an integer array (e.g. int32 or int64)",
    },
    {
      name: 'integer scores',
      file: 'logits.npy',
      content: npy({ type: 'i4', shape: [4, 5], elements: Array(20).fill(1) }),
      message: "DIR/logits.npy: unsupported dtype '<i4' (int32): npy-scores needs scores in a float16, float32 or float64 array",
    },
    {
      name: 'a non-finite score',
      file: 'logits.npy',
      content: npy({ type: 'f4', shape: [4, 5], elements: LOGITS.flat().map((v, i) => (i === 17 ? NaN : v)) }),
      message: 'DIR/logits.npy: element [3, 2] is NaN: scores must be finite numbers',
    },
    {
      name: 'a truncated npz',
      file: 'logits.npz',
      content: zipSync({ 'logits.npy': [LOGITS_NPY, { level: 0 }] }).subarray(0, 120),
      model: { name: 'npz', predictions: { path: 'logits.npz', format: 'npz-scores', member: 'logits', kind: 'logits' } },
      message: "DIR/logits.npz: truncated: member 'logits.npy' is incomplete",
    },
  ];

  it.each(cases)('$name', async ({ file, content, model, message }) => {
    await importManifest(db, writeNumpyFixture(freshDir(), { manifest: { ...numpyManifest(), project: { name: 'Already there' } } }));
    const before = rowCounts();
    const dir = freshDir();
    const manifest = numpyManifest(model ? [model] : []);
    const error = await importError(writeNumpyFixture(dir, { manifest, files: { [file]: content } }));
    expect(error.message).toBe(message.replaceAll('DIR', dir));
    expect(error.file).toBe(join(dir, file));
    expect(rowCounts()).toEqual(before);
  });

  it('reports a missing NumPy file before reading anything', async () => {
    const dir = freshDir();
    const manifestPath = writeNumpyFixture(dir);
    rmSync(join(dir, 'logits.npy'));
    expect((await importError(manifestPath)).message).toBe(`${dir}/logits.npy: file not found (named by the manifest's field "models[1].predictions.path")`);
  });
});

describe('importManifest: manifest rules of the image list and the NumPy formats', () => {
  const cases: { name: string; manifest: (m: ReturnType<typeof numpyManifest>) => unknown; message: string }[] = [
    {
      name: 'neither original labels nor an image list',
      manifest: (m) => ({ ...m, originalLabels: undefined }),
      message: 'DIR/manifest.json, field "originalLabels": required: name the original labels file, or an image list with labels in "images.list"',
    },
    {
      name: 'a list of file names without original labels',
      manifest: (m) => ({ ...m, originalLabels: undefined, images: { dir: 'images', list: { path: 'list.txt', format: 'lines' } } }),
      message: 'DIR/manifest.json, field "originalLabels": required: an image list of format "lines" names files only, so the labels must come from an original labels file',
    },
    {
      name: 'rows given twice',
      manifest: (m) => ({
        ...m,
        models: [{ name: 'm', predictions: { path: 'topk.npy', format: 'npy-topk', rows: 'imagenet-validation', imageList: { path: 'l.txt', format: 'lines' } } }],
      }),
      message: 'DIR/manifest.json, field "models[0].predictions.rows": rows "imagenet-validation" and an "imageList" both say which image each row is: give one of them',
    },
    {
      name: 'scores without their kind',
      manifest: (m) => ({ ...m, models: [{ name: 'm', predictions: { path: 'logits.npy', format: 'npy-scores' } }] }),
      message: 'DIR/manifest.json, field "models[0].predictions.kind": Invalid option: expected one of "logits"|"probabilities"',
    },
    {
      name: 'an npz without its member',
      manifest: (m) => ({ ...m, models: [{ name: 'm', predictions: { path: 'l.npz', format: 'npz-scores', kind: 'logits' } }] }),
      message: 'DIR/manifest.json, field "models[0].predictions.member": Invalid input: expected string, received undefined',
    },
    {
      name: 'classBy on a NumPy file',
      manifest: (m) => ({ ...m, models: [{ name: 'm', predictions: { path: 'topk.npy', format: 'npy-topk', classBy: 'key' } }] }),
      message: 'DIR/manifest.json, field "models[0].predictions.classBy": unknown field',
    },
  ];

  it.each(cases)('refuses $name', async ({ manifest, message }) => {
    const dir = freshDir();
    const error = await importError(writeNumpyFixture(dir, { manifest: manifest(numpyManifest()) }));
    expect(error.message).toBe(message.replaceAll('DIR', dir));
    expect(rowCounts().projects).toBe(0);
  });
});
