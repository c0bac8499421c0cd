/** A category given by raters: a judgement, a severity, a class index... */
export type RatingValue = string | number;

export interface FleissKappa {
  /** (P̄ − P̄e) / (1 − P̄e); null when P̄e = 1 (every rating in one category: agreement beyond chance is undefined). */
  kappa: number | null;
  /** P̄: the mean over subjects of the share of agreeing rater pairs. */
  observedAgreement: number;
  /** P̄e: the agreement expected by chance, Σ_j p_j² with p_j the share of all ratings in category j. */
  expectedAgreement: number;
  subjects: number;
  /** Ratings per subject (the same for every subject). */
  raters: number;
}

/**
 * Fleiss' kappa (Fleiss 1971) from a subjects × categories table of counts: row i, column j = how many raters put
 * subject i in category j. Every row must hold the same number of ratings, at least 2 (the statistic assumes it);
 * use Krippendorff's alpha when the number of ratings varies.
 */
export function fleissKappa(table: readonly (readonly number[])[]): FleissKappa {
  const subjects = table.length;
  if (subjects === 0) return { kappa: null, observedAgreement: 0, expectedAgreement: 0, subjects: 0, raters: 0 };
  const categories = Math.max(...table.map((row) => row.length));
  const raters = sum(table[0] as readonly number[]);
  if (!Number.isInteger(raters) || raters < 2) throw new RangeError(`Fleiss' kappa needs at least 2 ratings per subject, got ${raters}`);
  const categoryTotals = new Array<number>(categories).fill(0);
  let agreementSum = 0;
  table.forEach((row, i) => {
    let rowTotal = 0;
    let squares = 0;
    row.forEach((count, j) => {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`subject ${i + 1}: a count must be a non-negative integer, got ${count}`);
      rowTotal += count;
      squares += count * count;
      categoryTotals[j] = (categoryTotals[j] as number) + count;
    });
    if (rowTotal !== raters) {
      throw new RangeError(`subject ${i + 1} has ${rowTotal} ratings; Fleiss' kappa needs the same number (${raters}) for every subject`);
    }
    agreementSum += (squares - raters) / (raters * (raters - 1));
  });
  const observedAgreement = agreementSum / subjects;
  let expectedAgreement = 0;
  for (const total of categoryTotals) expectedAgreement += (total / (subjects * raters)) ** 2;
  const kappa = expectedAgreement === 1 ? null : (observedAgreement - expectedAgreement) / (1 - expectedAgreement);
  return { kappa, observedAgreement, expectedAgreement, subjects, raters };
}

export interface GwetAC1 {
  /** (p_a − p_e) / (1 − p_e); null when no subject has two ratings (p_a is undefined) or there are fewer than 2 categories. */
  ac1: number | null;
  /** p_a: the mean, over subjects with at least two ratings, of the share of agreeing rater pairs. */
  observedAgreement: number;
  /** p_e = Σ_k π_k (1 − π_k) / (q − 1), π_k the mean over rated subjects of the share of their ratings in category k. */
  expectedAgreement: number;
  /** Subjects with at least one rating (those π_k is a mean over). */
  subjects: number;
  /** Subjects with at least two ratings (those p_a is a mean over). */
  pairedSubjects: number;
}

/**
 * Gwet's AC1 (Gwet 2008, "Computing inter-rater reliability and its variance in the presence of high agreement",
 * British Journal of Mathematical and Statistical Psychology 61, 29–48; multi-rater form with missing ratings as in
 * Gwet's Handbook of Inter-Rater Reliability, 4th ed., and the R package irrCAC's gwet.ac1.raw), from the same
 * subjects × categories table of counts as fleissKappa, except that rows may hold different numbers of ratings. With
 * r_ik the ratings of subject i in category k, r_i = Σ_k r_ik and q the number of categories (the table's columns,
 * used or not):
 * - p_a = mean over subjects with r_i ≥ 2 of Σ_k r_ik (r_ik − 1) / (r_i (r_i − 1)),
 * - π_k = mean over subjects with r_i ≥ 1 of r_ik / r_i (a subject rated once counts here, not in p_a),
 * - p_e = Σ_k π_k (1 − π_k) / (q − 1), AC1 = (p_a − p_e) / (1 − p_e).
 * Unlike kappa's, its chance agreement is small when one category dominates: every rating in one category gives 1.
 * A row without ratings is left out.
 */
