import { describe, expect, it, vi } from 'vitest';
import { dawidSkenePresence, majorityPresence, presenceProbability } from '../../dawid-skene';
import { INFLATE_STEP_OUTPUT, NpyStreamDecoder } from '../../numpy';
import { buildNpy, concatBytes, npyPreamble, numpyHeaderText, type NpySpec } from '../../numpy/build-npy-for-tests';
import { buildZip, deflatedZerosAfter } from '../../numpy/build-npz-for-tests';
import { seededRandom } from '../../seeded-random';
import { createVocabulary } from '../../vocabulary';
import { FormatError } from '../format-error';
import { createProjectImageIndex } from '../project-image-index';
import { expectFormatError } from '../test-helpers';
import {
  buildCrowdNpz,
  calibrationQuestions,
  CAREFUL_RATERS,
  crowdArrays,
  FIXTURE_PROJECT_QUESTIONS,
  FIXTURE_RATER_IDS,
  fixtureCrowdQuestions,
  type CrowdQuestionSpec,
} from './build-crowd-npz-for-tests';
import { CrowdAnswersReader, type CrowdAnswers } from './crowd-answers-reader';
import { isCrowdNoLabel, resolveCrowdQuestions, routeCrowdAnswers, routeOfPosterior, type CrowdRoute } from './route-crowd-answers';

const FILE = 'crowd.npz';
const vocabulary = createVocabulary(['cat', 'dog', 'cup', 'espresso', 'fox'].map((key, index) => ({ index, key, names: [key], gloss: '' })));
const images = createProjectImageIndex(['a.jpg', 'b.jpg', 'sub/c.jpg', 'd.jpg']);
const project = { images, vocabulary };
const RATER_IDS = [...FIXTURE_RATER_IDS];
const PROJECT_QUESTIONS = FIXTURE_PROJECT_QUESTIONS;
const QUESTIONS: CrowdQuestionSpec[] = fixtureCrowdQuestions();
const SETTINGS = { threshold: 0.8, uncertainBand: [0.2, 0.8] as const };

function read(archive: Uint8Array, cuts: readonly number[] = []): CrowdAnswers {
  const reader = new CrowdAnswersReader({ file: FILE });
  let start = 0;
  for (const cut of cuts) {
    reader.push(archive.subarray(start, cut));
    start = cut;
  }
  reader.push(archive.subarray(start));
  return reader.finish();
}

const arrays = crowdArrays(RATER_IDS, QUESTIONS);
const archive = buildCrowdNpz(arrays);

