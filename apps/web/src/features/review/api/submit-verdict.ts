import { type ProjectList, type ReviewItem, Verdict, type VerdictRequest } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { projectsKey } from '../../../lib/query-keys';
import { itemAfter, receiveItem } from './claim-next-item';
import { itemKey } from './get-item';

export function submitVerdict(itemId: number, request: VerdictRequest): Promise<Verdict> {
  return apiJson(`/api/items/${itemId}/verdicts`, Verdict, { method: 'POST', body: request });
}

export interface SubmitVerdictResult {
  verdict: Verdict;
  /** The next item (null: nothing left); undefined when asking for it failed, which the screen then retries. */
  next: ReviewItem | null | undefined;
}

/**
 * Stores the verdict, then at once claims the next item in the same mutation: the screen swaps to it from the cache
 * without another round of rendering in between. The next item is usually already here, claimed ahead (see
 * useClaimAhead), so Enter costs one round trip: the verdict's.
 */
export function useSubmitVerdict(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ itemId, request }: { itemId: number; request: VerdictRequest }): Promise<SubmitVerdictResult> => {
      const verdict = await submitVerdict(itemId, request);
      let next: ReviewItem | null | undefined;
      try {
        next = await itemAfter(queryClient, projectId, itemId);
      } catch {
        next = undefined;
      }
      return { verdict, next };
    },
    onSuccess: ({ verdict, next }) => {
      receiveItem(queryClient, next ?? null);
      queryClient.setQueryData<ReviewItem>(itemKey(verdict.itemId), (item) => (item ? { ...item, myVerdict: verdict } : item));
      // Its status is not in the answer, and this verdict may have completed the panel (agreed, so final): marked out of
      // date (not fetched now), the item is fetched again if the expert goes back to it, and shows read-only if final.
      void queryClient.invalidateQueries({ queryKey: itemKey(verdict.itemId), exact: true, refetchType: 'none' });
      // Count a first verdict at once (one more judged, one fewer left); the true counts are fetched later, so that
      // request does not compete with the next item's image for the server right now.
      if (verdict.revision === 1) {
        queryClient.setQueryData<ProjectList>(projectsKey, (list) =>
          list && {
            projects: list.projects.map((p) =>
              p.id === projectId
                ? { ...p, counts: { ...p.counts, myVerdicts: p.counts.myVerdicts + 1, leftForMe: Math.max(0, p.counts.leftForMe - 1) } }
                : p,
            ),
          },
        );
      }
      void queryClient.invalidateQueries({ queryKey: projectsKey, exact: true, refetchType: 'none' });
    },
  });
}
