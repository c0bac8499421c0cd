import { describe, expect, it } from 'vitest';
import { countTable, fleissKappa, krippendorffAlphaNominal, raterAgreement } from './agreement';

describe('fleissKappa', () => {
  it('matches a small case computed by hand', () => {
    // 4 subjects, 3 raters, categories (yes, no):
    //   [3,0] [0,3] [2,1] [1,2]
    // P_i = (Σ_j n_ij² − n) / (n(n − 1)):  (9−3)/6 = 1, 1, (4+1−3)/6 = 1/3, 1/3   ->  P̄ = (8/3) / 4 = 2/3
    // p_yes = (3+0+2+1)/12 = 1/2, p_no = 1/2                                      ->  P̄e = 1/4 + 1/4 = 1/2
    // kappa = (2/3 − 1/2) / (1 − 1/2) = (1/6) / (1/2) = 1/3
    const result = fleissKappa([
      [3, 0],
      [0, 3],
      [2, 1],
      [1, 2],
    ]);
    expect(result.observedAgreement).toBeCloseTo(2 / 3, 12);
    expect(result.expectedAgreement).toBeCloseTo(1 / 2, 12);
    expect(result.kappa).toBeCloseTo(1 / 3, 12);
    expect(result).toMatchObject({ subjects: 4, raters: 3 });
  });

  it("reproduces Fleiss (1971)'s worked example: kappa = .430", () => {
    // Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters. Psychological Bulletin 76(5),
    // 378–382, Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses (depression, personality disorder,
    // schizophrenia, neurosis, other). Published: P̄ = .556, P̄e = .220, kappa = .430 (the same data ship as
    // `diagnoses` in R's irr package, whose kappam.fleiss gives 0.43).
    // Exactly: P̄ = 5/9; category totals 26, 26, 30, 55, 43 of 180 -> P̄e = 3563/16200; kappa = 5437/12637 = 0.43024...
    const table = [
      [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
      [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
      [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
      [0, 0, 5, 0, 1], [3, 0, 0, 1, 2], [5, 1, 0, 0, 0], [0, 2, 0, 4, 0], [1, 0, 2, 0, 3],
      [0, 0, 0, 0, 6], [0, 1, 0, 5, 0], [0, 2, 0, 1, 3], [2, 0, 0, 4, 0], [1, 0, 0, 4, 1],
      [0, 5, 0, 1, 0], [4, 0, 0, 0, 2], [0, 2, 0, 4, 0], [1, 0, 5, 0, 0], [0, 0, 0, 0, 6],
    ];
    const result = fleissKappa(table);
    expect(result.observedAgreement).toBeCloseTo(5 / 9, 12);
    expect(result.expectedAgreement).toBeCloseTo(3563 / 16200, 12);
    expect(result.kappa).toBeCloseTo(5437 / 12637, 12);
    expect((result.kappa as number).toFixed(3)).toBe('0.430');
  });

  it('builds its table from units of values', () => {
    const table = countTable(
      [
        ['correct', 'correct', 'wrong'],
        ['unclear', 'wrong', 'wrong'],
      ],
      ['correct', 'wrong', 'unclear'],
    );
    expect(table).toEqual([
      [2, 1, 0],
      [0, 2, 1],
    ]);
    expect(() => countTable([['maybe']], ['correct', 'wrong'])).toThrow('unit 1: value "maybe" is not one of the categories');
  });

  it('refuses subjects with different numbers of ratings, and has no kappa when every rating is in one category', () => {
    expect(() => fleissKappa([[2, 1], [1, 1]])).toThrow('subject 2 has 2 ratings; Fleiss\' kappa needs the same number (3) for every subject');
    expect(() => fleissKappa([[1, 0]])).toThrow(RangeError);
    expect(fleissKappa([[3, 0], [3, 0]]).kappa).toBeNull();
    expect(fleissKappa([]).kappa).toBeNull();
  });
});

describe('krippendorffAlphaNominal', () => {
  it('matches a small case with missing values computed by hand', () => {
    // units: [a,a] [a,b] [b,b,b] [c] (the last has one value: not pairable, left out)
    // Σ o_cc = Σ_u Σ_c n_uc(n_uc − 1)/(m_u − 1) = 2·1/1 + 0 + 3·2/2 = 5;  n = 2 + 2 + 3 = 7
    // n_a = 3, n_b = 4 -> Σ n_c² = 9 + 16 = 25
    // alpha = 1 − (n − 1)(n − Σ o_cc) / (n² − Σ n_c²) = 1 − 6·2 / (49 − 25) = 1 − 12/24 = 0.5
    const result = krippendorffAlphaNominal([['a', 'a'], ['a', 'b'], ['b', 'b', 'b'], ['c']]);
    expect(result.alpha).toBeCloseTo(0.5, 12);
    expect(result).toMatchObject({ pairableValues: 7, units: 3 });
    // Do = (7 − 5)/7 = 2/7; De = (49 − 25)/(7·6) = 24/42 = 4/7; 1 − (2/7)/(4/7) = 0.5
    expect(result.observedDisagreement).toBeCloseTo(2 / 7, 12);
    expect(result.expectedDisagreement).toBeCloseTo(4 / 7, 12);
  });

  it("reproduces Krippendorff's reliability-data example: alpha = 0.743 (nominal)", () => {
    // Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability (Annenberg School for Communication,
    // University of Pennsylvania), section C: 4 observers, 12 units, values 1–5, with missing values ("."):
    //   A: 1 2 3 3 2 1 4 1 2 . . .
    //   B: 1 2 3 3 2 2 4 1 2 5 . 3
    //   C: . 3 3 3 2 3 4 2 2 5 1 .
    //   D: 1 2 3 3 2 4 4 1 2 5 1 .
    // Published nominal alpha: 0.743. By hand: unit 12 has one value and is left out; n = 40 pairable values;
    // Σ o_cc = 3+2+4+4+4+0+4+2+4+3+2 = 32; n_1..n_5 = 9, 13, 10, 5, 3 -> Σ n_c² = 384;
    // alpha = 1 − 39·(40 − 32) / (1600 − 384) = 1 − 312/1216 = 113/152 = 0.74342...
    const observers = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
      [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
    ];
    const units = Array.from({ length: 12 }, (_, u) => observers.map((row) => row[u]).filter((v): v is number => v !== null && v !== undefined));
    const result = krippendorffAlphaNominal(units);
    expect(result).toMatchObject({ pairableValues: 40, units: 11 });
    expect(result.alpha).toBeCloseTo(113 / 152, 12);
    expect((result.alpha as number).toFixed(3)).toBe('0.743');
  });

  it('has no alpha when there is no variation or nothing to pair', () => {
    expect(krippendorffAlphaNominal([['x', 'x'], ['x', 'x', 'x']]).alpha).toBeNull();
    expect(krippendorffAlphaNominal([['x'], ['y']])).toMatchObject({ alpha: null, pairableValues: 0, units: 0 });
  });

  it('is 1 for perfect agreement and below 0 for systematic disagreement', () => {
    expect(krippendorffAlphaNominal([['a', 'a'], ['b', 'b']]).alpha).toBe(1);
    // [a,b] [a,b]: Σ o_cc = 0, n = 4, n_a = n_b = 2: alpha = 1 − 3·4 / (16 − 8) = 1 − 12/8 = −0.5
    expect(krippendorffAlphaNominal([['a', 'b'], ['a', 'b']]).alpha).toBeCloseTo(-0.5, 12);
  });
});

describe('raterAgreement', () => {
  it("gives each rater's share of ratings equal to the final value", () => {
    // final: item1/x correct, item1/y wrong; item2/x has no final value yet
    const finalValues = new Map([
      ['item1/x', 'correct'],
      ['item1/y', 'wrong'],
    ]);
    const ratings = [
      { rater: 'bob', unit: 'item1/x', value: 'correct' },
      { rater: 'bob', unit: 'item1/y', value: 'unclear' },
      { rater: 'ann', unit: 'item1/x', value: 'correct' },
      { rater: 'ann', unit: 'item1/y', value: 'wrong' },
      { rater: 'ann', unit: 'item2/x', value: 'wrong' },
      { rater: 'cyd', unit: 'item2/x', value: 'wrong' },
    ];
    // ann: 2 of 2 compared (item2/x not compared) = 1; bob: 1 of 2 = 0.5; cyd: nothing to compare
    expect(raterAgreement(ratings, finalValues)).toEqual([
      { rater: 'ann', agreements: 2, compared: 2, rate: 1 },
      { rater: 'bob', agreements: 1, compared: 2, rate: 0.5 },
      { rater: 'cyd', agreements: 0, compared: 0, rate: null },
    ]);
  });
});
