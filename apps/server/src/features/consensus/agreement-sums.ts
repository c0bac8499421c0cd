import type { Judgement } from '@bagel/contracts';

/**
 * The parts of Fleiss' kappa and Krippendorff's alpha (nominal) that add up over units, so each item stores its own
 * and the dashboard sums them with SQL instead of re-reading every verdict. A unit is an (item, class) pair; its
 * values are the experts' judgements of the class. An expert who did not judge the class is a missing value (with
 * blind review they may never have seen a class another expert added), not a category of its own.
 *
 * - Krippendorff's alpha handles missing values: every unit with at least two judgements counts.
 * - Fleiss' kappa needs the same number of ratings per unit: it counts the units judged by exactly `panelSize`
 *   experts (complete panels where nobody abstained).
 *
 * The formulas are those of fleissKappa and krippendorffAlphaNominal in @bagel/core; the tests check that both give
 * the same numbers.
 */
export interface AgreementSums {
  fleissUnits: number;
  /** Σ over units of (Σ_j n_j² − P) / (P (P − 1)). */
  fleissAgreement: number;
  fleissTotals: Record<Judgement, number>;
  alphaUnits: number;
  /** Pairable values: judgements in units with at least two. */
  alphaValues: number;
  /** Σ over units of Σ_c n_c (n_c − 1) / (m − 1): the agreeing coincidences. */
  alphaAgreement: number;
  alphaTotals: Record<Judgement, number>;
}

export const emptyAgreementSums = (): AgreementSums => ({
  fleissUnits: 0,
  fleissAgreement: 0,
  fleissTotals: { correct: 0, wrong: 0, unclear: 0 },
  alphaUnits: 0,
  alphaValues: 0,
  alphaAgreement: 0,
  alphaTotals: { correct: 0, wrong: 0, unclear: 0 },
});

/** Adds one unit (the judgement counts of one class of one item). */
export function addUnit(sums: AgreementSums, votes: Record<Judgement, number>, panelSize: number): void {
  const { correct, wrong, unclear } = votes;
  const m = correct + wrong + unclear;
  if (m >= 2) {
    sums.alphaUnits++;
    sums.alphaValues += m;
    sums.alphaAgreement += (correct * (correct - 1) + wrong * (wrong - 1) + unclear * (unclear - 1)) / (m - 1);
    sums.alphaTotals.correct += correct;
    sums.alphaTotals.wrong += wrong;
    sums.alphaTotals.unclear += unclear;
  }
  if (panelSize >= 2 && m === panelSize) {
    sums.fleissUnits++;
    sums.fleissAgreement += (correct * correct + wrong * wrong + unclear * unclear - panelSize) / (panelSize * (panelSize - 1));
    sums.fleissTotals.correct += correct;
    sums.fleissTotals.wrong += wrong;
    sums.fleissTotals.unclear += unclear;
  }
}

/** Fleiss' kappa from the sums; null when there is no unit or every judgement is in one category. */
export function kappaFromSums(sums: Pick<AgreementSums, 'fleissUnits' | 'fleissAgreement' | 'fleissTotals'>, panelSize: number): number | null {
  if (sums.fleissUnits === 0) return null;
  const ratings = sums.fleissUnits * panelSize;
  const observed = sums.fleissAgreement / sums.fleissUnits;
  let expected = 0;
  for (const total of Object.values(sums.fleissTotals)) expected += (total / ratings) ** 2;
  return expected === 1 ? null : (observed - expected) / (1 - expected);
}

/** Krippendorff's alpha (nominal) from the sums; null when fewer than two values pair or all of them are equal. */
export function alphaFromSums(sums: Pick<AgreementSums, 'alphaValues' | 'alphaAgreement' | 'alphaTotals'>): number | null {
  const n = sums.alphaValues;
  if (n < 2) return null;
  let squaredTotals = 0;
  for (const total of Object.values(sums.alphaTotals)) squaredTotals += total * total;
  const observed = (n - sums.alphaAgreement) / n;
  const expected = (n * n - squaredTotals) / (n * (n - 1));
  return expected === 0 ? null : 1 - observed / expected;
}
