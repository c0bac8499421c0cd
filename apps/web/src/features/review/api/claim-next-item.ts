import { ReviewItem } from '@bagel/contracts';
import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch, parseJson } from '../../../lib/api-client';
import { preloadImage } from '../lib/preload-image';
import { itemKey } from './get-item';

/**
 * Asks the queue for this expert's next item, which reserves it for them (a claim): so it is a mutation, never a
 * background query. Null when nothing is left to review in the project (204).
 */
export async function claimNextItem(projectId: number, after?: number): Promise<ReviewItem | null> {
  const response = await apiFetch(`/api/projects/${projectId}/next${after === undefined ? '' : `?after=${after}`}`);
  if (response.status === 204) return null;
  const item = await parseJson(response, ReviewItem);
  // The image is the slowest part of showing an item: ask for it now, before React renders anything.
  preloadImage(item);
  return item;
}

/** Puts a freshly handed item in the cache under its own key, so the screen renders it from there at once. */
export function receiveItem(queryClient: QueryClient, item: ReviewItem | null): void {
  if (!item) return;
  queryClient.setQueryData(itemKey(item.id), item);
}

export function useClaimNextItem(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: ['projects', projectId, 'next'],
    mutationFn: () => claimNextItem(projectId),
    onSuccess: (item) => receiveItem(queryClient, item),
  });
}

/**
 * Claim ahead: while the expert judges `itemId`, the queue reserves the item after it (`next?after=`), and its data
 * and image load in the background, so Enter shows it at once. Safe as a query: asking again returns the same item.
 */
export const claimAheadOptions = (projectId: number, itemId: number) =>
  queryOptions({
    queryKey: ['projects', projectId, 'next-after', itemId] as const,
    queryFn: () => claimNextItem(projectId, itemId),
    staleTime: Infinity,
    retry: false,
  });

export function useClaimAhead(projectId: number, itemId: number | null) {
  return useQuery({ ...claimAheadOptions(projectId, itemId ?? 0), enabled: itemId !== null });
}

/**
 * The item to show after `itemId`: the one claimed ahead when it is there, else a fresh claim (also when the claim
 * ahead found nothing: items may have been freed since).
 */
export async function itemAfter(queryClient: QueryClient, projectId: number, itemId: number): Promise<ReviewItem | null> {
  return takeClaimedAhead(queryClient, projectId, itemId) ?? claimNextItem(projectId);
}

/** The item claimed ahead of `itemId` when it has arrived (taken: a claim ahead is shown once), else undefined. */
export function takeClaimedAhead(queryClient: QueryClient, projectId: number, itemId: number): ReviewItem | undefined {
  const key = claimAheadOptions(projectId, itemId).queryKey;
  const ahead = queryClient.getQueryData<ReviewItem | null>(key);
  if (!ahead) return undefined;
  queryClient.removeQueries({ queryKey: key, exact: true });
  receiveItem(queryClient, ahead);
  return ahead;
}


/**
 * Moves on from `itemId` once its verdict is stored or on its way: to the item claimed ahead, else a fresh claim.
 * Resolves to undefined when asking for it failed (the screen then asks again).
 */
export function useAdvance(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    // Not paused while the browser is offline (react-query's default): the item claimed ahead is usually here already,
    // and the reviewer moves on to it while their verdict waits for the network.
    networkMode: 'always',
    mutationFn: async (itemId: number): Promise<ReviewItem | null | undefined> => {
      try {
        return await itemAfter(queryClient, projectId, itemId);
      } catch {
        return undefined;
      }
    },
    onSuccess: (next) => receiveItem(queryClient, next ?? null),
  });
}
