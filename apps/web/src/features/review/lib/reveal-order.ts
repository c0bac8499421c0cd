import type { ReviewItem } from '@bagel/contracts';

/**
 * The revealed item with its candidates in the order the expert judged them with the models hidden (`hiddenOrder`,
 * their keys), rather than the server's usual order (original label first, then by rank): the list must not move under
 * the expert's focus when the models appear. Candidates the hidden list did not have follow in the server's order.
 */
export function keepCandidateOrder(revealed: ReviewItem, hiddenOrder: readonly string[]): ReviewItem {
  const position = new Map(hiddenOrder.map((key, i) => [key, i]));
  const rank = (key: string) => position.get(key) ?? hiddenOrder.length;
  const candidates = revealed.candidates
    .map((candidate, i) => ({ candidate, i }))
    .sort((a, b) => rank(a.candidate.key) - rank(b.candidate.key) || a.i - b.i)
    .map(({ candidate }) => candidate);
  return { ...revealed, candidates };
}
