import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { panelArbitraries } from '../consensus/panel-test-helpers';
import {
  addTally,
  emptyTally,
  proportion,
  reliabilityFigures,
  tallyVerdict,
  wilsonInterval,
  Z_95,
  type JudgedAnswer,
  type ReliabilityTally,
} from './expert-reliability';

describe('wilsonInterval', () => {
  it("gives Newcombe (1998)'s published score intervals", () => {
    // Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion: comparison of seven methods.
    // Statistics in Medicine 17, 857–872, Table II, method 3 (Wilson score, no continuity correction), to 4 places.
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [k, n, low, high] of cases) {
      const [l, h] = wilsonInterval(k, n)!;
      expect(l).toBeCloseTo(low, 4);
      expect(h).toBeCloseTo(high, 4);
    }
  });

  it('matches a case worked by hand: 81 of 100', () => {
    // p̂ = 0.81, z² = 3.841459, z²/n = 0.03841459
    // centre = (0.81 + 0.01920730) / 1.03841459 = 0.82920730 / 1.03841459 = 0.79853214
    // half = 1.95996398 / 1.03841459 × √(0.81 × 0.19 / 100 + 3.841459 / 40000)
    //      = 1.88745717 × √(0.001539 + 0.00009603647) = 1.88745717 × 0.04043559 = 0.07632045
    // -> [0.79853202 − 0.07632045, 0.79853202 + 0.07632045] = [0.72221157, 0.87485247]
    const [low, high] = wilsonInterval(81, 100)!;
    expect(low).toBeCloseTo(0.72221157, 6);
    expect(high).toBeCloseTo(0.87485247, 6);
  });

  it('has no interval without trials, and refuses what is not a count', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(proportion(0, 0)).toEqual({ successes: 0, trials: 0, rate: null, low: null, high: null });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });

  const count = fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

  it('holds the rate, within [0, 1], for any count', () => {
    fc.assert(
      fc.property(count, ([k, n]) => {
        const [low, high] = wilsonInterval(k, n)!;
        const p = k / n;
        expect(low).toBeGreaterThanOrEqual(0);
        expect(high).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(p + 1e-12);
        expect(high).toBeGreaterThanOrEqual(p - 1e-12);
        expect(high - low).toBeGreaterThan(0);
      }),
    );
  });

  it('is symmetric: the interval of the failures is the mirror of the successes’', () => {
    fc.assert(
      fc.property(count, ([k, n]) => {
        const [low, high] = wilsonInterval(k, n)!;
        const [mirrorLow, mirrorHigh] = wilsonInterval(n - k, n)!;
        expect(low).toBeCloseTo(1 - mirrorHigh, 12);
        expect(high).toBeCloseTo(1 - mirrorLow, 12);
      }),
    );
  });

  it('narrows with more trials at the same rate, and a 99% interval holds the 95% one', () => {
    fc.assert(
      fc.property(count, fc.integer({ min: 2, max: 50 }), ([k, n], m) => {
        const [low, high] = wilsonInterval(k, n)!;
        const [moreLow, moreHigh] = wilsonInterval(k * m, n * m)!;
        expect(moreHigh - moreLow).toBeLessThan(high - low);
        const [wideLow, wideHigh] = wilsonInterval(k, n, 2.5758293035489)!;
        expect(wideLow).toBeLessThanOrEqual(low);
        expect(wideHigh).toBeGreaterThanOrEqual(high);
      }),
    );
  });

  it('covers about 95% of binomial draws (exact coverage at n = 50, p = 0.9)', () => {
    // Σ over k of P(K = k) for the k whose interval holds p. Wilson's coverage oscillates around 0.95 as n and p move
    // (Brown, Cai & DasGupta 2001, Figure 4); at n = 50, p = 0.9 it is 0.970.
    const n = 50;
    const p = 0.9;
    let coverage = 0;
    let logChoose = 0;
    for (let k = 0; k <= n; k++) {
      if (k > 0) logChoose += Math.log((n - k + 1) / k);
      const [low, high] = wilsonInterval(k, n, Z_95)!;
      if (low <= p && p <= high) coverage += Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log(1 - p));
    }
    expect(coverage).toBeGreaterThan(0.93);
    expect(coverage).toBeLessThan(0.98);
  });
});

