import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dawidSkeneWithGold, type DawidSkeneGoldInput } from './dawid-skene';

// Small crowds (few questions, raters, classes) so that raters with and without golden answers, golden questions
// without answers and classes no golden question has all occur often.
const crowd: fc.Arbitrary<DawidSkeneGoldInput> = fc
  .record({ questions: fc.integer({ min: 1, max: 8 }), raters: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 2, max: 3 }) })
  .chain(({ questions, raters, classes }) =>
    fc.record({
      questions: fc.constant(questions),
      raters: fc.constant(raters),
      truthClasses: fc.constant(classes),
      answerOptions: fc.constant(classes),
      triples: fc.array(fc.tuple(fc.nat(questions - 1), fc.nat(raters - 1), fc.nat(classes - 1)), { maxLength: 30 }),
      goldTruth: fc.array(fc.option(fc.nat(classes - 1), { nil: undefined }), { minLength: questions, maxLength: questions }),
      smoothing: fc.constantFrom(0.01, 0.5, 1),
    }),
  )
  .map(({ triples, goldTruth, ...rest }) => {
    const goldQuestions = goldTruth.flatMap((t, q) => (t === undefined ? [] : [q]));
    return {
      ...rest,
      answers: {
        question: Int32Array.from(triples, (t) => t[0]),
        rater: Int32Array.from(triples, (t) => t[1]),
        answer: Int32Array.from(triples, (t) => t[2]),
      },
      gold: { question: Int32Array.from(goldQuestions), truth: Int32Array.from(goldQuestions, (q) => goldTruth[q]!) },
    };
  });

function permute<T extends Int32Array>(values: T, order: number[]): Int32Array {
  return Int32Array.from(order, (i) => values[i]!);
}

describe('dawidSkeneWithGold properties', () => {
  it('golden questions get their truth, every row sums to 1, and the fixed rows are exactly the golden estimates', () => {
    fc.assert(
      fc.property(crowd, (input) => {
        const result = dawidSkeneWithGold(input);
        const { truthClasses: K, answerOptions: A, raters: R } = input;
        for (let i = 0; i < input.gold.question.length; i++) {
          const q = input.gold.question[i]!;
          for (let k = 0; k < K; k++) expect(result.posterior[q * K + k]).toBe(k === input.gold.truth[i] ? 1 : 0);
        }
        for (let q = 0; q < input.questions; q++) {
          expect(result.posterior.subarray(q * K, q * K + K).reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
        }
        // The golden estimate, computed independently: smoothing + count of the rater's answers on golden questions.
        const truthOf = new Map(Array.from(input.gold.question, (q, i) => [q, input.gold.truth[i]!]));
        const counts = new Float64Array(R * K * A);
        const has = new Uint8Array(R * K);
        const goldAnswers = new Int32Array(R);
        for (let i = 0; i < input.answers.question.length; i++) {
          const t = truthOf.get(input.answers.question[i]!);
          if (t === undefined) continue;
          const r = input.answers.rater[i]!;
          counts[(r * K + t) * A + input.answers.answer[i]!]! += 1;
          has[r * K + t] = 1;
          goldAnswers[r]!++;
        }
        expect(Array.from(result.fixedRows)).toEqual(Array.from(has));
        expect(Array.from(result.goldAnswers)).toEqual(Array.from(goldAnswers));
        const s = input.smoothing!;
        for (let rk = 0; rk < R * K; rk++) {
          const row = result.confusion.subarray(rk * A, rk * A + A);
          expect(row.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 12);
          if (!has[rk]) continue;
          const total = counts.subarray(rk * A, rk * A + A).reduce((sum, c) => sum + c, 0) + A * s;
          for (let a = 0; a < A; a++) expect(row[a]).toBeCloseTo((counts[rk * A + a]! + s) / total, 14);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with every question golden, the posteriors are the truth', () => {
    fc.assert(
      fc.property(crowd, fc.array(fc.nat(2), { minLength: 8, maxLength: 8 }), (input, truths) => {
        const K = input.truthClasses;
        const question = Int32Array.from({ length: input.questions }, (_, q) => q);
        const truth = Int32Array.from(question, (q) => truths[q]! % K);
        const result = dawidSkeneWithGold({ ...input, gold: { question, truth } });
        for (let q = 0; q < input.questions; q++) for (let k = 0; k < K; k++) expect(result.posterior[q * K + k]).toBe(k === truth[q] ? 1 : 0);
      }),
      { numRuns: 100 },
    );
  });

  it('does not depend on the order of the answers or of the golden questions', () => {
    fc.assert(
      fc.property(
        crowd.chain((input) =>
          fc.tuple(
            fc.constant(input),
            fc.shuffledSubarray(Array.from({ length: input.answers.question.length }, (_, i) => i), { minLength: input.answers.question.length }),
            fc.shuffledSubarray(Array.from({ length: input.gold.question.length }, (_, i) => i), { minLength: input.gold.question.length }),
            fc.constantFrom<'fixed' | 'learned'>('fixed', 'learned'),
          ),
        ),
        ([input, answerOrder, goldOrder, goldConfusion]) => {
          const a = dawidSkeneWithGold({ ...input, goldConfusion });
          const b = dawidSkeneWithGold({
            ...input,
            goldConfusion,
            answers: {
              question: permute(input.answers.question, answerOrder),
              rater: permute(input.answers.rater, answerOrder),
              answer: permute(input.answers.answer, answerOrder),
            },
            gold: { question: permute(input.gold.question, goldOrder), truth: permute(input.gold.truth, goldOrder) },
          });
          for (let i = 0; i < a.posterior.length; i++) expect(Math.abs(a.posterior[i]! - b.posterior[i]!)).toBeLessThanOrEqual(1e-12);
          for (let i = 0; i < a.confusion.length; i++) expect(Math.abs(a.confusion[i]! - b.confusion[i]!)).toBeLessThanOrEqual(1e-12);
          expect(b.fixedRows).toEqual(a.fixedRows);
        },
      ),
      { numRuns: 200 },
    );
  });
});
