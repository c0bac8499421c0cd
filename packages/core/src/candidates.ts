import type { CandidateSource } from '@bagel/contracts';
import type { ModelPredictions } from './mistakes';

/**
 * The candidate classes of an item, in the order the review screen lists them: the original label, other accepted
 * labels, every model's top-k (by rank, then model order), the extra candidates the import attached (classes judged
 * before the review, uncertain crowd pairs), then classes the expert added. Each class appears once, with every
 * source that proposes it.
 */
export function candidateClasses(input: {
  originalKey: string;
  acceptedKeys: readonly string[];
  models: readonly ModelPredictions[];
  extraCandidates?: readonly { key: string; source: CandidateSource }[];
  addedKeys?: readonly string[];
}): { key: string; sources: CandidateSource[] }[] {
  const byKey = new Map<string, CandidateSource[]>();
  const add = (key: string, source: CandidateSource) => {
    const sources = byKey.get(key);
    if (sources) sources.push(source);
    else byKey.set(key, [source]);
  };
  add(input.originalKey, { kind: 'original' });
  for (const key of input.acceptedKeys) if (key !== input.originalKey) add(key, { kind: 'accepted' });
  const maxK = Math.max(0, ...input.models.map((m) => m.predictions.length));
  for (let r = 0; r < maxK; r++) {
    for (const m of input.models) {
      const p = m.predictions[r];
      if (p) add(p.key, { kind: 'model', model: m.model, rank: r + 1 });
    }
  }
  for (const extra of input.extraCandidates ?? []) add(extra.key, extra.source);
  for (const key of input.addedKeys ?? []) if (!byKey.has(key)) add(key, { kind: 'added' });
  return [...byKey].map(([key, sources]) => ({ key, sources }));
}
