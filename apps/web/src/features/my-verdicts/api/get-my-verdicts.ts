import { MyVerdictsPage } from '@bagel/contracts';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { nextPageOffset, PAGE_SIZE } from '../lib/my-verdicts';

export const myVerdictsKey = (projectId: number) => ['projects', projectId, 'my-verdicts'] as const;

/** The signed-in reviewer's own verdicts in the project from `offset`, most recent first (theirs only: blind-review safe). */
export function getMyVerdictsPage(projectId: number, offset: number, signal?: AbortSignal): Promise<MyVerdictsPage> {
  const params = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
  return apiJson(`/api/projects/${projectId}/my-verdicts?${params}`, MyVerdictsPage, { signal });
}

/**
 * The pages loaded so far ("Load more" adds one). The list changes with every verdict the reviewer gives on the review
 * screen (a revision moves its item to the top) and with the panel's (statuses), which this feature does not hear
 * of: so the pages are fetched again whenever the view opens, over the cached ones shown meanwhile.
 */
export const myVerdictsQueryOptions = (projectId: number) =>
  infiniteQueryOptions({
    queryKey: myVerdictsKey(projectId),
    queryFn: ({ pageParam, signal }) => getMyVerdictsPage(projectId, pageParam, signal),
    initialPageParam: 0,
    getNextPageParam: nextPageOffset,
    staleTime: 0,
  });

export const useMyVerdicts = (projectId: number) => useInfiniteQuery(myVerdictsQueryOptions(projectId));
