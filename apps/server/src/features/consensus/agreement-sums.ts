import type { Judgement } from '@bagel/contracts';

/**
 * The parts of Fleiss' kappa, Krippendorff's alpha (nominal) and Gwet's AC1 that add up over units, so each item
 * stores its own and the dashboard sums them with SQL instead of re-reading every verdict. A unit is an (item, class) pair; its
 * values are the experts' judgements of the class. An expert who did not judge the class is a missing value (with
 * blind review they may never have seen a class another expert added), not a category of its own.
 *
 * - Krippendorff's alpha handles missing values: every unit with at least two judgements counts.
 * - Fleiss' kappa needs the same number of ratings per unit: it counts the units judged by exactly `panelSize`
 *   experts (complete panels where nobody abstained).
 * - Gwet's AC1 handles missing values as irrCAC's gwet.ac1.raw does: its observed agreement is a mean over the units
 *   with at least two judgements (alpha's units), its category shares π_k means over every unit with a judgement.
 *   Each unit weighs in by its own number of judgements m, so its parts are sums of reals (not of counts).
 *
 * The formulas are those of fleissKappa, krippendorffAlphaNominal and gwetAC1 in @bagel/core; the tests check that
 * they give the same numbers.
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
  /** Units with at least one judgement (AC1's π_k are means over these). */
  gwetUnits: number;
  /** Σ over units with at least two judgements of Σ_k n_k (n_k − 1) / (m (m − 1)): AC1's p_a times alphaUnits. */
  gwetAgreement: number;
  /** Per category, Σ over units with at least one judgement of n_k / m: AC1's π_k times gwetUnits. */
  gwetShares: Record<Judgement, number>;
}

export const emptyAgreementSums = (): AgreementSums => ({
  fleissUnits: 0,
  fleissAgreement: 0,
  fleissTotals: { correct: 0, wrong: 0, unclear: 0 },
  alphaUnits: 0,
  alphaValues: 0,
  alphaAgreement: 0,
  alphaTotals: { correct: 0, wrong: 0, unclear: 0 },
  gwetUnits: 0,
  gwetAgreement: 0,
  gwetShares: { correct: 0, wrong: 0, unclear: 0 },
});

/** Adds one unit (the judgement counts of one class of one item). */
export function addUnit(sums: AgreementSums, votes: Record<Judgement, number>, panelSize: number): void {
  const { correct, wrong, unclear } = votes;
  const m = correct + wrong + unclear;
  if (m >= 1) {
    sums.gwetUnits++;
    sums.gwetShares.correct += correct / m;
    sums.gwetShares.wrong += wrong / m;
    sums.gwetShares.unclear += unclear / m;
  }
  if (m >= 2) {
    sums.gwetAgreement += (correct * (correct - 1) + wrong * (wrong - 1) + unclear * (unclear - 1)) / (m * (m - 1));
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

/**
 * Gwet's AC1 from the sums, over the three judgements (q = 3): p_a = gwetAgreement / alphaUnits,
 * π_k = gwetShares_k / gwetUnits, p_e = Σ_k π_k (1 − π_k) / 2; null when no unit has two judgements.
 */
export function ac1FromSums(sums: Pick<AgreementSums, 'alphaUnits' | 'gwetUnits' | 'gwetAgreement' | 'gwetShares'>): number | null {
  if (sums.alphaUnits === 0 || sums.gwetUnits === 0) return null;
  const observed = sums.gwetAgreement / sums.alphaUnits;
  const shares = Object.values(sums.gwetShares);
  let chance = 0;
  for (const share of shares) {
    const pi = share / sums.gwetUnits;
    chance += pi * (1 - pi);
  }
  const expected = chance / (shares.length - 1);
  return (observed - expected) / (1 - expected);
}
