import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newcombeDifference, wilsonInterval } from './proportion';

describe('wilsonInterval', () => {
  // Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (score, no
  // continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: %f to %f', (k, n, low, high) => {
    const interval = wilsonInterval(k, n);
    expect(interval.rate).toBeCloseTo(k / n, 10);
    expect(interval.low).toBeCloseTo(low, 4);
    expect(interval.high).toBeCloseTo(high, 4);
  });

  it('has no rate and no bounds without trials, and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toEqual({ k: 0, n: 0, rate: null, low: null, high: null });
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(0.5, 2)).toThrow(RangeError);
  });

  it('holds the share, inside [0, 1], and narrows as the trials grow at the same share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, share) => {
        const k = Math.round(share * n);
        const { rate, low, high } = wilsonInterval(k, n);
        expect(low!).toBeGreaterThanOrEqual(0);
        expect(high!).toBeLessThanOrEqual(1);
        expect(low!).toBeLessThanOrEqual(rate!);
        expect(high!).toBeGreaterThanOrEqual(rate!);
        const wider = wilsonInterval(k * 4, n * 4);
        expect(wider.high! - wider.low!).toBeLessThanOrEqual(high! - low! + 1e-12);
      }),
    );
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
