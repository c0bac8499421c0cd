import { newcombeDifference, wilsonInterval, type Proportion, type ProportionDifference } from '../metrics/proportion';
import type { EvidenceCondition } from './model-evidence';

/** One expert's first verdict on one item, seen from one model's top-1 class. */
export interface EvidenceObservation {
  model: string;
  condition: EvidenceCondition;
  /** The expert judged the model's top-1 class `correct` (with the models hidden: before they were shown). */
  acceptedTop1: boolean;
  /** Whether that judgement matches the item's final labels (the class present or not); null while the item is not final. */
  agreesWithFinal: boolean | null;
}

/** A share measured with the models shown and with them hidden, their difference and what it means. */
export interface EvidenceComparison {
  shown: Proportion;
  hidden: Proportion;
  /** shown − hidden, null until both have observations. */
  difference: ProportionDifference | null;
  /** A plain sentence: how large the difference is and whether it is significant. */
  reading: string;
}

export interface ModelEvidenceEffect {
  model: string;
  acceptTop1: EvidenceComparison;
  agreeWithFinal: EvidenceComparison;
}

const points = (share: number) => `${(Math.abs(share) * 100).toFixed(1)} points`;
const signedPoints = (share: number) => `${share < 0 ? '−' : ''}${(Math.abs(share) * 100).toFixed(1)}`;

/** Counts of one model's observations under one condition. */
export interface EvidenceTally {
  /** Verdicts seen (one per expert and item). */
  verdicts: number;
  /** Of them, those that judged the model's top-1 `correct`. */
  acceptedTop1: number;
  /** Verdicts on items that are final. */
  onFinal: number;
  /** Of them, those whose judgement of the top-1 matches the final labels. */
  agreeWithFinal: number;
}

/** Each model's tallies, shown and hidden: what a scan of the verdicts keeps (its size does not grow with them). */
export type EvidenceTallies = Map<string, Record<EvidenceCondition, EvidenceTally>>;

const emptyTally = (): EvidenceTally => ({ verdicts: 0, acceptedTop1: 0, onFinal: 0, agreeWithFinal: 0 });

/** Counts one observation in `tallies`. */
export function tallyEvidence(tallies: EvidenceTallies, observation: EvidenceObservation): void {
  let own = tallies.get(observation.model);
  if (!own) tallies.set(observation.model, (own = { shown: emptyTally(), hidden: emptyTally() }));
  const tally = own[observation.condition];
  tally.verdicts += 1;
  if (observation.acceptedTop1) tally.acceptedTop1 += 1;
  if (observation.agreesWithFinal !== null) {
    tally.onFinal += 1;
    if (observation.agreesWithFinal) tally.agreeWithFinal += 1;
  }
}

function compare(shownCounts: [k: number, n: number], hiddenCounts: [k: number, n: number], subject: string): EvidenceComparison {
  const shown = wilsonInterval(...shownCounts);
  const hidden = wilsonInterval(...hiddenCounts);
  const difference = newcombeDifference(shown.k, shown.n, hidden.k, hidden.n);
  let reading: string;
  if (!difference) {
    reading = `Not measured yet: ${shown.n} verdicts with the models shown and ${hidden.n} with them hidden.`;
  } else {
    const interval = `95% CI ${signedPoints(difference.low)} to ${signedPoints(difference.high)} points; ${shown.n} shown, ${hidden.n} hidden`;
    const size = difference.estimate === 0 ? 'as often' : `${points(difference.estimate)} ${difference.estimate > 0 ? 'more' : 'less'} often`;
    const verdict = difference.significant ? 'a significant difference at the 5% level' : 'not a significant difference at the 5% level';
    reading = `With the models shown, experts ${subject} ${size} than with them hidden (${interval}): ${verdict}.`;
  }
  return { shown, hidden, difference, reading };
}

/**
 * What showing the models does, per model (docs/AGGREGATION.md, "Anchoring control"): how often experts judge its
 * top-1 `correct`, and how often that judgement matches the final labels, with the models shown and hidden; each
 * with its Wilson interval, their difference with Newcombe's. Observations are taken as independent (each is one
 * expert's first verdict on one item; the experiment draws the condition per item and expert).
 */
export function modelEvidenceEffect(tallies: EvidenceTallies, models: readonly { name: string; displayName: string }[]): ModelEvidenceEffect[] {
  return models.map(({ name, displayName }) => {
    const { shown, hidden } = tallies.get(name) ?? { shown: emptyTally(), hidden: emptyTally() };
    return {
      model: name,
      acceptTop1: compare([shown.acceptedTop1, shown.verdicts], [hidden.acceptedTop1, hidden.verdicts], `judged ${displayName}'s top-1 correct`),
      agreeWithFinal: compare([shown.agreeWithFinal, shown.onFinal], [hidden.agreeWithFinal, hidden.onFinal], `agreed with the final labels on ${displayName}'s top-1`),
    };
  });
}
