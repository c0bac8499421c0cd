import { ReviewItem } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const itemKey = (itemId: number) => ['items', itemId] as const;

export function getItem(itemId: number, signal?: AbortSignal): Promise<ReviewItem> {
  return apiJson(`/api/items/${itemId}`, ReviewItem, { signal });
}

/**
 * One item as this expert sees it. Its content changes only through this expert's own verdicts, which write the cache
 * themselves, so it is never refetched behind the expert's back. Its status changes with the panel and the lead: an
 * item is marked out of date once judged, and when opened by its address, so it is fetched again when shown (and
 * shown read-only if it became agreed or final); a 409 refetches it on purpose.
 */
export const itemQueryOptions = (itemId: number) =>
  queryOptions({
    queryKey: itemKey(itemId),
    queryFn: ({ signal }) => getItem(itemId, signal),
    staleTime: Infinity,
  });

export const useItem = (itemId: number | null) => useQuery({ ...itemQueryOptions(itemId ?? 0), enabled: itemId !== null });
