import { describe, expect, it } from 'vitest';
import {
  classProbability,
  dawidSkene,
  DawidSkeneInputError,
  majorityVote,
  mostLikelyClass,
  type DawidSkeneAnswers,
  type DawidSkeneInput,
} from './dawid-skene';
import {
  dawidSkenePresence,
  labelsAtThreshold,
  majorityPresence,
  PRESENCE_ANSWER,
  presenceProbability,
  uncertainBand,
} from './presence';
import { seededRandom } from '../seeded-random';

interface Crowd {
  truth: Int32Array;
  answers: DawidSkeneAnswers;
  poorRaters: Set<number>;
}

/**
 * `questions` questions, each answered by `perQuestion` distinct raters drawn at random. A third of the raters are poor
 * (they pick an answer uniformly at random); the others give the right answer with a probability drawn from
 * [0.85, 0.90], and otherwise `wrongAnswer`.
 */
function simulateCrowd(options: {
  seed: number;
  questions: number;
  raters: number;
  perQuestion: number;
  answerOptions: number;
  drawTruth: (random: () => number) => number;
  rightAnswer: (truth: number, random: () => number) => number;
  wrongAnswer: (truth: number, random: () => number) => number;
}): Crowd {
  const random = seededRandom(options.seed);
  const { questions, raters, perQuestion } = options;
  const poorRaters = new Set<number>();
  while (poorRaters.size < Math.floor(raters / 3)) poorRaters.add(Math.floor(random() * raters));
  const accuracy = Float64Array.from({ length: raters }, () => 0.85 + 0.05 * random());
  const truth = new Int32Array(questions);
  const n = questions * perQuestion;
  const answers = { question: new Int32Array(n), rater: new Int32Array(n), answer: new Int32Array(n) };
  let i = 0;
  for (let q = 0; q < questions; q++) {
    truth[q] = options.drawTruth(random);
    const chosen = new Set<number>();
    while (chosen.size < perQuestion) chosen.add(Math.floor(random() * raters));
    for (const r of chosen) {
      let a: number;
      if (poorRaters.has(r)) a = Math.floor(random() * options.answerOptions);
      else a = random() < accuracy[r]! ? options.rightAnswer(truth[q]!, random) : options.wrongAnswer(truth[q]!, random);
      answers.question[i] = q;
      answers.rater[i] = r;
      answers.answer[i] = a;
      i++;
    }
  }
  return { truth, answers, poorRaters };
}

const accuracyOf = (predicted: ArrayLike<number>, truth: Int32Array) => {
  let right = 0;
  for (let q = 0; q < truth.length; q++) if (predicted[q] === truth[q]) right++;
  return right / truth.length;
};

/** 3 classes, answers are class votes; 85 raters, 2,000 questions × 5 answers. */
const threeClassCrowd = simulateCrowd({
  seed: 1979,
  questions: 2000,
  raters: 85,
  perQuestion: 5,
  answerOptions: 3,
  drawTruth: (random) => Math.floor(random() * 3),
  rightAnswer: (truth) => truth,
  wrongAnswer: (truth, random) => (truth + 1 + Math.floor(random() * 2)) % 3,
});
const threeClassInput: DawidSkeneInput = { questions: 2000, raters: 85, truthClasses: 3, answerOptions: 3, answers: threeClassCrowd.answers };

/** Presence questions (no / maybe / yes about absent / present classes), 40% present. */
const presenceCrowd = simulateCrowd({
  seed: 2020,
  questions: 2000,
  raters: 85,
  perQuestion: 5,
  answerOptions: 3,
  drawTruth: (random) => (random() < 0.4 ? 1 : 0),
  rightAnswer: (truth) => (truth === 1 ? PRESENCE_ANSWER.yes : PRESENCE_ANSWER.no),
  // A good rater's mistake is a "maybe" two times out of three, the opposite answer otherwise.
  wrongAnswer: (truth, random) => (random() < 2 / 3 ? PRESENCE_ANSWER.maybe : truth === 1 ? PRESENCE_ANSWER.no : PRESENCE_ANSWER.yes),
});

