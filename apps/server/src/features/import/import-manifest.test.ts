import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/open-database';
import { countRows, FIXTURE_ALPHA_CSV, FIXTURE_LABELS_CSV, fixtureManifest, importRefusal, writeFixture } from './import-fixture';
import { importManifest } from './import-manifest';

const DEMO_MANIFEST = fileURLToPath(new URL('../../../../../data/demo/manifest.json', import.meta.url));
const DEMO_IMAGES = fileURLToPath(new URL('../../../../../data/demo/images', import.meta.url));

const tempRoot = mkdtempSync(join(tmpdir(), 'bagel-import-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => mkdtempSync(join(tempRoot, `p${dirCount++}-`));

let db: Db;
beforeEach(() => {
  db?.close();
  db = openDatabase(':memory:');
});

const TABLES = ['projects', 'classes', 'models', 'images', 'accepted_labels', 'predictions', 'items'] as const;
const rowCounts = () => countRows(db, TABLES);

const importError = (manifestPath: string) => importRefusal(db, manifestPath);

describe('importManifest: the demo data set', () => {
  it('imports every photograph, the three illustrative models and the items to review', async () => {
    const progress: string[] = [];
    const result = await importManifest(db, DEMO_MANIFEST, { onProgress: (m) => progress.push(m) });
    expect(result).toEqual({
      projectId: expect.any(Number),
      projectName: 'Demo: ImageNet mistakes (illustrative)',
      images: 13,
      missingImages: [],
      imagesChecked: true,
      imageChecksFailed: 0,
      items: 11,
      models: 3,
      alreadyImported: false,
      imageDir: DEMO_IMAGES,
    });
    expect(progress).toContain('vocabulary: 1000 classes');
    expect(progress).toContain('images: 13 found, 0 missing');
    expect(rowCounts()).toEqual({ projects: 1, classes: 1000, models: 3, images: 13, accepted_labels: 13, predictions: 165, items: 11 });

    const models = db.prepare('SELECT name, display_name, illustrative FROM models ORDER BY position').all();
    expect(models).toEqual(
      ['A', 'B', 'C'].map((m) => ({ name: `Demo model ${m} (illustrative)`, display_name: `Demo model ${m} (illustrative)`, illustrative: 1 })),
    );
    // The flower leads the queue (all three models miss it, the surest at 0.41), then the fine-grained cat: two models
    // call the tabby another cat, the surer one at 0.52.
    const queue = db
      .prepare(
        `SELECT im.file, c.key, i.models_wrong, i.confidence FROM items i JOIN images im ON im.id = i.image_id
         JOIN classes c ON c.project_id = im.project_id AND c.idx = im.original_class_idx
         ORDER BY i.models_wrong DESC, i.confidence DESC, i.id`,
      )
      .all();
    expect(queue.slice(0, 2)).toEqual([
      { file: 'flower.jpg', key: 'n11939491', models_wrong: 3, confidence: 0.41 },
      { file: 'chelsea.png', key: 'n02123045', models_wrong: 2, confidence: 0.52 },
    ]);
    // The copies of the cat photograph: no model ranks them, so they are not queued; they are more images of tabby.
    expect(queue.map((q) => (q as { file: string }).file)).not.toContain('chelsea-copy-1.png');
    const tabbies = db
      .prepare(
        `SELECT im.file FROM images im JOIN classes c ON c.project_id = im.project_id AND c.idx = im.original_class_idx
         WHERE c.key = 'n02123045' ORDER BY im.id`,
      )
      .all();
    expect(tabbies).toEqual([{ file: 'chelsea.png' }, { file: 'chelsea-copy-1.png' }, { file: 'chelsea-copy-2.png' }]);
  });
});

describe('importManifest: a valid project', () => {
  it('writes classes, models, images, accepted labels, the top-k predictions and the items', async () => {
    const dir = freshDir();
    const result = await importManifest(db, writeFixture(dir));
    expect(result).toMatchObject({ projectName: 'Fixture project', images: 4, items: 2, models: 2, missingImages: [], alreadyImported: false });
    expect(rowCounts()).toEqual({ projects: 1, classes: 5, models: 2, images: 4, accepted_labels: 4, predictions: 11, items: 2 });

    const project = db.prepare('SELECT name, description, image_dir, panel_size, top_k, claim_ms, mistake_categories, manifest_sha256 FROM projects').get();
    expect(project).toEqual({
      name: 'Fixture project',
      description: 'for tests',
      image_dir: join(dir, 'images'),
      panel_size: 3,
      top_k: 2,
      claim_ms: 20 * 60_000,
      mistake_categories: JSON.stringify(['Fine-grained error', 'Fine-grained error with OOV', 'Spurious Correlation', 'Non-prototypical']),
      manifest_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(db.prepare('SELECT idx, key, names, gloss FROM classes WHERE idx = 2').get()).toEqual({
      idx: 2,
      key: 'cup',
      names: '["cup","teacup"]',
      gloss: 'a small open container, usually with a handle',
    });
    expect(db.prepare('SELECT name, display_name, illustrative, position FROM models ORDER BY position').all()).toEqual([
      { name: 'alpha', display_name: 'Alpha net', illustrative: 0, position: 0 },
      { name: 'beta', display_name: 'beta', illustrative: 1, position: 1 },
    ]);
    expect(db.prepare('SELECT position, file, original_class_idx, missing FROM images ORDER BY position').all()).toEqual([
      { position: 0, file: 'a.jpg', original_class_idx: 0, missing: 0 },
      { position: 1, file: 'b.jpg', original_class_idx: 1, missing: 0 },
      { position: 2, file: 'sub/c.jpg', original_class_idx: 3, missing: 0 },
      { position: 3, file: 'd.jpg', original_class_idx: 4, missing: 0 },
    ]);
    // topK is 2: alpha's third prediction on a.jpg is not kept; a ranking without scores keeps NULL.
    const predictionsOf = (file: string, model: string) =>
      db
        .prepare(
          `SELECT p.rank, p.class_idx, p.score FROM predictions p JOIN images im ON im.id = p.image_id JOIN models m ON m.id = p.model_id
           WHERE im.file = ? AND m.name = ? ORDER BY p.rank`,
        )
        .all(file, model);
    expect(predictionsOf('a.jpg', 'alpha')).toEqual([
      { rank: 1, class_idx: 1, score: 0.7 },
      { rank: 2, class_idx: 0, score: 0.2 },
    ]);
    expect(predictionsOf('b.jpg', 'beta')).toEqual([{ rank: 1, class_idx: 1, score: null }]);
    expect(predictionsOf('d.jpg', 'beta')).toEqual([]);
    // a.jpg: both models wrong, highest wrong top-1 score 0.9; sub/c.jpg: alpha only (cup for espresso).
    expect(
      db.prepare('SELECT im.file, i.status, i.models_wrong, i.confidence, i.verdict_count FROM items i JOIN images im ON im.id = i.image_id ORDER BY im.position').all(),
    ).toEqual([
      { file: 'a.jpg', status: 'open', models_wrong: 2, confidence: 0.9, verdict_count: 0 },
      { file: 'sub/c.jpg', status: 'open', models_wrong: 1, confidence: 0.6, verdict_count: 0 },
    ]);
    // The dashboard's baseline is computed by the import, and stored.
    expect(db.prepare('SELECT project_id, json_extract(baseline, \'$.images\') AS images FROM project_baselines').all()).toEqual([{ project_id: 1, images: 4 }]);
    // The dashboard's totals start from every image and every item, all open, nothing judged.
    expect(db.prepare('SELECT * FROM project_item_totals').all()).toEqual([
      {
        project_id: 1, shard: 0, images: 4, items_open: 2, items_in_review: 0, items_agreed: 0, items_disputed: 0, items_final: 0, verdicts: 0,
        major_slice: 0, fleiss_units: 0, fleiss_agreement: 0, fleiss_correct: 0, fleiss_wrong: 0, fleiss_unclear: 0, alpha_units: 0,
        alpha_values: 0, alpha_agreement: 0, alpha_correct: 0, alpha_wrong: 0, alpha_unclear: 0, gwet_units: 0, gwet_agreement: 0,
        gwet_correct: 0, gwet_wrong: 0, gwet_unclear: 0,
      },
    ]);
  });

  it("stores the project's panel policy: fixed by default, adaptive when the manifest says so", async () => {
    await importManifest(db, writeFixture(freshDir()));
    const adaptive = fixtureManifest();
    adaptive.project = { ...adaptive.project, name: 'Adaptive fixture', panel: { mode: 'adaptive', min: 2, max: 5 } };
    await importManifest(db, writeFixture(freshDir(), { manifest: adaptive }));
    expect(db.prepare('SELECT name, panel FROM projects ORDER BY id').all()).toEqual([
      { name: 'Fixture project', panel: '{"mode":"fixed"}' },
      { name: 'Adaptive fixture', panel: '{"mode":"adaptive","min":2,"max":5}' },
    ]);
  });

  it("stores the project's aggregation: quorum by default, dawid-skene when the manifest says so", async () => {
    await importManifest(db, writeFixture(freshDir()));
    const ds = fixtureManifest();
    ds.project = { ...ds.project, name: 'Dawid-Skene fixture', aggregation: 'dawid-skene' };
    await importManifest(db, writeFixture(freshDir(), { manifest: ds }));
    expect(db.prepare('SELECT name, aggregation FROM projects ORDER BY id').all()).toEqual([
      { name: 'Fixture project', aggregation: 'quorum' },
      { name: 'Dawid-Skene fixture', aggregation: 'dawid-skene' },
    ]);
  });

  it('reports an image missing on disk, records it, and still imports', async () => {
    const dir = freshDir();
    const result = await importManifest(db, writeFixture(dir, { images: ['a.jpg', 'b.jpg', 'd.jpg'] }));
    expect(result).toMatchObject({ images: 4, items: 2, missingImages: ['sub/c.jpg'], alreadyImported: false });
    expect(db.prepare('SELECT file FROM images WHERE missing = 1').all()).toEqual([{ file: 'sub/c.jpg' }]);
  });

  it('is idempotent: the same manifest again writes nothing and says so', async () => {
    const manifestPath = writeFixture(freshDir(), { images: ['a.jpg'] });
    const first = await importManifest(db, manifestPath);
    const before = rowCounts();
    const second = await importManifest(db, manifestPath);
    expect(second).toEqual({ ...first, alreadyImported: true });
    expect(rowCounts()).toEqual(before);
  });

  it('treats the same content from another folder as the same import', async () => {
    const first = await importManifest(db, writeFixture(freshDir()));
    const second = await importManifest(db, writeFixture(freshDir()));
    expect(second).toMatchObject({ projectId: first.projectId, alreadyImported: true });
    expect(rowCounts().projects).toBe(1);
  });

  it('accepts the other file formats: JSON vocabulary and labels, ImageNet WNID lines, absolute paths', async () => {
    const dir = freshDir();
    const vocabulary = [
      { index: 0, key: 'n01', names: ['tench'] },
      { index: 1, key: 'n02', names: ['goldfish'], gloss: 'a fish' },
    ];
    const manifest = {
      version: 1,
      project: { name: 'WNID lines' },
      vocabulary: { path: 'classes.json', format: 'json' },
      images: { dir: join(dir, 'images') },
      originalLabels: { path: 'val.txt', format: 'imagenet-wnid-lines' },
      models: [{ name: 'm', predictions: { path: join(dir, 'm.csv'), format: 'csv' } }],
    };
    const files = {
      'classes.json': JSON.stringify(vocabulary),
      'val.txt': 'n02\nn01\n',
      'm.csv': 'file,rank,class\nILSVRC2012_val_00000001.JPEG,1,n01\nILSVRC2012_val_00000002.JPEG,1,1\n',
    };
    const result = await importManifest(db, writeFixture(dir, { manifest, files, images: ['ILSVRC2012_val_00000001.JPEG'] }));
    expect(result).toMatchObject({ images: 2, items: 2, models: 1, missingImages: ['ILSVRC2012_val_00000002.JPEG'], imageDir: join(dir, 'images') });
    expect(db.prepare('SELECT score FROM predictions').all()).toEqual([{ score: null }, { score: null }]);
  });
});

describe('importManifest: refused input writes nothing', () => {
  // Each case starts from the valid fixture and breaks one thing. The database already holds a project, so that
  // "nothing written" is checked against a non-empty database.
  const cases: {
    name: string;
    manifest?: (m: ReturnType<typeof fixtureManifest>) => unknown;
    files?: Record<string, string>;
    /** Files to leave out of the fixture folder. */
    remove?: string[];
    /** The expected message, with `DIR` for the fixture folder. */
    message: string | RegExp;
    location: { file: string; line?: number; row?: number; field?: string };
  }[] = [
    {
      name: 'manifest that is not JSON',
      files: { 'manifest.json': '{\n  "version": 1,\n  "project": {"name": "x"\n  "models": []\n}\n' },
      message: /^DIR\/manifest\.json, line 4: not valid JSON \(.+\)$/,
      location: { file: 'DIR/manifest.json', line: 4 },
    },
    {
      name: 'manifest with a wrong format name',
      manifest: (m) => ({ ...m, models: [m.models[0], { ...m.models[1], predictions: { path: 'beta.json', format: 'xml' } }] }),
      message: /^DIR\/manifest\.json, field "models\[1\]\.predictions\.format": Invalid option: expected one of "json"\|"csv"\|"npy-topk"\|"npy-scores"\|"npz-scores"$/,
      location: { file: 'DIR/manifest.json', field: 'models[1].predictions.format' },
    },
    {
      name: 'manifest with an adaptive panel whose min is above its max',
      manifest: (m) => ({ ...m, project: { ...m.project, panel: { mode: 'adaptive', min: 4, max: 3 } } }),
      message: 'DIR/manifest.json, field "project.panel.max": min must be at most max',
      location: { file: 'DIR/manifest.json', field: 'project.panel.max' },
    },
    {
      name: 'manifest with an unknown aggregation',
      manifest: (m) => ({ ...m, project: { ...m.project, aggregation: 'vote' } }),
      message: 'DIR/manifest.json, field "project.aggregation": Invalid option: expected one of "quorum"|"dawid-skene"',
      location: { file: 'DIR/manifest.json', field: 'project.aggregation' },
    },
    {
      name: 'manifest of another version',
      manifest: (m) => ({ ...m, version: 2 }),
      message: /^DIR\/manifest\.json, field "version": /,
      location: { file: 'DIR/manifest.json', field: 'version' },
    },
    {
      name: 'manifest without models',
      manifest: (m) => ({ ...m, models: [] }),
      message: /^DIR\/manifest\.json, field "models": Too small/,
      location: { file: 'DIR/manifest.json', field: 'models' },
    },
    {
      name: 'unknown model field',
      manifest: (m) => ({ ...m, models: [m.models[0], { ...m.models[1], colour: 'red' }] }),
      message: 'DIR/manifest.json, field "models[1].colour": unknown field',
      location: { file: 'DIR/manifest.json', field: 'models[1].colour' },
    },
    {
      name: 'two models of the same name',
      manifest: (m) => ({ ...m, models: [m.models[0], { ...m.models[1], name: 'alpha' }] }),
      message: 'DIR/manifest.json, field "models[1].name": duplicate model name "alpha" (also models[0])',
      location: { file: 'DIR/manifest.json', field: 'models[1].name' },
    },
    {
      name: 'missing manifest',
      remove: ['manifest.json'],
      message: 'DIR/manifest.json: file not found',
      location: { file: 'DIR/manifest.json' },
    },
    {
      name: 'missing vocabulary file',
      remove: ['classes.csv'],
      message: 'DIR/classes.csv: file not found (named by the manifest\'s field "vocabulary.path")',
      location: { file: 'DIR/classes.csv' },
    },
    {
      name: 'missing predictions file',
      remove: ['beta.json'],
      message: 'DIR/beta.json: file not found (named by the manifest\'s field "models[1].predictions.path")',
      location: { file: 'DIR/beta.json' },
    },
    {
      name: 'duplicate class key',
      files: { 'classes.csv': 'index,key,names\n0,cat,cat\n1,dog,dog\n2,cat,kitty\n' },
      message: 'DIR/classes.csv, line 4, field "key": duplicate class key "cat" (also line 2)',
      location: { file: 'DIR/classes.csv', line: 4, field: 'key' },
    },
    {
      name: 'label with an unknown class',
      files: { 'labels.csv': FIXTURE_LABELS_CSV.replace('b.jpg,dog', 'b.jpg,n0000') },
      message: 'DIR/labels.csv, line 3, field "label": unknown class key "n0000"',
      location: { file: 'DIR/labels.csv', line: 3, field: 'label' },
    },
    {
      name: 'prediction for a file without a label',
      files: { 'alpha.csv': FIXTURE_ALPHA_CSV + 'e.jpg,1,cat,0.5\n' },
      message: 'DIR/alpha.csv, line 10, field "file": unknown file "e.jpg": it has no original label',
      location: { file: 'DIR/alpha.csv', line: 10, field: 'file' },
    },
    {
      name: 'score above 1',
      files: { 'alpha.csv': FIXTURE_ALPHA_CSV.replace('b.jpg,1,dog,0.9', 'b.jpg,1,dog,90') },
      message: 'DIR/alpha.csv, line 5, field "score": "90" is not a score: a score is a number from 0 to 1, or empty',
      location: { file: 'DIR/alpha.csv', line: 5, field: 'score' },
    },
    {
      name: 'score that is not a number (JSON)',
      files: { 'beta.json': JSON.stringify([{ file: 'a.jpg', rank: 1, class: 4, score: 0.9 }, { file: 'b.jpg', rank: 1, class: 1, score: 'high' }]) },
      message: 'DIR/beta.json, row 2, field "score": "high" is not a score: a score is a number from 0 to 1, or null',
      location: { file: 'DIR/beta.json', row: 2, field: 'score' },
    },
    {
      name: 'duplicate rank',
      files: { 'alpha.csv': FIXTURE_ALPHA_CSV.replace('a.jpg,2,cat,0.2', 'a.jpg,1,cat,0.2') },
      message: 'DIR/alpha.csv, line 3, field "rank": duplicate rank 1 for "a.jpg" (also line 2)',
      location: { file: 'DIR/alpha.csv', line: 3, field: 'rank' },
    },
    {
      name: 'ranks with a gap',
      files: { 'alpha.csv': FIXTURE_ALPHA_CSV.replace('b.jpg,2,cat,0.05', 'b.jpg,3,cat,0.05') },
      message: 'DIR/alpha.csv, line 6, field "rank": rank 3 for "b.jpg" without rank 2: the ranks of a file run 1, 2, 3... without gaps',
      location: { file: 'DIR/alpha.csv', line: 6, field: 'rank' },
    },
    {
      name: 'unknown class in predictions (by index)',
      files: { 'beta.json': JSON.stringify([{ file: 'a.jpg', rank: 1, class: 'fox', score: 0.9 }]) },
      message: 'DIR/beta.json, row 1, field "class": "fox" is not a class index (classBy is "index")',
      location: { file: 'DIR/beta.json', row: 1, field: 'class' },
    },
    {
      name: 'misspelt column in the labels header',
      files: { 'labels.csv': FIXTURE_LABELS_CSV.replace('file,label', 'file,lable') },
      message: 'DIR/labels.csv, line 1, field "lable": unknown column; the header must be "file,label"',
      location: { file: 'DIR/labels.csv', line: 1, field: 'lable' },
    },
  ];

  it.each(cases)('$name', async ({ manifest, files, remove, message, location }) => {
    await importManifest(db, writeFixture(freshDir(), { manifest: { ...fixtureManifest(), project: { name: 'Already there' } } }));
    const before = rowCounts();
    const dir = freshDir();
    const manifestPath = writeFixture(dir, { manifest: manifest ? manifest(fixtureManifest()) : undefined, files });
    for (const name of remove ?? []) rmSync(join(dir, name));

    const error = await importError(manifestPath);
    const expected = typeof message === 'string' ? message.replaceAll('DIR', dir) : new RegExp(message.source.replaceAll('DIR', escapeRegExp(dir)));
    if (typeof expected === 'string') expect(error.message).toBe(expected);
    else expect(error.message).toMatch(expected);
    expect({ file: error.file, line: error.line, row: error.row, field: error.field }).toEqual({
      line: undefined,
      row: undefined,
      field: undefined,
      ...location,
      file: location.file.replace('DIR', dir),
    });
    expect(rowCounts()).toEqual(before);
  });

  it('refuses a different manifest under the name of an existing project', async () => {
    await importManifest(db, writeFixture(freshDir()));
    const before = rowCounts();
    const dir = freshDir();
    const manifestPath = writeFixture(dir, { files: { 'alpha.csv': FIXTURE_ALPHA_CSV.replace('0.7', '0.71') } });
    const error = await importError(manifestPath);
    expect(error.message).toBe(
      `${manifestPath}, field "project.name": a project named "Fixture project" already exists with different content; give this import another project name, or import into another database`,
    );
    expect(rowCounts()).toEqual(before);
  });

  it('rolls back everything when writing fails half-way', async () => {
    // The items go in last, image by image: a failure there comes after the project, classes and predictions.
    db.exec(`CREATE TRIGGER refuse_items BEFORE INSERT ON items BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    const before = rowCounts();
    await expect(importManifest(db, writeFixture(freshDir()))).rejects.toThrow('disk full');
    expect(rowCounts()).toEqual(before);
  });
});

describe('importManifest: sources that are not regular files', () => {
  // Before anything is read: a FIFO would block the import, /dev/zero would be read forever.
  const fifo = (path: string) => execFileSync('mkfifo', [path]);
  const devZero = (path: string) => symlinkSync('/dev/zero', path);
  const cases: { name: string; manifest?: (m: ReturnType<typeof fixtureManifest>) => unknown; file: string; make: (path: string) => void; message: string }[] = [
    {
      name: 'original labels linked to /dev/zero',
      file: 'labels.csv',
      make: devZero,
      message: 'DIR/labels.csv: not a regular file (named by the manifest\'s field "originalLabels.path")',
    },
    { name: 'a vocabulary that is a FIFO', file: 'classes.csv', make: fifo, message: 'DIR/classes.csv: not a regular file (named by the manifest\'s field "vocabulary.path")' },
    {
      name: 'NumPy predictions linked to /dev/zero (a streamed file)',
      manifest: (m) => ({ ...m, models: [{ name: 'm', predictions: { path: 'm.npy', format: 'npy-topk' } }] }),
      file: 'm.npy',
      make: devZero,
      message: 'DIR/m.npy: not a regular file (named by the manifest\'s field "models[0].predictions.path")',
    },
    {
      name: 'crowd answers that are a FIFO',
      manifest: (m) => ({ ...m, crowdAnswers: { path: 'raters.npz', format: 'real-npz' } }),
      file: 'raters.npz',
      make: fifo,
      message: 'DIR/raters.npz: not a regular file (named by the manifest\'s field "crowdAnswers.path")',
    },
    { name: 'a manifest that is a FIFO', file: 'manifest.json', make: fifo, message: 'DIR/manifest.json: not a regular file' },
  ];

  it.each(cases)('refuses $name, naming the file and the manifest field', async ({ manifest, file, make, message }) => {
    const dir = freshDir();
    const manifestPath = writeFixture(dir, { manifest: manifest ? manifest(fixtureManifest()) : undefined });
    rmSync(join(dir, file), { force: true });
    make(join(dir, file));
    const error = await importError(manifestPath);
    expect(error.message).toBe(message.replaceAll('DIR', dir));
    expect(error.file).toBe(join(dir, file));
    expect(rowCounts()).toEqual({ projects: 0, classes: 0, models: 0, images: 0, accepted_labels: 0, predictions: 0, items: 0 });
  });

  it('refuses a folder named as a file', async () => {
    const dir = freshDir();
    const manifestPath = writeFixture(dir);
    rmSync(join(dir, 'alpha.csv'));
    mkdirSync(join(dir, 'alpha.csv'));
    expect((await importError(manifestPath)).message).toBe(`${dir}/alpha.csv: this is a folder, not a file (named by the manifest's field "models[0].predictions.path")`);
  });
});

describe('importManifest: many rows', () => {
  it('imports 3,000 images x 3 models x top-5 with every row in place', async () => {
    const dir = freshDir();
    const classes = ['index,key,names', ...Array.from({ length: 50 }, (_, i) => `${i},k${i},class ${i}`)].join('\n');
    const files = Array.from({ length: 3000 }, (_, i) => `img-${i}.jpg`);
    const labels = ['file,label', ...files.map((f, i) => `${f},k${i % 50}`)].join('\n');
    // Model m puts class (i + m) first: model 0 is right on every image, models 1 and 2 never are.
    const predictions = (m: number) =>
      ['file,rank,class,score', ...files.flatMap((f, i) => [1, 2, 3, 4, 5].map((r) => `${f},${r},k${(i + m + r - 1) % 50},${(0.5 / r).toFixed(3)}`))].join('\n');
    const manifest = {
      version: 1,
      project: { name: 'Many rows', topK: 5 },
      vocabulary: { path: 'classes.csv', format: 'csv' },
      images: { dir: 'images' },
      originalLabels: { path: 'labels.csv', format: 'csv' },
      models: [0, 1, 2].map((m) => ({ name: `m${m}`, predictions: { path: `m${m}.csv`, format: 'csv' } })),
    };
    const manifestPath = writeFixture(dir, { manifest, files: { 'classes.csv': classes, 'labels.csv': labels, 'm0.csv': predictions(0), 'm1.csv': predictions(1), 'm2.csv': predictions(2) }, images: [] });
    const result = await importManifest(db, manifestPath);
    expect(result).toMatchObject({ images: 3000, items: 3000, models: 3 });
    expect(result.missingImages).toHaveLength(3000);
    expect(rowCounts()).toMatchObject({ images: 3000, predictions: 3000 * 3 * 5, items: 3000 });
    expect(db.prepare('SELECT DISTINCT models_wrong, confidence FROM items').all()).toEqual([{ models_wrong: 2, confidence: 0.5 }]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
