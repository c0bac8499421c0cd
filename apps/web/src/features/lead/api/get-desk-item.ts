import { DeskItem } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const deskItemKey = (itemId: number) => ['items', itemId, 'desk'] as const;

/** Everything the desk shows for one item: the item, every verdict, the aggregate, the final labels, the decisions. */
export function getDeskItem(itemId: number, signal?: AbortSignal): Promise<DeskItem> {
  return apiJson(`/api/items/${itemId}/desk`, DeskItem, { signal });
}

/**
 * Not polled: a refetch that brought a new decision would restart the lead's draft under their hands. It is fetched
 * again after the lead's own decisions, and on a 409 (someone decided first).
 */
export const deskItemQueryOptions = (itemId: number) =>
  queryOptions({
    queryKey: deskItemKey(itemId),
    queryFn: ({ signal }) => getDeskItem(itemId, signal),
    staleTime: Infinity,
  });

export const useDeskItem = (itemId: number | null) => useQuery({ ...deskItemQueryOptions(itemId ?? 0), enabled: itemId !== null });