describe('dawidSkene recovers the truth better than majority vote when a third of the raters are poor', () => {
  it('three classes: 85 raters, 2,000 questions × 5 answers', () => {
    const result = dawidSkene(threeClassInput);
    const dsAccuracy = accuracyOf(mostLikelyClass(result.posterior, 3), threeClassCrowd.truth);
    const mvAccuracy = accuracyOf(mostLikelyClass(majorityVote(threeClassInput), 3), threeClassCrowd.truth);
    console.log(`three classes: Dawid–Skene ${(dsAccuracy * 100).toFixed(2)}%, majority vote ${(mvAccuracy * 100).toFixed(2)}%, ${result.iterations} iterations`);
    expect(dsAccuracy).toBeGreaterThan(mvAccuracy);
    expect(result.converged).toBe(true);

    // It finds out who is poor: their estimated accuracy (mean of the confusion diagonal) is lower than every good rater's.
    const diagonal = (r: number) => (result.confusion[r * 9]! + result.confusion[r * 9 + 4]! + result.confusion[r * 9 + 8]!) / 3;
    const poor = [...threeClassCrowd.poorRaters].map(diagonal);
    const good = Array.from({ length: 85 }, (_, r) => r).filter((r) => !threeClassCrowd.poorRaters.has(r)).map(diagonal);
    expect(Math.max(...poor)).toBeLessThan(Math.min(...good));
  });

  it('presence questions answered no / maybe / yes', () => {
    const input = { questions: 2000, raters: 85, answers: presenceCrowd.answers };
    const result = dawidSkenePresence(input);
    const ds = presenceProbability(result);
    const mv = majorityPresence(input);
    const dsAccuracy = accuracyOf(Array.from(ds, (p) => (p >= 0.5 ? 1 : 0)), presenceCrowd.truth);
    const mvAccuracy = accuracyOf(Array.from(mv, (p) => (p >= 0.5 ? 1 : 0)), presenceCrowd.truth);
    console.log(`presence: Dawid–Skene ${(dsAccuracy * 100).toFixed(2)}%, majority vote ${(mvAccuracy * 100).toFixed(2)}%, ${result.iterations} iterations`);
    expect(dsAccuracy).toBeGreaterThan(mvAccuracy);
    expect(result.priors[1]).toBeGreaterThan(0.35);
    expect(result.priors[1]).toBeLessThan(0.45);

    // ReaL's rule: pairs at or above 0.8 are labels. They are nearly all truly present.
    const labels = labelsAtThreshold(ds);
    const truePositives = Array.from(labels).filter((q) => presenceCrowd.truth[q] === 1).length;
    expect(truePositives / labels.length).toBeGreaterThan(0.97);
    // The uncertain band is where the mistakes concentrate.
    const band = uncertainBand(ds, 0.2, 0.8);
    const wrongInBand = Array.from(band).filter((q) => (ds[q]! >= 0.5 ? 1 : 0) !== presenceCrowd.truth[q]).length;
    expect(wrongInBand / Math.max(1, band.length)).toBeGreaterThan(1 - dsAccuracy);
  });
});

describe('dawidSkene is deterministic', () => {
  it('gives identical arrays for the same input', () => {
    const a = dawidSkene(threeClassInput);
    const b = dawidSkene(threeClassInput);
    expect(b.posterior).toEqual(a.posterior);
    expect(b.confusion).toEqual(a.confusion);
    expect(b.priors).toEqual(a.priors);
    expect(b.iterations).toBe(a.iterations);
  });

  it('does not depend on the order of the answers', () => {
    const { question, rater, answer } = threeClassCrowd.answers;
    const order = Array.from({ length: question.length }, (_, i) => i);
    const random = seededRandom(7);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const shuffled: DawidSkeneAnswers = {
      question: Int32Array.from(order, (i) => question[i]!),
      rater: Int32Array.from(order, (i) => rater[i]!),
      answer: Int32Array.from(order, (i) => answer[i]!),
    };
    const a = dawidSkene(threeClassInput);
    const b = dawidSkene({ ...threeClassInput, answers: shuffled });
    const maxDifference = a.posterior.reduce((m, p, i) => Math.max(m, Math.abs(p - b.posterior[i]!)), 0);
    expect(maxDifference).toBeLessThanOrEqual(1e-12);
    expect(b.iterations).toBe(a.iterations);
  });
});

