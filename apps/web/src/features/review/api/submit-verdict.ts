import { type ProjectList, type ReviewItem, SubmittedVerdict, type VerdictRequest } from '@bagel/contracts';
import type { QueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { projectsKey } from '../../../lib/query-keys';
import { itemKey } from './get-item';

/**
 * One attempt at storing a verdict. `idempotencyKey` is made once per submission and sent with every attempt: a retry
 * of a request that did reach the server stores nothing twice, and gets the first answer again (its feedback after a
 * gold item too, when it has some).
 */
export function submitVerdict(itemId: number, request: VerdictRequest, idempotencyKey: string, signal?: AbortSignal): Promise<SubmittedVerdict> {
  return apiJson(`/api/items/${itemId}/verdicts`, SubmittedVerdict, { method: 'POST', body: request, headers: { 'Idempotency-Key': idempotencyKey }, signal });
}

/** The server acknowledged a verdict (at once, or after retries while the reviewer went on): the cache learns it. */
export function verdictStored(queryClient: QueryClient, projectId: number, submitted: SubmittedVerdict): void {
  // The feedback after a gold item is the outbox's to show; the item keeps the verdict as any item does.
  const { goldFeedback: _feedback, ...verdict } = submitted;
  queryClient.setQueryData<ReviewItem>(itemKey(verdict.itemId), (item) => (item ? { ...item, myVerdict: verdict, myDraft: null } : item));
  // Its status is not in the answer, and this verdict may have completed the panel (agreed, so final): marked out of
  // date (not fetched now), the item is fetched again if the expert goes back to it, and shows read-only if final.
  void queryClient.invalidateQueries({ queryKey: itemKey(verdict.itemId), exact: true, refetchType: 'none' });
  // Count a first verdict at once; the true counts are fetched later, so that request does not compete with the next
  // item's image for the server right now.
  if (verdict.revision === 1) {
    queryClient.setQueryData<ProjectList>(projectsKey, (list) =>
      list && {
        projects: list.projects.map((p) =>
          p.id === projectId ? { ...p, counts: { ...p.counts, myVerdicts: p.counts.myVerdicts + 1, leftForMe: Math.max(0, p.counts.leftForMe - 1) } } : p,
        ),
      },
    );
  }
  void queryClient.invalidateQueries({ queryKey: projectsKey, exact: true, refetchType: 'none' });
}
