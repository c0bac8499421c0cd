// Every figure the dashboard shows equals what the field's own code computes from Bagel's exports: TFDS's
// imagenet2012_multilabel builder and the imagenet-mistakes notebook on the human-accuracy-v3 file, ReaL's code on the
// ReaL file, the released mistakes files' counts. The field's code is ported in ./field-code, apart from Bagel's.
// Projects: the 20,000 annotated ImageNet validation images with five real models' top-5 (test-fixtures/annotatedval20k),
// as imported, after a panel and a lead reviewed some of it, and with prior labels; and all 50,000 validation images
// with two models ranked on the 20,000 only.
import type { ProjectDashboard, ReviewItem, VerdictRequest } from '@bagel/contracts';
import type { FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import type { Database } from '../src/db/database';
import { importManifest } from '../src/features/import/import-manifest';
import { imagenetMCorrect, imagenetMultilabelAccuracy, imagenetValAccuracy, type TopPredictions } from './field-code/imagenet-mistakes-notebook';
import { loadInt64Matrix } from './field-code/numpy-load';
import { realAccuracy, realLabelsByFile } from './field-code/reassessed-imagenet';
import { buildSplits, type HumanAccuracyData, type MultilabelExample } from './field-code/tfds-imagenet2012-multilabel';
import { createCommandDatabase } from './command-database';
import { createUser, login } from './synthetic-project';

const FIXTURE = fileURLToPath(new URL('../test-fixtures/annotatedval20k/', import.meta.url));
const CLASS_INFO = fileURLToPath(new URL('../../../data/imagenet/class_info.json', import.meta.url));
const MODELS = ['pnasnet5large', 'nasnetalarge', 'senet154', 'polynet', 'resnet50'] as const;
const LIST_20K = `${FIXTURE}imagenet-annotatedval20k-0.json`;
const VALIDATION_LABELS = `${FIXTURE}imagenet2012_validation_labels.txt`;
const TOLERANCE = 1e-6;

// What the field's scripts read besides Bagel's exports: the class list, ImageNet's validation labels, the predictions.
const classInfo = JSON.parse(readFileSync(CLASS_INFO, 'utf8')) as { cid: number; wnid: string }[];
const wnidToCid = new Map(classInfo.map((c) => [c.wnid, c.cid]));
const cidToWnid = new Map(classInfo.map((c) => [c.cid, c.wnid]));
const labelsList = readFileSync(VALIDATION_LABELS, 'utf8').trim().split('\n');
const valFile = (i: number) => `ILSVRC2012_val_${String(i + 1).padStart(8, '0')}.JPEG`;
/** The files of ILSVRC2012_img_val.tar (the order TFDS iterates them in) and their original labels. */
const archive = labelsList.map((_, i) => valFile(i));
const originalLabels = new Map(labelsList.map((wnid, i) => [valFile(i), wnidToCid.get(wnid)!]));
const list20k = (JSON.parse(readFileSync(LIST_20K, 'utf8')) as { image_filenames: [string, string][] }).image_filenames.map(([file]) => file);
/** Each model's top-1 class index per file (row i of its .npy is the i-th image of the 20k list). */
const topPredictions = new Map<string, TopPredictions>(
  MODELS.map((model) => {
    const matrix = loadInt64Matrix(`${FIXTURE}predictions/${model}.npy`);
    return [model, new Map(list20k.map((file, i) => [file, matrix.at(i, 0)]))];
  }),
);

const modelEntry = (model: string, extra: object = {}) => ({ name: model, predictions: { path: `${FIXTURE}predictions/${model}.npy`, format: 'npy-topk', ...extra } });
const MANIFEST_20K = {
  version: 1,
  project: { name: 'Annotated 20k, five models', panelSize: 3 },
  vocabulary: { path: CLASS_INFO, format: 'imagenet-class-info' },
  images: { dir: 'images', list: { path: LIST_20K, format: 'json' } },
  originalLabels: { path: VALIDATION_LABELS, format: 'imagenet-wnid-lines' },
  models: MODELS.map((m) => modelEntry(m)),
};

const work = mkdtempSync(join(tmpdir(), 'bagel-field-readers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Served {
  app: FastifyInstance;
  database: Database;
  drop(): Promise<void>;
  projectId: number;
  lead: string;
  get(url: string): Promise<string>;
}

/** Imports a manifest into a fresh database of the run's engine and serves it, with a lead signed in. */
async function serve(name: string, manifest: object): Promise<Served> {
  const dir = join(work, name);
  mkdirSync(join(dir, 'images'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const target = await createCommandDatabase(dir, 'bagel.sqlite');
  const database = await target.open();
  const { projectId } = await importManifest(database, join(dir, 'manifest.json'));
  let clock = Date.UTC(2025, 0, 1);
  const app = await buildApp({ database, cacheDir: join(dir, 'cache'), now: () => (clock += 1000) });
  await createUser(database, 'lea', 'lead', 'field-password');
  const lead = await login(app, 'lea', 'field-password');
  const get = async (url: string) => {
    const res = await app.inject({ url, headers: { cookie: lead } });
    expect(res.statusCode, `GET ${url}: ${res.body.slice(0, 500)}`).toBe(200);
    return res.body;
  };
  return { app, database, drop: () => target.drop(), projectId, lead, get };
}

async function close(served: Served | undefined): Promise<void> {
  if (!served) return;
  await served.app.close();
  await served.database.close();
  await served.drop();
}

/** A number from an item id, the same for every expert: the review below is reproducible. */
const mix = (id: number, salt: number) => {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * A panel of three experts reviews `itemsEach` items each through `next`, and the lead decides every item they
 * dispute. Per item, the experts agree on: the original label correct (wrong on one item in 7, with a model's top-1
 * correct instead), one model's top-1 also correct on one item in 4, a class unclear on one in 11; the image a drawing on
 * one in 13; every mistake graded (Major on one item in 3, so some items are Major mistakes of every model). On one
 * item in 5 they split three ways on the original label (correct, wrong, unclear): a dispute the lead decides as the
 * first expert judged.
 */
async function review(served: Served, itemsEach: number): Promise<{ judged: number; decided: number }> {
  const experts = ['ann', 'bob', 'cyd'];
  const cookies: Record<string, string> = {};
  for (const name of experts) {
    await createUser(served.database, name, 'expert', 'field-password');
    cookies[name] = await login(served.app, name, 'field-password');
  }
  const splitItems = new Map<number, VerdictRequest>();
  const verdictFor = (item: ReviewItem, expert: number): VerdictRequest => {
    const h = (salt: number) => mix(item.id, salt);
    const original = item.originalLabel!.key;
    const top1s = item.models.flatMap((m) => (m.predictions[0] ? [m.predictions[0].key] : []));
    const labels: VerdictRequest['labels'] = {};
    for (const c of item.candidates) labels[c.key] = 'wrong';
    const alsoCorrect = top1s[h(1) % top1s.length];
    if (h(2) % 7 === 0 && alsoCorrect !== undefined && alsoCorrect !== original) labels[alsoCorrect] = 'correct';
    else labels[original] = 'correct';
    if (h(3) % 4 === 0 && alsoCorrect !== undefined) labels[alsoCorrect] = 'correct';
    const others = item.candidates.map((c) => c.key).filter((key) => key !== original && labels[key] === 'wrong');
    if (h(4) % 11 === 0 && others.length > 0) labels[others[h(5) % others.length]!] = 'unclear';
    const split = h(6) % 5 === 0;
    if (split) labels[original] = (['correct', 'wrong', 'unclear'] as const)[expert]!;
    const major = h(7) % 3 === 0;
    const mistakes: VerdictRequest['mistakes'] = {};
    item.models.forEach((m, index) => {
      const top1 = m.predictions[0]?.key;
      if (top1 === undefined || labels[top1] === 'correct' || labels[top1] === 'unclear') return;
      mistakes[m.model] = {
        severity: major ? 'Major' : (['Minor', 'Borderline'] as const)[(h(8) + index) % 2]!,
        category: item.mistakeCategories[(h(9) + index) % item.mistakeCategories.length]!,
      };
    });
    const problematic = h(10) % 13 === 0 ? { reason: 'Drawing, painting, cartoon or rendering' } : null;
    const verdict = { labels, mistakes, problematic, comment: '', baseRevision: 0 };
    if (split && expert === 0) splitItems.set(item.id, verdict);
    return verdict;
  };

  let judged = 0;
  for (let round = 0; round < itemsEach; round++) {
    for (const [index, expert] of experts.entries()) {
      const next = await served.app.inject({ url: `/api/projects/${served.projectId}/next`, headers: { cookie: cookies[expert]! } });
      if (next.statusCode === 204) continue;
      expect(next.statusCode, next.body).toBe(200);
      const item = next.json() as ReviewItem;
      const res = await served.app.inject({
        method: 'POST',
        url: `/api/items/${item.id}/verdicts`,
        headers: { cookie: cookies[expert]! },
        payload: verdictFor(item, index),
      });
      expect(res.statusCode, res.body).toBe(201);
      judged++;
    }
  }
  let decided = 0;
  for (const [itemId, verdict] of splitItems) {
    const desk = JSON.parse(await served.get(`/api/items/${itemId}/desk`)) as { item: { status: string }; panelVersion: number };
    if (desk.item.status !== 'disputed') continue;
    const res = await served.app.inject({
      method: 'POST',
      url: `/api/items/${itemId}/decisions`,
      headers: { cookie: served.lead },
      payload: { labels: verdict.labels, mistakes: verdict.mistakes, problematic: verdict.problematic, note: 'as the first expert judged', baseDecision: 0, basePanelVersion: desk.panelVersion },
    });
    expect(res.statusCode, res.body).toBe(201);
    decided++;
  }
  return { judged, decided };
}

/**
 * Scores every model of the project with the field's code on Bagel's exports, and checks the dashboard shows the same
 * figures. A model is scored on the images it ranks, as a user evaluates a model on the images they have its outputs
 * for. Returns the dashboard and the TFDS splits for further checks.
 */
async function expectDashboardFromExports(served: Served): Promise<{ dashboard: ProjectDashboard; validation: MultilabelExample[]; imagenetM: MultilabelExample[] }> {
  const base = `/api/projects/${served.projectId}`;
  const dashboard = JSON.parse(await served.get(`${base}/dashboard`)) as ProjectDashboard;
  const humanAccuracy = JSON.parse(await served.get(`${base}/exports/human-accuracy-v3`)) as HumanAccuracyData;
  const real = realLabelsByFile(JSON.parse(await served.get(`${base}/exports/real`)) as number[][] | Record<string, number[]>);
  const { validation, imagenet_m: imagenetM } = buildSplits(humanAccuracy, archive, originalLabels, wnidToCid);
  // The whole corrected set: every image of the project is in the dataset TFDS builds from the export.
  expect(validation).toHaveLength(dashboard.progress.images);

  for (const row of dashboard.scoreboard) {
    const predictions = topPredictions.get(row.model)!;
    const ranked = (examples: readonly MultilabelExample[]) => examples.filter((e) => predictions.has(e.file_name));
    const rankedValidation = ranked(validation);
    expect(row.rankedImages, row.model).toBe(rankedValidation.length);

    const top1 = imagenetValAccuracy(rankedValidation.map((e) => ({ file_name: e.file_name, label: e.original_label })), predictions);
    expect(row.before.top1Accuracy, `${row.model} top-1`).toBeCloseTo(top1, 6);
    expect(Math.abs(row.before.top1Accuracy! - top1)).toBeLessThan(TOLERANCE);

    const multiLabel = imagenetMultilabelAccuracy(rankedValidation, predictions);
    expect(Math.abs(row.after.multiLabelAccuracy! - multiLabel), `${row.model} multi-label: dashboard ${row.after.multiLabelAccuracy}, notebook ${multiLabel}`).toBeLessThan(TOLERANCE);

    const files = rankedValidation.map((e) => e.file_name);
    const realScore = realAccuracy(real, files, files.map((f) => predictions.get(f)!));
    expect(Math.abs(row.after.realAccuracy! - realScore), `${row.model} ReaL: dashboard ${row.after.realAccuracy}, ReaL's code ${realScore}`).toBeLessThan(TOLERANCE);

    const rankedSlice = ranked(imagenetM);
    expect(row.imagenetM, `${row.model} ImageNet-M`).toEqual({ correct: imagenetMCorrect(rankedSlice, predictions), of: rankedSlice.length });

    // The released mistakes files, counted by severity.
    const mistakes = JSON.parse(await served.get(`${base}/exports/mistakes?model=${row.model}`)) as Record<string, { 'failure severity': string }>;
    const bySeverity = (severity: string) => Object.values(mistakes).filter((m) => m['failure severity'] === severity).length;
    expect({ Major: row.after.mistakes.Major, Minor: row.after.mistakes.Minor, Borderline: row.after.mistakes.Borderline }, `${row.model} mistakes`).toEqual({
      Major: bySeverity('Major'),
      Minor: bySeverity('Minor'),
      Borderline: bySeverity('Borderline'),
    });
  }
  return { dashboard, validation, imagenetM };
}

describe('the annotated 20k images with five models, as imported', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve('imported', MANIFEST_20K);
  }, 120_000);
  afterAll(() => close(served));

  it('the notebook, TFDS and ReaL code on the exports give every figure of the dashboard', async () => {
    const { dashboard } = await expectDashboardFromExports(served);
    // The top-1 accuracies the data's README gives (rounded there to four places).
    expect(dashboard.scoreboard.map((r) => [r.model, r.rankedImages, r.before.top1Accuracy])).toEqual([
      ['pnasnet5large', 20_000, 0.82715],
      ['nasnetalarge', 20_000, 0.82355],
      ['senet154', 20_000, 0.81215],
      ['polynet', 20_000, 0.8094],
      ['resnet50', 20_000, 0.76145],
    ]);
  }, 60_000);
});

describe('the annotated 20k images with five models, after a panel and a lead reviewed some', () => {
  let served: Served;
  let reviewed: { judged: number; decided: number };
  beforeAll(async () => {
    served = await serve('reviewed', MANIFEST_20K);
    reviewed = await review(served, 150);
  }, 180_000);
  afterAll(() => close(served));

  it('the notebook, TFDS and ReaL code on the exports give every figure of the dashboard', async () => {
    expect(reviewed.judged).toBe(450);
    expect(reviewed.decided).toBeGreaterThan(0);
    const { dashboard, validation, imagenetM } = await expectDashboardFromExports(served);
    // The review changed the figures (they are not the import's), made problematic images and a Major slice.
    expect(dashboard.progress.final + dashboard.progress.agreed).toBeGreaterThan(100);
    expect(validation.filter((e) => e.is_problematic).length).toBeGreaterThan(0);
    expect(imagenetM.length).toBeGreaterThan(0);
    expect(imagenetM.length).toBe(dashboard.majorSlice.count);
    for (const row of dashboard.scoreboard) expect(row.after.multiLabelAccuracy).not.toBe(row.before.multiLabelAccuracy);
  }, 60_000);

  it('the reviewed-only file holds the judged images, and TFDS builds both of its splits from it', async () => {
    const data = JSON.parse(await served.get(`/api/projects/${served.projectId}/exports/human-accuracy-v3?onlyReviewed=true`)) as HumanAccuracyData;
    const dashboard = JSON.parse(await served.get(`/api/projects/${served.projectId}/dashboard`)) as ProjectDashboard;
    expect(Object.keys(data.initial_annots)).toHaveLength(dashboard.progress.agreed + dashboard.progress.final);
    const { validation, imagenet_m } = buildSplits(data, archive, originalLabels, wnidToCid);
    expect(imagenet_m).toHaveLength(data.imagenet_m.length);
    expect(validation.filter((e) => e.is_problematic)).toHaveLength(Object.keys(data.problematic_images).length);
    // The notebook refuses to score a subset: it checks every class has images.
    expect(() => imagenetMultilabelAccuracy(validation, topPredictions.get('resnet50')!)).toThrow(/AssertionError/);
  });
});

/**
 * A prior multi-label file for the 20k project, as an earlier labelling round would leave it: one image in 7
 * annotated (the original label correct, or wrong with a model's top-1 correct instead; other models' top-1s wrong or
 * unclear), problematic images (some annotated, some not), an imagenet_m list (some annotated, some not), and an entry
 * about an image outside the project.
 */
function priorLabelsFile(): object {
  const top1 = (model: string, file: string) => cidToWnid.get(topPredictions.get(model)!.get(file)!)!;
  const initial: Record<string, { correct?: string[]; wrong?: string[]; unclear?: string[] }> = {};
  const problematic: Record<string, object> = {};
  const imagenetM: string[] = [];
  const record = { reason: 'wnid is marked wrong', reviewer: 'vaishaal', server_username: 'vaishaal', time_marked: '2019-03-29T22:48:36.956685+00:00', time_reviewed: '2019-03-29T22:49:32.290916+00:00' };
  list20k.forEach((file, i) => {
    const original = cidToWnid.get(originalLabels.get(file)!)!;
    if (i % 7 === 0) {
      const judged = new Map<string, 'correct' | 'wrong' | 'unclear'>();
      for (const model of MODELS) judged.set(top1(model, file), 'wrong');
      judged.set(original, i % 49 === 0 ? 'wrong' : 'correct');
      if (i % 3 === 0) judged.set(top1('pnasnet5large', file), 'correct');
      if (i % 5 === 0 && judged.get(top1('senet154', file)) === 'wrong') judged.set(top1('senet154', file), 'unclear');
      const lists: Record<string, string[]> = {};
      for (const [wnid, judgement] of judged) (lists[judgement] ??= []).push(wnid);
      initial[file] = lists;
    }
    if (i % 97 === 0) problematic[file] = record;
    if (i % 331 === 0) imagenetM.push(file);
  });
  initial['imagenetv2-matched-frequency/0/7e0b1d3c.jpeg'] = { correct: ['n01440764'] };
  return { initial_annots: initial, problematic_images: problematic, imagenet_m: imagenetM };
}

describe('the annotated 20k images with five models, prior labels, then a review', () => {
  let served: Served;
  beforeAll(async () => {
    const dir = join(work, 'prior-labels-file');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prior.json'), JSON.stringify(priorLabelsFile()));
    served = await serve('prior', { ...MANIFEST_20K, priorLabels: { path: join(dir, 'prior.json'), format: 'human-accuracy-v3' } });
  }, 120_000);
  afterAll(() => close(served));

  it('before the review, the exports give every figure of the dashboard', async () => {
    const { imagenetM } = await expectDashboardFromExports(served);
    // The prior imagenet_m list is exported whole: its images not annotated before are in initial_annots now.
    expect(imagenetM.length).toBe(Math.ceil(20_000 / 331));
  }, 60_000);

  it('after the review, the exports give every figure of the dashboard', async () => {
    await review(served, 120);
    const { dashboard } = await expectDashboardFromExports(served);
    expect(dashboard.progress.final + dashboard.progress.agreed).toBeGreaterThan(50);
  }, 180_000);
});

describe('all 50,000 validation images, two models ranked on the annotated 20,000 only', () => {
  let served: Served;
  beforeAll(async () => {
    served = await serve('whole-validation-set', {
      version: 1,
      project: { name: 'ImageNet validation, two models on the annotated 20k' },
      vocabulary: { path: CLASS_INFO, format: 'imagenet-class-info' },
      images: { dir: 'images' },
      originalLabels: { path: VALIDATION_LABELS, format: 'imagenet-wnid-lines' },
      models: ['resnet50', 'pnasnet5large'].map((m) => modelEntry(m, { imageList: { path: LIST_20K, format: 'json' } })),
    });
  }, 120_000);
  afterAll(() => close(served));

  it('scores each model on the images it ranks, says how many, and the field’s code agrees', async () => {
    const { dashboard } = await expectDashboardFromExports(served);
    expect(dashboard.progress.images).toBe(50_000);
    const resnet = dashboard.scoreboard.find((r) => r.model === 'resnet50')!;
    // 15,229 of the 20,000 images it ranks, not of the 50,000 of the project.
    expect(resnet.rankedImages).toBe(20_000);
    expect(resnet.before.top1Accuracy).toBe(15_229 / 20_000);
    expect(resnet.after.realAccuracy).toBe(15_229 / 20_000);
  }, 60_000);

  it('the review of some items keeps the figures equal to the field’s', async () => {
    await review(served, 60);
    await expectDashboardFromExports(served);
  }, 180_000);
});