describe('tallyVerdict and reliabilityFigures', () => {
  const ref = (labels: JudgedAnswer['labels'], problematic = false, mistakes: JudgedAnswer['mistakes'] = {}): JudgedAnswer => ({
    labels,
    problematic: problematic ? { reason: 'drawing' } : null,
    mistakes,
  });

  it('counts a hand-checked expert over three items', () => {
    // Item 1: reference tabby correct, tiger cat wrong; A graded Minor. The expert: tabby correct, tiger cat wrong,
    //   and adds lynx correct (not in the reference: absent); grades A Minor.
    // Item 2: reference fox correct, wagon unclear, bus wrong, flagged; B graded Major. The expert: fox unclear,
    //   wagon correct (unsettled), bus correct; flags; grades B Minor.
    // Item 3: reference cup correct, bus wrong; nothing graded. The expert: cup wrong, bus wrong; flags.
    const tally = emptyTally();
    tallyVerdict(ref({ tabby: 'correct', tiger: 'wrong', lynx: 'correct' }, false, { A: { severity: 'Minor', category: 'x' } }), ref({ tabby: 'correct', tiger: 'wrong' }, false, { A: { severity: 'Minor', category: 'y' } }), tally);
    tallyVerdict(ref({ fox: 'unclear', wagon: 'correct', bus: 'correct' }, true, { B: { severity: 'Minor', category: 'x' } }), ref({ fox: 'correct', wagon: 'unclear', bus: 'wrong' }, true, { B: { severity: 'Major', category: 'x' } }), tally);
    tallyVerdict(ref({ cup: 'wrong', bus: 'wrong' }, true), ref({ cup: 'correct', bus: 'wrong' }), tally);
    expect(tally).toEqual<ReliabilityTally>({
      items: 3,
      classes: {
        // tabby correct, fox unclear, cup wrong
        present: { correct: 1, wrong: 1, unclear: 1 },
        // tiger wrong, lynx correct, bus (2) correct, bus (3) wrong
        absent: { correct: 2, wrong: 2, unclear: 0 },
        // wagon correct
        unsettled: { correct: 1, wrong: 0, unclear: 0 },
      },
      problematic: { both: 1, expertOnly: 1, referenceOnly: 0, neither: 1 },
      severity: { compared: 2, agreed: 1 },
    });
    const figures = reliabilityFigures(tally);
    // Sensitivity 1 of 2 (the unclear fox apart), specificity 2 of 4, unclear 1 of 8, problematic 2 of 3, severity 1 of 2.
    expect([figures.sensitivity.successes, figures.sensitivity.trials, figures.sensitivity.rate]).toEqual([1, 2, 0.5]);
    expect([figures.specificity.successes, figures.specificity.trials, figures.specificity.rate]).toEqual([2, 4, 0.5]);
    expect([figures.unclearRate.successes, figures.unclearRate.trials]).toEqual([1, 8]);
    expect([figures.problematicAgreement.successes, figures.problematicAgreement.trials]).toEqual([2, 3]);
    expect([figures.severityAgreement.successes, figures.severityAgreement.trials]).toEqual([1, 2]);
    expect(figures.sensitivity.low).toBeCloseTo(wilsonInterval(1, 2)![0], 15);
  });

  const { itemShape, validVerdict } = panelArbitraries({ classes: ['a', 'b', 'c', 'd', 'e'], categories: ['x', 'y'], reasons: ['r'], maxModels: 3, unjudgedFreq: 4, problematicFreq: 3 });
  /** An item's reference answer and one expert's verdict of it. */
  const pair = itemShape.chain((shape) => fc.tuple(validVerdict(shape, false), validVerdict(shape, false)));
  const pairs = fc.array(pair, { minLength: 0, maxLength: 30 });
  const tallyOf = (list: readonly [JudgedAnswer, JudgedAnswer][]) => list.reduce((t, [verdict, reference]) => tallyVerdict(verdict, reference, t), emptyTally());

  it('does not depend on the order of the items, and adds up over any split of them', () => {
    fc.assert(
      fc.property(pairs, fc.nat(), (list, cut) => {
        const whole = tallyOf(list);
        expect(tallyOf([...list].reverse())).toEqual(whole);
        const at = list.length === 0 ? 0 : cut % list.length;
        expect(addTally(tallyOf(list.slice(0, at)), tallyOf(list.slice(at)))).toEqual(whole);
      }),
    );
  });

  it('counts every judgement once, and every item once in the problematic table', () => {
    fc.assert(
      fc.property(pairs, (list) => {
        const tally = tallyOf(list);
        const judgements = list.reduce((n, [verdict]) => n + Object.keys(verdict.labels).length, 0);
        const figures = reliabilityFigures(tally);
        expect(figures.unclearRate.trials).toBe(judgements);
        const { present, absent, unsettled } = tally.classes;
        expect(figures.sensitivity.trials + figures.specificity.trials + present.unclear + absent.unclear + unsettled.correct + unsettled.wrong + unsettled.unclear).toBe(judgements);
        expect(figures.problematicAgreement.trials).toBe(list.length);
        expect(tally.items).toBe(list.length);
        for (const f of [figures.sensitivity, figures.specificity, figures.unclearRate, figures.problematicAgreement, figures.severityAgreement]) {
          if (f.trials === 0) expect([f.rate, f.low, f.high]).toEqual([null, null, null]);
          else expect(f.low! <= f.rate! && f.rate! <= f.high!).toBe(true);
        }
      }),
    );
  });

  it('gives a verdict that is its own reference perfect figures', () => {
    fc.assert(
      fc.property(
        fc.array(itemShape.chain((shape) => validVerdict(shape, false)), { minLength: 1, maxLength: 20 }),
        (verdicts) => {
          const figures = reliabilityFigures(tallyOf(verdicts.map((v) => [v, v])));
          for (const f of [figures.sensitivity, figures.specificity, figures.problematicAgreement, figures.severityAgreement]) {
            if (f.trials > 0) expect(f.successes).toBe(f.trials);
          }
          expect(figures.problematicAgreement.trials).toBe(verdicts.length);
        },
      ),
    );
  });

  it('swapping correct and wrong in a verdict swaps its misses and hits', () => {
    const flip = (v: JudgedAnswer): JudgedAnswer => ({
      ...v,
      labels: Object.fromEntries(Object.entries(v.labels).map(([k, j]) => [k, j === 'correct' ? 'wrong' : j === 'wrong' ? 'correct' : j])),
    });
    fc.assert(
      fc.property(pairs, (list) => {
        const figures = reliabilityFigures(tallyOf(list));
        const flipped = reliabilityFigures(tallyOf(list.map(([v, r]) => [flip(v), r])));
        expect(flipped.sensitivity.successes).toBe(figures.sensitivity.trials - figures.sensitivity.successes);
        expect(flipped.specificity.successes).toBe(figures.specificity.trials - figures.specificity.successes);
        expect(flipped.unclearRate).toEqual(figures.unclearRate);
      }),
    );
  });
});
