import { describe, expect, it } from 'vitest';
import { goldPick, isGoldTurn } from './gold-draw';

describe('isGoldTurn', () => {
  it('makes about `rate` of each expert’s items gold, none at rate 0', () => {
    for (const rate of [0.05, 0.2]) {
      for (const user of [1, 2, 77]) {
        const turns = Array.from({ length: 10_000 }, (_, n) => isGoldTurn(user, n, rate)).filter(Boolean).length;
        // Binomial(10,000, rate): within 5 standard deviations.
        const sd = Math.sqrt(10_000 * rate * (1 - rate));
        expect(Math.abs(turns - 10_000 * rate)).toBeLessThan(5 * sd);
      }
    }
    expect(Array.from({ length: 1000 }, (_, n) => isGoldTurn(3, n, 0)).some(Boolean)).toBe(false);
  });

  it('at no fixed interval: the gaps between an expert’s gold turns vary', () => {
    const turns = Array.from({ length: 5000 }, (_, n) => n).filter((n) => isGoldTurn(9, n, 0.05));
    const gaps = new Set(turns.slice(1).map((n, i) => n - turns[i]!));
    expect(gaps.size).toBeGreaterThan(10);
  });
});

describe('goldPick', () => {
  it('lands on every gold item over the positions, within the range', () => {
    const picks = Array.from({ length: 2000 }, (_, n) => goldPick(5, n, 7));
    expect(Math.min(...picks)).toBe(0);
    expect(Math.max(...picks)).toBe(6);
  });
});