describe('dawidSkene on small cases', () => {
  it('is confident on a unanimous easy case', () => {
    // 6 questions, 5 raters; every rater gives the same answer, which cycles through the 3 classes.
    const question: number[] = [];
    const rater: number[] = [];
    const answer: number[] = [];
    for (let q = 0; q < 6; q++) {
      for (let r = 0; r < 5; r++) {
        question.push(q);
        rater.push(r);
        answer.push(q % 3);
      }
    }
    const answers = { question: Int32Array.from(question), rater: Int32Array.from(rater), answer: Int32Array.from(answer) };
    const result = dawidSkene({ questions: 6, raters: 5, truthClasses: 3, answerOptions: 3, answers });
    expect(result.converged).toBe(true);
    expect(Array.from(mostLikelyClass(result.posterior, 3))).toEqual([0, 1, 2, 0, 1, 2]);
    for (let q = 0; q < 6; q++) expect(result.posterior[q * 3 + (q % 3)]).toBeGreaterThan(0.999);
    expect(Array.from(labelsAtThreshold(classProbability(result, 0)))).toEqual([0, 3]);
  });

  it('keeps probabilities normalised, smooths sparse raters, and gives an unanswered question the priors', () => {
    const answers = { question: Int32Array.of(0, 0, 1, 1), rater: Int32Array.of(0, 1, 0, 1), answer: Int32Array.of(2, 2, 0, 1) };
    const result = dawidSkenePresence({ questions: 3, raters: 3, answers });
    const sum = (a: Float64Array, from: number, n: number) => a.subarray(from, from + n).reduce((s, x) => s + x, 0);
    for (let q = 0; q < 3; q++) expect(sum(result.posterior, q * 2, 2)).toBeCloseTo(1, 12);
    for (let row = 0; row < 3 * 2; row++) expect(sum(result.confusion, row * 3, 3)).toBeCloseTo(1, 12);
    expect(sum(result.priors, 0, 2)).toBeCloseTo(1, 12);
    // Rater 2 never answered: uniform rows, not zeros. No cell anywhere is zero.
    for (const p of result.confusion.subarray(12, 18)) expect(p).toBeCloseTo(1 / 3, 12);
    expect(result.confusion.every((p) => p > 0)).toBe(true);
    expect(result.posterior[4]).toBeCloseTo(result.priors[0]!, 12);
    expect(result.posterior[5]).toBeCloseTo(result.priors[1]!, 12);
  });

  it('starts presence from (yes + 0.5 × maybe) / answers', () => {
    const answers = { question: Int32Array.of(0, 0, 0, 0, 1), rater: Int32Array.of(0, 1, 2, 3, 0), answer: Int32Array.of(2, 2, 1, 0, 1) };
    expect(Array.from(majorityPresence({ questions: 3, raters: 4, answers }))).toEqual([2.5 / 4, 0.5, 0.5]);
  });

  it('stops after maxIterations and says it did not converge', () => {
    const result = dawidSkene({ ...threeClassInput, maxIterations: 1 });
    expect(result.iterations).toBe(1);
    expect(result.converged).toBe(false);
  });
});

describe('dawidSkene input validation', () => {
  const answers = { question: Int32Array.of(0, 1), rater: Int32Array.of(0, 1), answer: Int32Array.of(0, 1) };
  const base: DawidSkeneInput = { questions: 2, raters: 2, truthClasses: 2, answerOptions: 2, answers };

  it.each([
    [{ answers: { ...answers, question: Int32Array.of(0, 2) } }, 'answers.question[1] = 2 is outside 0..1'],
    [{ answers: { ...answers, rater: Int32Array.of(-1, 0) } }, 'answers.rater[0] = -1 is outside 0..1'],
    [{ answers: { ...answers, answer: Int32Array.of(0, 5) } }, 'answers.answer[1] = 5 is outside 0..1'],
    [{ answers: { ...answers, rater: Int32Array.of(0) } }, 'answers.question, answers.rater and answers.answer must have the same length, got 2, 1, 2'],
    [{ questions: 1.5 }, 'questions must be an integer >= 0, got 1.5'],
    [{ truthClasses: 0 }, 'truthClasses must be an integer >= 1, got 0'],
    [{ answerOptions: 3 }, 'initialWeights (answerOptions × truthClasses) is required when truthClasses (2) differs from answerOptions (3)'],
    [{ initialWeights: [1, 0, 0] }, 'initialWeights must have answerOptions × truthClasses = 4 entries, got 3'],
    [{ initialWeights: [1, 0, -1, 2] }, 'initialWeights must be finite and non-negative'],
    [{ smoothing: 0 }, 'smoothing must be > 0, got 0'],
    [{ maxIterations: 0 }, 'maxIterations must be an integer >= 1, got 0'],
    [{ tolerance: -1 }, 'tolerance must be >= 0, got -1'],
  ] as [Partial<DawidSkeneInput>, string][])('refuses %o', (change, message) => {
    expect(() => dawidSkene({ ...base, ...change })).toThrow(new DawidSkeneInputError(message));
    expect(() => dawidSkene({ ...base, ...change })).toThrow(DawidSkeneInputError);
  });

  it('checks thresholds and bands', () => {
    const p = Float64Array.of(0.1, 0.5, 0.8, 0.95);
    expect(Array.from(labelsAtThreshold(p))).toEqual([2, 3]);
    expect(Array.from(uncertainBand(p, 0.2, 0.8))).toEqual([1]);
    expect(Array.from(uncertainBand(p, 0, 1))).toEqual([0, 1, 2, 3]);
    expect(() => labelsAtThreshold(p, 1.2)).toThrow(new DawidSkeneInputError('threshold must be within [0, 1], got 1.2'));
    expect(() => uncertainBand(p, 0.9, 0.2)).toThrow(/low end \(0.9\) is above its high end \(0.2\)/);
    expect(() => classProbability({ posterior: p, truthClasses: 2 }, 2)).toThrow('class 2 is outside 0..1');
  });
});
