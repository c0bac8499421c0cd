// Crowd answers and ReaL JSON prior labels agree on "no label" (docs/AGGREGATION.md, "Routing with Dawid–Skene"): a
// generated project is imported once with a generated crowd file, once with the ReaL JSON file of the same label sets
// ([] where the crowd found every class it was asked about absent), and the dashboard gives every model the same
// figures, which are those of ReaL's rule computed with @bagel/core.
import type { ImportManifestInput, ProjectDashboard } from '@bagel/contracts';
import { multiLabelAccuracy, realAccuracy, seededRandom } from '@bagel/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCrowdNpz,
  calibrationQuestions,
  CAREFUL_RATERS,
  CARELESS_RATERS,
  crowdArrays,
  FIXTURE_RATER_IDS,
  type CrowdQuestionSpec,
} from '../../../../../packages/core/src/formats/prior-judgements/build-crowd-npz-for-tests';
import { createUser, login } from '../../../test/synthetic-project';
import { createTestApp, type TestApp } from '../../../test/test-app';
import { importManifest, type ImportResult } from './import-manifest';

const CLASSES = 12;
const IMAGES = 60;
const MODELS = ['m-one', 'm-two', 'm-three'] as const;
const key = (index: number) => `k${String(index).padStart(2, '0')}`;
const fileOf = (i: number) => `img-${String(i).padStart(3, '0')}.jpg`;

type Kind = 'noLabel' | 'labelled' | 'unasked';
type Route = 'label' | 'absent' | 'review';

interface GeneratedImage {
  file: string;
  original: number;
  kind: Kind;
  /** The classes the crowd is asked about, with the route their answers must take. */
  asked: { classIndex: number; route: Route }[];
  /** The label set: the confident classes, [] for a no-label image, the original label for an unasked image. */
  labels: number[];
  top1: Record<(typeof MODELS)[number], number>;
}

/**
 * A seeded project: 12 of the 60 images are no-label images (the crowd confidently answers "no" to every class it is
 * asked about; on three of them it is not asked about the original label), 8 are not asked about, the others have at
 * least one confidently present class (the original label 70% of the time) and some an uncertain pair. Careful raters
 * (0 to 3) answer by the truth, careless ones (4, 5) at random; the calibration questions teach Dawid–Skene which is which.
 */
