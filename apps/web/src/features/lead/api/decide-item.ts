import { Decision, type LeadDecisionRequest } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { deskItemKey } from './get-desk-item';
import { leadQueueKey } from './get-lead-queue';

/** Finalizes a disputed item, or overrides a final one; a stale `baseDecision` is answered 409 STALE_DECISION. */
export function decideItem(itemId: number, request: LeadDecisionRequest): Promise<Decision> {
  return apiJson(`/api/items/${itemId}/decisions`, Decision, { method: 'POST', body: request });
}

export function useDecideItem(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ itemId, request }: { itemId: number; request: LeadDecisionRequest }) => decideItem(itemId, request),
    onSettled: (_decision, _error, { itemId }) => {
      // Success or 409 alike: the desk must show what is stored now.
      void queryClient.invalidateQueries({ queryKey: deskItemKey(itemId), exact: true });
      void queryClient.invalidateQueries({ queryKey: leadQueueKey(projectId) });
    },
  });
}
