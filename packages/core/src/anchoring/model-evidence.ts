import type { CandidateSource, ModelEvidence } from '@bagel/contracts';
import { mixIds as mix } from '../id-draw';
import { seededRandom } from '../seeded-random';

/** What one expert sees of the models on one item: `shown` before judging, or `hidden` until every candidate is judged. */
export type EvidenceCondition = 'shown' | 'hidden';

/**
 * The condition under which `userId` judges `itemId`, under the project's `modelEvidence`. In the experiment it is
 * drawn at random per item and expert, from their ids: the same on every device and after every reload, about half of
 * each expert's items and half of each item's experts either way, and nothing to store until the verdict records it.
 */
export function modelEvidenceCondition(setting: ModelEvidence, itemId: number, userId: number): EvidenceCondition {
  if (setting === 'shown') return 'shown';
  if (setting === 'hidden-until-judged') return 'hidden';
  return mix(itemId, userId) >>> 31 === 1 ? 'hidden' : 'shown';
}

/**
 * The candidates as an expert judges them with the models hidden: nothing says where a class comes from (original
 * label, accepted label, which model at which rank, prior or crowd judgements), and their order, which would say it
 * too (the original label first, then by rank), is a shuffle fixed per item and expert. Classes the expert added keep
 * their mark and come last, in their order, so the list does not move under the expert as they add one.
 */
export function candidatesWithModelsHidden<T extends { key: string; sources: CandidateSource[] }>(candidates: readonly T[], itemId: number, userId: number): T[] {
  const proposed: T[] = [];
  const added: T[] = [];
  for (const candidate of candidates) {
    if (candidate.sources.length > 0 && candidate.sources.every((source) => source.kind === 'added')) added.push(candidate);
    else proposed.push({ ...candidate, sources: [] });
  }
  // Fisher–Yates with a generator seeded by the item and the expert.
  const random = seededRandom(mix(itemId, userId ^ 0x5bd1e995));
  for (let i = proposed.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [proposed[i], proposed[j]] = [proposed[j]!, proposed[i]!];
  }
  return [...proposed, ...added];
}
