import { ItemVerdicts, type ReviewItem } from '@bagel/contracts';
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { apiJson } from '../../../lib/api-client';
import { itemKey } from './get-item';

export const panelVerdictsKey = (itemId: number) => ['items', itemId, 'verdicts'] as const;

/**
 * The panel's current verdicts of an item. Blind review: the server answers an expert only once their own verdict is
 * in, and records the first answer that shows them another expert's verdict (their later revisions are marked as made
 * after seeing the panel), so this is asked for only when the expert chooses to look.
 */
export function getPanelVerdicts(itemId: number, signal?: AbortSignal): Promise<ItemVerdicts> {
  return apiJson(`/api/items/${itemId}/verdicts`, ItemVerdicts, { signal });
}

/** Polled while shown: the panel may revise (a disputed item), and the lead may decide. */
export const panelVerdictsQueryOptions = (itemId: number) =>
  queryOptions({
    queryKey: panelVerdictsKey(itemId),
    queryFn: ({ signal }) => getPanelVerdicts(itemId, signal),
    staleTime: 0,
    refetchInterval: 10_000,
  });

/** The panel's verdicts once `enabled`; the item in the cache then knows that its expert has seen them. */
export function usePanelVerdicts(item: ReviewItem, enabled: boolean) {
  const queryClient = useQueryClient();
  const query = useQuery({ ...panelVerdictsQueryOptions(item.id), enabled });
  const sawOthers = query.data?.verdicts.some((v) => v.expert !== item.myVerdict?.expert) ?? false;
  useEffect(() => {
    if (!sawOthers) return;
    queryClient.setQueryData<ReviewItem>(itemKey(item.id), (cached) =>
      cached && cached.panelSeenAt === null ? { ...cached, panelSeenAt: new Date().toISOString() } : cached,
    );
  }, [sawOthers, item.id, queryClient]);
  return query;
}