function generateProject(seed: number): GeneratedImage[] {
  const random = seededRandom(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const others = (exclude: Set<number>, n: number) => {
    const out: number[] = [];
    while (out.length < n) {
      const c = pick(CLASSES);
      if (!exclude.has(c)) {
        exclude.add(c);
        out.push(c);
      }
    }
    return out;
  };
  return Array.from({ length: IMAGES }, (_, i): GeneratedImage => {
    const original = pick(CLASSES);
    const kind: Kind = i % 5 === 1 ? 'noLabel' : i % 15 === 3 || i % 15 === 8 ? 'unasked' : 'labelled';
    const asked: GeneratedImage['asked'] = [];
    const used = new Set([original]);
    if (kind === 'noLabel') {
      const withOriginal = i % 20 !== 1;
      for (const c of [...(withOriginal ? [original] : []), ...others(used, 1 + pick(2))]) asked.push({ classIndex: c, route: 'absent' });
    } else if (kind === 'labelled') {
      const originalPresent = random() < 0.7;
      asked.push({ classIndex: original, route: originalPresent ? 'label' : 'absent' });
      for (const c of others(used, 1 + pick(2))) asked.push({ classIndex: c, route: random() < 0.4 ? 'label' : 'absent' });
      if (!asked.some((a) => a.route === 'label')) asked[asked.length - 1]!.route = 'label';
      if (random() < 0.3) for (const c of others(used, 1)) asked.push({ classIndex: c, route: 'review' });
    }
    const labels = kind === 'unasked' ? [original] : asked.filter((a) => a.route === 'label').map((a) => a.classIndex);
    const modelTop1 = () => {
      const r = random();
      if (r < 0.45) return original;
      if (r < 0.7 && labels.length > 0) return labels[pick(labels.length)]!;
      return pick(CLASSES);
    };
    return { file: fileOf(i), original, kind, asked, labels, top1: { 'm-one': modelTop1(), 'm-two': modelTop1(), 'm-three': modelTop1() } };
  });
}

/** The answers of the six fixture raters to one question whose route is `route`. */
function answersFor(route: Route, random: () => number): CrowdQuestionSpec['answers'] {
  const answers: CrowdQuestionSpec['answers'] = {};
  const careful = route === 'label' ? 'yes' : 'no';
  CAREFUL_RATERS.forEach((r, n) => {
    // Careful raters split two against two on an uncertain pair.
    answers[r] = route === 'review' ? (n < 2 ? 'yes' : 'no') : careful;
  });
  const options = ['no', 'maybe', 'yes'] as const;
  for (const r of CARELESS_RATERS) answers[r] = options[Math.floor(random() * 3)]!;
  return answers;
}

const GENERATED = generateProject(20240501);
const random = seededRandom(7);
const QUESTIONS: CrowdQuestionSpec[] = [
  ...GENERATED.flatMap((image) => image.asked.map((a) => ({ file: image.file, classIndex: a.classIndex, answers: answersFor(a.route, random) }))),
  ...calibrationQuestions(5),
];
const NO_LABEL = GENERATED.filter((image) => image.kind === 'noLabel').map((image) => image.file);

function writeProject(dir: string, name: string, extra: Partial<ImportManifestInput>, files: Record<string, string | Uint8Array>): string {
  mkdirSync(join(dir, 'images'), { recursive: true });
  for (const image of GENERATED) writeFileSync(join(dir, 'images', image.file), 'not really a JPEG');
  const manifest: ImportManifestInput = {
    version: 1,
    project: { name, panelSize: 3, topK: 1 },
    vocabulary: { path: 'classes.csv', format: 'csv' },
    images: { dir: 'images' },
    originalLabels: { path: 'labels.csv', format: 'csv', classBy: 'index' },
    models: MODELS.map((model) => ({ name: model, predictions: { path: `${model}.csv`, format: 'csv' as const, classBy: 'index' as const } })),
    ...extra,
  };
  const all: Record<string, string | Uint8Array> = {
    'classes.csv': ['index,key,names', ...Array.from({ length: CLASSES }, (_, c) => `${c},${key(c)},class ${c}`), ''].join('\n'),
    'labels.csv': ['file,label', ...GENERATED.map((image) => `${image.file},${image.original}`), ''].join('\n'),
    ...Object.fromEntries(
      MODELS.map((model) => [`${model}.csv`, ['file,rank,class,score', ...GENERATED.map((image) => `${image.file},1,${image.top1[model]},0.5`), ''].join('\n')]),
    ),
    'manifest.json': JSON.stringify(manifest),
    ...files,
  };
  for (const [file, content] of Object.entries(all)) writeFileSync(join(dir, file), content);
  return join(dir, 'manifest.json');
}

let t: TestApp;
let cookie: string;
const imports: Record<'crowd' | 'real', { result: ImportResult; started: string; ended: string }> = {} as never;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.database, 'lea', 'lead', 'a long lead password');
  cookie = await login(t.app, 'lea', 'a long lead password');
  const crowdManifest = writeProject(join(t.dir, 'crowd'), 'Crowd answers', { crowdAnswers: { path: 'crowd.npz', format: 'real-npz' } }, {
    'crowd.npz': buildCrowdNpz(crowdArrays(FIXTURE_RATER_IDS, QUESTIONS)),
  });
  // ReaL's {FILE: [CID...]}: the confident classes of every image the crowd was asked about, [] for the no-label ones.
  const real = Object.fromEntries(GENERATED.filter((image) => image.kind !== 'unasked').map((image) => [image.file, image.labels]));
  const realManifest = writeProject(join(t.dir, 'real'), 'ReaL labels', { priorLabels: { path: 'real.json', format: 'real-json' } }, {
    'real.json': JSON.stringify(real),
  });
  for (const [which, manifest] of [['crowd', crowdManifest], ['real', realManifest]] as const) {
    const started = new Date().toISOString();
    const result = await importManifest(t.db, manifest);
    imports[which] = { result, started, ended: new Date().toISOString() };
  }
});
afterAll(() => t?.close());

