import { Decision, type ReopenRequest } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { deskItemKey } from './get-desk-item';
import { leadQueueKey } from './get-lead-queue';

/** Reopens a final item (kept in its history as a decision of kind `reopen`). */
export function reopenItem(itemId: number, request: ReopenRequest): Promise<Decision> {
  return apiJson(`/api/items/${itemId}/reopen`, Decision, { method: 'POST', body: request });
}

export function useReopenItem(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ itemId, request }: { itemId: number; request: ReopenRequest }) => reopenItem(itemId, request),
    onSettled: (_decision, _error, { itemId }) => {
      void queryClient.invalidateQueries({ queryKey: deskItemKey(itemId), exact: true });
      void queryClient.invalidateQueries({ queryKey: leadQueueKey(projectId) });
    },
  });
}