describe('CrowdAnswersReader', () => {
  it('keeps only the answers given, as presence codes, with the questions and the rater ids', () => {
    const crowd = read(archive);
    expect(crowd.raterIds).toEqual(RATER_IDS);
    expect(crowd.questionFiles.slice(0, 3)).toEqual(['a.jpg', 'a.jpg', 'a.jpg']);
    expect(Array.from(crowd.questionClasses.subarray(0, 3))).toEqual([0, 1, 4]);
    const answered = QUESTIONS.reduce((n, q) => n + Object.keys(q.answers).length, 0);
    expect(crowd.answers.question.length).toBe(answered);
    // Rater by rater (the tensor's first axis): rater 0 answered question 4 "yes" (2), question 8 "no" (0).
    const ofRater0 = (q: number) => crowd.answers.answer[Array.from(crowd.answers.question).findIndex((x, i) => x === q && crowd.answers.rater[i] === 0)];
    expect([ofRater0(4), ofRater0(8)]).toEqual([2, 0]);
    expect(Array.from(crowd.answers.rater).every((r, i, all) => i === 0 || all[i - 1]! <= r)).toBe(true);
  });

  it('reads the same from a compressed archive, members in any order, fed in pieces of any size', () => {
    const expected = read(archive);
    const reordered = buildCrowdNpz({ ids: arrays.ids, info: arrays.info, tensor: arrays.tensor }, { compressed: true });
    expect(read(reordered, [3, 4, 100, 101, 2000])).toEqual(expected);
    const cuts = Array.from({ length: Math.floor(archive.length / 37) }, (_, i) => (i + 1) * 37);
    expect(read(archive, cuts)).toEqual(expected);
  });

  it('skips other members', () => {
    const extra = buildCrowdNpz({ ...arrays, notes: { type: 'i4', shape: [2], elements: [1, 2] } });
    expect(read(extra).raterIds).toEqual(RATER_IDS);
  });

  it.each([
    ['a missing member', { ...arrays, ids: undefined }, "crowd.npz: no array 'ids' in the archive (it holds 'tensor', 'info'): crowd answers need tensor (R, Q, 3), info (Q, 2) and ids (R,)"],
    [
      'a tensor of the wrong shape',
      { ...arrays, tensor: { type: 'f8', shape: [6, 2], elements: new Array(12).fill(0) } },
      "crowd.npz: member 'tensor.npy': shape (6, 2) does not fit: expected (R, Q, 3), one answer (no, maybe, yes) per rater and question",
    ],
    [
      'info with a row too few',
      { ...arrays, info: { type: 'U20', shape: [QUESTIONS.length - 1, 2], elements: QUESTIONS.slice(1).flatMap((q) => [q.file, String(q.classIndex)]) } },
      `crowd.npz: member 'info.npy' has ${QUESTIONS.length - 1} rows (shape (${QUESTIONS.length - 1}, 2)) but 'tensor.npy' has ${QUESTIONS.length} questions (shape (6, ${QUESTIONS.length}, 3)): info holds one [FILE, CID] row per question`,
    ],
    [
      'ids for five raters',
      { ...arrays, ids: { type: 'i8', shape: [5], elements: RATER_IDS.slice(0, 5) } },
      `crowd.npz: member 'ids.npy' has 5 ids (shape (5,)) but 'tensor.npy' has 6 raters (shape (6, ${QUESTIONS.length}, 3)): ids holds one id per rater`,
    ],
    [
      'info as numbers',
      { ...arrays, info: { type: 'i4', shape: [QUESTIONS.length, 2], elements: new Array(QUESTIONS.length * 2).fill(0) } },
      "crowd.npz: member 'info.npy': unsupported dtype '<i4' (int32): info must be a unicode array of [FILE, CID] rows",
    ],
    [
      'float ids',
      { ...arrays, ids: { type: 'f8', shape: [6], elements: RATER_IDS } },
      "crowd.npz: member 'ids.npy': unsupported dtype '<f8' (float64): ids must be an integer array",
    ],
    [
      'a rater id twice',
      { ...arrays, ids: { type: 'i8', shape: [6], elements: [101, 102, 103, 102, 105, 106] } },
      "crowd.npz: member 'ids.npy': elements [1] and [3] are both rater id 102: each rater has one id",
    ],
    [
      'a class that is not a number',
      { ...arrays, info: { ...arrays.info, elements: arrays.info.elements.map((e, i) => (i === 7 ? 'cat' : e)) } },
      'crowd.npz: member \'info.npy\': row 3: class "cat" is not a class index (a CID written in decimal digits)',
    ],
    [
      'an empty file name',
      { ...arrays, info: { ...arrays.info, elements: arrays.info.elements.map((e, i) => (i === 4 ? '' : e)) } },
      "crowd.npz: member 'info.npy': row 2: the file name is empty",
    ],
  ] as [string, Partial<Record<string, NpySpec>>, string][])('refuses %s', (_, members, message) => {
    expectFormatError(() => read(buildCrowdNpz(members)), message);
  });

  it.each([
    [[0.5, 0, 0.5], '[0.5, 0, 0.5]'],
    [[1, 0, 1], '[1, 0, 1]'],
    [[0, Number.NaN, 0], '[0, NaN, 0]'],
    [[0, 2, 0], '[0, 2, 0]'],
  ])('refuses an answer that is not one-hot: %j', (cell, shown) => {
    const elements = [...arrays.tensor.elements];
    // Rater 2, question 5.
    elements.splice((2 * QUESTIONS.length + 5) * 3, 3, ...cell);
    expectFormatError(
      () => read(buildCrowdNpz({ ...arrays, tensor: { ...arrays.tensor, elements } })),
      `crowd.npz: member 'tensor.npy': element [2, 5] is ${shown}: an answer is one-hot over (no, maybe, yes), or all zeros where the rater was not asked`,
    );
  });

  it('refuses a truncated archive, a truncated member and a file that is not a zip', () => {
    expectFormatError(() => read(archive.subarray(0, 2000)), "crowd.npz: truncated: member 'tensor.npy' is incomplete");
    const shortTensor = buildNpy(arrays.tensor).subarray(0, 500);
    expect(() => read(buildCrowdNpz({ ...arrays, tensor: shortTensor }))).toThrow(/^crowd\.npz: member 'tensor\.npy': truncated: expected \d+ bytes of data, got \d+$/);
    expectFormatError(() => read(buildNpy(arrays.ids)), 'crowd.npz: not a zip archive (a .npz starts with PK\\x03\\x04)');
  });

  // 40 raters x 5,000 questions x 3 float64 (4.8 MB), three answers per question: the archive is 110 times smaller. Built once.
  const largeCrowd = (() => {
    const R = 40;
    const Q = 5_000;
    const random = seededRandom(5);
    const tensor = new Float64Array(R * Q * 3);
    for (let q = 0; q < Q; q++) for (let k = 0; k < 3; k++) tensor[(((q * 7 + k * 13) % R) * Q + q) * 3 + Math.floor(random() * 3)] = 1;
    const members = {
      tensor: concatBytes(npyPreamble(numpyHeaderText({ type: 'f8', shape: [R, Q, 3] })), new Uint8Array(tensor.buffer)),
      info: buildNpy({ type: 'U14', shape: [Q, 2], elements: Array.from({ length: Q }, (_, q) => [`img-${q}.jpg`, String(q % 5)]).flat() }),
      ids: buildNpy({ type: 'i8', shape: [R], elements: Array.from({ length: R }, (_, r) => 100 + r) }),
    };
    return { Q, members, deflated: buildCrowdNpz(members, { compressed: true }), stored: buildCrowdNpz(members) };
  })();

  it('inflates a large deflated tensor in steps: the row decoders are never handed more than about 1 MiB at once', () => {
    const { Q, members, deflated, stored } = largeCrowd;
    expect(members.tensor.length / deflated.length).toBeGreaterThan(100);
    const push = vi.spyOn(NpyStreamDecoder.prototype, 'push');
    try {
      const crowd = read(deflated);
      const handed = push.mock.calls.map(([chunk]) => chunk.length);
      expect(handed.reduce((a, b) => a + b, 0)).toBe(members.tensor.length + members.info.length + members.ids.length);
      expect(Math.max(...handed)).toBeLessThanOrEqual(2 * INFLATE_STEP_OUTPUT);
      expect(crowd.answers.question.length).toBe(3 * Q);
      expect(crowd).toEqual(read(stored));
    } finally {
      push.mockRestore();
    }
  });

  it('refuses a tensor that inflates to more than its header implies (a zip bomb), naming the file and the member', () => {
    const header = npyPreamble(numpyHeaderText({ type: 'f8', shape: [6, 20, 3] }));
    const expected = header.length + 6 * 20 * 3 * 8;
    const bomb = buildZip([{ name: 'tensor.npy', data: deflatedZerosAfter(header, 1_000_000), method: 8, size: expected, zip64: true }]);
    expectFormatError(
      () => read(bomb),
      `crowd.npz: member 'tensor.npy' inflates to more than the ${expected} bytes its .npy header (dtype '<f8', shape (6, 20, 3)) implies: the archive is damaged or forged`,
    );
  });
});