async function dashboard(projectId: number): Promise<ProjectDashboard> {
  const res = await t.app.inject({ url: `/api/projects/${projectId}/dashboard`, headers: { cookie } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const rows = (sql: string, ...params: unknown[]) => t.db.prepare(sql).all(...params);

describe('a crowd no-label image counts as ReaL’s []', () => {
  it('the generated crowd routes every pair as generated, and finds exactly the no-label images', () => {
    const { result } = imports.crowd;
    const expected = { label: 0, absent: 0, review: 0, none: 0, file: 0 };
    for (const image of GENERATED) for (const a of image.asked) expected[a.route]++;
    expect(result.crowdAnswers!.routes).toEqual(expected);
    expect(expected.review).toBeGreaterThan(0);
    expect(result.crowdAnswers!.noLabelImages).toBe(NO_LABEL.length);
    expect(NO_LABEL.length).toBe(12);
    const stored = rows(
      `SELECT im.file, p.class_idx AS classIndex, p.route FROM crowd_posteriors p JOIN images im ON im.id = p.image_id
       WHERE im.project_id = ? ORDER BY im.position, p.class_idx`,
      result.projectId,
    );
    expect(stored).toEqual(
      GENERATED.flatMap((image) => image.asked.map((a) => ({ file: image.file, ...a })).sort((a, b) => a.classIndex - b.classIndex)),
    );
  });

  it('gives both projects the same accepted labels, the same items and the same problematic images', () => {
    const accepted = (projectId: number) =>
      rows(
        `SELECT im.file, group_concat(a.class_idx) AS accepted FROM images im LEFT JOIN accepted_labels a ON a.image_id = im.id
         WHERE im.project_id = ? GROUP BY im.id ORDER BY im.position`,
        projectId,
      );
    const crowd = imports.crowd.result.projectId;
    const real = imports.real.result.projectId;
    expect(accepted(crowd)).toEqual(accepted(real));
    expect(accepted(crowd).filter((r) => (r as { accepted: string | null }).accepted === null)).toEqual(NO_LABEL.map((file) => ({ file, accepted: null })));

    // A no-label image is a review item, as ReaL's [] is (every model's top-1 is outside its empty label set). The crowd
    // also queues images on which every model is right for an uncertain pair.
    const items = (projectId: number) =>
      rows('SELECT im.file, i.models_wrong FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ? ORDER BY im.position', projectId) as {
        file: string;
        models_wrong: number;
      }[];
    expect(items(crowd).filter((item) => item.models_wrong > 0)).toEqual(items(real));
    expect(items(real).every((item) => item.models_wrong > 0)).toBe(true);
    for (const file of NO_LABEL) expect(items(real)).toContainEqual({ file, models_wrong: MODELS.length });

    const problematic = (projectId: number) =>
      rows(
        `SELECT im.file, p.reason, p.reviewer, p.server_username, p.time_marked, p.time_reviewed FROM prior_problematic p
         JOIN images im ON im.id = p.image_id WHERE im.project_id = ? ORDER BY im.position`,
        projectId,
      ) as { file: string; reason: string; reviewer: string; server_username: string; time_marked: string; time_reviewed: string }[];
    for (const which of ['crowd', 'real'] as const) {
      const records = problematic(imports[which].result.projectId);
      expect(records.map(({ time_marked: _, time_reviewed: __, ...shape }) => shape)).toEqual(
        NO_LABEL.map((file) => ({ file, reason: 'ReaL: no label', reviewer: '', server_username: '' })),
      );
      // The import's time, as both times.
      for (const record of records) {
        expect(record.time_reviewed).toBe(record.time_marked);
        expect(record.time_marked >= imports[which].started && record.time_marked <= imports[which].ended).toBe(true);
      }
    }
  });

  it("gives every model the same dashboard figures in both projects: ReaL's, the no-label images left out", async () => {
    const crowd = await dashboard(imports.crowd.result.projectId);
    const real = await dashboard(imports.real.result.projectId);
    expect(crowd.scoreboard).toEqual(real.scoreboard);
    expect(crowd.scoreboard.map((s) => s.model)).toEqual([...MODELS]);

    for (const scores of crowd.scoreboard) {
      const model = scores.model as (typeof MODELS)[number];
      const images = GENERATED.map((image) => ({
        originalKey: key(image.original),
        top1Key: key(image.top1[model]),
        correct: image.labels.map(key),
        unclear: [],
        problematic: image.kind === 'noLabel',
      }));
      const mistakes = images.filter((image) => !image.problematic && !image.correct.includes(image.top1Key)).length;
      expect(scores.after.multiLabelAccuracy).toBeCloseTo(multiLabelAccuracy(images).value!, 12);
      expect(scores.after.realAccuracy).toBeCloseTo(realAccuracy(images.map((image) => ({ labels: image.correct, top1: image.top1Key }))).value!, 12);
      expect(scores.after.mistakes).toEqual({ Major: 0, Minor: 0, Borderline: 0, ungraded: mistakes });
      // Counted as images without an acceptable class (what the crowd path did before it could say "no label"), the
      // no-label images would lower multi-label accuracy.
      const noLabelCounted = images.map((image) => ({ ...image, problematic: false }));
      expect(multiLabelAccuracy(noLabelCounted).value!).toBeLessThan(scores.after.multiLabelAccuracy! - 0.01);
    }
  });
});
