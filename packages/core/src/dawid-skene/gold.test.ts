import { describe, expect, it } from 'vitest';
import { dawidSkene, DawidSkeneInputError, dawidSkeneWithGold, mostLikelyClass, type DawidSkeneGoldInput } from './dawid-skene';
import {
  dawidSkenePresence,
  dawidSkenePresenceWithGold,
  majorityPresence,
  PRESENCE_ANSWER,
  presenceGoldFromExperts,
  presenceProbability,
} from './presence';
import { seededRandom } from '../seeded-random';

const ints = (...values: number[]) => Int32Array.from(values);

describe('dawidSkeneWithGold on small cases', () => {
  // 4 questions, 3 raters, 2 classes answered as classes. Questions 0 and 1 are golden (truth 0 and 1).
  const answers = {
    question: ints(0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3),
    rater: ints(0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1),
    answer: ints(0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0),
  };
  const input: DawidSkeneGoldInput = {
    questions: 4,
    raters: 4,
    truthClasses: 2,
    answerOptions: 2,
    answers,
    gold: { question: ints(1, 0), truth: ints(1, 0) },
  };

  it('fixes the rows the gold estimates, gives golden questions their truth, and learns the rest', () => {
    const result = dawidSkeneWithGold(input);
    const s = 0.01;
    // Rater 0 answered 0 on golden truth 0 and 1 on golden truth 1: rows (s + 1, s) / (2s + 1) and (s, s + 1) / (2s + 1).
    const right = (1 + s) / (1 + 2 * s);
    const wrong = s / (1 + 2 * s);
    expect(Array.from(result.confusion.subarray(0, 4))).toEqual([right, wrong, wrong, right]);
    // Rater 1 answered 1 to both; rater 2 answered 0 to both.
    expect(Array.from(result.confusion.subarray(4, 8))).toEqual([wrong, right, wrong, right]);
    expect(Array.from(result.confusion.subarray(8, 12))).toEqual([right, wrong, right, wrong]);
    // Rater 3 answered nothing: no fixed rows, flat rows.
    expect(Array.from(result.fixedRows)).toEqual([1, 1, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(result.goldAnswers)).toEqual([2, 2, 2, 0]);
    expect(Array.from(result.confusion.subarray(12, 16))).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(Array.from(result.posterior.subarray(0, 4))).toEqual([1, 0, 0, 1]);
    // The other questions' posteriors are the priors times the fixed rows of their raters' answers, normalised.
    const p = result.posterior;
    const score = (k: number, cells: [number, number][]) =>
      result.priors[k]! * cells.reduce((acc, [r, a]) => acc * result.confusion[(r * 2 + k) * 2 + a]!, 1);
    const q2 = [score(0, [[0, 1], [1, 0], [2, 1]]), score(1, [[0, 1], [1, 0], [2, 1]])];
    expect(p[4]).toBeCloseTo(q2[0]! / (q2[0]! + q2[1]!), 12);
    const q3 = [score(0, [[0, 0], [1, 0]]), score(1, [[0, 0], [1, 0]])];
    expect(p[6]).toBeCloseTo(q3[0]! / (q3[0]! + q3[1]!), 12);
  });

  it('with no golden question it is dawidSkene, bit for bit', () => {
    const plain = dawidSkene(input);
    const gold = dawidSkeneWithGold({ ...input, gold: { question: ints(), truth: ints() } });
    expect(gold.posterior).toEqual(plain.posterior);
    expect(gold.confusion).toEqual(plain.confusion);
    expect(gold.priors).toEqual(plain.priors);
    expect(gold.iterations).toBe(plain.iterations);
    expect(gold.fixedRows.every((f) => f === 0)).toBe(true);
  });

  it('estimates the priors from the questions that are not golden', () => {
    // Every answered question golden but one, whose answer is certain: the priors follow that one question.
    const result = dawidSkeneWithGold({ ...input, gold: { question: ints(0, 1, 2), truth: ints(0, 1, 1) } });
    expect(result.posterior[6]).toBeGreaterThan(0.5);
    expect(result.priors[0]).toBeGreaterThan(0.5);
    // All golden: the priors are the golden share.
    const all = dawidSkeneWithGold({ ...input, gold: { question: ints(0, 1, 2, 3), truth: ints(0, 1, 1, 1) } });
    expect(all.priors[1]).toBeCloseTo((3 + 0.01) / (4 + 0.02), 12);
  });

  it('refuses bad gold', () => {
    const bad = (gold: DawidSkeneGoldInput['gold'], message: string) =>
      expect(() => dawidSkeneWithGold({ ...input, gold })).toThrow(new DawidSkeneInputError(message));
    bad({ question: ints(0), truth: ints() }, 'gold.question and gold.truth must have the same length, got 1, 0');
    bad({ question: ints(4), truth: ints(0) }, 'gold.question[0] = 4 is outside 0..3');
    bad({ question: ints(0), truth: ints(2) }, 'gold.truth[0] = 2 is outside 0..1');
    bad({ question: ints(0, 1, 0), truth: ints(0, 1, 0) }, 'gold.question[2] = 0 is listed more than once');
    expect(() => dawidSkeneWithGold({ ...input, smoothing: 0 })).toThrow(DawidSkeneInputError);
    expect(() => dawidSkeneWithGold({ ...input, gold: undefined as never })).toThrow(new DawidSkeneInputError('gold is required'));
  });
});

describe('presenceGoldFromExperts', () => {
  it('takes the experts’ majority, maybe counting half, and leaves out even splits and unanswered questions', () => {
    const { no, maybe, yes } = PRESENCE_ANSWER;
    const answers = {
      question: ints(0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3),
      rater: ints(0, 1, 2, 0, 1, 2, 0, 1, 0, 1, 2, 3, 4),
      answer: ints(yes, yes, no, no, maybe, no, yes, no, yes, maybe, maybe, no, no),
    };
    const gold = presenceGoldFromExperts(5, answers);
    expect(Array.from(gold.question)).toEqual([0, 1, 3]);
    expect(Array.from(gold.truth)).toEqual([1, 0, 0]);
    expect(() => presenceGoldFromExperts(2, answers)).toThrow(new DawidSkeneInputError('answers.question[6] = 2 is outside 0..1'));
  });
});

/**
 * A presence crowd whose raters are careful about absent classes but often say "maybe" or "no" about present ones
 * (as ReaL's raters measured on its golden questions, see scripts/bench/gold-calibration.ts), a few at random.
 */
function asymmetricCrowd(seed: number, questions: number, raters: number) {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  for (let r = 0; r < raters; r++) {
    if (random() < 0.15) rows.push([1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
    else {
      const noGivenAbsent = 0.85 + 0.13 * random();
      const yesGivenPresent = 0.3 + 0.5 * random();
      const noGivenPresent = (1 - yesGivenPresent) * random();
      rows.push([noGivenAbsent, (1 - noGivenAbsent) * 0.6, (1 - noGivenAbsent) * 0.4, noGivenPresent, 1 - yesGivenPresent - noGivenPresent, yesGivenPresent]);
    }
  }
  const truth = new Int32Array(questions);
  const n = questions * 5;
  const answers = { question: new Int32Array(n), rater: new Int32Array(n), answer: new Int32Array(n) };
  let i = 0;
  for (let q = 0; q < questions; q++) {
    truth[q] = random() < 0.25 ? 1 : 0;
    const chosen = new Set<number>();
    while (chosen.size < 5) chosen.add(Math.floor(random() * raters));
    for (const r of chosen) {
      const row = rows[r]!.slice(truth[q]! * 3, truth[q]! * 3 + 3);
      const u = random();
      answers.question[i] = q;
      answers.rater[i] = r;
      answers.answer[i] = u < row[0]! ? 0 : u < row[0]! + row[1]! ? 1 : 2;
      i++;
    }
  }
  return { truth, answers };
}

function goldShare(truth: Int32Array, share: number, seed: number) {
  const random = seededRandom(seed);
  const questions = Array.from(truth, (_, q) => q).filter(() => random() < share);
  const isGold = new Uint8Array(truth.length);
  for (const q of questions) isGold[q] = 1;
  return { isGold, gold: { question: Int32Array.from(questions), truth: Int32Array.from(questions, (q) => truth[q]!) } };
}

/** Accuracy (P(present) ≥ 0.5 against the truth) on the questions that are not golden. */
function accuracyOutsideGold(p: Float64Array, truth: Int32Array, isGold: Uint8Array): number {
  let right = 0;
  let n = 0;
  for (let q = 0; q < truth.length; q++) {
    if (isGold[q]) continue;
    n++;
    if ((p[q]! >= 0.5 ? 1 : 0) === truth[q]) right++;
  }
  return right / n;
}

const percent = (x: number) => `${(x * 100).toFixed(2)}%`;

describe('dawidSkenePresenceWithGold on simulated crowds', () => {
  it('corrects what the answers alone cannot tell: most raters answer the opposite of the truth', () => {
    // 20 raters, 12 of whom say yes for absent and no for present 85% of the time: unsupervised EM, started from the
    // majority, takes the inverted raters' view. A few golden questions tell which raters are which.
    const random = seededRandom(5);
    const Q = 1000;
    const truth = Int32Array.from({ length: Q }, () => (random() < 0.3 ? 1 : 0));
    const question: number[] = [];
    const rater: number[] = [];
    const answer: number[] = [];
    for (let q = 0; q < Q; q++) {
      const chosen = new Set<number>();
      while (chosen.size < 5) chosen.add(Math.floor(random() * 20));
      for (const r of chosen) {
        const right = random() < 0.85;
        const says = (r < 12 ? !right : right) ? truth[q]! : 1 - truth[q]!;
        question.push(q);
        rater.push(r);
        answer.push(says === 1 ? PRESENCE_ANSWER.yes : PRESENCE_ANSWER.no);
      }
    }
    const input = { questions: Q, raters: 20, answers: { question: ints(...question), rater: ints(...rater), answer: ints(...answer) } };
    const { isGold, gold } = goldShare(truth, 0.05, 6);
    const plain = accuracyOutsideGold(presenceProbability(dawidSkenePresence(input)), truth, isGold);
    const fixed = accuracyOutsideGold(presenceProbability(dawidSkenePresenceWithGold({ ...input, gold })), truth, isGold);
    const learned = accuracyOutsideGold(presenceProbability(dawidSkenePresenceWithGold({ ...input, gold, goldConfusion: 'learned' })), truth, isGold);
    console.log(`inverted majority, 5% golden: Dawid–Skene ${percent(plain)}, gold fixed ${percent(fixed)}, gold learned ${percent(learned)}`);
    expect(plain).toBeLessThan(0.5);
    expect(fixed).toBeGreaterThan(0.9);
    // Semi-supervised EM does not: 5% golden questions do not outweigh the other 95%, and it ends where unsupervised
    // EM does. Holding the golden estimate fixed is what corrects it.
    expect(learned).toBeLessThan(0.5);
  });

  it('on a ReaL-like crowd, where unsupervised Dawid–Skene already nearly knows the raters, gold adds little; fixed rows from few golden answers cost accuracy', () => {
    const Q = 4000;
    const { truth, answers } = asymmetricCrowd(12, Q, 60);
    const input = { questions: Q, raters: 60, answers };
    const plainP = presenceProbability(dawidSkenePresence(input));
    const figures: string[] = [];
    for (const share of [0.02, 0.1]) {
      const { isGold, gold } = goldShare(truth, share, 34);
      const withGold = dawidSkenePresenceWithGold({ ...input, gold });
      const plain = accuracyOutsideGold(plainP, truth, isGold);
      const fixed = accuracyOutsideGold(presenceProbability(withGold), truth, isGold);
      const learned = accuracyOutsideGold(presenceProbability(dawidSkenePresenceWithGold({ ...input, gold, goldConfusion: 'learned' })), truth, isGold);
      const majority = accuracyOutsideGold(majorityPresence(input), truth, isGold);
      figures.push(`${share * 100}% golden: majority ${percent(majority)}, Dawid–Skene ${percent(plain)}, gold fixed ${percent(fixed)}, gold learned ${percent(learned)}`);
      expect(withGold.converged).toBe(true);
      // Semi-supervised is never worse than a few tenths of a point; fixed rows estimated on ~7 (2%) or ~33 (10%)
      // golden answers per rater are noisier than EM's estimate from ~330 answers, and lose accuracy.
      expect(learned).toBeGreaterThanOrEqual(plain - 0.003);
      expect(fixed).toBeLessThan(plain);
      expect(fixed).toBeGreaterThan(majority - 0.05);
      // Golden posteriors are the truth.
      for (const q of gold.question) expect(withGold.posterior[q * 2 + truth[q]!]).toBe(1);
      expect(Array.from(mostLikelyClass(withGold.posterior, 2)).filter((c, q) => isGold[q] && c !== truth[q])).toEqual([]);
    }
    console.log(figures.join('\n'));
  });
});
