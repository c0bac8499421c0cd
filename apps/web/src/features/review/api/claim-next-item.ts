import { ReviewItem } from '@bagel/contracts';
import { type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch, parseJson } from '../../../lib/api-client';
import { itemKey } from './get-item';

/**
 * Asks the queue for this expert's next item, which reserves it for them (a claim): so it is a mutation, never a
 * background query. Null when nothing is left to review in the project (204).
 */
export async function claimNextItem(projectId: number): Promise<ReviewItem | null> {
  const response = await apiFetch(`/api/projects/${projectId}/next`);
  if (response.status === 204) return null;
  const item = await parseJson(response, ReviewItem);
  // The image is the slowest part of showing an item: ask for it now, before React renders anything.
  preloadImage(item);
  return item;
}

/** Starts loading the item's preview image at once, so it is in the HTTP cache by the time the screen shows it. */
export function preloadImage(item: ReviewItem): void {
  if (item.image.missing || typeof Image === 'undefined') return;
  const image = new Image();
  image.fetchPriority = 'high';
  image.src = item.image.previewUrl;
  // Decoding ahead too means the <img> of the same URL can be painted in the first frame after it is inserted.
  image.decode().catch(() => {
    // The <img> itself reports a broken file; a preload has nothing to add.
  });
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
