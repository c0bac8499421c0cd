import { describe, expect, it } from 'vitest';
import { countTable, fleissKappa, gwetAC1, krippendorffAlphaNominal, raterAgreement } from './agreement';

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

describe('gwetAC1', () => {
  it("reproduces irrCAC's cac.raw4raters: AC1 = 0.77544, with subjects rated by 1 to 4 raters", () => {
    // Gwet, Handbook of Inter-Rater Reliability (4th ed., 2014), p. 120; shipped as `cac.raw4raters` in the R package
    // irrCAC, whose README gives gwet.ac1.raw(cac.raw4raters): pa = 0.8181818, pe = 0.1903212, AC1 = 0.77544.
    // 12 subjects, 4 raters, categories 1 to 5 (rows: ratings per category; NA ratings simply absent).
    // Exactly: p_a over the 11 subjects with ≥ 2 ratings = 9/11; π over all 12 (subject 12 has one rating, 3) =
    // (43/12, 25/4 + 1/4, ...)/12 -> p_e = 877/4608; AC1 = 31825/41041 = 0.7754440681...
    const table = [
      [3, 0, 0, 0, 0], [0, 3, 1, 0, 0], [0, 0, 4, 0, 0], [0, 0, 4, 0, 0], [0, 4, 0, 0, 0], [1, 1, 1, 1, 0],
      [0, 0, 0, 4, 0], [3, 1, 0, 0, 0], [0, 4, 0, 0, 0], [0, 0, 0, 0, 3], [2, 0, 0, 0, 0], [0, 0, 1, 0, 0],
    ];
    const result = gwetAC1(table);
    expect(result.observedAgreement).toBeCloseTo(9 / 11, 12);
    expect(result.expectedAgreement).toBeCloseTo(877 / 4608, 12);
    expect(result.ac1).toBeCloseTo(31825 / 41041, 12);
    expect(result).toMatchObject({ subjects: 12, pairedSubjects: 11 });
    expect((result.ac1 as number).toFixed(5)).toBe('0.77544');
    expect(result.expectedAgreement.toFixed(7)).toBe('0.1903212');
    // The subject rated once counts in π (as irrCAC's pi.vec, a mean over all n subjects): without it p_e would be
    // 0.19137... and AC1 0.77515...
    expect(gwetAC1(table.slice(0, 11)).ac1).not.toBeCloseTo(31825 / 41041, 4);
  });

  it("reproduces irrCAC's distrib.6raters (Fleiss 1971's first 15 patients): AC1 = 0.4448007 where kappa = 0.4139265", () => {
    // irrCAC README: gwet.ac1.dist(distrib.6raters) pa = 0.5511111, pe = 0.1914815, coeff = 0.4448007;
    // fleiss.kappa.dist: 0.4139265. Exactly: p_a = 124/225, p_e = 517/2700, AC1 = 971/2183.
    const table = [
      [0, 0, 0, 6, 0], [0, 3, 0, 0, 3], [0, 1, 4, 0, 1], [0, 0, 0, 0, 6], [0, 3, 0, 3, 0],
      [2, 0, 4, 0, 0], [0, 0, 4, 0, 2], [2, 0, 3, 1, 0], [2, 0, 0, 4, 0], [0, 0, 0, 0, 6],
      [1, 0, 0, 5, 0], [1, 1, 0, 4, 0], [0, 3, 3, 0, 0], [1, 0, 0, 5, 0], [0, 2, 0, 3, 1],
    ];
    const result = gwetAC1(table);
    expect(result.observedAgreement).toBeCloseTo(124 / 225, 12);
    expect(result.expectedAgreement).toBeCloseTo(517 / 2700, 12);
    expect(result.ac1).toBeCloseTo(971 / 2183, 12);
    expect((result.ac1 as number).toFixed(7)).toBe('0.4448007');
    // With as many ratings per subject, p_a is Fleiss' P̄.
    expect(result.observedAgreement).toBeCloseTo(fleissKappa(table).observedAgreement, 12);
    expect((fleissKappa(table).kappa as number).toFixed(7)).toBe('0.4139265');
  });

  it('stays high when one category dominates and the raters agree, where kappa and alpha collapse', () => {
    // 10 units, 3 raters, (correct, wrong, unclear): nine unanimous `wrong`, one 1 correct / 2 wrong.
    // p_a = (9 + 1/3)/10 = 14/15; π = (1/30, 29/30, 0) -> p_e = 2 · (1/30)(29/30) / 2 = 29/900; AC1 = 811/871.
    // Fleiss: P̄e = (1/30)² + (29/30)² = 421/450 -> kappa = (14/15 − 421/450)/(29/450) = −1/29. Krippendorff: Σo_cc =
    // 27 + 1 of n = 30 -> Do = 2/30; De = (900 − 1 − 841)/(30 · 29) = 2/30 -> alpha = 0.
    const units = [...Array.from({ length: 9 }, () => ['wrong', 'wrong', 'wrong']), ['correct', 'wrong', 'wrong']];
    const table = countTable(units, ['correct', 'wrong', 'unclear']);
    expect(gwetAC1(table).ac1).toBeCloseTo(811 / 871, 12);
    expect(fleissKappa(table).kappa).toBeCloseTo(-1 / 29, 12);
    expect(krippendorffAlphaNominal(units).alpha).toBeCloseTo(0, 12);
  });

  it('is 1 when every rating is in one category (kappa and alpha are undefined), and has no value without a pair', () => {
    // Every rating `wrong`: π = (0, 1, 0) -> p_e = 0, p_a = 1.
    const oneCategory = [[0, 3, 0], [0, 3, 0], [0, 2, 0], [0, 1, 0]];
    expect(gwetAC1(oneCategory)).toEqual({ ac1: 1, observedAgreement: 1, expectedAgreement: 0, subjects: 4, pairedSubjects: 3 });
    expect(fleissKappa([[0, 3, 0], [0, 3, 0]]).kappa).toBeNull();
    expect(krippendorffAlphaNominal([['wrong', 'wrong', 'wrong'], ['wrong', 'wrong']]).alpha).toBeNull();
    // Perfect agreement over two categories: 1 as well.
    expect(gwetAC1([[2, 0], [0, 2]]).ac1).toBe(1);
    // Every pair disagrees, categories evenly used: p_a = 0, π = (1/2, 1/2) -> p_e = 1/2, AC1 = −1.
    expect(gwetAC1([[1, 1], [1, 1]]).ac1).toBeCloseTo(-1, 12);
    // Rows without ratings are left out; single ratings give no pair: no AC1.
    expect(gwetAC1([[0, 0, 0], [1, 0, 0]])).toMatchObject({ ac1: null, subjects: 1, pairedSubjects: 0 });
    expect(gwetAC1([]).ac1).toBeNull();
    expect(gwetAC1([[2]]).ac1).toBeNull();
    expect(() => gwetAC1([[1, -1]])).toThrow('subject 1: a count must be a non-negative integer, got -1');
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