describe('resolveCrowdQuestions', () => {
  it('finds the project image of each question; questions about other images are counted', () => {
    const targets = resolveCrowdQuestions(read(archive), FILE, project);
    expect(Array.from(targets.position.subarray(0, PROJECT_QUESTIONS.length))).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 3, 3]);
    expect(targets.outsideProject).toBe(100);
    expect(targets.position[PROJECT_QUESTIONS.length]).toBe(-1);
  });

  const withQuestion = (question: CrowdQuestionSpec) => read(buildCrowdNpz(crowdArrays(RATER_IDS, [...PROJECT_QUESTIONS, question])));

  it('refuses a class outside the vocabulary and a pair asked twice, naming the row of info.npy', () => {
    expectFormatError(
      () => resolveCrowdQuestions(withQuestion({ file: 'd.jpg', classIndex: 7, answers: {} }), FILE, project),
      'crowd.npz: member \'info.npy\', row 10: class index 7 (for "d.jpg") is not in the project\'s vocabulary',
    );
    expectFormatError(
      () => resolveCrowdQuestions(withQuestion({ file: 'a.jpg', classIndex: 1, answers: {} }), FILE, project),
      'crowd.npz: member \'info.npy\', row 10: asks again about "a.jpg" and class 1 (also row 1): each (image, class) pair is one question',
    );
  });

  it('accepts a class outside the vocabulary on an image outside the project (it is not kept)', () => {
    expect(resolveCrowdQuestions(withQuestion({ file: 'elsewhere.jpg', classIndex: 7, answers: { 0: 'yes' } }), FILE, project).outsideProject).toBe(1);
  });

  it('refuses a file none of whose questions is about a project image', () => {
    const crowd = read(buildCrowdNpz(crowdArrays(RATER_IDS, calibrationQuestions(1))));
    expectFormatError(
      () => resolveCrowdQuestions(crowd, FILE, project),
      'crowd.npz: none of its 20 questions is about an image of the project (is it the right file for this project?)',
    );
  });

  it('finds an image kept in a class folder by its bare file name', () => {
    const foldered = createProjectImageIndex(['n1/a.jpg', 'n2/b.jpg', 'n3/c.jpg', 'n4/d.jpg']);
    const crowd = read(buildCrowdNpz(crowdArrays(RATER_IDS, [{ file: 'b.jpg', classIndex: 1, answers: { 0: 'yes' } }])));
    expect(Array.from(resolveCrowdQuestions(crowd, FILE, { images: foldered, vocabulary }).position)).toEqual([1]);
    const twice = createProjectImageIndex(['n1/b.jpg', 'n2/b.jpg']);
    expect(() => resolveCrowdQuestions(crowd, FILE, { images: twice, vocabulary })).toThrow(FormatError);
  });
});

