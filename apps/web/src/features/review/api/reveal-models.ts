import { type Judgement, ReviewItem } from '@bagel/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { keepCandidateOrder } from '../lib/reveal-order';
import { itemKey } from './get-item';

/**
 * With the models hidden (the project's modelEvidence), sends the judgement of every candidate and gets the item with
 * its models, to grade their mistakes. The server keeps these judgements as sent: they are what the expert decided
 * before seeing the models. The item then replaces the hidden one in the cache, its candidates in the order they were
 * judged in (keepCandidateOrder: the list does not move under the expert's focus).
 */
export async function revealModels(queryClient: QueryClient, itemId: number, labels: Record<string, Judgement>): Promise<ReviewItem> {
  const hidden = queryClient.getQueryData<ReviewItem>(itemKey(itemId));
  const revealed = await apiJson(`/api/items/${itemId}/reveal`, ReviewItem, { method: 'POST', body: { labels } });
  const item = hidden ? keepCandidateOrder(revealed, hidden.candidates.map((c) => c.key)) : revealed;
  queryClient.setQueryData(itemKey(itemId), item);
  return item;
}
