import type { FinalLabels, Judgement } from '@bagel/contracts';

/** Judgement per class key of one image. */
export type Judgements = ReadonlyMap<string, Judgement>;

/**
 * What an image's labels are before the panel's final labels: its accepted labels as `correct`, with the prior
 * judgements imported with the project laid over them. For an image a prior labels file lists, the accepted labels
 * are the file's correct and unclear classes, so the file's judgements are the labels. For an image only crowd answers
 * judged, the classes the crowd was not asked about keep their place: the original label stays `correct` unless the
 * crowd found it absent, as it stays accepted for the queue (docs/FORMATS.md, "Crowd answers").
 */
export function baseJudgements(prior: readonly { key: string; judgement: Judgement }[], acceptedKeys: readonly string[]): Judgements {
  const labels = new Map<string, Judgement>();
  for (const key of acceptedKeys) labels.set(key, 'correct');
  for (const { key, judgement } of prior) labels.set(key, judgement);
  return labels;
}

/** The base labels with the final labels laid over them: per class the final judgement wins; others keep theirs. */
export function mergeFinal(base: Judgements, final: FinalLabels): Judgements {
  const merged = new Map(base);
  for (const key of Object.keys(final.labels)) merged.set(key, final.labels[key] as Judgement);
  return merged;
}

/** DOMAIN: an acceptable answer is a class judged `correct` or `unclear`. */
export function isAcceptable(labels: Judgements, key: string | null): boolean {
  if (key === null) return false;
  const judgement = labels.get(key);
  return judgement === 'correct' || judgement === 'unclear';
}

export function hasCorrect(labels: Judgements): boolean {
  for (const judgement of labels.values()) if (judgement === 'correct') return true;
  return false;
}

/** The class keys per judgement, each list ordered by `order` (the vocabulary's class index), then by key. */
export function labelLists(labels: Judgements, order: (key: string) => number): Record<Judgement, string[]> {
  const lists: Record<Judgement, string[]> = { correct: [], wrong: [], unclear: [] };
  for (const [key, judgement] of labels) lists[judgement].push(key);
  for (const list of Object.values(lists)) {
    if (list.length < 2) continue;
    // Each key's place looked up once, not at every comparison.
    const ranked = list.map((key) => ({ key, at: order(key) }));
    ranked.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    ranked.forEach((r, i) => (list[i] = r.key));
  }
  return lists;
}
