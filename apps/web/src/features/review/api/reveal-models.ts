import { type Judgement, ReviewItem } from '@bagel/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { itemKey } from './get-item';

/**
 * With the models hidden (the project's modelEvidence), sends the judgement of every candidate and gets the item with
 * its models, to grade their mistakes. The server keeps these judgements as sent: they are what the expert decided
 * before seeing the models. The item then replaces the hidden one in the cache.
 */
export async function revealModels(queryClient: QueryClient, itemId: number, labels: Record<string, Judgement>): Promise<ReviewItem> {
  const item = await apiJson(`/api/items/${itemId}/reveal`, ReviewItem, { method: 'POST', body: { labels } });
  queryClient.setQueryData(itemKey(itemId), item);
  return item;
}
