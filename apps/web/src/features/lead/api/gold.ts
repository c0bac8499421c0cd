import { GoldMark } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch, apiJson } from '../../../lib/api-client';
import { deskItemKey } from './get-desk-item';

/** Marks a final item gold (its final labels become the answer experts served it are measured against). Leads only. */
export function markGold(itemId: number): Promise<GoldMark> {
  return apiJson(`/api/items/${itemId}/gold`, GoldMark, { method: 'POST', body: {} });
}

export async function unmarkGold(itemId: number): Promise<void> {
  await apiFetch(`/api/items/${itemId}/gold`, { method: 'DELETE' });
}

export function useGoldMark(itemId: number) {
  const queryClient = useQueryClient();
  const settled = () => queryClient.invalidateQueries({ queryKey: deskItemKey(itemId), exact: true });
  return {
    mark: useMutation({ mutationFn: () => markGold(itemId), onSettled: settled }),
    unmark: useMutation({ mutationFn: () => unmarkGold(itemId), onSettled: settled }),
  };
}
