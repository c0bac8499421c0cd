import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newcombeDifference, wilsonInterval, Z_95 } from './proportion';

describe('wilsonInterval as a share', () => {
  it('has no rate and no bounds without trials, and gives k/n otherwise', () => {
    expect(wilsonInterval(0, 0)).toEqual({ k: 0, n: 0, rate: null, low: null, high: null });
    expect(wilsonInterval(3, 4)).toMatchObject({ k: 3, n: 4, rate: 0.75 });
  });
});

/** The interval's bounds, or null without trials. */
function bounds(k: number, n: number, z?: number): [number, number] | null {
  const share = wilsonInterval(k, n, z);
  return share.rate === null ? null : [share.low!, share.high!];
}

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
      const [l, h] = bounds(k, n)!;
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
    const [low, high] = bounds(81, 100)!;
    expect(low).toBeCloseTo(0.72221157, 6);
    expect(high).toBeCloseTo(0.87485247, 6);
  });

  it('has no interval without trials, and refuses what is not a count', () => {
    expect(bounds(0, 0)).toBeNull();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });

  const count = fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

  it('holds the rate, within [0, 1], for any count', () => {
    fc.assert(
      fc.property(count, ([k, n]) => {
        const [low, high] = bounds(k, n)!;
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
        const [low, high] = bounds(k, n)!;
        const [mirrorLow, mirrorHigh] = bounds(n - k, n)!;
        expect(low).toBeCloseTo(1 - mirrorHigh, 12);
        expect(high).toBeCloseTo(1 - mirrorLow, 12);
      }),
    );
  });

  it('narrows with more trials at the same rate, and a 99% interval holds the 95% one', () => {
    fc.assert(
      fc.property(count, fc.integer({ min: 2, max: 50 }), ([k, n], m) => {
        const [low, high] = bounds(k, n)!;
        const [moreLow, moreHigh] = bounds(k * m, n * m)!;
        expect(moreHigh - moreLow).toBeLessThan(high - low);
        const [wideLow, wideHigh] = bounds(k, n, 2.5758293035489)!;
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
      const [low, high] = bounds(k, n, Z_95)!;
      if (low <= p && p <= high) coverage += Math.exp(logChoose + k * Math.log(p) + (n - k) * Math.log(1 - p));
    }
    expect(coverage).toBeGreaterThan(0.93);
    expect(coverage).toBeLessThan(0.98);
  });
});

describe('newcombeDifference', () => {
  // Newcombe (1998), "Interval estimation for the difference between independent proportions", Table II, method 10.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
  ])('%i/%i − %i/%i: %f to %f', (k1, n1, k2, n2, low, high) => {
    const difference = newcombeDifference(k1, n1, k2, n2)!;
    expect(difference.estimate).toBeCloseTo(k1 / n1 - k2 / n2, 10);
    expect(difference.low).toBeCloseTo(low, 4);
    expect(difference.high).toBeCloseTo(high, 4);
    expect(difference.significant).toBe(low > 0 || high < 0);
  });

  it('is null without trials on either side', () => {
    expect(newcombeDifference(0, 0, 1, 2)).toBeNull();
    expect(newcombeDifference(1, 2, 0, 0)).toBeNull();
  });

  it('holds the estimate, turns over when the sides swap, and stays within [−1, 1]', () => {
    const side = fc.integer({ min: 1, max: 400 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
    fc.assert(
      fc.property(side, side, ([k1, n1], [k2, n2]) => {
        const d = newcombeDifference(k1, n1, k2, n2)!;
        const swapped = newcombeDifference(k2, n2, k1, n1)!;
        expect(d.low).toBeLessThanOrEqual(d.estimate + 1e-12);
        expect(d.high).toBeGreaterThanOrEqual(d.estimate - 1e-12);
        expect(d.low).toBeGreaterThanOrEqual(-1 - 1e-12);
        expect(d.high).toBeLessThanOrEqual(1 + 1e-12);
        expect(swapped.low).toBeCloseTo(-d.high, 10);
        expect(swapped.high).toBeCloseTo(-d.low, 10);
      }),
    );
  });
});
