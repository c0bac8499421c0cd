import { type ReviewItem, SkipResponse } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { itemAfter, receiveItem } from './claim-next-item';

export function skipItem(itemId: number): Promise<{ skipped: true }> {
  return apiJson(`/api/items/${itemId}/skip`, SkipResponse, { method: 'POST' });
}

/** Gives the item back to the queue and claims the next one, like a submit. */
export function useSkipItem(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    /** Resolves to the next item, null when nothing is left, undefined when asking for it failed (retried by the screen). */
    mutationFn: async (itemId: number): Promise<ReviewItem | null | undefined> => {
      await skipItem(itemId);
      try {
        return await itemAfter(queryClient, projectId, itemId);
      } catch {
        return undefined;
      }
    },
    onSuccess: (next) => receiveItem(queryClient, next ?? null),
  });
}