export function gwetAC1(table: readonly (readonly number[])[]): GwetAC1 {
  const categories = table.length === 0 ? 0 : Math.max(...table.map((row) => row.length));
  const shares = new Array<number>(categories).fill(0); // Σ_i r_ik / r_i
  let subjects = 0;
  let pairedSubjects = 0;
  let agreementSum = 0;
  table.forEach((row, i) => {
    let ratings = 0;
    let pairs = 0;
    for (const count of row) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`subject ${i + 1}: a count must be a non-negative integer, got ${count}`);
      ratings += count;
      pairs += count * (count - 1);
    }
    if (ratings === 0) return;
    subjects++;
    row.forEach((count, k) => {
      shares[k] = (shares[k] as number) + count / ratings;
    });
    if (ratings >= 2) {
      pairedSubjects++;
      agreementSum += pairs / (ratings * (ratings - 1));
    }
  });
  const observedAgreement = pairedSubjects === 0 ? 0 : agreementSum / pairedSubjects;
  let chance = 0;
  for (const share of shares) {
    const pi = share / subjects;
    chance += pi * (1 - pi);
  }
  const expectedAgreement = categories < 2 || subjects === 0 ? 0 : chance / (categories - 1);
  const ac1 = pairedSubjects === 0 || categories < 2 ? null : (observedAgreement - expectedAgreement) / (1 - expectedAgreement);
  return { ac1, observedAgreement, expectedAgreement, subjects, pairedSubjects };
}

/**
 * Turns units (each the list of values its raters gave) into the count table of fleissKappa, one column per category
 * in the order given. A value outside `categories` is an error.
 */
export function countTable<T extends RatingValue>(units: readonly (readonly T[])[], categories: readonly T[]): number[][] {
  return units.map((values, i) => {
    const row = new Array<number>(categories.length).fill(0);
    for (const value of values) {
      const j = categories.indexOf(value);
      if (j === -1) throw new RangeError(`unit ${i + 1}: value ${JSON.stringify(value)} is not one of the categories`);
      row[j] = (row[j] as number) + 1;
    }
    return row;
  });
}

export interface KrippendorffAlpha {
  /** 1 − Do / De; null when De = 0 (fewer than two pairable values, or all of them equal). */
  alpha: number | null;
  /** Do: the share of disagreeing pairs within units. */
  observedDisagreement: number;
  /** De: the share of disagreeing pairs expected from the pooled values. */
  expectedDisagreement: number;
  /** n: values in units that have at least two (the only ones that can be paired). */
  pairableValues: number;
  /** Units with at least two values. */
  units: number;
}

/**
 * Krippendorff's alpha for nominal data, with missing values: each unit lists the values its raters gave, so units may
 * have different numbers of values; a unit with a single value cannot be paired and is left out (Krippendorff 2011,
 * "Computing Krippendorff's Alpha-Reliability"). With coincidences o_ck, n_c = Σ_k o_ck and n = Σ_c n_c:
 * alpha = 1 − (n − 1) · (n − Σ_c o_cc) / (n² − Σ_c n_c²).
 */
export function krippendorffAlphaNominal<T extends RatingValue>(units: readonly (readonly T[])[]): KrippendorffAlpha {
  let n = 0;
  let pairedUnits = 0;
  let agreeingCoincidences = 0; // Σ_c o_cc
  const valueTotals = new Map<T, number>(); // n_c
  const unitCounts = new Map<T, number>();
  for (const values of units) {
    const m = values.length;
    if (m < 2) continue;
    pairedUnits++;
    n += m;
    unitCounts.clear();
    for (const value of values) unitCounts.set(value, (unitCounts.get(value) ?? 0) + 1);
    for (const [value, count] of unitCounts) {
      // Each of the count values pairs with the other count − 1 equal ones, each pair weighted 1 / (m − 1).
      agreeingCoincidences += (count * (count - 1)) / (m - 1);
      valueTotals.set(value, (valueTotals.get(value) ?? 0) + count);
    }
  }
  let squaredTotals = 0;
  for (const total of valueTotals.values()) squaredTotals += total * total;
  const observedDisagreement = n === 0 ? 0 : (n - agreeingCoincidences) / n;
  const expectedDisagreement = n < 2 ? 0 : (n * n - squaredTotals) / (n * (n - 1));
  const alpha = expectedDisagreement === 0 ? null : 1 - observedDisagreement / expectedDisagreement;
  return { alpha, observedDisagreement, expectedDisagreement, pairableValues: n, units: pairedUnits };
}

export interface RaterAgreement {
  rater: string;
  /** Ratings equal to the final value of their unit. */
  agreements: number;
  /** Ratings of units that have a final value. */
  compared: number;
  /** agreements / compared, or null when nothing could be compared. */
  rate: number | null;
}

/**
 * Each rater's agreement with the final labels: the share of their ratings that equal the final value of the same
 * unit (e.g. unit = item + class, value = judgement). Ratings of units without a final value are not compared.
 * Raters come out in code-unit order of their names.
 */
export function raterAgreement<T extends RatingValue>(
  ratings: Iterable<{ rater: string; unit: string; value: T }>,
  finalValues: ReadonlyMap<string, T>,
): RaterAgreement[] {
  const byRater = new Map<string, { agreements: number; compared: number }>();
  for (const rating of ratings) {
    let tally = byRater.get(rating.rater);
    if (tally === undefined) {
      tally = { agreements: 0, compared: 0 };
      byRater.set(rating.rater, tally);
    }
    const final = finalValues.get(rating.unit);
    if (final === undefined) continue;
    tally.compared++;
    if (final === rating.value) tally.agreements++;
  }
  return [...byRater]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rater, tally]) => ({ rater, ...tally, rate: tally.compared === 0 ? null : tally.agreements / tally.compared }));
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