describe('routeCrowdAnswers', () => {
  const crowd = read(archive);
  const targets = resolveCrowdQuestions(crowd, FILE, project);

  it('puts exactly the expected pairs in each bucket', () => {
    const routing = routeCrowdAnswers(crowd, targets, SETTINGS);
    const routed = routing.pairs.map((p) => ({ file: QUESTIONS[p.question]!.file, classIndex: p.classIndex, route: p.route }));
    expect(routed).toEqual(
      PROJECT_QUESTIONS.filter((q) => q.expected !== 'unanswered').map((q) => ({ file: q.file, classIndex: q.classIndex, route: q.expected })),
    );
    expect(routing.unansweredQuestions).toBe(1);
    expect(routing.result.converged).toBe(true);
  });

  it('routes the posteriors of Dawid–Skene over every answer, questions outside the project included', () => {
    const routing = routeCrowdAnswers(crowd, targets, SETTINGS);
    const posterior = presenceProbability(dawidSkenePresence({ questions: QUESTIONS.length, raters: 6, answers: crowd.answers }));
    for (const pair of routing.pairs) {
      expect(pair.posterior).toBe(posterior[pair.question]);
      expect(pair.route).toBe(routeOfPosterior(pair.posterior, SETTINGS));
      expect(pair.answers).toBe(Object.keys(QUESTIONS[pair.question]!.answers).length);
    }
    // Where the majority vote sees an even split, Dawid–Skene has learnt to discount the careless raters.
    const majority = majorityPresence({ questions: QUESTIONS.length, raters: 6, answers: crowd.answers });
    expect(majority[9]).toBe(0.5);
    expect(posterior[9]).toBeLessThan(0.2);
    // It also learnt who is careful: their "yes" given a present class is far likelier than the careless raters'.
    const yesGivenPresent = (r: number) => routing.result.confusion[r * 6 + 5]!;
    for (const r of CAREFUL_RATERS) expect(yesGivenPresent(r)).toBeGreaterThan(0.7);
    expect(yesGivenPresent(4)).toBeLessThan(0.5);
  });

  it('is deterministic', () => {
    expect(routeCrowdAnswers(crowd, targets, SETTINGS)).toEqual(routeCrowdAnswers(read(archive, [999]), targets, SETTINGS));
  });

  it('leaves the pairs of images the prior labels file labels to the file', () => {
    const routing = routeCrowdAnswers(crowd, targets, SETTINGS, (position) => position === 1);
    expect(routing.pairs.filter((p) => p.position === 1).map((p) => p.route)).toEqual(['file', 'file']);
    expect(routing.pairs.filter((p) => p.position !== 1).every((p) => p.route !== 'file')).toBe(true);
  });

  it('keeps pairs between the band and the threshold without routing them', () => {
    const routing = routeCrowdAnswers(crowd, targets, { threshold: 0.8, uncertainBand: [0.2, 0.5] });
    const uncertain = routing.pairs.filter((p) => p.posterior >= 0.2 && p.posterior < 0.8);
    expect(uncertain.length).toBe(2);
    for (const pair of uncertain) expect(pair.route).toBe(pair.posterior < 0.5 ? 'review' : 'none');
  });
});

