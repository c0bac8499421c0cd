import { DiscussionThread } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const discussionKey = (itemId: number) => ['items', itemId, 'discussion'] as const;

/** The item's thread. 403 for an expert who has not given their verdict on the item yet. */
export function getDiscussion(itemId: number, signal?: AbortSignal): Promise<DiscussionThread> {
  return apiJson(`/api/items/${itemId}/discussion`, DiscussionThread, { signal });
}

/** Polled while the thread is on screen, so the panel and the lead see each other's messages within seconds. */
export const discussionQueryOptions = (itemId: number) =>
  queryOptions({
    queryKey: discussionKey(itemId),
    queryFn: ({ signal }) => getDiscussion(itemId, signal),
    staleTime: 0,
    refetchInterval: 3_000,
  });

export const useDiscussion = (itemId: number) => useQuery(discussionQueryOptions(itemId));
