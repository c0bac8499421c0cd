// Importing crowd answers in ReaL's .npz layout (manifest entry `crowdAnswers`, docs/FORMATS.md) and routing them with
// Dawid–Skene (docs/AGGREGATION.md): generated archives of raters of known reliability on the fixture project.
import type { ImportManifestInput } from '@bagel/contracts';
import { dawidSkenePresence, presenceProbability } from '@bagel/core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildNpy, type NpySpec } from '../../../../../packages/core/src/numpy/build-npy-for-tests';
import {
  buildCrowdNpz,
  calibrationQuestions,
  crowdArrays,
  FIXTURE_PROJECT_QUESTIONS,
  FIXTURE_RATER_IDS,
  fixtureCrowdQuestions,
} from '../../../../../packages/core/src/formats/prior-judgements/build-crowd-npz-for-tests';
import { openDatabase, type Db } from '../../db/open-database';
import { countRows, fixtureManifest, importRefusal, writeFixture } from './import-fixture';
import { importManifest } from './import-manifest';

const tempRoot = mkdtempSync(join(tmpdir(), 'bagel-import-crowd-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = () => mkdtempSync(join(tempRoot, `c${dirCount++}-`));

let db: Db;
beforeEach(() => {
  db?.close();
  db = openDatabase(':memory:');
});

const TABLES = [
  'projects',
  'images',
  'accepted_labels',
  'items',
  'item_extra_candidates',
  'prior_labels',
  'crowd_aggregations',
  'crowd_raters',
  'crowd_answers',
  'crowd_posteriors',
] as const;
const rowCounts = () => countRows(db, TABLES);
const nothingWritten = () => Object.values(rowCounts()).every((n) => n === 0);

const QUESTIONS = fixtureCrowdQuestions();
/** The fixture project's images, in project order. */
const PROJECT_ORDER = ['a.jpg', 'b.jpg', 'sub/c.jpg', 'd.jpg'];
const ARRAYS = crowdArrays(FIXTURE_RATER_IDS, QUESTIONS);
const CROWD = buildCrowdNpz(ARRAYS);

function crowdManifest(crowdAnswers: Record<string, unknown> = {}, extra: Partial<ImportManifestInput> = {}): ImportManifestInput {
  return { ...fixtureManifest(), crowdAnswers: { path: 'crowd.npz', format: 'real-npz', ...crowdAnswers } as ImportManifestInput['crowdAnswers'], ...extra };
}

function writeCrowdFixture(options: { crowd?: Uint8Array; manifest?: ImportManifestInput; files?: Record<string, string | Uint8Array> } = {}): string {
  return writeFixture(freshDir(), { manifest: options.manifest ?? crowdManifest(), files: { 'crowd.npz': options.crowd ?? CROWD, ...options.files } });
}

const importError = (manifestPath: string) => importRefusal(db, manifestPath);

const keyed = (sql: string, ...params: unknown[]) => db.prepare(sql).all(...params);

describe('importing crowd answers', () => {
  it('stores the raters and their answers apart from the panel, with every pair’s posterior and route', async () => {
    const progress: string[] = [];
    const result = await importManifest(db, writeCrowdFixture(), { onProgress: (message) => progress.push(message) });
    const answered = FIXTURE_PROJECT_QUESTIONS.reduce((n, q) => n + Object.keys(q.answers).length, 0);
    expect(result.crowdAnswers).toEqual({
      raters: 6,
      questions: QUESTIONS.length,
      questionsOutsideProject: 100,
      unansweredQuestions: 1,
      answers: QUESTIONS.reduce((n, q) => n + Object.keys(q.answers).length, 0),
      answersStored: answered,
      routes: { label: 4, absent: 3, review: 2, none: 0, file: 0 },
      itemsFromCrowdOnly: 1,
      noLabelImages: 1,
      iterations: expect.any(Number),
      converged: true,
    });

    // Crowd raters are not users, and their answers are not verdicts.
    expect(rowCounts()).toMatchObject({ crowd_raters: 6, crowd_answers: answered, crowd_posteriors: 9, crowd_aggregations: 1 });
    expect((db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n).toBe(0);
    expect((db.prepare('SELECT COUNT(*) AS n FROM verdicts').get() as { n: number }).n).toBe(0);
    expect(keyed('SELECT external_id, position FROM crowd_raters ORDER BY position')).toEqual(FIXTURE_RATER_IDS.map((id, position) => ({ external_id: id, position })));
    expect(
      keyed(
        `SELECT r.external_id AS rater, a.answer FROM crowd_answers a JOIN crowd_raters r ON r.id = a.rater_id JOIN images im ON im.id = a.image_id
         WHERE im.file = 'b.jpg' AND a.class_idx = 0 ORDER BY r.position`,
      ),
    ).toEqual([
      { rater: 101, answer: 'yes' },
      { rater: 102, answer: 'yes' },
      { rater: 103, answer: 'no' },
      { rater: 104, answer: 'no' },
      { rater: 105, answer: 'maybe' },
    ]);

    // The posteriors are Dawid–Skene's over the whole file, and each pair took the route its posterior gives.
    const all = presenceProbability(
      dawidSkenePresence({
        questions: QUESTIONS.length,
        raters: 6,
        answers: (() => {
          const question: number[] = [];
          const rater: number[] = [];
          const answer: number[] = [];
          for (let r = 0; r < 6; r++) {
            QUESTIONS.forEach((q, i) => {
              const a = q.answers[r];
              if (!a) return;
              question.push(i);
              rater.push(r);
              answer.push({ no: 0, maybe: 1, yes: 2 }[a]);
            });
          }
          return { question: Int32Array.from(question), rater: Int32Array.from(rater), answer: Int32Array.from(answer) };
        })(),
      }),
    );
    const stored = keyed(
      `SELECT im.file, p.class_idx AS classIndex, p.posterior, p.answers, p.route FROM crowd_posteriors p JOIN images im ON im.id = p.image_id
       ORDER BY im.position, p.class_idx`,
    ) as { file: string; classIndex: number; posterior: number; answers: number; route: string }[];
    const expected = FIXTURE_PROJECT_QUESTIONS.map((q, i) => ({ ...q, i }))
      .filter((q) => q.expected !== 'unanswered')
      .sort((a, b) => PROJECT_ORDER.indexOf(a.file) - PROJECT_ORDER.indexOf(b.file) || a.classIndex - b.classIndex)
      .map((q) => ({ file: q.file, classIndex: q.classIndex, posterior: all[q.i], answers: Object.keys(q.answers).length, route: q.expected }));
    expect(stored).toEqual(expected);

    const aggregation = db.prepare('SELECT threshold, band_low, band_high, questions, converged FROM crowd_aggregations').get();
    expect(aggregation).toEqual({ threshold: 0.8, band_low: 0.2, band_high: 0.8, questions: QUESTIONS.length, converged: 1 });
    const confusion = JSON.parse((db.prepare('SELECT confusion FROM crowd_raters WHERE position = 0').get() as { confusion: string }).confusion) as number[][];
    expect(confusion).toHaveLength(2);
    confusion.forEach((row) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12));

    expect(progress.some((m) => /^crowd answers: Dawid–Skene converged after \d+ iterations/.test(m))).toBe(true);
    expect(progress).toContain(`wrote ${answered} crowd answers`);
  });

  it('makes confident pairs prior labels, and routes the uncertain ones to the panel as candidates', async () => {
    const started = new Date().toISOString();
    const result = await importManifest(db, writeCrowdFixture());
    const ended = new Date().toISOString();
    expect(
      keyed(
        `SELECT im.file, c.key, p.judgement, p.source FROM prior_labels p JOIN images im ON im.id = p.image_id
         JOIN classes c ON c.project_id = im.project_id AND c.idx = p.class_idx ORDER BY im.position, c.idx`,
      ),
    ).toEqual([
      { file: 'a.jpg', key: 'cat', judgement: 'correct', source: 'crowd' },
      { file: 'a.jpg', key: 'dog', judgement: 'wrong', source: 'crowd' },
      { file: 'b.jpg', key: 'dog', judgement: 'correct', source: 'crowd' },
      { file: 'sub/c.jpg', key: 'cup', judgement: 'correct', source: 'crowd' },
      { file: 'sub/c.jpg', key: 'espresso', judgement: 'correct', source: 'crowd' },
      { file: 'd.jpg', key: 'cat', judgement: 'wrong', source: 'crowd' },
      { file: 'd.jpg', key: 'fox', judgement: 'wrong', source: 'crowd' },
    ]);
    // The original label stays accepted unless the crowd finds it absent (d.jpg's fox).
    expect(
      keyed(
        `SELECT im.file, group_concat(c.key, ' ') AS accepted FROM images im LEFT JOIN accepted_labels a ON a.image_id = im.id
         LEFT JOIN classes c ON c.project_id = im.project_id AND c.idx = a.class_idx GROUP BY im.id ORDER BY im.position`,
      ),
    ).toEqual([
      { file: 'a.jpg', accepted: 'cat' },
      { file: 'b.jpg', accepted: 'dog' },
      { file: 'sub/c.jpg', accepted: 'cup espresso' },
      { file: 'd.jpg', accepted: null },
    ]);
    // On d.jpg the crowd found every class it was asked about absent (fox, its original label, and cat): ReaL's [],
    // recorded as a ReaL path records it, with the import's time.
    const problematic = keyed(
      `SELECT im.file, p.reason, p.reviewer, p.server_username, p.time_marked, p.time_reviewed FROM prior_problematic p JOIN images im ON im.id = p.image_id`,
    ) as { file: string; reason: string; reviewer: string; server_username: string; time_marked: string; time_reviewed: string }[];
    expect(problematic).toEqual([
      { file: 'd.jpg', reason: 'ReaL: no label', reviewer: '', server_username: '', time_marked: expect.any(String), time_reviewed: problematic[0]!.time_marked },
    ]);
    expect(problematic[0]!.time_marked >= started && problematic[0]!.time_marked <= ended).toBe(true);
    // Without the crowd the items are a.jpg and sub/c.jpg. Now model alpha's "cup" on sub/c.jpg is a label; its "fox"
    // on d.jpg is not; b.jpg has an uncertain pair although both models are right.
    expect(
      keyed('SELECT im.file, i.models_wrong, i.confidence FROM items i JOIN images im ON im.id = i.image_id ORDER BY im.position'),
    ).toEqual([
      { file: 'a.jpg', models_wrong: 2, confidence: 0.9 },
      { file: 'b.jpg', models_wrong: 0, confidence: 0 },
      { file: 'd.jpg', models_wrong: 1, confidence: 0.8 },
    ]);
    expect(result.items).toBe(3);
    expect(
      keyed(
        `SELECT im.file, c.key, x.source FROM item_extra_candidates x JOIN items i ON i.id = x.item_id JOIN images im ON im.id = i.image_id
         JOIN classes c ON c.project_id = im.project_id AND c.idx = x.class_idx ORDER BY im.position, c.idx`,
      ),
    ).toEqual([
      { file: 'a.jpg', key: 'dog', source: 'prior' },
      { file: 'a.jpg', key: 'fox', source: 'crowd' },
      { file: 'b.jpg', key: 'cat', source: 'crowd' },
      { file: 'd.jpg', key: 'cat', source: 'prior' },
      { file: 'd.jpg', key: 'fox', source: 'prior' },
    ]);
  });

  it('follows the threshold and band of the manifest', async () => {
    // Every pair at or above 0.5 is a label; the band [0.1, 0.5) is empty here.
    const result = await importManifest(db, writeCrowdFixture({ manifest: crowdManifest({ threshold: 0.5, uncertainBand: [0.1, 0.5] }) }));
    expect(result.crowdAnswers!.routes).toEqual({ label: 6, absent: 3, review: 0, none: 0, file: 0 });
    expect(db.prepare('SELECT threshold, band_low, band_high FROM crowd_aggregations').get()).toEqual({ threshold: 0.5, band_low: 0.1, band_high: 0.5 });
  });

  it('finds no image without label when the band starts at 0: a pair between the band and the threshold is not absent', async () => {
    // Band [0, 0): no pair is below it, so d.jpg's confident "no" pairs fall between the band and the threshold.
    const result = await importManifest(db, writeCrowdFixture({ manifest: crowdManifest({ uncertainBand: [0, 0] }) }));
    expect(result.crowdAnswers!.routes).toEqual({ label: 4, absent: 0, review: 0, none: 5, file: 0 });
    expect(result.crowdAnswers!.noLabelImages).toBe(0);
    expect((db.prepare('SELECT COUNT(*) AS n FROM prior_problematic').get() as { n: number }).n).toBe(0);
    expect(keyed("SELECT a.class_idx FROM accepted_labels a JOIN images im ON im.id = a.image_id WHERE im.file = 'd.jpg'")).toEqual([{ class_idx: 4 }]);
  });

  it('leaves the images a prior labels file labels to that file', async () => {
    const manifest = crowdManifest({}, { priorLabels: { path: 'prior.json', format: 'real-json' } });
    const result = await importManifest(db, writeCrowdFixture({ manifest, files: { 'prior.json': '{"b.jpg": [0, 1]}' } }));
    expect(result.crowdAnswers!.routes).toEqual({ label: 3, absent: 3, review: 1, none: 0, file: 2 });
    expect(keyed("SELECT p.class_idx, p.source FROM prior_labels p JOIN images im ON im.id = p.image_id WHERE im.file = 'b.jpg' ORDER BY p.class_idx")).toEqual([
      { class_idx: 0, source: 'file' },
      { class_idx: 1, source: 'file' },
    ]);
    expect(keyed("SELECT p.route FROM crowd_posteriors p JOIN images im ON im.id = p.image_id WHERE im.file = 'b.jpg'")).toEqual([{ route: 'file' }, { route: 'file' }]);
    expect(keyed('SELECT im.file FROM items i JOIN images im ON im.id = i.image_id ORDER BY im.position')).toEqual([{ file: 'a.jpg' }, { file: 'd.jpg' }]);
  });

  it("keeps a prior labels file's record of an image the crowd found without label: one record per image", async () => {
    const manifest = crowdManifest({}, { priorLabels: { path: 'prior.json', format: 'human-accuracy-v3' } });
    const record = { reason: 'blurry', reviewer: 'ann', server_username: 'ann', time_marked: '2019-03-29T22:48:36Z', time_reviewed: '2019-03-29T22:49:32Z' };
    const prior = { initial_annots: { 'a.jpg': { correct: ['cat'] } }, problematic_images: { 'd.jpg': record } };
    const result = await importManifest(db, writeCrowdFixture({ manifest, files: { 'prior.json': JSON.stringify(prior) } }));
    expect(result.crowdAnswers!.noLabelImages).toBe(1);
    expect(keyed('SELECT im.file, p.reason, p.reviewer FROM prior_problematic p JOIN images im ON im.id = p.image_id')).toEqual([
      { file: 'd.jpg', reason: 'blurry', reviewer: 'ann' },
    ]);
    expect(keyed("SELECT a.class_idx FROM accepted_labels a JOIN images im ON im.id = a.image_id WHERE im.file = 'd.jpg'")).toEqual([]);
  });

  it('gives an image the prior labels file labels its labels, however absent the crowd found its classes', async () => {
    const manifest = crowdManifest({}, { priorLabels: { path: 'prior.json', format: 'real-json' } });
    const result = await importManifest(db, writeCrowdFixture({ manifest, files: { 'prior.json': '{"d.jpg": [4]}' } }));
    expect(result.crowdAnswers!.noLabelImages).toBe(0);
    expect((db.prepare('SELECT COUNT(*) AS n FROM prior_problematic').get() as { n: number }).n).toBe(0);
    expect(keyed("SELECT a.class_idx FROM accepted_labels a JOIN images im ON im.id = a.image_id WHERE im.file = 'd.jpg'")).toEqual([{ class_idx: 4 }]);
  });

  it('imports the same manifest twice as once', async () => {
    const manifest = writeCrowdFixture();
    await importManifest(db, manifest);
    const counts = rowCounts();
    expect((await importManifest(db, manifest)).alreadyImported).toBe(true);
    expect(rowCounts()).toEqual(counts);
  });
});

describe('a malformed crowd answers file stops the import and writes nothing', () => {
  const withMembers = (members: Partial<Record<string, NpySpec | Uint8Array>>) => buildCrowdNpz({ ...ARRAYS, ...members });
  const tensorWith = (at: number, cell: number[]) => {
    const elements = [...ARRAYS.tensor.elements];
    elements.splice(at * 3, 3, ...cell);
    return { ...ARRAYS.tensor, elements };
  };

  it.each([
    ['a missing member', buildCrowdNpz({ tensor: ARRAYS.tensor, info: ARRAYS.info }), "no array 'ids' in the archive (it holds 'tensor', 'info')"],
    [
      'a tensor without the answer axis',
      withMembers({ tensor: { type: 'f8', shape: [6, QUESTIONS.length], elements: new Array(6 * QUESTIONS.length).fill(0) } }),
      `member 'tensor.npy': shape (6, ${QUESTIONS.length}) does not fit: expected (R, Q, 3)`,
    ],
    [
      'info for other questions',
      withMembers({ info: { type: 'U20', shape: [3, 2], elements: ['a.jpg', '0', 'b.jpg', '1', 'd.jpg', '2'] } }),
      `member 'info.npy' has 3 rows (shape (3, 2)) but 'tensor.npy' has ${QUESTIONS.length} questions`,
    ],
    ['ids for another crowd', withMembers({ ids: { type: 'i8', shape: [2], elements: [1, 2] } }), "member 'ids.npy' has 2 ids (shape (2,)) but 'tensor.npy' has 6 raters"],
    ['an answer that is not one-hot', withMembers({ tensor: tensorWith(QUESTIONS.length + 3, [0, 1, 1]) }), "member 'tensor.npy': element [1, 3] is [0, 1, 1]: an answer is one-hot"],
    ['a fractional answer', withMembers({ tensor: tensorWith(7, [0.2, 0, 0.8]) }), "member 'tensor.npy': element [0, 7] is [0.2, 0, 0.8]"],
    [
      'a class outside the vocabulary',
      withMembers({ info: { ...ARRAYS.info, elements: ARRAYS.info.elements.map((e, i) => (i === 3 ? '5' : e)) } }),
      `member 'info.npy', row 1: class index 5 (for "a.jpg") is not in the project's vocabulary`,
    ],
    [
      'a pair asked twice',
      withMembers({ info: { ...ARRAYS.info, elements: ARRAYS.info.elements.map((e, i) => (i === 3 ? '0' : e)) } }),
      'member \'info.npy\', row 1: asks again about "a.jpg" and class 0 (also row 0)',
    ],
    ['a truncated archive', CROWD.subarray(0, 4000), "truncated: member 'tensor.npy' is incomplete"],
    ['a .npy instead of a .npz', buildNpy(ARRAYS.tensor), 'not a zip archive'],
    [
      'a crowd about other images only',
      buildCrowdNpz(crowdArrays(FIXTURE_RATER_IDS, calibrationQuestions(1))),
      'none of its 20 questions is about an image of the project (is it the right file for this project?)',
    ],
  ])('%s', async (_, crowd, problem) => {
    const manifest = writeCrowdFixture({ crowd });
    const error = await importError(manifest);
    expect(error.message.startsWith(`${join(manifest, '..', 'crowd.npz')}: `)).toBe(true);
    expect(error.message).toContain(problem);
    expect(nothingWritten()).toBe(true);
  });

  it('a missing file', async () => {
    const error = await importError(writeFixture(freshDir(), { manifest: crowdManifest() }));
    expect(error.message).toMatch(/crowd\.npz: file not found \(named by the manifest's field "crowdAnswers\.path"\)$/);
    expect(nothingWritten()).toBe(true);
  });

  it.each([
    [{ uncertainBand: [0.5, 0.3] }, 'field "crowdAnswers.uncertainBand": the band\'s low end (0.5) is above its high end (0.3)'],
    [{ threshold: 0.6 }, 'field "crowdAnswers.uncertainBand": the band\'s high end (0.8) is above the threshold (0.6): a pair cannot be both a label and uncertain'],
    [{ threshold: 1.5 }, 'field "crowdAnswers.threshold": Too big: expected number to be <=1'],
    [{ format: 'real-json' }, 'field "crowdAnswers.format": Invalid input: expected "real-npz"'],
    [{ colour: 'blue' }, 'field "crowdAnswers.colour": unknown field'],
  ])('a manifest with %o', async (settings, problem) => {
    const error = await importError(writeCrowdFixture({ manifest: crowdManifest(settings) }));
    expect(error.message).toMatch(/manifest\.json, /);
    expect(error.message).toContain(problem);
    expect(nothingWritten()).toBe(true);
  });
});

describe('golden questions (ReaL’s golden.npz and raters_golden.npz)', () => {
  // Three raters: 201 answers truly, 202 and 203 always the opposite. On the crowd file alone they outvote 201 two to
  // one everywhere, and Dawid–Skene, started from the majority, takes their side. Thirty golden questions, which the
  // experts settle and the three answered as they always do, show who tells the truth.
  const RATERS = [201, 202, 203];
  const opposite = { yes: 'no', no: 'yes' } as const;
  const answersOf = (truth: 'yes' | 'no') => ({ 0: truth, 1: opposite[truth], 2: opposite[truth] });
  const project = [
    { file: 'a.jpg', classIndex: 0, answers: answersOf('yes') },
    { file: 'b.jpg', classIndex: 1, answers: answersOf('no') },
  ];
  const outside = Array.from({ length: 40 }, (_, i) => ({ file: `other-${i}.jpg`, classIndex: 0, answers: answersOf(i % 2 === 0 ? 'yes' : 'no') }));
  const golden = Array.from({ length: 30 }, (_, i) => ({ file: `golden-${i}.jpg`, classIndex: 0, truth: i % 2 === 0 ? ('yes' as const) : ('no' as const) }));
  const crowd = buildCrowdNpz(crowdArrays(RATERS, [...project, ...outside]));
  const ratersGolden = buildCrowdNpz(crowdArrays(RATERS, golden.map((g) => ({ file: g.file, classIndex: g.classIndex, answers: answersOf(g.truth) }))));
  // Five experts; on one question they split 2–2 with a "maybe" (mean 0.5: not golden).
  const experts = buildCrowdNpz(
    crowdArrays(
      [1, 2, 3, 4, 5],
      golden.map((g, i) => ({
        file: g.file,
        classIndex: g.classIndex,
        answers: i === 29 ? { 0: 'yes', 1: 'yes', 2: 'no', 3: 'no', 4: 'maybe' } : { 0: g.truth, 1: g.truth, 2: g.truth, 3: g.truth, 4: g.truth },
      })),
    ),
  );
  const routes = () =>
    Object.fromEntries(
      (keyed('SELECT im.file, p.route FROM crowd_posteriors p JOIN images im ON im.id = p.image_id ORDER BY im.position') as { file: string; route: string }[]).map((r) => [r.file, r.route]),
    );

  it('without them, the two who always answer the opposite carry the pairs', async () => {
    await importManifest(db, writeCrowdFixture({ crowd }));
    expect(routes()).toEqual({ 'a.jpg': 'absent', 'b.jpg': 'label' });
  });

  it('with them, each rater’s reliability is measured on them and held: the truth carries the pairs', async () => {
    const manifest = crowdManifest({ golden: { experts: 'golden.npz', raters: 'raters_golden.npz' } });
    const progress: string[] = [];
    const result = await importManifest(db, writeCrowdFixture({ crowd, manifest, files: { 'golden.npz': experts, 'raters_golden.npz': ratersGolden } }), {
      onProgress: (message) => progress.push(message),
    });
    expect(routes()).toEqual({ 'a.jpg': 'label', 'b.jpg': 'absent' });
    expect(result.crowdAnswers?.golden).toEqual({ golden: 29, added: 30, raterAnswers: 90, newRaters: 0 });
    expect(result.crowdAnswers?.questions).toBe(project.length + outside.length + golden.length);
    expect(progress.some((line) => line.startsWith('golden questions: 29 settled by the experts'))).toBe(true);
  });

  it('refuses a golden file that is missing, naming it', async () => {
    const manifest = crowdManifest({ golden: { experts: 'golden.npz', raters: 'raters_golden.npz' } });
    const error = await importError(writeCrowdFixture({ crowd, manifest, files: { 'golden.npz': experts } }));
    expect(error.message).toMatch(/crowdAnswers\.golden\.raters/);
    expect(nothingWritten()).toBe(true);
  });
});