describe('routeOfPosterior', () => {
  it.each([
    [0.8, 'label'],
    [0.95, 'label'],
    [0.7999, 'review'],
    [0.2, 'review'],
    [0.1999, 'absent'],
    [0, 'absent'],
  ] as const)('%d → %s with the defaults', (p, route) => expect(routeOfPosterior(p, SETTINGS)).toBe(route));

  it('has no band when its ends are equal', () => {
    expect(routeOfPosterior(0.5, { threshold: 0.5, uncertainBand: [0.5, 0.5] })).toBe('label');
    expect(routeOfPosterior(0.49, { threshold: 0.5, uncertainBand: [0.5, 0.5] })).toBe('absent');
  });
});

describe('isCrowdNoLabel', () => {
  it.each([
    [['absent'], true],
    [['absent', 'absent', 'absent'], true],
    [[], false],
    [['absent', 'review'], false],
    [['absent', 'label'], false],
    // Between the band and the threshold: not found absent, so the image may have that label.
    [['absent', 'none'], false],
    [['file', 'file'], false],
  ] as [CrowdRoute[], boolean][])('%j → %s', (routes, noLabel) => expect(isCrowdNoLabel(routes)).toBe(noLabel));

  it('finds the fixture crowd’s one image whose every answered class is absent (d.jpg: fox and cat)', () => {
    const routing = routeCrowdAnswers(read(archive), resolveCrowdQuestions(read(archive), FILE, project), SETTINGS);
    const routesOf = (position: number) => routing.pairs.filter((p) => p.position === position).map((p) => p.route);
    expect([0, 1, 2, 3].filter((position) => isCrowdNoLabel(routesOf(position)))).toEqual([3]);
  });
});
